"""The quiz repository's contract, on SQLite and on PostgreSQL (see ``conftest.database_url``).

What the quiz feature relies on: one running quiz per channel; the first answer of a player
to a question counts and is kept whatever follows (a double click, two replicas, a stale
button); a question advances once and a quiz ends once, however many callers race; the
timer finds what is due; standings over ended quizzes; team scoping and forgetting a user.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.store import Quizzes, Store
from tests.bot.store.conftest import OpenStore

TEAM = "T0001"
OTHER_TEAM = "T0002"
CHANNEL = "C0001"
OTHER_CHANNEL = "C0002"
HOST = "UHOST"
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def item(number: int, topic: str = "data_ownership") -> dict[str, Any]:
    return {
        "id": f"q{number}",
        "prompt": f"Question {number}?",
        "options": [["right", "The right one"], ["wrong", "A wrong one"], ["other", "Another"]],
        "answer": "right",
        "explanation": f"Because {number}.",
        "topic": topic,
    }


ITEMS = [item(1), item(2, "rnd"), item(3)]


def ticking_clock(start: datetime = START, step: timedelta = timedelta(seconds=1)) -> Callable[[], datetime]:
    ticks = itertools.count()
    return lambda: start + step * next(ticks)


def with_clock(store: Store, clock: Callable[[], datetime]) -> Quizzes:
    return Quizzes(store.sessions, store.dialect, clock=clock)


# -- starting a quiz ---------------------------------------------------------------------------------------


async def test_create_starts_a_running_quiz_with_a_snapshot_of_its_questions(store: Store) -> None:
    quiz, created = await store.quizzes.create(
        TEAM, CHANNEL, HOST, ITEMS, topic_id="data_ownership", time_limit=30
    )

    assert created is True
    assert (quiz.team_id, quiz.channel_id, quiz.host_id) == (TEAM, CHANNEL, HOST)
    assert quiz.items == tuple(ITEMS) and quiz.total == 3 and quiz.asked == 1
    assert quiz.current == 0 and quiz.status == "running"
    assert quiz.topic_id == "data_ownership" and quiz.time_limit == 30
    assert quiz.parent_ts is None and quiz.question_ts is None and quiz.deadline is None
    assert len(quiz.quiz_id) >= 8
    assert await store.quizzes.get(TEAM, quiz.quiz_id) == quiz
    assert await store.quizzes.running_in(TEAM, CHANNEL) == quiz


async def test_create_returns_the_quiz_already_running_in_the_channel(store: Store) -> None:
    first, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)

    again, created = await store.quizzes.create(TEAM, CHANNEL, "USOMEONE", ITEMS[:1])
    elsewhere, created_elsewhere = await store.quizzes.create(TEAM, OTHER_CHANNEL, "USOMEONE", ITEMS)

    assert created is False and again == first
    assert created_elsewhere is True and elsewhere.quiz_id != first.quiz_id
    await store.quizzes.end(TEAM, first.quiz_id)
    after_end, created_after_end = await store.quizzes.create(TEAM, CHANNEL, "USOMEONE", ITEMS)
    assert created_after_end is True and after_end.quiz_id != first.quiz_id
    assert await store.quizzes.running_in(TEAM, CHANNEL) == after_end


async def test_simultaneous_starts_in_one_channel_from_two_replicas_create_one_quiz(
    store: Store, open_store: OpenStore
) -> None:
    other = await open_store()
    results = await asyncio.gather(
        *((store if n % 2 else other).quizzes.create(TEAM, CHANNEL, f"U{n}", ITEMS) for n in range(10))
    )

    created = [quiz for quiz, was_created in results if was_created]
    assert len(created) == 1
    assert {quiz.quiz_id for quiz, _ in results} == {created[0].quiz_id}


async def test_the_parent_and_the_open_question_message_are_remembered(store: Store) -> None:
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS, time_limit=30)
    deadline = START + timedelta(seconds=30)

    await store.quizzes.set_parent(TEAM, quiz.quiz_id, "1700000000.000001")
    await store.quizzes.set_question(TEAM, quiz.quiz_id, 0, "1700000000.000002", deadline)
    await store.quizzes.set_question(TEAM, quiz.quiz_id, 1, "1700000000.999999", None)  # not open: ignored

    stored = await store.quizzes.get(TEAM, quiz.quiz_id)
    assert stored is not None
    assert stored.parent_ts == "1700000000.000001"
    assert stored.question_ts == "1700000000.000002"
    assert stored.deadline == deadline and stored.deadline.tzinfo is not None


# -- answers --------------------------------------------------------------------------------


async def test_the_first_answer_is_recorded_and_a_later_one_is_a_repeat_that_changes_nothing(
    store: Store,
) -> None:
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)

    first = await store.quizzes.answer(TEAM, quiz.quiz_id, 0, "U1", "wrong")
    second = await store.quizzes.answer(TEAM, quiz.quiz_id, 0, "U1", "right")

    assert first.status == "recorded"
    assert first.answer is not None and first.answer.option_id == "wrong" and first.answer.correct is False
    assert first.answer.question_id == "q1" and first.answer.topic_id == "data_ownership"
    assert second.status == "repeat"
    assert second.answer == first.answer  # the repeat reports the stored (first) answer
    [stored] = await store.quizzes.answers(TEAM, quiz.quiz_id)
    assert stored == first.answer
    assert await store.quizzes.count(TEAM, quiz.quiz_id, 0) == 1


async def test_a_right_answer_is_marked_correct(store: Store) -> None:
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)

    outcome = await store.quizzes.answer(TEAM, quiz.quiz_id, 0, "U1", "right")

    assert outcome.status == "recorded" and outcome.answer is not None and outcome.answer.correct is True
    assert outcome.quiz is not None and outcome.quiz.quiz_id == quiz.quiz_id


async def test_an_answer_to_a_question_that_is_not_open_is_closed_and_not_stored(store: Store) -> None:
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)
    await store.quizzes.advance(TEAM, quiz.quiz_id, 0)

    old = await store.quizzes.answer(TEAM, quiz.quiz_id, 0, "U1", "right")
    ahead = await store.quizzes.answer(TEAM, quiz.quiz_id, 2, "U1", "right")
    beyond = await store.quizzes.answer(TEAM, quiz.quiz_id, 7, "U1", "right")
    negative = await store.quizzes.answer(TEAM, quiz.quiz_id, -1, "U1", "right")

    assert [o.status for o in (old, ahead, beyond, negative)] == ["closed"] * 4
    assert await store.quizzes.answers(TEAM, quiz.quiz_id) == []


async def test_an_answer_to_an_ended_quiz_is_ended_and_not_stored(store: Store) -> None:
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)
    await store.quizzes.end(TEAM, quiz.quiz_id)

    outcome = await store.quizzes.answer(TEAM, quiz.quiz_id, 0, "U1", "right")

    assert outcome.status == "ended" and outcome.answer is None
    assert await store.quizzes.answers(TEAM, quiz.quiz_id) == []


async def test_an_unknown_quiz_or_option_is_unknown_and_not_stored(store: Store) -> None:
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)

    no_quiz = await store.quizzes.answer(TEAM, "nosuchquiz", 0, "U1", "right")
    no_option = await store.quizzes.answer(TEAM, quiz.quiz_id, 0, "U1", "forged")
    other_team = await store.quizzes.answer(OTHER_TEAM, quiz.quiz_id, 0, "U1", "right")

    assert [o.status for o in (no_quiz, no_option, other_team)] == ["unknown"] * 3
    assert await store.quizzes.answers(TEAM, quiz.quiz_id) == []


async def test_fifty_players_answering_at_once_with_double_clicks_on_two_replicas_store_fifty_answers(
    store: Store, open_store: OpenStore
) -> None:
    other = await open_store()
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)
    players = [f"U{n:03d}" for n in range(50)]
    # Every player clicks twice (once per replica), a third of them with a different option.
    clicks = [
        (replica, player, "right" if (n + replica) % 3 else "wrong")
        for n, player in enumerate(players)
        for replica in (0, 1)
    ]

    outcomes = await asyncio.gather(
        *(
            (store if replica == 0 else other).quizzes.answer(TEAM, quiz.quiz_id, 0, player, option)
            for replica, player, option in clicks
        )
    )

    statuses = Counter(o.status for o in outcomes)
    assert statuses == {"recorded": 50, "repeat": 50}
    recorded = {o.answer.user_id: o.answer for o in outcomes if o.status == "recorded" and o.answer}
    assert sorted(recorded) == players
    stored = await store.quizzes.answers(TEAM, quiz.quiz_id)
    assert len(stored) == 50 and {a.user_id: a for a in stored} == recorded
    # Each repeat reports exactly what was stored for that player.
    for outcome in outcomes:
        assert outcome.answer is not None and outcome.answer == recorded[outcome.answer.user_id]
    assert await store.quizzes.count(TEAM, quiz.quiz_id, 0) == 50
    assert await other.quizzes.count(TEAM, quiz.quiz_id, 0) == 50


async def test_answers_racing_an_advance_are_either_stored_for_the_question_or_told_it_closed(
    store: Store, open_store: OpenStore
) -> None:
    other = await open_store()
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)

    results = await asyncio.gather(
        *(store.quizzes.answer(TEAM, quiz.quiz_id, 0, f"U{n:02d}", "right") for n in range(20)),
        other.quizzes.advance(TEAM, quiz.quiz_id, 0),
    )

    outcomes, moved = results[:-1], results[-1]
    assert moved is not None and moved.current == 1
    statuses = Counter(o.status for o in outcomes)  # type: ignore[union-attr]
    assert set(statuses) <= {"recorded", "closed"}
    assert await store.quizzes.count(TEAM, quiz.quiz_id, 0) == statuses["recorded"]


# -- moving on and ending ----------------------------------------------------------------------


async def test_advance_moves_on_once_however_many_callers_race(store: Store, open_store: OpenStore) -> None:
    other = await open_store()
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS, time_limit=30)
    await store.quizzes.set_question(TEAM, quiz.quiz_id, 0, "1700000000.000002", START)

    moved = await asyncio.gather(
        *((store if n % 2 else other).quizzes.advance(TEAM, quiz.quiz_id, 0) for n in range(12))
    )

    winners = [m for m in moved if m is not None]
    assert len(winners) == 1
    [winner] = winners
    assert winner.current == 1 and winner.question_ts is None and winner.deadline is None
    assert await store.quizzes.advance(TEAM, quiz.quiz_id, 0) is None  # a stale Next later on
    assert (await store.quizzes.get(TEAM, quiz.quiz_id)).current == 1  # type: ignore[union-attr]


async def test_a_step_whose_post_went_quiet_is_due_and_taken_over_by_one_caller(
    store: Store, open_store: OpenStore
) -> None:
    other = await open_store()
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS, recheck_at=START)
    await store.quizzes.set_parent(TEAM, quiz.quiz_id, "1700000000.000001")
    await store.quizzes.set_question(TEAM, quiz.quiz_id, 0, "1700000000.000002", None)
    moved = await store.quizzes.advance(TEAM, quiz.quiz_id, 0, recheck_at=START + timedelta(seconds=20))
    assert moved is not None and moved.question_ts is None and moved.deadline == START + timedelta(seconds=20)
    assert await store.quizzes.due(START) == []
    [due] = await store.quizzes.due(START + timedelta(seconds=21))

    later = START + timedelta(seconds=41)
    taken = await asyncio.gather(
        *(
            (store if n % 2 else other).quizzes.postpone(TEAM, quiz.quiz_id, 1, due.deadline, later)
            for n in range(8)
        )
    )

    winners = [t for t in taken if t is not None]
    assert len(winners) == 1 and winners[0].deadline == later
    assert await store.quizzes.postpone(TEAM, quiz.quiz_id, 1, due.deadline, later) is None  # stale
    await store.quizzes.set_question(TEAM, quiz.quiz_id, 1, "1700000000.000003", None)
    # Once the question is stored as posted there is nothing to take over.
    assert await store.quizzes.postpone(TEAM, quiz.quiz_id, 1, None, later) is None


async def test_an_end_whose_scoreboard_went_unposted_is_due_until_announced(
    store: Store, open_store: OpenStore
) -> None:
    other = await open_store()
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)
    ended = await store.quizzes.end(TEAM, quiz.quiz_id, recheck_at=START)
    assert ended is not None and ended.status == "ended" and ended.deadline == START
    [due] = await store.quizzes.due(START + timedelta(seconds=1))

    later = START + timedelta(seconds=21)
    taken = await asyncio.gather(
        *(
            (store if n % 2 else other).quizzes.postpone_scoreboard(TEAM, quiz.quiz_id, due.deadline, later)
            for n in range(6)
        )
    )

    assert len([t for t in taken if t is not None]) == 1
    await store.quizzes.announced(TEAM, quiz.quiz_id)
    assert await store.quizzes.due(later + timedelta(days=1)) == []
    # Announced: nothing is left to take over, whatever deadline a late caller saw.
    assert await store.quizzes.postpone_scoreboard(TEAM, quiz.quiz_id, later, later) is None


async def test_advancing_past_the_last_question_leaves_every_question_asked(store: Store) -> None:
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)

    for position in range(3):
        moved = await store.quizzes.advance(TEAM, quiz.quiz_id, position)
        assert moved is not None and moved.current == position + 1

    assert moved.current == moved.total and moved.asked == 3 and moved.status == "running"


async def test_end_ends_once_however_many_callers_race(store: Store, open_store: OpenStore) -> None:
    other = await open_store()
    quiz, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS, time_limit=30)
    await store.quizzes.set_question(TEAM, quiz.quiz_id, 0, "1700000000.000002", START)

    ended = await asyncio.gather(
        *((store if n % 2 else other).quizzes.end(TEAM, quiz.quiz_id) for n in range(12)),
        store.quizzes.advance(TEAM, quiz.quiz_id, 0),
    )

    winners = [e for e in ended[:-1] if e is not None]
    assert len(winners) == 1
    assert winners[0].status == "ended" and winners[0].deadline is None and winners[0].ended_at is not None
    stored = await store.quizzes.get(TEAM, quiz.quiz_id)
    assert stored is not None and stored.status == "ended"
    assert await store.quizzes.end(TEAM, quiz.quiz_id) is None
    assert await store.quizzes.advance(TEAM, quiz.quiz_id, stored.current) is None
    assert await store.quizzes.running_in(TEAM, CHANNEL) is None


async def test_due_lists_running_quizzes_whose_deadline_has_passed_in_every_workspace(store: Store) -> None:
    past, future, ended, untimed, other_team = [
        (await store.quizzes.create(team, channel, HOST, ITEMS, time_limit=30))[0]
        for team, channel in (
            (TEAM, "C1"),
            (TEAM, "C2"),
            (TEAM, "C3"),
            (TEAM, "C4"),
            (OTHER_TEAM, "C1"),
        )
    ]
    now = START + timedelta(minutes=5)
    await store.quizzes.set_question(TEAM, past.quiz_id, 0, "1.1", now - timedelta(seconds=1))
    await store.quizzes.set_question(TEAM, future.quiz_id, 0, "1.2", now + timedelta(seconds=1))
    await store.quizzes.set_question(TEAM, ended.quiz_id, 0, "1.3", now - timedelta(seconds=1))
    await store.quizzes.end(TEAM, ended.quiz_id)
    await store.quizzes.set_question(TEAM, untimed.quiz_id, 0, "1.4", None)
    await store.quizzes.set_question(OTHER_TEAM, other_team.quiz_id, 0, "1.5", now)

    due = await store.quizzes.due(now)

    assert sorted((q.team_id, q.quiz_id) for q in due) == sorted(
        [(TEAM, past.quiz_id), (OTHER_TEAM, other_team.quiz_id)]
    )
    await store.quizzes.advance(TEAM, past.quiz_id, 0)
    assert [q.quiz_id for q in await store.quizzes.due(now)] == [other_team.quiz_id]
    assert await store.quizzes.due(now - timedelta(hours=1)) == []


# -- standings, statistics, privacy, scoping ---------------------------------------------------------------


async def play(store: Store, channel: str, answers: dict[str, list[str]], *, end: bool = True) -> str:
    """A quiz in ``channel`` where each user answers the questions in turn with the given options."""
    quiz, created = await store.quizzes.create(TEAM, channel, HOST, ITEMS)
    assert created
    for position in range(len(ITEMS)):
        for user, options in answers.items():
            if position < len(options) and options[position]:
                outcome = await store.quizzes.answer(TEAM, quiz.quiz_id, position, user, options[position])
                assert outcome.status == "recorded"
        if position < len(ITEMS) - 1:
            await store.quizzes.advance(TEAM, quiz.quiz_id, position)
    if end:
        await store.quizzes.end(TEAM, quiz.quiz_id)
    return quiz.quiz_id


async def test_standings_rank_players_of_ended_quizzes_by_correct_answers(store: Store) -> None:
    await play(store, CHANNEL, {"UA": ["right", "right", "right"], "UB": ["right", "wrong", "right"]})
    await play(store, CHANNEL, {"UA": ["wrong", "wrong", "wrong"], "UC": ["right", "right", "right"]})
    # Not counted: a quiz still running, and another channel's quiz.
    await play(store, OTHER_CHANNEL, {"UD": ["right", "right", "right"]})
    await play(store, CHANNEL, {"UB": ["right", "right", "right"]}, end=False)

    standings = await store.quizzes.standings(TEAM, CHANNEL)

    # Most correct answers first; with as many right, fewer answers given ranks first.
    assert [(s.user_id, s.correct, s.answered, s.quizzes) for s in standings] == [
        ("UC", 3, 3, 1),
        ("UA", 3, 6, 2),
        ("UB", 2, 3, 1),
    ]
    assert [s.user_id for s in await store.quizzes.standings(TEAM, OTHER_CHANNEL)] == ["UD"]
    assert await store.quizzes.standings(OTHER_TEAM, CHANNEL) == []
    assert len(await store.quizzes.standings(TEAM, CHANNEL, limit=2)) == 2


async def test_answers_since_lists_a_workspaces_answers_from_a_moment_on(store: Store) -> None:
    clocked = with_clock(store, ticking_clock(step=timedelta(minutes=1)))
    quiz, _ = await clocked.create(TEAM, CHANNEL, HOST, ITEMS)  # tick 0
    await clocked.answer(TEAM, quiz.quiz_id, 0, "U1", "right")  # tick 1
    await clocked.answer(TEAM, quiz.quiz_id, 0, "U2", "wrong")  # tick 2
    await clocked.answer(TEAM, quiz.quiz_id, 0, "U3", "right")  # tick 3

    since = await store.quizzes.answers_since(TEAM, START + timedelta(minutes=2))

    assert sorted((a.user_id, a.correct) for a in since) == [("U2", False), ("U3", True)]
    assert all(a.answered_at >= START + timedelta(minutes=2) for a in since)
    assert len(await store.quizzes.answers_since(TEAM, START)) == 3
    assert await store.quizzes.answers_since(OTHER_TEAM, START) == []


async def test_forget_user_deletes_that_persons_answers_in_that_workspace_only(store: Store) -> None:
    first = await play(store, CHANNEL, {"UA": ["right", "wrong", "right"], "UB": ["right"]})
    second = await play(store, OTHER_CHANNEL, {"UA": ["right"]})

    assert await store.quizzes.forget_user(OTHER_TEAM, "UA") == 0
    assert await store.quizzes.forget_user(TEAM, "UA") == 4

    assert [a.user_id for a in await store.quizzes.answers(TEAM, first)] == ["UB"]
    assert await store.quizzes.answers(TEAM, second) == []
    assert [s.user_id for s in await store.quizzes.standings(TEAM, CHANNEL)] == ["UB"]
    assert await store.quizzes.forget_user(TEAM, "UA") == 0


async def test_one_workspace_never_sees_another_workspaces_quizzes(store: Store) -> None:
    ours, _ = await store.quizzes.create(TEAM, CHANNEL, HOST, ITEMS)
    theirs, created = await store.quizzes.create(OTHER_TEAM, CHANNEL, HOST, ITEMS)
    await store.quizzes.answer(TEAM, ours.quiz_id, 0, "U1", "right")

    assert created is True and theirs.quiz_id != ours.quiz_id  # same channel id, another workspace
    assert await store.quizzes.get(OTHER_TEAM, ours.quiz_id) is None
    assert (await store.quizzes.running_in(OTHER_TEAM, CHANNEL)) == theirs
    assert await store.quizzes.answers(OTHER_TEAM, ours.quiz_id) == []
    assert await store.quizzes.count(OTHER_TEAM, ours.quiz_id, 0) == 0
    assert await store.quizzes.advance(OTHER_TEAM, ours.quiz_id, 0) is None
    assert await store.quizzes.end(OTHER_TEAM, ours.quiz_id) is None
    await store.quizzes.set_parent(OTHER_TEAM, ours.quiz_id, "9.9")
    still = await store.quizzes.get(TEAM, ours.quiz_id)
    assert still is not None and still.parent_ts is None and still.status == "running" and still.current == 0
