"""Loading content: overlays merge by id, and every problem names its file and field.

The person who reads these errors is an operator with an editor, so each case
asserts the message points at the exact file and field path, and that one run
lists every problem rather than the first.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from knowledge import (
    CONTENT_DIR,
    KnowledgeBase,
    KnowledgeError,
    check_knowledge,
    explain,
    load_knowledge,
    render_card,
    render_overview,
)
from knowledge import overview as make_overview

#: A complete new archetype; cases below vary one thing about it.
NEW_ARCHETYPE = """\
archetypes:
  - id: guild
    number: 6
    name: ML guild
    short_name: Guild
    aliases: [{alias}]
    summary: A community of ML practitioners spread over many teams.
    looks_like: [Practitioners meet across teams to share work.]
    strengths: [Cheap to start.]
    challenges: [Nobody is accountable for outcomes.]
    typical_organizations: [Consultancies.]
"""


def write_overlay(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def problems_of(overlay: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(overlay)
    problems = list(caught.value.problems)
    assert problems == check_knowledge(overlay), "check_knowledge must report what load raises"
    assert str(caught.value) == "\n".join(problems)
    return problems


def test_the_built_in_content_has_no_problems() -> None:
    assert check_knowledge() == []
    assert check_knowledge(None) == []


def test_the_built_in_content_ships_inside_the_package() -> None:
    assert CONTENT_DIR.name == "content"
    assert CONTENT_DIR.parent.name == "knowledge"
    # Other content files (the questionnaire, a quiz bank) may join these; these two are the seed.
    assert {"archetypes.yaml", "dimensions.yaml"} <= {p.name for p in CONTENT_DIR.glob("*.yaml")}


# --- Each kind of problem names the file and the field ------------------------------------------

BROKEN_OVERLAYS = [
    pytest.param(
        "archetypes:\n  - id: rnd\n    aliases: [5]\n",
        ["a.yaml: archetypes[0].aliases[0]", "valid string"],
        id="wrong-type",
    ),
    pytest.param(
        "archetypes:\n  - id: rnd\n    challanges: [Typo in the field name.]\n",
        ["a.yaml: archetypes[0].challanges", "not permitted"],
        id="unknown-field",
    ),
    pytest.param(
        "dimensions:\n  - id: data_ownership\n    covers: Data collection\n",
        ["a.yaml: dimensions[0].covers"],
        id="text-where-a-list-belongs",
    ),
    pytest.param(
        "archetypes:\n  - id: rnd\n    name: [unclosed\n  - id: embedded\n",
        ["a.yaml: line ", "YAML syntax error"],
        id="yaml-syntax-error",
    ),
    pytest.param(
        "archetypez:\n  - id: rnd\n",
        ["a.yaml: archetypez: unknown section", "archetypes, dimensions"],
        id="unknown-section",
    ),
    pytest.param(
        "archetypes:\n  id: rnd\n  name: Not a list\n",
        ["a.yaml: archetypes: expected a list, got a mapping"],
        id="section-is-not-a-list",
    ),
    pytest.param("- id: rnd\n", ["a.yaml: expected a mapping"], id="document-is-not-a-mapping"),
    pytest.param(
        "archetypes:\n  - just text\n", ["a.yaml: archetypes[0]: expected a mapping"], id="entry-is-text"
    ),
    pytest.param(
        "archetypes:\n  - name: Nameless\n",
        ["a.yaml: archetypes[0].id", "required"],
        id="missing-id",
    ),
    pytest.param(
        "archetypes:\n  - id: rnd\n    notes: [One.]\n  - id: rnd\n    notes: [Two.]\n",
        ["a.yaml: archetypes[1].id: duplicate id 'rnd'"],
        id="duplicate-id-in-one-file",
    ),
    pytest.param(
        NEW_ARCHETYPE.format(alias="rnd"),
        ["a.yaml: archetypes[0].aliases[0]", "'rnd' is already claimed by 'rnd'"],
        id="alias-claimed-by-two-topics",
    ),
    pytest.param(
        NEW_ARCHETYPE.format(alias="Research & Development"),
        ["a.yaml: archetypes[0].aliases[0]", "already claimed by 'rnd'"],
        id="alias-claimed-in-another-spelling",
    ),
    pytest.param(
        NEW_ARCHETYPE.format(alias="'2'"),
        ["a.yaml: archetypes[0].aliases[0]: '2' is already claimed by 'rnd'"],
        id="alias-that-is-another-archetypes-number",
    ),
    pytest.param(
        NEW_ARCHETYPE.format(alias="'!!'"),
        ["a.yaml: archetypes[0].aliases[0]", "no letters or digits"],
        id="alias-that-cannot-be-typed",
    ),
    pytest.param(
        NEW_ARCHETYPE.format(alias="guilds").replace("number: 6", "number: 2"),
        ["a.yaml: archetypes[0].number: 2 is already used by 'rnd'"],
        id="number-already-used",
    ),
    pytest.param(
        "archetypes:\n  - id: rnd\n    positions:\n      culture: {stance: Open, detail: Very open.}\n",
        ["a.yaml: archetypes[0].positions.culture: unknown dimension", "data_ownership"],
        id="position-on-an-unknown-dimension",
    ),
    pytest.param(
        "archetypes:\n  - id: rnd\n    related: [independent, skunkworks]\n",
        ["a.yaml: archetypes[0].related[1]: unknown topic 'skunkworks'"],
        id="related-names-an-unknown-topic",
    ),
    pytest.param(
        "archetypes:\n  - id: rnd\n    positions:\n      data_ownership: {stance: Borrows data}\n",
        ["a.yaml: archetypes[0].positions.data_ownership.detail", "required"],
        id="position-missing-its-detail",
    ),
    pytest.param(
        "archetypes:\n  - id: Bad-Id\n    number: 7\n",
        ["a.yaml: archetypes[0].id"],
        id="id-that-is-not-a-slug",
    ),
]


@pytest.mark.parametrize(("yaml_text", "expected"), BROKEN_OVERLAYS)
def test_a_broken_overlay_names_the_file_and_the_field(
    tmp_path: Path, yaml_text: str, expected: list[str]
) -> None:
    problems = problems_of(write_overlay(tmp_path / "overlay", {"a.yaml": yaml_text}))
    report = "\n".join(problems)
    for fragment in expected:
        assert fragment in report, f"{fragment!r} not in:\n{report}"


def test_an_archetype_may_list_its_own_number_as_an_alias(tmp_path: Path) -> None:
    overlay = write_overlay(tmp_path / "overlay", {"a.yaml": NEW_ARCHETYPE.format(alias="'6'")})
    found = load_knowledge(overlay).find("6")
    assert found.topic is not None
    assert found.topic.id == "guild"


def test_a_yaml_syntax_error_reports_the_line(tmp_path: Path) -> None:
    overlay = write_overlay(
        tmp_path / "overlay",
        {"a.yaml": "archetypes:\n  - id: rnd\n    notes: [fine]\n    name: [unclosed\n"},
    )
    (problem,) = problems_of(overlay)
    assert problem.startswith("a.yaml: line 5")
    assert "YAML syntax error" in problem


def test_a_new_archetype_missing_required_fields_lists_each_one(tmp_path: Path) -> None:
    overlay = write_overlay(tmp_path / "overlay", {"a.yaml": "archetypes:\n  - id: half\n    number: 7\n"})
    problems = problems_of(overlay)
    for field in ("name", "short_name", "summary", "looks_like", "strengths", "challenges"):
        assert any(p.startswith(f"a.yaml: archetypes[0].{field}: ") for p in problems), field
    assert any(p.startswith("a.yaml: archetypes[0].typical_organizations: ") for p in problems)


def test_a_nonexistent_overlay_directory_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    (problem,) = problems_of(missing)
    assert str(missing) in problem
    assert "not a directory" in problem


def test_an_overlay_directory_without_yaml_is_a_problem(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.txt").write_text("not content", encoding="utf-8")
    (problem,) = problems_of(empty)
    assert "no .yaml files" in problem


def test_an_empty_overlay_file_is_harmless(tmp_path: Path, kb: KnowledgeBase) -> None:
    overlay = write_overlay(tmp_path / "overlay", {"a.yaml": "# nothing yet\n"})
    loaded = load_knowledge(overlay)
    assert [a.id for a in loaded.archetypes] == [a.id for a in kb.archetypes]


# --- All problems at once -----------------------------------------------------------------------


def test_every_problem_in_one_file_is_reported_in_one_run(tmp_path: Path) -> None:
    overlay = write_overlay(
        tmp_path / "overlay",
        {
            "a.yaml": """\
                archetypes:
                  - id: rnd
                    aliases: [5]
                    challanges: [typo]
                  - id: embedded
                    strengths: []
                """
        },
    )
    problems = problems_of(overlay)
    assert len(problems) >= 3
    assert any(p.startswith("a.yaml: archetypes[0].aliases[0]: ") for p in problems)
    assert any(p.startswith("a.yaml: archetypes[0].challanges: ") for p in problems)
    assert any(p.startswith("a.yaml: archetypes[1].strengths: ") for p in problems)


def test_every_structural_problem_in_one_file_is_reported_in_one_run(tmp_path: Path) -> None:
    overlay = write_overlay(
        tmp_path / "overlay",
        {"a.yaml": "archetypes:\n  - name: Nameless\n  - id: rnd\n  - id: rnd\ndimensions: {}\nbogus: []\n"},
    )
    problems = problems_of(overlay)
    assert problems[:3] == [
        "a.yaml: archetypes[0].id: Field required (a lower-case slug such as 'rnd')",
        "a.yaml: archetypes[2].id: duplicate id 'rnd' in this file",
        "a.yaml: dimensions: expected a list, got a mapping",
    ]
    assert len(problems) == 4
    assert problems[3].startswith("a.yaml: bogus: unknown section (expected one of: archetypes, dimensions")


def test_problems_in_different_files_are_all_reported_with_their_file(tmp_path: Path) -> None:
    overlay = write_overlay(
        tmp_path / "overlay",
        {
            "a.yaml": "archetypes:\n  - id: rnd\n    aliases: [5]\n",
            "b.yml": "dimensions:\n  - id: data_ownership\n    covers: []\n",
        },
    )
    problems = problems_of(overlay)
    assert any(p.startswith("a.yaml: archetypes[0].aliases[0]") for p in problems)
    assert any(p.startswith("b.yml: dimensions[0].covers") for p in problems)


def test_cross_reference_problems_are_all_reported_together(tmp_path: Path) -> None:
    overlay = write_overlay(
        tmp_path / "overlay",
        {
            "a.yaml": """\
                archetypes:
                  - id: rnd
                    related: [skunkworks]
                    positions:
                      culture: {stance: Open, detail: Very open.}
                """
        },
    )
    problems = problems_of(overlay)
    assert any("positions.culture: unknown dimension" in p for p in problems)
    assert any("related[0]: unknown topic 'skunkworks'" in p for p in problems)


# --- A valid overlay ----------------------------------------------------------------------------

VALID_OVERLAY = """\
archetypes:
  - id: rnd
    name: Research lab ML
    notes:
      - Our Zurich lab works this way.
    positions:
      data_ownership:
        stance: Borrows warehouse data
        detail: The lab borrows its data from the warehouse team.
  - id: guild
    number: 6
    name: ML guild
    short_name: Guild
    aliases: [community of practice]
    summary: A community of ML practitioners spread over many teams.
    looks_like: [Practitioners meet across teams to share work.]
    strengths: [Cheap to start.]
    challenges: [Nobody is accountable for outcomes.]
    typical_organizations: [Consultancies.]
    related: [rnd]
dimensions:
  - id: model_ownership
    notes: [We track model owners in the service catalogue.]
"""


@pytest.fixture(scope="module")
def overlaid(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    overlay = write_overlay(tmp_path_factory.mktemp("overlay"), {"ours.yaml": VALID_OVERLAY})
    assert check_knowledge(overlay) == []
    return load_knowledge(overlay)


def test_an_overlay_renames_an_archetype_on_its_card(overlaid: KnowledgeBase) -> None:
    card = render_card(explain(overlaid, overlaid.archetype("rnd")))
    assert card.startswith("2. Research lab ML\n")
    assert "Research and development (R&D) ML" not in card
    assert "Research lab ML (rnd)" in render_overview(make_overview(overlaid))


def test_an_overlay_keeps_the_fields_it_does_not_mention(overlaid: KnowledgeBase, kb: KnowledgeBase) -> None:
    renamed, original = overlaid.archetype("rnd"), kb.archetype("rnd")
    assert renamed.strengths == original.strengths
    assert renamed.challenges == original.challenges
    assert renamed.aliases == original.aliases
    assert overlaid.find("R&D").topic is renamed
    assert overlaid.find("research lab ml").topic is renamed


def test_an_overlay_adds_notes_to_the_card(overlaid: KnowledgeBase) -> None:
    card = render_card(explain(overlaid, overlaid.archetype("rnd")))
    assert "Notes\n  - Our Zurich lab works this way." in card
    dimension_card = render_card(explain(overlaid, overlaid.dimension("model_ownership")))
    assert "We track model owners in the service catalogue." in dimension_card


def test_an_overlay_position_replaces_one_dimension_and_keeps_the_others(
    overlaid: KnowledgeBase, kb: KnowledgeBase
) -> None:
    positions = overlaid.archetype("rnd").positions
    original = kb.archetype("rnd").positions
    assert set(positions) == set(original)
    assert positions["data_ownership"].stance == "Borrows warehouse data"
    assert positions["engineering_vs_research"] == original["engineering_vs_research"]
    assert positions["model_ownership"] == original["model_ownership"]
    card = render_card(explain(overlaid, overlaid.archetype("rnd")))
    assert "Data ownership: Borrows warehouse data. The lab borrows its data" in card
    assert "Model ownership: Models rarely reach production." in card


def test_an_overlay_adds_a_new_archetype_findable_by_its_alias(overlaid: KnowledgeBase) -> None:
    found = overlaid.find("Community of Practice")
    assert found.topic is not None
    assert found.topic.id == "guild"
    assert [a.id for a in overlaid.archetypes][-1] == "guild"
    assert overlaid.find("6").topic is found.topic
    card = render_card(explain(overlaid, found.topic))
    assert card.startswith("6. ML guild\n")
    assert "Read next: R&D (rnd)" in card


def test_an_overlay_does_not_change_the_built_in_knowledge_base(kb: KnowledgeBase) -> None:
    assert kb.archetype("rnd").name == "Research and development (R&D) ML"
    assert kb.get("guild") is None
    assert load_knowledge().archetype("rnd").notes == ()


def test_two_base_files_defining_one_id_clash_instead_of_merging(tmp_path: Path) -> None:
    # The base directory is the shipped content: two files defining one id is a clash, not a merge.
    base = write_overlay(
        tmp_path / "base",
        {
            "a.yaml": (CONTENT_DIR / "archetypes.yaml").read_text(encoding="utf-8"),
            "b.yaml": (CONTENT_DIR / "archetypes.yaml").read_text(encoding="utf-8"),
            "c.yaml": (CONTENT_DIR / "dimensions.yaml").read_text(encoding="utf-8"),
        },
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(base=base)
    assert any(
        p.startswith("b.yaml: archetypes[0].id: id 'nascent' is already defined in a.yaml: archetypes[0]")
        for p in caught.value.problems
    )
