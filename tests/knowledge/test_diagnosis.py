"""Scoring a diagnosis and combining a team's results, against the real questionnaire.

The questionnaire and its weights are mlorg's own model; these tests pin down what
the model promises: a distribution that always sums to 100, a blend verdict when
two archetypes are close, gaps measured against the framework's suggested
position, next steps drawn from the archetype and the gaps, every archetype
reachable by an honest organization, and a team view that shows nothing until
enough people answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge import (
    BLEND_MARGIN,
    CONTENT_DIR,
    DISCLAIMER,
    GAP_THRESHOLD,
    MIN_GROUP,
    Diagnosis,
    KnowledgeBase,
    aggregate,
    load_knowledge,
    role_of,
    score,
)
from knowledge.diagnosis import ALIGNED_BELOW, STRONG_FROM

ARCHETYPE_IDS = ("nascent", "rnd", "embedded", "independent", "ml_first")


@dataclass(frozen=True)
class Persona:
    """An organization, described the way a member of it would, and how they would answer."""

    description: str
    answers: dict[str, str]
    expected: str


#: One honest organization per archetype. The answers are what a member would pick
#: reading the prompts, not the options with the biggest weights: several answers
#: point elsewhere, and some are "don't know", as in real life.
PERSONAS: dict[str, Persona] = {
    "nascent": Persona(
        description=(
            "A mid-size logistics company (about 800 people). One analyst in finance dabbles with "
            "demand forecasting in notebooks when things are quiet; the results end up as a "
            "spreadsheet. Nobody owns ML, leadership has never funded it, and the one data "
            "scientist they hired left after a year."
        ),
        answers={
            "where_ml_happens": "nowhere",
            "data_access": "very_hard",
            "path_to_production": "rarely",
            "talent": "very_hard",
            "time_horizon": "no_plan",
            "leadership": "little",
            "engineering_or_research": "no_team",
            "data_ownership": "dont_know",
        },
        expected="nascent",
    ),
    "rnd": Persona(
        description=(
            "A large telecom operator's corporate research lab: fifteen researchers, most with PhDs, "
            "who publish at conferences and work on five-year network-optimization bets. They get "
            "operations data through a ticket queue, have no data engineers, and their prototypes "
            "rarely ship. The lab's budget has been flat for years."
        ),
        answers={
            "where_ml_happens": "research_lab",
            "data_access": "slow",
            "path_to_production": "rarely",
            "talent": "researchers",
            "time_horizon": "long_bets",
            "leadership": "small_budget",
            "engineering_or_research": "research",
            "data_ownership": "others_no_engineers",
        },
        expected="rnd",
    ),
    "embedded": Persona(
        description=(
            "A B2B software company. Two ML engineers sit in the search team and one in the fraud "
            "team, each reporting to that team's tech lead. They ship and run their own models, "
            "build pipelines with the data platform team's engineers and wait on them for new data, "
            "and cannot get a long-term ranking project onto the roadmap. Hiring is a struggle. "
            "The person answering does not know how leadership thinks about ML."
        ),
        answers={
            "where_ml_happens": "product_teams",
            "data_access": "slow",
            "path_to_production": "builders_run_them",
            "talent": "very_hard",
            "time_horizon": "quick_only",
            "leadership": "dont_know",
            "engineering_or_research": "engineering",
            "data_ownership": "pipelines_together",
        },
        expected="embedded",
    ),
    "independent": Persona(
        description=(
            "A large bank with a 60-person ML division reporting to the Chief Data Officer. ML "
            "product managers, researchers and engineers build credit and fraud models that the "
            "business lines use and the division still maintains; getting a business line to adopt "
            "a model takes months. The division has its own data engineers and a seat on the data "
            "governance council; hiring is fine but top people are hard to keep against tech firms."
        ),
        answers={
            "where_ml_happens": "own_division",
            "data_access": "good",
            "path_to_production": "handoff_we_maintain",
            "talent": "hard_to_grow",
            "time_horizon": "products_plus_research",
            "leadership": "senior_sponsor",
            "engineering_or_research": "mixed",
            "data_ownership": "governance_voice",
        },
        expected="independent",
    ),
    "ml_first": Persona(
        description=(
            "An ML-focused startup of 300 people. The CEO talks about ML at every all-hands; ML "
            "experts sit in every product team chasing quick wins, and a core ML group runs the "
            "company's data platform and works on long-term models. Candidates apply because of "
            "the problems. Product teams run most models themselves, though some are still run by "
            "whoever built them."
        ),
        answers={
            "where_ml_happens": "everywhere",
            "data_access": "easy",
            "path_to_production": "builders_run_them",
            "talent": "top_talent",
            "time_horizon": "both",
            "leadership": "ceo",
            "engineering_or_research": "varies",
            "data_ownership": "ml_owns_infra",
        },
        expected="ml_first",
    ),
}


def all_dont_know(kb: KnowledgeBase) -> dict[str, str]:
    return {q.id: next(o.id for o in q.options if o.dont_know) for q in kb.questions}


def assert_valid(result: Diagnosis, kb: KnowledgeBase) -> None:
    """What every result promises, whatever was answered."""
    percents = [s.percent for s in result.shares]
    assert sum(percents) == 100
    assert all(0 <= p <= 100 for p in percents)
    assert percents == sorted(percents, reverse=True)
    assert {s.archetype.id for s in result.shares} == {a.id for a in kb.archetypes}
    assert result.best is result.shares[0].archetype
    assert result.shares[0].percent == max(percents)
    assert result.runner_up is result.shares[1].archetype
    assert result.blend == (result.shares[0].percent - result.shares[1].percent < BLEND_MARGIN)
    assert 0 <= result.answered + result.dont_know <= result.total == len(kb.questions)
    assert [r.dimension.id for r in result.readings] == [d.id for d in kb.dimensions]
    for reading in result.readings:
        assert reading.team is None or 0.0 <= reading.team <= 1.0
        assert reading.gap is None or -1.0 <= reading.gap <= 1.0
    assert all(gap.gap is not None and abs(gap.gap) >= GAP_THRESHOLD for gap in result.gaps)
    assert len(result.why) <= 3
    assert all(e.weight > 0 for e in result.why)
    assert result.next_steps
    assert result.disclaimer == DISCLAIMER


# --- One person's result -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS.values(), ids=list(PERSONAS))
def test_each_persona_gets_its_archetype_as_the_best_fit(kb: KnowledgeBase, persona: Persona) -> None:
    result = score(kb, persona.answers)
    assert_valid(result, kb)
    assert result.best.id == persona.expected
    assert result.enough


def test_every_archetype_comes_out_on_top_for_some_persona(kb: KnowledgeBase) -> None:
    assert {p.expected for p in PERSONAS.values()} == {a.id for a in kb.archetypes}
    assert set(PERSONAS) == set(ARCHETYPE_IDS)


def test_every_archetype_wins_when_each_question_is_answered_its_way(kb: KnowledgeBase) -> None:
    """Content-independent reachability: the option that leans most toward an archetype, every time."""
    for archetype in kb.archetypes:
        answers = {
            q.id: max(q.options, key=lambda o: o.weights.get(archetype.id, 0.0)).id for q in kb.questions
        }
        result = score(kb, answers)
        assert result.best.id == archetype.id
        assert not result.blend, f"{archetype.id} wins only narrowly on its own answers"


@pytest.mark.parametrize("persona", PERSONAS.values(), ids=list(PERSONAS))
def test_the_distribution_sums_to_exactly_one_hundred(kb: KnowledgeBase, persona: Persona) -> None:
    for answered in range(len(persona.answers) + 1):
        partial = dict(list(persona.answers.items())[:answered])
        assert sum(s.percent for s in score(kb, partial).shares) == 100


def test_nothing_answered_gives_equal_shares_and_is_not_enough(kb: KnowledgeBase) -> None:
    for answers in ({}, all_dont_know(kb)):
        result = score(kb, answers)
        assert [s.percent for s in result.shares] == [20] * 5
        # Ties are broken by the framework's numbering.
        assert [s.archetype.id for s in result.shares] == list(ARCHETYPE_IDS)
        assert not result.enough
        assert result.answered == 0
        assert result.why == ()
        assert result.gaps == ()
        assert all(r.team is None for r in result.readings)
        assert result.blend
    assert score(kb, all_dont_know(kb)).dont_know == len(kb.questions)


def test_enough_needs_half_the_questions_answered_with_something_but_dont_know(kb: KnowledgeBase) -> None:
    persona = PERSONAS["rnd"].answers
    questions = [q.id for q in kb.questions]
    half = len(questions) // 2
    just_under = {q: persona[q] for q in questions[: half - 1]}
    assert not score(kb, just_under).enough
    assert score(kb, {q: persona[q] for q in questions[:half]}).enough
    padded = {**all_dont_know(kb), **just_under}
    result = score(kb, padded)
    assert not result.enough
    assert (result.answered, result.dont_know, result.total) == (half - 1, len(questions) - half + 1, 8)


def test_two_evenly_matched_archetypes_are_a_blend(kb: KnowledgeBase) -> None:
    # Product teams own ML, but models are handed to business lines that the ML people still maintain.
    result = score(kb, {"where_ml_happens": "product_teams", "path_to_production": "handoff_we_maintain"})
    assert_valid(result, kb)
    assert result.blend
    assert {result.best.id, result.runner_up.id if result.runner_up else None} == {"embedded", "independent"}
    assert result.shares[0].percent == result.shares[1].percent
    # An exact tie goes to the lower number, as the framework orders the archetypes.
    assert result.best.id == "embedded"


def test_a_clear_result_is_not_a_blend(kb: KnowledgeBase) -> None:
    result = score(kb, PERSONAS["rnd"].answers)
    assert not result.blend
    assert result.shares[0].percent - result.shares[1].percent >= BLEND_MARGIN


def test_why_lists_the_answers_that_weighed_most_for_the_best_fit(kb: KnowledgeBase) -> None:
    result = score(kb, PERSONAS["embedded"].answers)
    assert len(result.why) == 3
    weights = [e.weight for e in result.why]
    assert weights == sorted(weights, reverse=True)
    chosen_weights = sorted(
        (o.weights.get("embedded", 0.0) for _, o in result.answers if o.weights.get("embedded", 0.0) > 0),
        reverse=True,
    )
    assert weights == chosen_weights[:3]
    for evidence in result.why:
        assert PERSONAS["embedded"].answers[evidence.question.id] == evidence.option.id
        assert evidence.option.weights["embedded"] == evidence.weight


def test_a_team_placed_like_its_archetype_has_no_gaps(kb: KnowledgeBase) -> None:
    result = score(kb, PERSONAS["independent"].answers)
    assert result.best.id == "independent"
    for reading in result.readings:
        assert reading.suggested is result.best.positions[reading.dimension.id]
        assert reading.team is not None
    assert result.gaps == ()


def test_gaps_are_measured_against_the_archetypes_suggested_position(kb: KnowledgeBase) -> None:
    # Product-embedded in every way, except that the ML people run the company's data platform.
    answers = {**PERSONAS["embedded"].answers, "data_ownership": "ml_owns_infra", "data_access": "easy"}
    result = score(kb, answers)
    assert result.best.id == "embedded"
    data = result.reading("data_ownership")
    assert data is not None
    assert data.suggested is not None
    assert data.suggested.scale is not None
    expected_team = (0.95 + 0.9) / 2
    assert data.team == pytest.approx(expected_team, abs=0.001)
    assert data.gap is not None
    assert data.gap == pytest.approx(expected_team - data.suggested.scale, abs=0.001)
    assert data.gap >= GAP_THRESHOLD
    assert [g.dimension.id for g in result.gaps] == ["data_ownership"]


def test_a_team_below_its_archetypes_position_is_a_negative_gap(kb: KnowledgeBase) -> None:
    # An ML division in every way, except that its models rarely reach production.
    answers = {**PERSONAS["independent"].answers, "path_to_production": "rarely"}
    result = score(kb, answers)
    assert result.best.id == "independent"
    models = result.reading("model_ownership")
    assert models is not None
    assert models.gap is not None
    assert models.gap <= -GAP_THRESHOLD
    assert [g.dimension.id for g in result.gaps] == ["model_ownership"]


def test_next_steps_start_with_the_archetypes_own_then_the_gap_advice(kb: KnowledgeBase) -> None:
    embedded = kb.archetype("embedded")
    above = score(
        kb, {**PERSONAS["embedded"].answers, "data_ownership": "ml_owns_infra", "data_access": "easy"}
    )
    data = kb.dimension("data_ownership")
    assert above.next_steps == (*embedded.next_steps[:3], data.toward_low)

    independent = kb.archetype("independent")
    below = score(kb, {**PERSONAS["independent"].answers, "path_to_production": "rarely"})
    assert below.next_steps == (*independent.next_steps[:3], kb.dimension("model_ownership").toward_high)

    without_gaps = score(kb, PERSONAS["rnd"].answers)
    assert without_gaps.next_steps == kb.archetype("rnd").next_steps[:3]


def test_nascent_has_no_suggested_position_so_no_gaps(kb: KnowledgeBase) -> None:
    result = score(kb, PERSONAS["nascent"].answers)
    assert result.best.id == "nascent"
    assert all(r.suggested is None and r.gap is None for r in result.readings)
    assert result.next_steps == kb.archetype("nascent").next_steps[:3]


def test_stale_or_unknown_ids_are_ignored(kb: KnowledgeBase) -> None:
    clean = score(kb, PERSONAS["rnd"].answers)
    noisy = score(
        kb,
        {
            **PERSONAS["rnd"].answers,
            "question_removed_last_week": "research_lab",
            "": "",
            "role": "leader",
            "talent": "option_that_no_longer_exists",
        },
    )
    assert_valid(noisy, kb)
    assert noisy.best.id == "rnd"
    assert noisy.answered == clean.answered - 1  # the stale talent answer is dropped, not guessed
    assert "talent" not in {q.id for q, _ in noisy.answers}


def test_the_result_says_the_model_is_mlorgs_own(kb: KnowledgeBase) -> None:
    result = score(kb, PERSONAS["ml_first"].answers)
    assert "mlorg's own model" in result.disclaimer
    assert "framework" in result.disclaimer
    assert "no questionnaire" in result.disclaimer


def test_a_knowledge_base_without_a_questionnaire_still_scores_safely(tmp_path: Path) -> None:
    base = tmp_path / "no-questions"
    base.mkdir()
    for name in ("archetypes.yaml", "dimensions.yaml"):
        (base / name).write_text((CONTENT_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    bare = load_knowledge(base=base)
    assert bare.questions == ()
    assert bare.role_question is None
    result = score(bare, {"where_ml_happens": "nowhere"})
    assert [s.percent for s in result.shares] == [20] * 5
    assert not result.enough
    assert role_of(bare, {"role": "leader"}) is None


# --- Roles -------------------------------------------------------------------------------------


def test_role_of_reads_the_role_question(kb: KnowledgeBase) -> None:
    assert kb.role_question is not None
    assert role_of(kb, {"role": "leader"}) == "leader"
    assert role_of(kb, {"role": "contributor"}) == "contributor"
    assert role_of(kb, {"role": "prefer_not_to_say"}) is None
    assert role_of(kb, {"role": "ceo_of_everything"}) is None
    assert role_of(kb, {}) is None
    assert role_of(kb, PERSONAS["rnd"].answers) is None


def test_the_role_question_does_not_change_the_score(kb: KnowledgeBase) -> None:
    answers = PERSONAS["embedded"].answers
    assert score(kb, {**answers, "role": "leader"}).shares == score(kb, answers).shares


# --- A team's results --------------------------------------------------------------------------


def results_for(kb: KnowledgeBase, *people: tuple[str, str | None]) -> list[tuple[Diagnosis, str | None]]:
    """Each person answers as the named persona, with the role they gave."""
    return [(score(kb, PERSONAS[name].answers), role) for name, role in people]


def test_two_respondents_show_nothing(kb: KnowledgeBase) -> None:
    team = aggregate(kb, results_for(kb, ("embedded", "leader"), ("rnd", "contributor")))
    assert team.respondents == 2
    assert not team.visible
    assert team.leading is None
    assert team.distribution == ()
    assert team.readings == ()
    assert team.perception_gap is None


def test_three_respondents_show_the_aggregate(kb: KnowledgeBase) -> None:
    team = aggregate(kb, results_for(kb, ("embedded", None), ("embedded", None), ("independent", None)))
    assert team.visible
    assert (team.respondents, team.placed) == (3, 3)
    assert team.leading is not None
    assert team.leading.id == "embedded"
    counts = {t.archetype.id: t.best_fit for t in team.distribution}
    assert counts == {"embedded": 2, "independent": 1, "nascent": 0, "rnd": 0, "ml_first": 0}
    assert sum(t.mean_percent for t in team.distribution) == pytest.approx(100, abs=0.5)
    assert [t.best_fit for t in team.distribution] == sorted(counts.values(), reverse=True)
    assert [r.dimension.id for r in team.readings] == [d.id for d in kb.dimensions]
    for reading in team.readings:
        assert reading.people == 3
        assert reading.mean is not None
        assert 0.0 <= reading.mean <= 1.0
        assert reading.suggested is team.leading.positions[reading.dimension.id]
    assert team.perception_gap is None
    assert team.disclaimer == DISCLAIMER


def test_respondents_who_said_too_little_do_not_count_towards_the_group(kb: KnowledgeBase) -> None:
    blank = (score(kb, all_dont_know(kb)), None)
    team = aggregate(kb, [*results_for(kb, ("embedded", None), ("rnd", None)), blank])
    assert (team.respondents, team.placed) == (3, 2)
    assert not team.visible
    assert team.distribution == ()


def test_people_who_agree_are_aligned(kb: KnowledgeBase) -> None:
    team = aggregate(kb, results_for(kb, ("rnd", None), ("rnd", None), ("rnd", None)))
    for reading in team.readings:
        assert reading.spread == 0
        assert reading.disagreement == "aligned"


def test_people_who_place_the_team_far_apart_strongly_disagree(kb: KnowledgeBase) -> None:
    people = results_for(kb, ("rnd", None), ("rnd", None), ("ml_first", None), ("ml_first", None))
    team = aggregate(kb, people)
    data = next(r for r in team.readings if r.dimension.id == "data_ownership")
    low, high = (d.reading("data_ownership") for d in (people[0][0], people[2][0]))
    assert low is not None and low.team is not None and high is not None and high.team is not None
    # The team's position is only ever shown in tenths.
    assert data.mean == pytest.approx((low.team + high.team) / 2, abs=0.05 + 1e-9)
    assert data.mean == round(data.mean, 1)
    assert data.spread is not None
    assert data.spread == pytest.approx((high.team - low.team) / 2, abs=0.001)
    assert data.spread >= STRONG_FROM
    assert data.disagreement == "strong disagreement"


def test_disagreement_labels_follow_the_thresholds(kb: KnowledgeBase) -> None:
    people = results_for(kb, ("embedded", None), ("independent", None), ("ml_first", None), ("rnd", None))
    team = aggregate(kb, people)
    for reading in team.readings:
        assert reading.spread is not None
        expected = (
            "aligned"
            if reading.spread < ALIGNED_BELOW
            else "some disagreement"
            if reading.spread < STRONG_FROM
            else "strong disagreement"
        )
        assert reading.disagreement == expected


def test_a_dimension_few_people_spoke_to_shows_no_mean(kb: KnowledgeBase) -> None:
    # The nascent persona says nothing about models or engineering: only one voice on those.
    team = aggregate(kb, results_for(kb, ("nascent", None), ("nascent", None), ("rnd", None)))
    engineering = next(r for r in team.readings if r.dimension.id == "engineering_vs_research")
    assert engineering.people == 1
    assert (engineering.mean, engineering.spread, engineering.disagreement) == (None, None, None)


def test_perception_gap_needs_three_leaders_and_three_contributors(kb: KnowledgeBase) -> None:
    leaders = [("ml_first", "leader")] * 3
    contributors = [("embedded", "contributor")] * 2
    assert aggregate(kb, results_for(kb, *leaders, *contributors)).perception_gap is None
    unsaid = [("embedded", None)] * 3
    assert aggregate(kb, results_for(kb, *leaders, *contributors, *unsaid)).perception_gap is None

    team = aggregate(kb, results_for(kb, *leaders, *contributors, ("embedded", "contributor")))
    gap = team.perception_gap
    assert gap is not None
    assert (gap.leaders, gap.contributors) == (3, 3)
    assert gap.leaders_lead.id == "ml_first"
    assert gap.contributors_lead.id == "embedded"
    assert not gap.same_best_fit
    by_archetype = {p.archetype.id: p for p in gap.archetypes}
    assert (by_archetype["ml_first"].leaders, by_archetype["ml_first"].contributors) == (3, 0)
    assert (by_archetype["embedded"].leaders, by_archetype["embedded"].contributors) == (0, 3)
    data = next(p for p in gap.dimensions if p.dimension.id == "data_ownership")
    assert data.leaders is not None
    assert data.contributors is not None
    assert data.difference is not None
    assert data.difference == pytest.approx(data.leaders - data.contributors, abs=0.001)
    assert data.difference > GAP_THRESHOLD  # leaders think ML owns far more data than contributors do


def test_unknown_roles_count_as_unsaid(kb: KnowledgeBase) -> None:
    people = results_for(kb, *[("rnd", "leader")] * 3, *[("rnd", "Contributor ")] * 3)
    team = aggregate(kb, people)
    assert team.visible
    assert team.perception_gap is None


# --- Any answers give a valid result -----------------------------------------------------------

_KB = load_knowledge()
_QUESTION_IDS = [q.id for q in _KB.questions] + ([_KB.role_question.id] if _KB.role_question else [])
_OPTION_IDS = sorted({o.id for q in _KB.questions for o in q.options})
_ids = st.one_of(st.sampled_from(_OPTION_IDS), st.text(max_size=30))
_answers = st.dictionaries(st.one_of(st.sampled_from(_QUESTION_IDS), st.text(max_size=30)), _ids, max_size=15)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_answers)
def test_any_answers_give_a_valid_result(answers: dict[str, str]) -> None:
    assert_valid(score(_KB, answers), _KB)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_answers, st.sampled_from(["leader", "contributor", None, "x"])), max_size=12))
def test_any_team_gives_a_consistent_aggregate(people: list[tuple[dict[str, str], str | None]]) -> None:
    results = [(score(_KB, answers), role) for answers, role in people]
    team = aggregate(_KB, results)
    placed = sum(d.enough for d, _ in results)
    assert (team.respondents, team.placed) == (len(people), placed)
    assert team.visible == (placed >= MIN_GROUP)
    if not team.visible:
        assert (team.distribution, team.readings, team.perception_gap, team.leading) == ((), (), None, None)
        return
    assert sum(t.best_fit for t in team.distribution) == placed
    for reading in team.readings:
        assert reading.mean is None or 0.0 <= reading.mean <= 1.0
        assert reading.spread is None or 0.0 <= reading.spread <= 0.5
    if team.perception_gap is not None:
        assert team.perception_gap.leaders >= MIN_GROUP
        assert team.perception_gap.contributors >= MIN_GROUP


# --- A watched team aggregate: it moves only by whole groups ---------------------------------------


def test_a_workspaces_minimum_group_of_ten_hides_nine_people(kb: KnowledgeBase) -> None:
    nine = results_for(kb, *[("embedded", "leader")] * 9)
    assert not aggregate(kb, nine, 10).visible
    assert aggregate(kb, [*nine, *results_for(kb, ("rnd", None))], 10).visible


def test_a_watched_aggregate_holds_one_newcomer_and_shows_the_figures_it_showed_before(
    kb: KnowledgeBase,
) -> None:
    three = results_for(kb, ("embedded", None), ("embedded", None), ("independent", None))
    first = aggregate(kb, three, members=["a", "b", "c"], shown={})  # watched, never drawn yet
    assert first.visible and first.updated and first.shown is not None

    four = aggregate(
        kb, [*three, *results_for(kb, ("ml_first", None))], members=["a", "b", "c", "d"], shown=first.shown
    )

    assert not four.visible and not four.updated and four.unshown == 1
    assert four.shown == first.shown, "held figures keep pointing at what was last drawn"
    six = aggregate(
        kb,
        [*three, *results_for(kb, ("ml_first", None), ("ml_first", None), ("rnd", None))],
        members=list("abcdef"),
        shown=four.shown,
    )
    assert six.visible and six.updated and six.placed == 6


def test_someone_forgotten_is_not_counted_as_an_answer_waiting_to_be_shown(kb: KnowledgeBase) -> None:
    six = results_for(kb, *[("embedded", None)] * 3, *[("rnd", None)] * 3)
    shown = aggregate(kb, six, members=list("abcdef"), shown={}).shown

    # "d" asked to be forgotten: one fewer, nobody new.
    five = aggregate(kb, six[:3] + six[4:], members=list("abcef"), shown=shown)

    assert not five.visible and five.unshown == 0


def test_someone_who_answered_too_few_questions_waits_like_anyone_new(kb: KnowledgeBase) -> None:
    """Held or unplaced, a newcomer is counted the same: the count says nothing about their answers."""
    three = results_for(kb, ("embedded", None), ("embedded", None), ("independent", None))
    shown = aggregate(kb, three, members=["a", "b", "c"], shown={}).shown
    unplaced = score(kb, {q.id: "dont_know" for q in kb.questions})
    placed_newcomer = results_for(kb, ("rnd", None))

    said_nothing = aggregate(kb, [*three, (unplaced, None)], members=list("abcd"), shown=shown)
    held = aggregate(kb, [*three, *placed_newcomer], members=list("abcd"), shown=shown)

    assert said_nothing.unshown == held.unshown == 1


def test_a_team_aggregate_is_held_when_a_view_elsewhere_showed_one_person_fewer(kb: KnowledgeBase) -> None:
    four = results_for(kb, ("embedded", None), ("embedded", None), ("independent", None), ("nascent", None))
    thread = aggregate(kb, four[:3], members=["a", "b", "c"], shown={})
    assert thread.shown is not None

    week = aggregate(
        kb, four, members=list("abcd"), shown={}, ledger={k: [v] for k, v in thread.shown.items()}
    )

    assert not week.visible and week.distribution == ()


def test_leaders_against_contributors_needs_the_group_on_each_side(kb: KnowledgeBase) -> None:
    people = [("embedded", "leader")] * 3 + [("rnd", "contributor")] * 2
    assert aggregate(kb, results_for(kb, *people)).perception_gap is None
    people.append(("rnd", "contributor"))
    gap = aggregate(kb, results_for(kb, *people)).perception_gap
    assert gap is not None and (gap.leaders, gap.contributors) == (3, 3)
    assert aggregate(kb, results_for(kb, *people), 4).perception_gap is None
