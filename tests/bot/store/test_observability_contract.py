"""What the store tells metrics: outbox figures, running quizzes, and failed operations,
on SQLite and PostgreSQL."""

from __future__ import annotations

import traceback
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.store import Store, StoreError
from bot.store.transaction import Transaction
from tests.bot.store.conftest import OpenStore


async def test_outbox_stats_count_items_by_kind_and_status_and_date_the_oldest_waiting(store: Store) -> None:
    empty = await store.outbox.stats()
    assert empty.counts == {} and empty.oldest_waiting is None

    first, _ = await store.outbox.enqueue("T1", "d1", kind="digest", channel_id="C1", payload={"text": "a"})
    await store.outbox.enqueue("T1", "d2", kind="digest", channel_id="C1", payload={"text": "b"})
    await store.outbox.enqueue("T2", "s1", kind="summary", channel_id="C2", payload={"text": "c"}, held=True)
    [claimed, *_] = await store.outbox.claim(timedelta(seconds=30), limit=1)
    await store.outbox.delivered(claimed.item_id, "1.0", claimed_by=claimed.claimed_by or "")

    stats = await store.outbox.stats()

    assert stats.counts == {("digest", "delivered"): 1, ("digest", "pending"): 1, ("summary", "held"): 1}
    assert stats.oldest_waiting is not None and stats.oldest_waiting.tzinfo is not None
    assert stats.oldest_waiting >= first.created_at
    assert stats.oldest_waiting <= datetime.now(UTC)


async def test_running_quizzes_are_counted_across_workspaces(store: Store) -> None:
    assert await store.quizzes.count_running() == 0
    item = {"id": "q1", "answer": "a", "options": [["a", "A"], ["b", "B"]]}
    first, _ = await store.quizzes.create("T1", "C1", "U1", [item])
    await store.quizzes.create("T2", "C1", "U2", [item])
    await store.quizzes.create("T2", "C2", "U2", [item])
    assert await store.quizzes.count_running() == 3

    await store.quizzes.end("T1", first.quiz_id)

    assert await store.quizzes.count_running() == 2


async def test_a_failed_operation_is_reported_to_the_observer_without_its_parameters(store: Store) -> None:
    seen: list[str] = []
    store.on_error(seen.append)
    words = " ".join(["what", "someone", "wrote"])  # built, so the traceback's source lines don't quote it

    with pytest.raises(StoreError) as caught:
        async with Transaction(store.sessions, "read a missing table") as session:
            await session.execute(text("SELECT * FROM no_such_table WHERE a = :a"), {"a": words})

    assert seen == ["read a missing table"]
    logged = "".join(traceback.format_exception(caught.value))
    assert words not in logged


async def test_an_observer_hears_only_its_own_store(store: Store, open_store: OpenStore) -> None:
    other = await open_store()
    heard: list[str] = []
    other.on_error(heard.append)

    with pytest.raises(StoreError):
        async with Transaction(store.sessions, "fail on the first store") as session:
            await session.execute(text("SELECT * FROM no_such_table"))

    assert heard == []
