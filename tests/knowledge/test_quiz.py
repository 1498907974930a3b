"""The quiz bank: what it holds, what it generates, how it selects, and how it scores.

No mocks: the real shipped YAML, and real overlays written to a temporary directory.
The central promise is fairness: a question never has two right answers, so the
generated questions are checked against the content with a measure of their own.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge import (
    Archetype,
    KnowledgeBase,
    QuestionBank,
    QuizItem,
    ScoreLine,
    generated_questions,
    load_knowledge,
    normalize,
    parse_quiz_request,
    question_stats,
    scoreboard,
)
from knowledge.quiz import MAX_COUNT, MAX_OPTION_ID, released_answers

ARCHETYPE_IDS = ("nascent", "rnd", "embedded", "independent", "ml_first")
DIMENSION_IDS = ("engineering_vs_research", "data_ownership", "model_ownership")
#: Generated kinds whose answer is an archetype and whose prompt quotes one fact.
WHICH_ARCHETYPE = ("strength", "challenge", "looks_like", "typical_org", "position")


@pytest.fixture(scope="module")
def bank(kb: KnowledgeBase) -> QuestionBank:
    return QuestionBank(kb)


def kind_of(item: QuizItem) -> str:
    return item.id.split(":")[1] if item.source == "generated" else "authored"


def quoted_fact(item: QuizItem) -> str:
    """The fact a generated prompt quotes between “ and ”."""
    return item.prompt.split("“", 1)[1].rsplit("”", 1)[0]


def archetype_texts(archetype: Archetype) -> list[str]:
    return [
        *archetype.strengths,
        *archetype.challenges,
        *archetype.looks_like,
        *archetype.typical_organizations,
        *(p.detail for p in archetype.positions.values()),
    ]


def states(text: str, fact: str) -> bool:
    """Whether ``text`` states ``fact``: contains it, or says it in nearly the same words."""
    a, b = normalize(text), normalize(fact)
    return b in a or SequenceMatcher(None, a, b).ratio() >= 0.85


def write_overlay(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ours.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


# --- What the bank holds -------------------------------------------------------------------------


def test_the_bank_has_at_least_thirty_authored_questions(bank: QuestionBank) -> None:
    assert len(bank.authored) >= 30


@pytest.mark.parametrize("topic_id", [*ARCHETYPE_IDS, *DIMENSION_IDS])
def test_every_archetype_and_dimension_has_at_least_three_authored_questions(
    bank: QuestionBank, topic_id: str
) -> None:
    assert sum(item.topic == topic_id for item in bank.authored) >= 3


@pytest.mark.parametrize("topic_id", [*ARCHETYPE_IDS, *DIMENSION_IDS])
def test_every_archetype_and_dimension_has_generated_questions(bank: QuestionBank, topic_id: str) -> None:
    assert any(item.topic == topic_id for item in bank.generated)


def test_every_authored_answer_is_one_of_its_options(kb: KnowledgeBase) -> None:
    for question in kb.quiz:
        assert question.option(question.answer) is not None, question.id


def test_every_item_has_one_answer_among_short_unique_option_ids(bank: QuestionBank) -> None:
    for item in bank.items:
        ids = [option_id for option_id, _ in item.options]
        assert len(ids) == len(set(ids)), item.id
        assert all(0 < len(option_id) <= MAX_OPTION_ID for option_id in ids), item.id
        assert item.answer in ids, item.id
        texts = [normalize(text) for _, text in item.options]
        assert len(texts) == len(set(texts)), item.id
        assert all(len(text) <= 75 for _, text in item.options), item.id
        assert 2 <= len(item.options) <= 5, item.id


def test_question_ids_are_unique_across_the_bank(bank: QuestionBank) -> None:
    counts = Counter(item.id for item in bank.items)
    assert [qid for qid, n in counts.items() if n > 1] == []


def test_every_item_names_a_real_topic_and_explains_its_answer(bank: QuestionBank, kb: KnowledgeBase) -> None:
    for item in bank.items:
        assert kb.get(item.topic) is not None, item.id
        assert all(kb.get(topic) is not None for topic in item.also_about), item.id
        assert item.explanation.strip(), item.id


def test_an_item_is_found_by_its_id_and_a_stale_id_finds_nothing(bank: QuestionBank) -> None:
    for item in bank.items:
        assert bank.by_id(item.id) is item
    assert bank.by_id("gen:strength:rnd:00000000") is None
    assert bank.by_id("") is None


def test_the_stored_option_order_does_not_give_the_answer_away(bank: QuestionBank) -> None:
    # The content lists the correct option first; the bank must not keep that order.
    first = Counter(item.options[0][0] == item.answer for item in bank.authored)
    assert first[False] > first[True]


def test_an_answer_is_checked_by_option_id(bank: QuestionBank) -> None:
    item = bank.authored[0]
    wrong = next(option_id for option_id, _ in item.options if option_id != item.answer)
    assert item.is_correct(item.answer)
    assert not item.is_correct(wrong)
    assert not item.is_correct("no-such-option")
    assert item.answer_text == item.option_text(item.answer)
    assert item.option_text("no-such-option") is None


# --- Generated questions never have two right answers ----------------------------------------------


def test_generated_ids_are_stable_across_loads(kb: KnowledgeBase) -> None:
    again = generated_questions(load_knowledge())
    assert [i.id for i in generated_questions(kb)] == [i.id for i in again]
    assert all(item.id.startswith("gen:") for item in again)


def test_generated_questions_cover_every_kind(bank: QuestionBank) -> None:
    kinds = {kind_of(item) for item in bank.generated}
    assert kinds >= {*WHICH_ARCHETYPE, "stance", "covers", "asks"}


def test_each_generated_fact_belongs_to_exactly_one_archetype(bank: QuestionBank, kb: KnowledgeBase) -> None:
    asked = [item for item in bank.generated if kind_of(item) in WHICH_ARCHETYPE]
    assert len(asked) >= 20
    for item in asked:
        fact = quoted_fact(item)
        owners = [a.id for a in kb.archetypes if any(states(t, fact) for t in archetype_texts(a))]
        assert owners == [item.answer], (item.id, fact, owners)


def test_no_generated_option_is_another_archetype_that_states_the_fact(
    bank: QuestionBank, kb: KnowledgeBase
) -> None:
    for item in bank.generated:
        if kind_of(item) not in WHICH_ARCHETYPE:
            continue
        fact = quoted_fact(item)
        for option_id, _ in item.options:
            if option_id != item.answer:
                texts = archetype_texts(kb.archetype(option_id))
                assert not any(states(t, fact) or states(fact, t) for t in texts), (item.id, option_id)


def test_each_generated_dimension_fact_belongs_to_exactly_one_dimension(
    bank: QuestionBank, kb: KnowledgeBase
) -> None:
    asked = [item for item in bank.generated if kind_of(item) in ("covers", "asks")]
    assert len(asked) >= 8
    for item in asked:
        fact = quoted_fact(item)
        owners = [d.id for d in kb.dimensions if any(states(t, fact) for t in (*d.covers, *d.questions))]
        assert len(owners) == 1, (item.id, owners)
        assert item.answer_text == kb.dimension(owners[0]).name


def test_a_hiring_challenge_is_never_asked_with_the_other_archetype_that_finds_hiring_hard(
    bank: QuestionBank,
) -> None:
    # Nascent and product-embedded ML both find it very hard to hire talent, in different words.
    hiring = [
        item
        for item in bank.generated
        if kind_of(item) == "challenge"
        and "hire" in quoted_fact(item)
        and item.answer in ("nascent", "embedded")
    ]
    assert hiring, "the hiring challenges can be asked, with the other archetype left out"
    for item in hiring:
        offered = {option_id for option_id, _ in item.options}
        assert not {"nascent", "embedded"} <= offered, item.id


def test_a_fact_two_archetypes_share_is_not_asked(bank: QuestionBank) -> None:
    # Financial-services companies are typical of product-embedded ML, and large ones of the
    # independent division: "where is it typically found?" would have two right answers.
    prompts = [normalize(item.prompt) for item in bank.generated]
    assert not any("financial services" in prompt for prompt in prompts)


def test_a_stance_question_offers_the_stances_of_other_archetypes(
    bank: QuestionBank, kb: KnowledgeBase
) -> None:
    stances = [item for item in bank.generated if kind_of(item) == "stance"]
    assert stances
    for item in stances:
        archetype = kb.archetype(item.topic)
        (dimension_id,) = item.also_about
        assert item.answer_text == archetype.positions[dimension_id].stance
        for option_id, text in item.options:
            assert text == kb.archetype(option_id).positions[dimension_id].stance


def test_close_stances_are_not_offered_against_each_other(bank: QuestionBank) -> None:
    # Independent: mixed teams working closely. ML-first: teams vary, research works closely with eng.
    for item in bank.generated:
        if (
            kind_of(item) == "stance"
            and item.topic in ("independent", "ml_first")
            and item.also_about == ("engineering_vs_research",)
        ):
            assert {o for o, _ in item.options} & {"independent", "ml_first"} == {item.topic}


def test_an_overlay_archetype_with_a_new_strength_yields_a_new_question(
    tmp_path: Path, bank: QuestionBank
) -> None:
    overlay = write_overlay(
        tmp_path / "overlay",
        """\
        archetypes:
          - id: guild
            number: 6
            name: ML guild
            short_name: Guild
            summary: A community of ML practitioners spread over many teams.
            looks_like: [Practitioners meet across teams every fortnight to review each other's work.]
            strengths: [Costs almost nothing to start.]
            challenges: [Nobody is accountable for outcomes.]
            typical_organizations: [Consultancies.]
        """,
    )
    grown = QuestionBank(load_knowledge(overlay))
    new = {item.id for item in grown.generated} - {item.id for item in bank.generated}
    assert new
    strength = next(grown.by_id(qid) for qid in new if qid.startswith("gen:strength:guild:"))
    assert strength is not None
    assert strength.answer == "guild"
    assert strength.answer_text == "ML guild"
    assert "Costs almost nothing to start" in strength.prompt
    # The new archetype also turns up as a distractor elsewhere, and a quiz about it finds it.
    assert any("guild" in {o for o, _ in item.options} for item in grown.generated if item.answer != "guild")
    assert grown.select(20, "guild", seed=1).items


def test_an_overlay_that_repeats_a_fact_withdraws_the_question_it_would_spoil(
    tmp_path: Path, bank: QuestionBank
) -> None:
    before = [item for item in bank.generated if item.id.startswith("gen:strength:rnd:")]
    repeated = next(item for item in before if "experienced researchers" in item.prompt)
    overlay = write_overlay(
        tmp_path / "overlay",
        """\
        archetypes:
          - id: guild
            number: 6
            name: ML guild
            short_name: Guild
            summary: A community of ML practitioners spread over many teams.
            looks_like: [Practitioners meet across teams.]
            strengths: [It can attract and hire experienced researchers.]
            challenges: [Nobody is accountable for outcomes.]
            typical_organizations: [Consultancies.]
        """,
    )
    grown = QuestionBank(load_knowledge(overlay))
    assert grown.by_id(repeated.id) is None
    assert not any("experienced researchers" in item.prompt for item in grown.generated)


# --- Selection -----------------------------------------------------------------------------------


def test_a_quiz_has_the_requested_number_of_questions(bank: QuestionBank) -> None:
    for count in (1, 5, 12, MAX_COUNT):
        selection = bank.select(count, seed=7)
        assert selection.ok
        assert len(selection.items) == count
        assert selection.topic is None


def test_the_count_is_clamped_to_one_and_twenty(bank: QuestionBank) -> None:
    assert len(bank.select(0, seed=1).items) == 1
    assert len(bank.select(-3, seed=1).items) == 1
    assert len(bank.select(500, seed=1).items) == MAX_COUNT
    assert bank.select(500, seed=1).requested == MAX_COUNT
    assert len(bank.select(seed=1).items) == 5


def test_a_quiz_without_a_topic_prefers_authored_questions_from_many_topics(bank: QuestionBank) -> None:
    items = bank.select(8, seed=3).items
    assert all(item.source == "authored" for item in items)
    assert len({item.topic for item in items}) == 8


@pytest.mark.parametrize(
    ("typed", "topic_id"),
    [
        ("data ownership", "data_ownership"),
        ("R&D", "rnd"),
        ("type 3", "embedded"),
        ("embeded", "embedded"),
        ("ml frist", "ml_first"),
        ("independent ml division", "independent"),
    ],
)
def test_a_quiz_about_a_topic_accepts_names_aliases_and_typos(
    bank: QuestionBank, typed: str, topic_id: str
) -> None:
    selection = bank.select(5, typed, seed=11)
    assert selection.ok
    assert selection.topic is not None
    assert selection.topic.id == topic_id
    assert len(selection.items) == 5
    assert all(item.is_about(topic_id) for item in selection.items)


def test_an_archetype_quiz_asks_authored_questions_first_then_tops_up_with_generated(
    bank: QuestionBank,
) -> None:
    authored = [item for item in bank.authored if item.topic == "rnd"]
    selection = bank.select(MAX_COUNT, "rnd", seed=5)
    sources = Counter(item.source for item in selection.items)
    assert sources["authored"] == len(authored)
    assert sources["generated"] >= 1
    assert all(item.topic == "rnd" for item in selection.items)
    short = bank.select(len(authored), "rnd", seed=5)
    assert all(item.source == "authored" for item in short.items)


def test_a_dimension_quiz_includes_the_generated_position_questions_about_it(bank: QuestionBank) -> None:
    items = bank.select(MAX_COUNT, "model ownership", seed=2).items
    about = {item.id for item in bank.about("model_ownership")}
    assert {item.id for item in items} <= about
    kinds = {kind_of(item) for item in items}
    assert {"position", "stance"} & kinds
    assert any(item.topic != "model_ownership" for item in items)  # stance questions about archetypes


def test_a_topic_with_fewer_questions_than_asked_gets_them_all_once(bank: QuestionBank) -> None:
    pool = bank.about("nascent")
    assert len(pool) < MAX_COUNT
    items = bank.select(MAX_COUNT, "nascent", seed=4).items
    assert sorted(item.id for item in items) == sorted(item.id for item in pool)


def test_an_unknown_topic_returns_a_problem_with_suggestions(bank: QuestionBank) -> None:
    selection = bank.select(5, "indep rnd", seed=1)
    assert not selection.ok
    assert selection.items == ()
    assert selection.topic is None
    assert selection.problem is not None
    assert "indep rnd" in selection.problem
    assert selection.lookup is not None
    suggested = [t.id for t in selection.lookup.suggestions]
    assert {"independent", "rnd"} <= set(suggested)
    assert "Independent ML division (independent)" in selection.problem


def test_an_ambiguous_topic_asks_which_one(bank: QuestionBank) -> None:
    selection = bank.select(5, "ownership", seed=1)
    assert selection.problem is not None
    assert "could mean" in selection.problem
    assert "data_ownership" in selection.problem
    assert "model_ownership" in selection.problem


def test_a_topic_that_matches_nothing_lists_what_to_try(bank: QuestionBank) -> None:
    problem = bank.select(5, "zzzz", seed=1).problem
    assert problem is not None
    assert "nascent" in problem
    assert "data_ownership" in problem


def test_a_blank_topic_means_any_topic(bank: QuestionBank) -> None:
    selection = bank.select(5, "   ", seed=1)
    assert selection.ok
    assert selection.topic is None
    assert selection.items == bank.select(5, None, seed=1).items


def test_a_quiz_never_repeats_a_question_or_a_prompt(bank: QuestionBank) -> None:
    for seed in range(30):
        items = bank.select(MAX_COUNT, seed=seed).items
        assert len({item.id for item in items}) == len(items)
        assert len({normalize(item.prompt) for item in items}) == len(items)


def test_the_same_seed_gives_the_same_quiz(bank: QuestionBank, kb: KnowledgeBase) -> None:
    assert bank.select(10, seed=42) == bank.select(10, seed=42)
    assert bank.select(10, "data", seed=42) == QuestionBank(kb).select(10, "data", seed=42)


def test_different_seeds_give_different_quizzes(bank: QuestionBank) -> None:
    quizzes = {tuple(item.id for item in bank.select(5, seed=seed).items) for seed in range(10)}
    assert len(quizzes) > 5


def test_options_are_shuffled_but_keep_their_ids_and_answer(bank: QuestionBank) -> None:
    for seed in range(20):
        for item in bank.select(MAX_COUNT, "nascent", seed=seed).items:
            stored = bank.by_id(item.id)
            assert stored is not None
            assert sorted(item.options) == sorted(stored.options)
            assert item.answer == stored.answer
            assert item.answer_text == stored.answer_text


def test_option_order_varies_with_the_seed(bank: QuestionBank) -> None:
    orders = set()
    for seed in range(20):
        for item in bank.select(MAX_COUNT, "ml_first", seed=seed).items:
            if item.id == "ml_first_challenge":
                orders.add(tuple(option_id for option_id, _ in item.options))
    assert len(orders) > 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(min_value=-(10**6), max_value=10**6),
    topic=st.one_of(st.none(), st.text(max_size=80)),
    seed=st.one_of(st.none(), st.integers()),
)
def test_selection_never_raises_and_never_repeats(
    bank: QuestionBank, count: int, topic: str | None, seed: int | None
) -> None:
    selection = bank.select(count, topic, seed)
    assert 1 <= selection.requested <= MAX_COUNT
    assert len(selection.items) <= selection.requested
    assert (selection.problem is None) == bool(selection.items)
    assert len({item.id for item in selection.items}) == len(selection.items)
    assert len({normalize(item.prompt) for item in selection.items}) == len(selection.items)
    if selection.topic is not None:
        assert all(item.is_about(selection.topic.id) for item in selection.items)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (5, None)),
        ("5", (5, None)),
        ("3", (3, None)),
        ("data ownership", (5, "data ownership")),
        ("10 data ownership", (10, "data ownership")),
        ("type 2", (5, "type 2")),
        ("  7   r&d  ", (7, "r&d")),
    ],
)
def test_a_quiz_request_is_a_count_and_a_topic(text: str, expected: tuple[int, str | None]) -> None:
    assert parse_quiz_request(text) == expected


@given(st.text(max_size=200))
def test_parsing_any_request_never_raises(text: str) -> None:
    count, topic = parse_quiz_request(text)
    assert count >= 0
    assert topic is None or topic.strip() == topic


# --- Scores and statistics -------------------------------------------------------------------------


def test_the_scoreboard_shows_ties_as_ties() -> None:
    asked = ["q1", "q2", "q3"]
    answers = [
        ("ann", "q1", True),
        ("ann", "q2", True),
        ("bob", "q1", True),
        ("bob", "q2", True),
        ("cem", "q1", True),
        ("dee", "q1", False),
    ]
    assert scoreboard(answers, asked) == (
        ScoreLine(rank=1, users=("ann", "bob"), score=2, out_of=3),
        ScoreLine(rank=3, users=("cem",), score=1, out_of=3),
        ScoreLine(rank=4, users=("dee",), score=0, out_of=3),
    )


def test_the_scoreboard_counts_each_players_first_answer_to_an_asked_question_once() -> None:
    answers = [
        ("ann", "q1", False),
        ("ann", "q1", True),  # a second click does not change the first answer
        ("ann", "q1", True),
        ("ann", "elsewhere", True),  # not asked in this quiz
        ("bob", "elsewhere", True),
    ]
    assert scoreboard(answers, ["q1", "q2"]) == (ScoreLine(1, ("ann",), 0, 2),)
    assert scoreboard([], ["q1"]) == ()


def test_question_stats_count_participation_and_find_the_most_missed() -> None:
    records = [
        ("q_easy", "nascent", "ann", True),
        ("q_easy", "nascent", "bob", True),
        ("q_easy", "nascent", "cem", True),
        ("q_hard", "data_ownership", "ann", False),
        ("q_hard", "data_ownership", "bob", False),
        ("q_hard", "data_ownership", "cem", True),
        ("q_mid", "data_ownership", "ann", True),
        ("q_mid", "data_ownership", "bob", False),
        ("q_mid", "data_ownership", "dee", True),
        ("q_once", "rnd", "ann", False),  # missed, but one answer is not a trend
    ]
    stats = question_stats(records)
    assert stats.participants == 4
    assert stats.answers == 10
    assert stats.correct == 6
    assert stats.accuracy == pytest.approx(0.6)
    by_id = {q.question_id: q for q in stats.questions}
    assert by_id["q_hard"].accuracy == pytest.approx(1 / 3)
    assert by_id["q_easy"].missed == 0
    assert [q.question_id for q in stats.most_missed_questions] == ["q_hard", "q_mid"]
    assert [t.topic for t in stats.most_missed_topics] == ["data_ownership"]
    (data,) = stats.most_missed_topics
    assert (data.answers, data.correct, data.questions) == (6, 3, 2)
    assert data.miss_rate == pytest.approx(0.5)


def test_question_stats_minimum_answers_is_adjustable() -> None:
    records = [("q_once", "rnd", "ann", False), ("q_ok", "rnd", "bob", True)]
    assert question_stats(records).most_missed_topics == ()
    relaxed = question_stats(records, min_answers=1)
    assert [q.question_id for q in relaxed.most_missed_questions] == ["q_once"]
    assert [t.topic for t in relaxed.most_missed_topics] == ["rnd"]


def test_question_stats_of_nothing_are_zero() -> None:
    stats = question_stats([])
    assert (stats.participants, stats.answers, stats.accuracy) == (0, 0, 0.0)
    assert stats.most_missed_questions == () == stats.most_missed_topics


# --- Which answers may feed a tally ------------------------------------------------------------------


def test_only_closed_question_rounds_answered_by_the_group_feed_any_tally() -> None:
    def answers(unit: str, players: int) -> list[tuple[str, tuple[str, str, str, bool]]]:
        return [(unit, ("q1", "data_ownership", f"U{unit}{n}", n % 2 == 0)) for n in range(players)]

    every = answers("closed-3", 3) + answers("closed-1", 1) + answers("open-5", 5)

    released = released_answers(every, closed={"closed-3", "closed-1"}, min_group=3)

    assert sorted(r[2] for r in released) == ["Uclosed-30", "Uclosed-31", "Uclosed-32"]
    assert released_answers(every, closed={"closed-3"}, min_group=4) == []
