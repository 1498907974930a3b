"""The questionnaire content: the shipped file hangs together, and broken overlays name file and field.

The questionnaire is mlorg's own model, so nothing in the framework protects it:
these checks are what stop a content edit from quietly producing a question that
cannot move a result, a weight on an archetype that does not exist, or a scale
that contradicts the framework's facts.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from knowledge import CONTENT_DIR, KnowledgeBase, KnowledgeError, check_knowledge, load_knowledge, score

#: A scored question that passes every check; cases below break one thing about it.
GOOD_OPTIONS = """\
      - {id: first, label: Option A, weights: {rnd: 2}, positions: {data_ownership: 0.2}}
      - {id: second, label: Option B, weights: {embedded: 2}}
      - {id: dont_know, label: I don't know, dont_know: true}
"""


def entry(options: str, *, qid: str = "leadership", extra: str = "") -> str:
    """One question as an item of the ``questions:`` list (by default overriding a built-in one)."""
    return f"  - id: {qid}\n{extra}    options:\n{options}"


def question(options: str, *, qid: str = "leadership", extra: str = "") -> str:
    return "questions:\n" + entry(options, qid=qid, extra=extra)


def write_overlay(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "a.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def problems_of(overlay: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(overlay)
    assert list(caught.value.problems) == check_knowledge(overlay)
    return list(caught.value.problems)


# --- Broken overlays name the file and the field -------------------------------------------------

BROKEN = [
    pytest.param(
        question(GOOD_OPTIONS.replace("weights: {rnd: 2}", "weights: {skunkworks: 2}")),
        ["a.yaml: questions[0].options[0].weights.skunkworks: unknown archetype", "ml_first"],
        id="weight-names-an-unknown-archetype",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace("positions: {data_ownership: 0.2}", "positions: {culture: 0.2}")),
        ["a.yaml: questions[0].options[0].positions.culture: unknown dimension", "model_ownership"],
        id="position-names-an-unknown-dimension",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace("{rnd: 2}", "{rnd: 0}").replace("{embedded: 2}", "{}")),
        ["a.yaml: questions[0].options: dead question"],
        id="dead-question-all-weights-zero",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace(", dont_know: true", "")),
        ["a.yaml: questions[0].options: needs exactly one honest don't-know option", "found 0"],
        id="missing-dont-know",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace("weights: {embedded: 2}", "dont_know: true")),
        ["a.yaml: questions[0].options: needs exactly one honest don't-know option", "found 2"],
        id="two-dont-knows",
    ),
    pytest.param(
        question("\n".join(GOOD_OPTIONS.splitlines()[::2]) + "\n"),
        ["a.yaml: questions[0].options: ", "at least 3"],
        id="too-few-options",
    ),
    pytest.param(
        question(
            GOOD_OPTIONS
            + "".join(f"      - {{id: x{i}, label: Extra {i}, weights: {{rnd: 1}}}}\n" for i in range(4))
        ),
        ["a.yaml: questions[0].options: ", "at most 6"],
        id="too-many-options",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace("id: second,", "id: first,")),
        ["a.yaml: questions[0].options: ", "option id 'first' is used twice"],
        id="duplicate-option-ids",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace("label: Option A", "label: " + "A" * 76)),
        ["a.yaml: questions[0].options[0].label", "75"],
        id="label-too-long-for-a-button",
    ),
    pytest.param(
        question(GOOD_OPTIONS, extra="    prompt: " + "Why " * 40 + "\n"),
        ["a.yaml: questions[0].prompt", "150"],
        id="prompt-too-long-for-a-header",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace("{rnd: 2}", "{rnd: -1}")),
        ["a.yaml: questions[0].options[0].weights.rnd", "greater than or equal to 0"],
        id="negative-weight",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace("{data_ownership: 0.2}", "{data_ownership: 1.5}")),
        ["a.yaml: questions[0].options[0].positions.data_ownership", "less than or equal to 1"],
        id="position-off-the-scale",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace("dont_know: true", "dont_know: true, weights: {nascent: 1}")),
        ["a.yaml: questions[0].options[2]: a 'don't know' option must carry no weights"],
        id="dont-know-that-moves-the-result",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace("label: Option B,", "label: Option B, role: leader,")),
        ["a.yaml: questions[0].options[1].role: only the role question"],
        id="role-on-a-scored-question",
    ),
    pytest.param(
        question(GOOD_OPTIONS.replace("{rnd: 2}", "{rnd: 2}, typo: 1")),
        ["a.yaml: questions[0].options[0].typo", "not permitted"],
        id="unknown-option-field",
    ),
    pytest.param(
        "questions:\n  - id: role\n    options:\n"
        "      - {id: leader, label: Lead, role: leader, weights: {rnd: 1}}\n"
        "      - {id: contributor, label: IC, role: contributor}\n"
        "      - {id: unsaid, label: Rather not say}\n",
        ["a.yaml: questions[0].options[0]: options of the role question carry no weights"],
        id="role-question-with-weights",
    ),
    pytest.param(
        "questions:\n  - id: role\n    options:\n"
        "      - {id: leader, label: Lead, role: leader}\n"
        "      - {id: also_leader, label: Also lead, role: leader}\n"
        "      - {id: unsaid, label: Rather not say}\n",
        ["a.yaml: questions[0].options: the role question needs an option with role: contributor"],
        id="role-question-without-contributors",
    ),
    pytest.param(
        "questions:\n  - id: seniority\n    purpose: role\n    prompt: How senior are you?\n    options:\n"
        "      - {id: leader, label: Lead, role: leader}\n"
        "      - {id: contributor, label: IC, role: contributor}\n"
        "      - {id: unsaid, label: Rather not say}\n",
        [
            "a.yaml: questions[0].purpose: only one role question is allowed",
            "questionnaire.yaml: questions[8]",
        ],
        id="second-role-question",
    ),
    pytest.param(
        "questions:\n"
        + "".join(entry(GOOD_OPTIONS, qid=f"extra_{i}", extra=f"    prompt: Extra {i}?\n") for i in range(3)),
        ["questions: the diagnosis needs 6 to 10 scored questions, found 11", "a.yaml", "questionnaire.yaml"],
        id="too-many-scored-questions",
    ),
]


@pytest.mark.parametrize(("yaml_text", "expected"), BROKEN)
def test_a_broken_questionnaire_overlay_names_the_file_and_the_field(
    tmp_path: Path, yaml_text: str, expected: list[str]
) -> None:
    report = "\n".join(problems_of(write_overlay(tmp_path / "overlay", yaml_text)))
    for fragment in expected:
        assert fragment in report, f"{fragment!r} not in:\n{report}"


def test_questionnaire_problems_are_all_reported_together(tmp_path: Path) -> None:
    text = question(
        GOOD_OPTIONS.replace("weights: {rnd: 2}", "weights: {skunkworks: 2}")
        .replace("{data_ownership: 0.2}", "{culture: 0.2}")
        .replace(", dont_know: true", "")
    )
    problems = problems_of(write_overlay(tmp_path / "overlay", text))
    assert any("options[0].weights.skunkworks" in p for p in problems)
    assert any("options[0].positions.culture" in p for p in problems)
    assert any("don't-know" in p for p in problems)


def test_an_unknown_section_lists_questions_among_the_known_ones(tmp_path: Path) -> None:
    (problem,) = problems_of(write_overlay(tmp_path / "overlay", "questionz: []\n"))
    assert (
        problem
        == "a.yaml: questionz: unknown section (expected one of: archetypes, dimensions, questions, quiz)"
    )


# --- Valid overlays ------------------------------------------------------------------------------


def test_an_overlay_rewords_a_question_and_keeps_its_options(tmp_path: Path, kb: KnowledgeBase) -> None:
    overlay = write_overlay(
        tmp_path / "overlay",
        "questions:\n  - id: leadership\n    prompt: How does our executive team back ML?\n",
    )
    loaded = load_knowledge(overlay)
    reworded = loaded.question("leadership")
    assert reworded is not None
    assert reworded.prompt == "How does our executive team back ML?"
    assert reworded.options == kb.questions[[q.id for q in kb.questions].index("leadership")].options
    assert [q.id for q in loaded.questions] == [q.id for q in kb.questions]


def test_an_overlay_replaces_a_questions_options_and_adds_a_question(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    overlay = write_overlay(
        tmp_path / "overlay",
        question(GOOD_OPTIONS) + entry(GOOD_OPTIONS, qid="budget_cycle", extra="    prompt: Budgets?\n"),
    )
    loaded = load_knowledge(overlay)
    assert [q.id for q in loaded.questions] == [*(q.id for q in kb.questions), "budget_cycle"]
    leadership = loaded.question("leadership")
    assert leadership is not None
    assert [o.id for o in leadership.options] == ["first", "second", "dont_know"]
    assert score(loaded, {"leadership": "first", "budget_cycle": "first"}).best.id == "rnd"


def test_the_built_in_questionnaire_has_no_problems() -> None:
    assert check_knowledge() == []


# --- The shipped questionnaire -------------------------------------------------------------------


def test_the_questionnaire_ships_with_the_content() -> None:
    assert (CONTENT_DIR / "questionnaire.yaml").is_file()


def test_the_questionnaire_file_says_it_is_mlorgs_own_model() -> None:
    header = (CONTENT_DIR / "questionnaire.yaml").read_text(encoding="utf-8").split("questions:", 1)[0]
    assert "mlorg's own model, NOT part of the framework" in header
    assert "no questionnaire" in header


def test_eight_scored_questions_and_one_role_question(kb: KnowledgeBase) -> None:
    assert len(kb.questions) == 8
    assert all(q.purpose == "score" for q in kb.questions)
    assert kb.role_question is not None
    assert kb.role_question.purpose == "role"
    assert [o.role for o in kb.role_question.options] == ["leader", "contributor", None]
    assert all(not o.weights and not o.positions for o in kb.role_question.options)


def test_the_questions_cover_the_themes_of_the_issue(kb: KnowledgeBase) -> None:
    assert [q.id for q in kb.questions] == [
        "where_ml_happens",
        "data_access",
        "path_to_production",
        "talent",
        "time_horizon",
        "leadership",
        "engineering_or_research",
        "data_ownership",
    ]


def test_every_scored_question_has_an_honest_dont_know_and_three_to_six_options(kb: KnowledgeBase) -> None:
    for q in kb.questions:
        assert 3 <= len(q.options) <= 6, q.id
        (dont_know,) = [o for o in q.options if o.dont_know]
        assert "don't know" in dont_know.label.lower()
        assert not dont_know.weights and not dont_know.positions
        assert all(o.role is None for o in q.options)


def test_every_archetype_is_weighted_by_most_questions(kb: KnowledgeBase) -> None:
    for archetype in kb.archetypes:
        speaking = [q.id for q in kb.questions if any(o.weights.get(archetype.id, 0) > 0 for o in q.options)]
        assert len(speaking) >= 6, f"{archetype.id} is weighted by only {speaking}"


def test_every_dimension_is_placed_by_at_least_two_questions(kb: KnowledgeBase) -> None:
    for dimension in kb.dimensions:
        placing = [q.id for q in kb.questions if any(dimension.id in o.positions for o in q.options)]
        assert len(placing) >= 2, f"{dimension.id} is placed only by {placing}"


def test_every_built_in_archetype_has_next_steps_and_scaled_positions(kb: KnowledgeBase) -> None:
    for archetype in kb.archetypes:
        assert len(archetype.next_steps) >= len(archetype.challenges), archetype.id
        for dimension_id, position in archetype.positions.items():
            assert position.scale is not None, f"{archetype.id}/{dimension_id} has no scale"


def test_every_dimension_has_advice_for_both_directions(kb: KnowledgeBase) -> None:
    for dimension in kb.dimensions:
        assert dimension.toward_low != dimension.toward_high


def _scale(kb: KnowledgeBase, archetype_id: str, dimension_id: str) -> float:
    scale = kb.archetype(archetype_id).positions[dimension_id].scale
    assert scale is not None
    return scale


def test_the_scales_order_the_archetypes_as_the_framework_describes(kb: KnowledgeBase) -> None:
    """Our numbers must not contradict the framework's words."""

    def order(dimension_id: str) -> list[str]:
        ids = ["rnd", "embedded", "independent", "ml_first"]
        return sorted(ids, key=lambda a: _scale(kb, a, dimension_id))

    # Research clearly first (R&D) ... mixed (independent, ML-first) ... engineering first (embedded).
    assert order("engineering_vs_research") == ["rnd", "independent", "ml_first", "embedded"]
    # Controls no data ... builds pipelines with others ... voice in governance ... owns the infrastructure.
    assert order("data_ownership") == ["rnd", "embedded", "independent", "ml_first"]
    # Nothing reaches production ... users maintain ... handed off but maintained ... fully owned.
    assert order("model_ownership") == ["rnd", "ml_first", "independent", "embedded"]


def test_the_content_file_keeps_options_in_yaml_order() -> None:
    raw = yaml.safe_load((CONTENT_DIR / "questionnaire.yaml").read_text(encoding="utf-8"))
    kb = load_knowledge()
    scored = [q for q in raw["questions"] if q.get("purpose", "score") == "score"]
    for raw_question, loaded in zip(scored, kb.questions, strict=True):
        assert [o["id"] for o in raw_question["options"]] == [o.id for o in loaded.options]
