"""Questions in plain words, on SQLite and PostgreSQL: subjects, the log of answers, and votes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from bot.store import Questions, Store
from bot.store.events import utc_now
from bot.store.questions import asked_on
from bot.store.tables import AskedQuestionRow

TEAM = "T0001"


async def test_a_conversation_remembers_its_latest_subject(store: Store) -> None:
    assert await store.questions.subject(TEAM, "C1:1700.1") is None

    await store.questions.remember(TEAM, "C1:1700.1", "rnd")
    await store.questions.remember(TEAM, "C1:1700.1", "embedded")
    await store.questions.remember(TEAM, "D1", "nascent")

    assert await store.questions.subject(TEAM, "C1:1700.1") == "embedded"
    assert await store.questions.subject(TEAM, "D1") == "nascent"
    assert await store.questions.subject("T0OTHER", "D1") is None


async def test_a_vote_counts_once_per_person_even_when_clicked_at_once(store: Store) -> None:
    answer_id = await store.questions.record(TEAM, "what is r&d?", kind="aspect", answered=True)

    outcomes = await asyncio.gather(
        *(store.questions.vote(TEAM, answer_id, "U1", helpful=False) for _ in range(4)),
        store.questions.vote(TEAM, answer_id, "U2", helpful=True),
    )

    assert sorted(outcomes) == ["counted", "counted", "repeat", "repeat", "repeat"]
    [asked] = await store.questions.asked_since(TEAM, asked_on(utc_now()))  # the log keeps the day
    assert (asked.up, asked.down, asked.unhelpful) == (1, 1, False)
    assert await store.questions.vote(TEAM, "000000000000", "U1", helpful=True) == "unknown"


async def test_the_log_keeps_no_asker_and_cuts_long_questions(store: Store) -> None:
    await store.questions.record(TEAM, "x " * 5000, kind="unknown", answered=False)

    [asked] = await store.questions.asked_since(TEAM, asked_on(utc_now()))  # the log keeps the day
    assert len(asked.question) <= 500 and asked.unhelpful
    assert await store.questions.teams() == [TEAM]


async def test_forget_and_prune_remove_votes_questions_and_subjects(store: Store) -> None:
    answer_id = await store.questions.record(TEAM, "q", kind="aspect", answered=True)
    await store.questions.vote(TEAM, answer_id, "U1", helpful=True)
    await store.questions.remember(TEAM, "D1", "rnd")

    forgotten = await store.forget_user(TEAM, "U1")
    assert forgotten.votes == 1 and forgotten.anything
    assert await store.questions.vote(TEAM, answer_id, "U1", helpful=True) == "counted", (
        "the vote was deleted"
    )

    assert await store.questions.prune(utc_now() - timedelta(days=1)) == 0
    assert await store.questions.prune(utc_now() + timedelta(seconds=1)) == 1
    assert await store.questions.asked_since(TEAM, utc_now() - timedelta(days=1)) == []
    assert await store.questions.subject(TEAM, "D1") is None


async def test_pruning_a_workspace_s_old_answer_keeps_another_s_votes_on_the_same_answer_id(
    store: Store,
) -> None:
    # Answer ids are random per answer, so two workspaces sharing one is unlikely, not impossible:
    # a vote belongs to its own workspace's answer, whatever another workspace's answer is called.
    start = utc_now()
    old = Questions(store.sessions, store.dialect, clock=lambda: start - timedelta(days=30))
    young = Questions(store.sessions, store.dialect, clock=lambda: start)
    await old.record(TEAM, "old", kind="aspect", answered=True)
    await young.record("T0OTHER", "young", kind="aspect", answered=True)
    async with store.engine.begin() as connection:  # give both answers one id
        await connection.execute(update(AskedQuestionRow).values(answer_id="a1"))
    assert await young.vote(TEAM, "a1", "U1", helpful=True) == "counted"
    assert await young.vote("T0OTHER", "a1", "U1", helpful=True) == "counted"

    assert await store.questions.prune(start - timedelta(days=1)) == 1

    assert await young.vote("T0OTHER", "a1", "U1", helpful=False) == "repeat", "the young answer's vote stays"
    [kept] = await store.questions.asked_since("T0OTHER", start - timedelta(days=1))
    assert (kept.question, kept.up) == ("young", 1)
