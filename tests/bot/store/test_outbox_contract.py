"""The outbox's and the workspace settings' contract, on SQLite and on PostgreSQL.

What delivery relies on: enqueueing is idempotent by key; a claim is a lease, so an item
is worked on by one worker at a time, and taken over (marked ``resumed``) only after the
lease ran out; two processes claiming at once never get the same item; a failed attempt
is retried when it is due and parked as failed after the last one; an operator's retry
puts failed items back. And what the summary relies on from the settings: defaults for a
workspace nobody configured, a round trip, and an anonymity threshold that never drops below 3.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.store import Outbox, OutboxItem, Store, WorkspaceConfig, Workspaces
from knowledge.anonymity import MIN_GROUP
from tests.bot.store.conftest import OpenStore

TEAM = "T0001"
OTHER_TEAM = "T0002"
CHANNEL = "C0LEAD"
LEASE = timedelta(seconds=60)
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
PAYLOAD = {"text": "mlorg summary", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def outbox(store: Store, clock: Clock) -> Outbox:
    return Outbox(store.sessions, store.dialect, clock=clock)


async def enqueue(box: Outbox, key: str = "summary:1", team: str = TEAM, **kw: str) -> OutboxItem:
    item, created = await box.enqueue(
        team, key, kind=kw.get("kind", "summary"), channel_id=CHANNEL, payload=PAYLOAD, requested_by="U0ADMIN"
    )
    assert created
    return item


# -- enqueue -----------------------------------------------------------------------------------------


async def test_enqueue_stores_a_pending_item_due_now(store: Store) -> None:
    clock = Clock()
    item = await enqueue(outbox(store, clock))

    assert (item.status, item.attempts, item.kind, item.channel_id) == ("pending", 0, "summary", CHANNEL)
    assert item.payload == PAYLOAD and item.requested_by == "U0ADMIN"
    assert item.next_attempt_at == START and item.created_at == START
    assert item.claimed_until is None and item.delivered_at is None and item.resumed is False
    assert await store.outbox.get(item.item_id) == item


async def test_enqueue_is_idempotent_by_key_within_a_workspace(store: Store) -> None:
    first, created = await store.outbox.enqueue(
        TEAM, "k", kind="summary", channel_id=CHANNEL, payload=PAYLOAD
    )
    again, created_again = await store.outbox.enqueue(
        TEAM, "k", kind="summary", channel_id="C0ELSE", payload={"text": "different"}
    )
    other, created_other = await store.outbox.enqueue(
        OTHER_TEAM, "k", kind="summary", channel_id=CHANNEL, payload=PAYLOAD
    )

    assert (created, created_again, created_other) == (True, False, True)
    assert again == first, "the second enqueue returns the stored item unchanged"
    assert other.item_id != first.item_id
    assert await store.outbox.exists(TEAM, "k") and not await store.outbox.exists(TEAM, "other")
    assert len(await store.outbox.items()) == 2


async def test_concurrent_enqueues_of_one_key_store_one_item(open_store: OpenStore, store: Store) -> None:
    other = await open_store()

    results = await asyncio.gather(
        *(
            s.outbox.enqueue(TEAM, "digest:1", kind="digest", channel_id=CHANNEL, payload=PAYLOAD)
            for s in (store, other) * 5
        )
    )

    assert sum(created for _, created in results) == 1
    assert len({item.item_id for item, _ in results}) == 1


# -- claiming ------------------------------------------------------------------------------------------


async def test_a_claim_leases_the_item_and_nobody_else_gets_it_until_the_lease_runs_out(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)

    (claimed,) = await box.claim(LEASE)
    assert (claimed.item_id, claimed.status, claimed.attempts, claimed.resumed) == (
        item.item_id,
        "delivering",
        1,
        False,
    )
    assert claimed.claimed_until == START + LEASE

    clock.advance(seconds=59)
    assert await box.claim(LEASE) == []

    clock.advance(seconds=2)
    (resumed,) = await box.claim(LEASE)
    assert resumed.item_id == item.item_id
    assert resumed.resumed is True, "a worker may have posted it before dying: check before posting"
    assert resumed.attempts == 2
    assert resumed.claimed_until == clock.now + LEASE


async def test_claim_takes_due_items_oldest_first_and_at_most_the_limit(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    keys = []
    for n in range(4):
        keys.append((await enqueue(box, f"summary:{n}")).item_id)
        clock.advance(seconds=1)

    first = await box.claim(LEASE, limit=3)
    rest = await box.claim(LEASE, limit=3)

    assert [i.item_id for i in first] == keys[:3]
    assert [i.item_id for i in rest] == keys[3:]
    assert await box.claim(LEASE) == []


async def test_two_stores_claiming_at_once_never_get_the_same_item(
    open_store: OpenStore, store: Store
) -> None:
    others = [await open_store() for _ in range(2)]
    for n in range(30):
        await enqueue(store.outbox, f"summary:{n}")
    claimed: list[str] = []

    async def worker(replica: Store) -> None:
        while True:
            items = await replica.outbox.claim(LEASE, limit=3)
            if not items:
                return
            claimed.extend(i.item_id for i in items)
            for item in items:
                assert await replica.outbox.delivered(item.item_id, "1700000000.000100")
            await asyncio.sleep(0)

    await asyncio.gather(*(worker(s) for s in (store, *others) for _ in range(2)))

    counts = Counter(claimed)
    assert len(counts) == 30
    assert set(counts.values()) == {1}, [k for k, v in counts.items() if v > 1]
    assert await store.outbox.items() == []
    assert len(await store.outbox.delivered_items(TEAM)) == 30


# -- outcomes -------------------------------------------------------------------------------------------


async def test_a_failed_attempt_waits_for_its_retry_time(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    await box.claim(LEASE)

    failed = await box.attempt_failed(
        item.item_id, "HTTP 500: internal_error", retry_at=START + timedelta(seconds=30), max_attempts=5
    )

    assert failed is not None
    assert (failed.status, failed.attempts, failed.last_error) == ("pending", 1, "HTTP 500: internal_error")
    assert failed.next_attempt_at == START + timedelta(seconds=30) and failed.claimed_until is None
    clock.advance(seconds=29)
    assert await box.claim(LEASE) == []
    clock.advance(seconds=1)
    (again,) = await box.claim(LEASE)
    assert (again.attempts, again.resumed) == (2, False)


async def test_the_last_failed_attempt_parks_the_item_as_failed(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    statuses = []
    for _ in range(3):
        await box.claim(LEASE)
        updated = await box.attempt_failed(item.item_id, "HTTP 500", retry_at=clock.now, max_attempts=3)
        assert updated is not None
        statuses.append((updated.status, updated.attempts))

    assert statuses == [("pending", 1), ("pending", 2), ("failed", 3)]
    assert await box.claim(LEASE) == []
    assert [i.item_id for i in await box.items(["failed"])] == [item.item_id]


async def test_a_permanent_failure_parks_the_item_at_once(store: Store) -> None:
    item = await enqueue(store.outbox)
    await store.outbox.claim(LEASE)

    failed = await store.outbox.attempt_failed(
        item.item_id, "channel_not_found", retry_at=None, max_attempts=5
    )

    assert failed is not None and (failed.status, failed.attempts) == ("failed", 1)


async def test_a_failure_reported_for_an_item_not_being_delivered_changes_nothing(store: Store) -> None:
    item = await enqueue(store.outbox)

    assert await store.outbox.attempt_failed(item.item_id, "late", retry_at=None, max_attempts=5) is None
    assert await store.outbox.attempt_failed("nope", "late", retry_at=None, max_attempts=5) is None
    assert (await store.outbox.get(item.item_id)) == item


async def test_delivered_is_recorded_once_and_leaves_the_work_list(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    await box.claim(LEASE)

    assert await box.delivered(item.item_id, "1700000000.000001") is True
    assert await box.delivered(item.item_id, "1700000000.000002") is False

    stored = await box.get(item.item_id)
    assert stored is not None
    assert (stored.status, stored.message_ts, stored.delivered_at, stored.claimed_until) == (
        "delivered",
        "1700000000.000001",
        START,
        None,
    )
    assert await box.items() == []
    assert [i.item_id for i in await box.items(["delivered"])] == [item.item_id]
    assert await box.delivered_items(OTHER_TEAM) == []
    clock.advance(hours=1)
    assert await box.claim(LEASE) == []


async def test_retry_puts_failed_items_back_with_a_fresh_count(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    items = [await enqueue(box, f"summary:{n}") for n in range(3)]
    await box.claim(LEASE)
    for item in items[:2]:
        await box.attempt_failed(item.item_id, "channel_not_found", retry_at=None, max_attempts=5)
    clock.advance(minutes=5)

    assert await box.retry(items[0].item_id) == 1
    assert await box.retry(items[0].item_id) == 0, "only failed items are retried"
    assert await box.retry(items[2].item_id) == 0, "a delivering item is not touched"
    assert await box.retry("unknown") == 0
    again = await box.get(items[0].item_id)
    assert again is not None
    assert (again.status, again.attempts, again.last_error, again.next_attempt_at) == (
        "pending",
        0,
        None,
        clock.now,
    )

    assert await box.retry() == 1  # --all: the one still failed
    assert {i.status for i in await box.items()} == {"pending", "delivering"}


# -- workspace settings ------------------------------------------------------------------------------


async def test_an_unconfigured_workspace_gets_the_defaults(store: Store) -> None:
    config = await store.workspaces.get(TEAM)

    assert config == WorkspaceConfig(TEAM)
    assert config.leadership_channels == () and config.digest_weekday is None and config.digest_time is None
    assert config.digest_timezone == "UTC" and config.min_group == MIN_GROUP == 3
    assert config.updated_at is None and not config.scheduled
    assert await store.workspaces.scheduled() == []


async def test_saved_settings_round_trip_per_workspace(store: Store) -> None:
    clock = Clock()
    workspaces = Workspaces(store.sessions, store.dialect, clock=clock)
    wanted = WorkspaceConfig(
        TEAM,
        leadership_channels=("C0LEAD", "C0BOARD"),
        digest_weekday=0,
        digest_time="09:30",
        digest_timezone="Europe/Berlin",
        min_group=5,
    )

    saved = await workspaces.save(wanted, updated_by="U0ADMIN")

    assert saved == WorkspaceConfig(
        TEAM,
        leadership_channels=("C0LEAD", "C0BOARD"),
        digest_weekday=0,
        digest_time="09:30",
        digest_timezone="Europe/Berlin",
        min_group=5,
        updated_by="U0ADMIN",
        updated_at=START,
    )
    assert saved.scheduled
    assert await workspaces.get(TEAM) == saved
    assert (await workspaces.get(OTHER_TEAM)) == WorkspaceConfig(OTHER_TEAM)
    assert [c.team_id for c in await workspaces.scheduled()] == [TEAM]


async def test_saving_again_replaces_the_settings(store: Store) -> None:
    clock = Clock()
    workspaces = Workspaces(store.sessions, store.dialect, clock=clock)
    await workspaces.save(
        WorkspaceConfig(TEAM, leadership_channels=("C0LEAD",), digest_weekday=2, digest_time="10:00"),
        updated_by="U0A",
    )
    clock.advance(days=1)

    saved = await workspaces.save(WorkspaceConfig(TEAM, leadership_channels=("C0NEW",)), updated_by="U0B")

    assert saved.leadership_channels == ("C0NEW",)
    assert saved.digest_weekday is None and saved.digest_time is None and not saved.scheduled
    assert (saved.updated_by, saved.updated_at) == ("U0B", START + timedelta(days=1))
    assert await workspaces.scheduled() == []


async def test_the_minimum_group_size_never_drops_below_three(store: Store) -> None:
    saved = await store.workspaces.save(WorkspaceConfig(TEAM, min_group=2), updated_by="U0A")
    zero = await store.workspaces.save(WorkspaceConfig(OTHER_TEAM, min_group=0), updated_by="U0A")

    assert saved.min_group == 3 and zero.min_group == 3
    assert (await store.workspaces.get(TEAM)).min_group == 3
