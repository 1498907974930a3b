"""Questions acked before they are answered: stored with the winning claim, forgotten once
answered, taken over once when the process that claimed them is gone (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.store import Store
from bot.store.events import EventLog, utc_now
from bot.store.pending_answers import PendingAnswer, PendingAnswers
from tests.bot.store.conftest import OpenStore

TEAM = "T0001"


def question(event_id: str, text: str = "what is an R&D lab?") -> PendingAnswer:
    return PendingAnswer.of(
        TEAM, event_id, channel_id="C1", thread_ts="1.1", conversation_key="C1:1.1", question=text, new=True
    )


async def test_only_the_claim_that_wins_an_event_stores_its_question(
    store: Store, open_store: OpenStore
) -> None:
    other = await open_store()
    asked = [question("EvOnce", f"delivery {n}") for n in range(10)]

    won = await asyncio.gather(
        *((store, other)[n % 2].events.claim(TEAM, "EvOnce", q) for n, q in enumerate(asked))
    )

    assert won.count(True) == 1
    assert await store.pending_answers.waiting(TEAM) == 1
    winner = asked[won.index(True)]
    later = PendingAnswers(store.sessions, clock=lambda: utc_now() + timedelta(minutes=5))
    (taken,) = await later.take_over()
    assert (taken.answer_id, taken.question) == (winner.answer_id, winner.question)


async def test_an_answered_question_is_forgotten_and_nothing_is_left_to_take_over(store: Store) -> None:
    await asyncio.gather(*(store.events.claim(TEAM, f"Ev{n}", question(f"Ev{n}")) for n in range(5)))

    await asyncio.gather(*(store.pending_answers.done(TEAM, f"Ev{n}") for n in range(4)))

    assert await store.pending_answers.waiting(TEAM) == 1
    later = PendingAnswers(store.sessions, clock=lambda: utc_now() + timedelta(minutes=5))
    assert [p.event_id for p in await later.take_over()] == ["Ev4"]


async def test_a_question_whose_lease_holds_is_not_taken_over(store: Store) -> None:
    await store.events.claim(TEAM, "EvFresh", question("EvFresh"))

    assert await store.pending_answers.take_over() == []


async def test_a_stale_question_is_taken_over_by_one_of_two_stores_looking_at_once(
    store: Store, open_store: OpenStore
) -> None:
    long_ago = EventLog(store.sessions, store.dialect, clock=lambda: utc_now() - timedelta(minutes=5))
    await long_ago.claim(TEAM, "EvStale", question("EvStale"))
    other = await open_store()

    taken = await asyncio.gather(store.pending_answers.take_over(), other.pending_answers.take_over())

    assert sorted(len(t) for t in taken) == [0, 1]
    (resumed,) = [p for t in taken for p in t]
    assert resumed.resumed and resumed.event_id == "EvStale"
