"""What background work relies on when a workspace has no installation, on SQLite and PostgreSQL.

``workspace_orgs`` remembers a workspace's Enterprise Grid org across processes; an outbox item
for an uninstalled workspace waits without using up its attempts; a due quiz there is pushed
back, once, so it does not keep the timer's attention from other quizzes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import Store
from tests.bot.store.conftest import OpenStore

LEASE = timedelta(seconds=10)
ITEM = {"id": "q1", "prompt": "Q?", "options": [["a", "A"], ["b", "B"]], "answer": "a", "explanation": "."}


async def test_a_workspaces_org_is_recorded_once_and_read_by_another_process(
    store: Store, open_store: OpenStore
) -> None:
    assert await store.orgs.enterprise_of("T0001") is None

    await store.orgs.record("T0001", "E0001")
    await store.orgs.record("T0001", "E0001")  # every later request: nothing to write

    other = await open_store()
    assert await other.orgs.enterprise_of("T0001") == "E0001"
    assert await other.orgs.enterprise_of("T0002") is None


async def test_a_workspace_moved_to_another_org_is_recorded_under_the_new_one(
    store: Store, open_store: OpenStore
) -> None:
    await store.orgs.record("T0001", "E0001")
    await store.orgs.record("T0001", "E0002")

    assert await (await open_store()).orgs.enterprise_of("T0001") == "E0002"


async def test_a_deferred_outbox_item_waits_without_using_up_an_attempt(store: Store) -> None:
    item, _ = await store.outbox.enqueue(
        "T0001", "summary:1", kind="summary", channel_id="C1", payload={"text": "hi"}
    )
    [claimed] = await store.outbox.claim(LEASE, limit=1)
    later = datetime.now(UTC) + timedelta(minutes=5)

    assert await store.outbox.defer(
        item.item_id, "not installed", claimed_by=claimed.claimed_by or "", until=later
    )
    assert not await store.outbox.defer(item.item_id, "not installed", claimed_by="someone-else", until=later)

    waiting = await store.outbox.get(item.team_id, item.item_id)
    assert waiting is not None
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 0, "not installed")
    assert waiting.next_attempt_at is not None and waiting.next_attempt_at >= later - timedelta(seconds=1)
    assert await store.outbox.claim(LEASE, limit=1) == []  # not due before then


async def test_a_deferred_quiz_is_due_again_later_and_only_one_timer_defers_it(store: Store) -> None:
    quiz, _ = await store.quizzes.create("T0001", "C1", "UHOST", [ITEM], time_limit=30)
    past = datetime.now(UTC) - timedelta(seconds=1)
    await store.quizzes.set_question("T0001", quiz.quiz_id, 0, "1.0", past)
    [due] = [q for q in await store.quizzes.due(datetime.now(UTC)) if q.quiz_id == quiz.quiz_id]
    later = datetime.now(UTC) + timedelta(minutes=5)

    assert await store.quizzes.defer(due, later) is not None
    assert await store.quizzes.defer(due, later) is None  # a second timer saw the old deadline

    assert [q for q in await store.quizzes.due(datetime.now(UTC)) if q.quiz_id == quiz.quiz_id] == []
    assert await store.quizzes.due(later + timedelta(seconds=1))
