"""The outbox's and the workspace settings' contract, on SQLite and on PostgreSQL.

What delivery relies on: enqueueing is idempotent by key; a claim is a short lease with a
token, so an item is worked on by one worker at a time, kept while its worker renews the
lease, and taken over (marked ``resumed``, with a new token) only after the lease ran out;
once taken over, the old claim's renewals and outcomes change nothing; two processes
claiming at once never get the same item; a failed attempt is retried when it is due, by
any worker, and parked as failed after the last one; an operator's retry puts failed
items back. And what the summary relies on from the settings: defaults for a
workspace nobody configured, a round trip, and an anonymity threshold that never drops below 3.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Outbox, OutboxItem, Store, WorkspaceConfig, Workspaces
from knowledge.anonymity import MIN_GROUP
from tests.bot.store.conftest import OpenStore

TEAM = "T0001"
OTHER_TEAM = "T0002"
CHANNEL = "C0LEAD"
#: The worker's lease: short, because a working worker renews it.
LEASE = timedelta(seconds=10)
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


def token_of(item: OutboxItem) -> str:
    assert item.claimed_by, "a claimed item carries its claim's token"
    return item.claimed_by


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
    assert await store.outbox.get(item.team_id, item.item_id) == item


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

    clock.advance(seconds=9)
    assert await box.claim(LEASE) == []

    clock.advance(seconds=2)
    (resumed,) = await box.claim(LEASE)
    assert resumed.item_id == item.item_id
    assert resumed.resumed is True, "a worker may have posted it before dying: check before posting"
    assert resumed.attempts == 2
    assert resumed.claimed_until == clock.now + LEASE
    assert resumed.claimed_by is not None and resumed.claimed_by != claimed.claimed_by


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
                assert await replica.outbox.delivered(
                    item.item_id, "1700000000.000100", claimed_by=token_of(item)
                )
            await asyncio.sleep(0)

    await asyncio.gather(*(worker(s) for s in (store, *others) for _ in range(2)))

    counts = Counter(claimed)
    assert len(counts) == 30
    assert set(counts.values()) == {1}, [k for k, v in counts.items() if v > 1]
    assert await store.outbox.items() == []
    assert len(await store.outbox.delivered_items(TEAM)) == 30


# -- ownership: the claim token --------------------------------------------------------------------------


async def test_each_claim_gets_its_own_token_naming_the_worker(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    await enqueue(box, "summary:1")
    await enqueue(box, "summary:2")

    (first,) = await box.claim(LEASE, limit=1, worker="host-a:101")
    (second,) = await box.claim(LEASE, limit=1, worker="host-a:101")

    assert token_of(first).startswith("host-a:101:") and token_of(second).startswith("host-a:101:")
    assert first.claimed_by != second.claimed_by
    assert (await box.get(first.team_id, first.item_id)) == replace(first, resumed=False)


async def test_renewing_keeps_the_item_past_its_first_lease(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    (claimed,) = await box.claim(LEASE)

    for _ in range(10):  # a delivery that takes 30 s: Slack is slow, the worker is alive
        clock.advance(seconds=3)
        assert await box.renew(item.item_id, token_of(claimed), LEASE) is True
        assert await box.claim(LEASE) == [], "a renewed lease is not taken over"

    stored = await box.get(item.team_id, item.item_id)
    assert stored is not None and stored.claimed_until == clock.now + LEASE
    assert await box.delivered(item.item_id, "1700000000.000001", claimed_by=token_of(claimed))


async def test_a_lease_that_is_not_renewed_is_taken_over_after_ten_seconds(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    (dead,) = await box.claim(LEASE, worker="dead:1")
    clock.advance(seconds=3)
    assert await box.renew(item.item_id, token_of(dead), LEASE)  # then the worker is killed

    clock.advance(seconds=10)
    assert await box.claim(LEASE, worker="alive:2") == [], "the renewed lease still holds"
    clock.advance(seconds=1)
    (taken,) = await box.claim(LEASE, worker="alive:2")

    assert (taken.item_id, taken.resumed, taken.attempts) == (item.item_id, True, 2)
    assert token_of(taken).startswith("alive:2:")


async def test_a_claim_that_lost_the_item_can_neither_renew_nor_record_an_outcome(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    (slow,) = await box.claim(LEASE, worker="slow:1")
    clock.advance(seconds=11)  # the slow worker stalled past its lease ...
    (owner,) = await box.claim(LEASE, worker="owner:2")  # ... and another worker took the item over
    taken_over = await box.get(item.team_id, item.item_id)

    assert await box.renew(item.item_id, token_of(slow), LEASE) is False
    assert await box.delivered(item.item_id, "1700000000.000009", claimed_by=token_of(slow)) is False
    late = await box.attempt_failed(
        item.item_id, "HTTP 500", claimed_by=token_of(slow), retry_at=clock.now, max_attempts=5
    )
    assert late is None
    assert await box.get(item.team_id, item.item_id) == taken_over, "the new owner's state is untouched"

    assert await box.delivered(item.item_id, "1700000000.000010", claimed_by=token_of(owner)) is True
    stored = await box.get(item.team_id, item.item_id)
    assert stored is not None and (stored.status, stored.message_ts) == ("delivered", "1700000000.000010")


async def test_chart_uploads_are_recorded_in_the_payload_only_under_the_owning_claim(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    (slow,) = await box.claim(LEASE, worker="slow:1")
    charts = [{"key": "summary-mix", "png": "iVBO", "file_id": "F0000000001"}]

    recorded = await box.record_charts(slow, charts)
    assert recorded is not None and recorded.payload["charts"] == charts
    stored = await box.get(item.team_id, item.item_id)
    assert stored is not None and stored.payload == {**PAYLOAD, "charts": charts}, "the rest is kept"

    clock.advance(seconds=11)
    (owner,) = await box.claim(LEASE, worker="owner:2")
    assert owner.payload["charts"] == charts, "a resumed item sees what was uploaded before"
    assert await box.record_charts(slow, [{"key": "summary-mix", "png": "iVBO", "file_id": "FOTHER"}]) is None
    again = await box.get(item.team_id, item.item_id)
    assert again is not None and again.payload["charts"] == charts, "a lost claim changes nothing"


async def test_a_lapsed_claim_that_nobody_took_over_still_owns_the_item(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    (slow,) = await box.claim(LEASE)
    clock.advance(minutes=1)  # no other worker was running

    assert await box.renew(item.item_id, token_of(slow), LEASE) is True
    clock.advance(seconds=1)
    assert await box.claim(LEASE) == [], "renewed again, so not taken over"
    assert await box.delivered(item.item_id, "1700000000.000001", claimed_by=token_of(slow)) is True


async def test_a_finished_item_cannot_be_renewed_or_failed_by_its_own_claim(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    (claimed,) = await box.claim(LEASE)
    assert await box.delivered(item.item_id, "1700000000.000001", claimed_by=token_of(claimed))
    delivered = await box.get(item.team_id, item.item_id)

    assert await box.renew(item.item_id, token_of(claimed), LEASE) is False
    late = await box.attempt_failed(
        item.item_id, "HTTP 500", claimed_by=token_of(claimed), retry_at=clock.now, max_attempts=5
    )
    assert late is None
    assert await box.get(item.team_id, item.item_id) == delivered


async def test_a_failed_attempt_is_retried_by_whichever_worker_claims_next(
    open_store: OpenStore, store: Store
) -> None:
    clock = Clock()
    first, second = outbox(store, clock), outbox(await open_store(), clock)
    item = await enqueue(first)
    (attempt,) = await first.claim(LEASE, worker="first:1")
    await first.attempt_failed(
        item.item_id, "HTTP 500", claimed_by=token_of(attempt), retry_at=clock.now, max_attempts=5
    )

    (retry,) = await second.claim(LEASE, worker="second:2")

    assert (retry.item_id, retry.attempts, retry.resumed) == (item.item_id, 2, False)
    assert token_of(retry).startswith("second:2:")


# -- outcomes -------------------------------------------------------------------------------------------


async def test_a_failed_attempt_waits_for_its_retry_time(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    (claimed,) = await box.claim(LEASE)

    failed = await box.attempt_failed(
        item.item_id,
        "HTTP 500: internal_error",
        claimed_by=token_of(claimed),
        retry_at=START + timedelta(seconds=30),
        max_attempts=5,
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
        (claimed,) = await box.claim(LEASE)
        updated = await box.attempt_failed(
            item.item_id, "HTTP 500", claimed_by=token_of(claimed), retry_at=clock.now, max_attempts=3
        )
        assert updated is not None
        statuses.append((updated.status, updated.attempts))

    assert statuses == [("pending", 1), ("pending", 2), ("failed", 3)]
    assert await box.claim(LEASE) == []
    assert [i.item_id for i in await box.items(["failed"])] == [item.item_id]


async def test_a_permanent_failure_parks_the_item_at_once(store: Store) -> None:
    item = await enqueue(store.outbox)
    (claimed,) = await store.outbox.claim(LEASE)

    failed = await store.outbox.attempt_failed(
        item.item_id, "channel_not_found", claimed_by=token_of(claimed), retry_at=None, max_attempts=5
    )

    assert failed is not None and (failed.status, failed.attempts) == ("failed", 1)


async def test_a_failure_reported_for_an_item_not_being_delivered_changes_nothing(store: Store) -> None:
    item = await enqueue(store.outbox)

    for item_id in (item.item_id, "nope"):
        late = await store.outbox.attempt_failed(
            item_id, "late", claimed_by="gone:1:abc", retry_at=None, max_attempts=5
        )
        assert late is None
    assert (await store.outbox.get(item.team_id, item.item_id)) == item


async def test_delivered_is_recorded_once_and_leaves_the_work_list(store: Store) -> None:
    clock = Clock()
    box = outbox(store, clock)
    item = await enqueue(box)
    (claimed,) = await box.claim(LEASE)

    assert await box.delivered(item.item_id, "1700000000.000001", claimed_by=token_of(claimed)) is True
    assert await box.delivered(item.item_id, "1700000000.000002", claimed_by=token_of(claimed)) is False

    stored = await box.get(item.team_id, item.item_id)
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
    claims = {i.item_id: token_of(i) for i in await box.claim(LEASE)}
    for item in items[:2]:
        await box.attempt_failed(
            item.item_id, "channel_not_found", claimed_by=claims[item.item_id], retry_at=None, max_attempts=5
        )
    clock.advance(minutes=5)

    assert await box.retry(items[0].item_id) == 1
    assert await box.retry(items[0].item_id) == 0, "only failed items are retried"
    assert await box.retry(items[2].item_id) == 0, "a delivering item is not touched"
    assert await box.retry("unknown") == 0
    again = await box.get(items[0].team_id, items[0].item_id)
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

    saved = await workspaces.save(TEAM, wanted, updated_by="U0ADMIN")

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
        TEAM,
        WorkspaceConfig(TEAM, leadership_channels=("C0LEAD",), digest_weekday=2, digest_time="10:00"),
        updated_by="U0A",
    )
    clock.advance(days=1)

    saved = await workspaces.save(
        TEAM, WorkspaceConfig(TEAM, leadership_channels=("C0NEW",)), updated_by="U0B"
    )

    assert saved.leadership_channels == ("C0NEW",)
    assert saved.digest_weekday is None and saved.digest_time is None and not saved.scheduled
    assert (saved.updated_by, saved.updated_at) == ("U0B", START + timedelta(days=1))
    assert await workspaces.scheduled() == []


async def test_the_minimum_group_size_never_drops_below_three(store: Store) -> None:
    saved = await store.workspaces.save(TEAM, WorkspaceConfig(TEAM, min_group=2), updated_by="U0A")
    zero = await store.workspaces.save(OTHER_TEAM, WorkspaceConfig(OTHER_TEAM, min_group=0), updated_by="U0A")

    assert saved.min_group == 3 and zero.min_group == 3
    assert (await store.workspaces.get(TEAM)).min_group == 3


async def test_settings_are_saved_only_for_the_workspace_they_belong_to(store: Store) -> None:
    with pytest.raises(ValueError, match="cannot be saved"):
        await store.workspaces.save(OTHER_TEAM, WorkspaceConfig(TEAM, min_group=9), updated_by="U0A")

    assert await store.workspaces.get(OTHER_TEAM) == WorkspaceConfig(OTHER_TEAM)
    assert await store.workspaces.get(TEAM) == WorkspaceConfig(TEAM)


async def test_an_item_id_names_nothing_in_another_workspace(store: Store) -> None:
    item, _ = await store.outbox.enqueue(TEAM, "summary:1", kind="summary", channel_id="C0LEAD", payload={})

    assert await store.outbox.get(OTHER_TEAM, item.item_id) is None
    assert await store.outbox.get(TEAM, item.item_id) == item
