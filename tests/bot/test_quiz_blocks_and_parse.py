"""``/mlorg quiz`` text in, Block Kit out: the parser is total and clamps, the builders keep Slack's limits.

The parser sees whatever a person typed after ``/mlorg quiz``; hypothesis throws arbitrary
text at it. The builders are pure functions of the quiz snapshot the store keeps, so they are
checked here against every topic's selections from the real question bank, without Slack.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.quiz import ids
from bot.features.quiz.blocks import (
    build_closed_question,
    build_feedback,
    build_leaderboard,
    build_parent,
    build_question,
    build_scoreboard,
    result_line,
)
from bot.features.quiz.engine import snapshot
from bot.features.quiz.parse import DEFAULT_TIMER, MAX_TIMER, MIN_TIMER, QuizRequest, parse_quiz
from bot.store import Quiz, Standing
from knowledge import load_knowledge
from knowledge.quiz import DEFAULT_COUNT, MAX_COUNT, QuestionBank, scoreboard
from tests.e2e.slack_client import texts_of

KB = load_knowledge()
BANK = QuestionBank(KB)
TOPICS: list[str | None] = [None, *(a.id for a in KB.archetypes), *(d.id for d in KB.dimensions)]
SEEDS = range(6)
NOW = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

MAX_BLOCKS = 50
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150


# -- the parser ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", QuizRequest()),
        ("3", QuizRequest(count=3)),
        ("  7  ", QuizRequest(count=7)),
        ("data ownership", QuizRequest(topic="data ownership")),
        ("2 data ownership", QuizRequest(count=2, topic="data ownership")),
        ("rnd 4", QuizRequest(topic="rnd 4")),  # a number after the topic is part of the topic
        ("3 timer", QuizRequest(count=3, time_limit=DEFAULT_TIMER)),
        ("2 timer 45", QuizRequest(count=2, time_limit=45)),
        ("2 timer 45s", QuizRequest(count=2, time_limit=45)),
        ("timed 60 seconds", QuizRequest(time_limit=60, topic="seconds")),
        ("time 90sec embedded", QuizRequest(time_limit=90, topic="embedded")),
        ("4 embedded 20s", QuizRequest(count=4, topic="embedded", time_limit=20)),
        ("45s", QuizRequest(time_limit=45)),
        ("TIMER", QuizRequest(time_limit=DEFAULT_TIMER)),
        ("end", QuizRequest(end=True)),
        ("End", QuizRequest(end=True)),
        ("stop", QuizRequest(end=True)),
        ("finish", QuizRequest(end=True)),
        ("end game", QuizRequest(topic="end game")),  # only the single word ends a quiz
        ("²", QuizRequest(topic="²")),  # a digit to str.isdigit, but not a number int() reads
        ("3 ¹", QuizRequest(count=3, topic="¹")),
    ],
)
def test_parse_quiz_reads_count_topic_timer_and_end(text: str, expected: QuizRequest) -> None:
    assert parse_quiz(text) == expected


@pytest.mark.parametrize(
    ("text", "count", "time_limit"),
    [
        ("0", 1, None),
        ("9999", MAX_COUNT, None),
        (str(MAX_COUNT + 1), MAX_COUNT, None),
        ("3 timer 1", 3, MIN_TIMER),
        ("3 timer 0s", 3, MIN_TIMER),
        ("3 timer 9999", 3, MAX_TIMER),
        ("3 5000s", 3, MAX_TIMER),
    ],
)
def test_parse_quiz_clamps_counts_and_timers_into_range(
    text: str, count: int, time_limit: int | None
) -> None:
    request = parse_quiz(text)

    assert (request.count, request.time_limit) == (count, time_limit)


def test_a_number_too_long_to_be_a_count_is_read_as_a_topic() -> None:
    assert parse_quiz("123456") == QuizRequest(topic="123456")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_parse_quiz_never_raises_and_always_clamps(text: str) -> None:
    request = parse_quiz(text)

    assert 1 <= request.count <= MAX_COUNT
    assert request.time_limit is None or MIN_TIMER <= request.time_limit <= MAX_TIMER
    if request.end:
        assert request == QuizRequest(end=True)
    # Nothing typed is lost or invented: the topic is made of the words typed, in order.
    assert set(request.topic.split()) <= set(text.split())


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=-50, max_value=99999),
    st.sampled_from(["timer", "timed", "time"]),
    st.integers(min_value=0, max_value=9999),
)
def test_parse_quiz_clamps_any_count_and_timer(count: int, word: str, seconds: int) -> None:
    request = parse_quiz(f"{count} {word} {seconds}")

    if 0 <= count <= 9999:
        assert request.count == min(max(count, 1), MAX_COUNT)
    else:
        assert request.count == DEFAULT_COUNT
    assert request.time_limit == min(max(seconds, MIN_TIMER), MAX_TIMER)


# -- the builders --------------------------------------------------------------------------------------


def quiz_of(items: list[dict[str, Any]], *, time_limit: int | None = None, current: int = 0) -> Quiz:
    return Quiz(
        team_id="T0001",
        quiz_id="abcdef012345",
        channel_id="C0001",
        host_id="UHOST",
        topic_id=None,
        items=tuple(items),
        current=current,
        parent_ts="1700000000.000001",
        question_ts="1700000000.000002",
        time_limit=time_limit,
        deadline=None,
        status="running",
        created_at=NOW,
        ended_at=None,
    )


def selections() -> Iterator[tuple[str | None, int, Quiz]]:
    for topic in TOPICS:
        for seed in SEEDS:
            selection = BANK.select(MAX_COUNT, topic, seed=seed)
            assert selection.ok, (topic, selection.problem)
            items = [snapshot(item) for item in selection.items]
            yield topic, seed, quiz_of(items, time_limit=30 if seed % 2 else None)


def assert_within_slack_limits(blocks: list[dict[str, Any]]) -> None:
    assert 0 < len(blocks) <= MAX_BLOCKS
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), block_ids
    for block in blocks:
        assert len(block.get("block_id", "")) <= MAX_ID
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER
        if block["type"] == "context":
            assert all(len(e["text"]) <= MAX_SECTION_TEXT for e in block["elements"])
        if block["type"] == "actions":
            action_ids = [e["action_id"] for e in block["elements"]]
            assert len(action_ids) == len(set(action_ids)), action_ids
            for element in block["elements"]:
                assert element["type"] == "button"
                assert 0 < len(element["text"]["text"]) <= MAX_BUTTON_TEXT
                assert len(element["action_id"]) <= MAX_ID
                assert 0 < len(element.get("value", "")) <= MAX_BUTTON_VALUE


def answer_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith(f"{ids.ANSWER}:")
    ]


def test_every_question_of_every_selection_is_drawn_within_slack_limits() -> None:
    drawn = 0
    for _topic, _seed, quiz in selections():
        assert_within_slack_limits(build_parent(quiz, "Data ownership"))
        assert_within_slack_limits(build_parent(quiz, None, result="<@U1> wins with 3/3 (2 players)."))
        for position, item in enumerate(quiz.items):
            for answered in (0, 57):
                blocks = build_question(quiz, position, answered)
                assert_within_slack_limits(blocks)
            buttons = answer_buttons(blocks)
            assert [b["action_id"] for b in buttons] == [f"{ids.ANSWER}:{oid}" for oid, _ in item["options"]]
            # The value says what the click means: quiz, question position and option.
            assert [b["value"] for b in buttons] == [
                f"{quiz.quiz_id}|{position}|{oid}" for oid, _ in item["options"]
            ]
            assert_within_slack_limits(build_closed_question(quiz, position, 5, 2))
            assert_within_slack_limits(build_closed_question(quiz, position, 0, 0))
            drawn += 1
    assert drawn >= len(TOPICS) * len(SEEDS) * 3


def test_a_question_shows_its_live_count_and_the_host_buttons_say_what_comes_next() -> None:
    _, _, quiz = next(selections())
    first = " ".join(texts_of(build_question(quiz, 0, 0)))
    one = " ".join(texts_of(build_question(quiz, 0, 1)))
    last = " ".join(texts_of(build_question(quiz, quiz.total - 1, 12)))

    assert "0 answers so far" in first and "Next" in first and "End quiz" in first
    assert "1 answer so far" in one
    assert "12 answers so far" in last and "See results" in last and "Next" not in last
    assert f"Question 1 of {quiz.total}" in first
    assert "closes after 30 s" not in first  # seed 0: no timer
    timed = quiz_of(list(quiz.items), time_limit=30)
    assert "closes after 30 s" in " ".join(texts_of(build_question(timed, 0, 0)))


def test_feedback_says_right_or_wrong_the_correct_answer_and_the_explanation() -> None:
    for _, _, quiz in selections():
        for item in quiz.items:
            right = next(text for oid, text in item["options"] if oid == item["answer"])
            wrong = next(oid for oid, _ in item["options"] if oid != item["answer"])
            good = build_feedback(item, str(item["answer"]), True)
            bad = build_feedback(item, wrong, False)
            again = build_feedback(item, wrong, False, repeat=True)
            assert "Right!" in good and right in good and item["explanation"] in good
            assert "Not quite" in bad and right in bad and item["explanation"] in bad
            assert "already answered" in again and "only your first answer counts" in again


def test_a_scoreboard_of_many_players_stays_within_slack_limits_and_shows_ties() -> None:
    _, _, quiz = next(selections())
    asked = [str(item["id"]) for item in quiz.items[:5]]
    answers = [
        (f"U{player:04d}", question, (player + index) % 3 != 0)
        for player in range(120)
        for index, question in enumerate(asked)
    ]
    lines = scoreboard(answers, asked)
    blocks = build_scoreboard(lines, len(asked), (quiz.items[0], 40, 120))
    text = " ".join(texts_of(blocks))

    assert_within_slack_limits(blocks)
    assert "(tie)" in text and "/5*" in text and "Most missed" in text
    assert "40 of 120 got it wrong" in text


def test_the_result_line_names_the_winner_or_the_tie() -> None:
    solo = scoreboard([("U1", "q1", True), ("U2", "q1", False)], ["q1"])
    tied = scoreboard([("U1", "q1", True), ("U2", "q1", True)], ["q1"])

    assert result_line(solo, 2).startswith("<@U1> wins with 1/1 (2 players)")
    assert result_line(tied, 2).startswith("<@U1> and <@U2> tie for first with 1/1")
    assert result_line((), 0) == "nobody played this time."


def test_the_leaderboard_ranks_players_and_ties_share_a_rank() -> None:
    standings = [
        Standing("UA", 7, 9, 2),
        Standing("UB", 5, 6, 2),
        Standing("UC", 5, 8, 2),
        Standing("UD", 1, 3, 1),
    ]
    blocks = build_leaderboard(standings)
    rows = blocks[1]["text"]["text"].splitlines()

    assert_within_slack_limits(blocks)
    assert rows == [
        "1. <@UA>: *7* right of 9 (2 quizzes)",
        "2. <@UB>: *5* right of 6 (2 quizzes)",
        "2. <@UC>: *5* right of 8 (2 quizzes)",
        "4. <@UD>: *1* right of 3 (1 quiz)",
    ]
    assert "No finished quizzes" in " ".join(texts_of(build_leaderboard([])))
