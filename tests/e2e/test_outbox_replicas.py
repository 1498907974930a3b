"""The outbox with several replicas on one database: any free replica finishes what another left.

A replica's worker may fail an attempt and then stop, or be killed with SIGKILL while Slack
is still answering its post. Either way the item is delivered by another replica, exactly
once: a failed attempt goes back to the queue for whoever is free, and a dead worker's
short lease (10 s, renewed while it delivers) runs out, so another replica takes the item
over, checks the channel's history, and posts it. What counts is what the fake Slack
accepted into the channel, as a person reading it would see.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.jobs.outbox import OutboxWorker
from bot.store import Outbox, OutboxItem, Store
from bot.store.events import utc_now
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import BOT_TOKEN
from tests.e2e.processes import ServeProcess, free_port, serve_command
from tests.e2e.test_outbox_delivery import SERVER_ERROR, serve_env, wait_item
from tests.e2e.test_summary import LEAD, TEAM, accepted_with, item_id_of, posts_to, wait_status

# The autouse fixture applies here too: no request ends in the global error handler.
from tests.e2e.test_summary import no_errors_logged as no_errors_logged
from tests.support.postgres import fresh_pg_database

#: What a replica needs at most to notice a dead worker: the lease, a poll, and some slack
#: for a loaded machine. The issue's promise is 15 seconds.
TAKEOVER = 15.0


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated-by-nobody database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{(tmp_path / 'mlorg.sqlite3').as_posix()}"
        return
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[list[Store]]:
    """Two stores on one database, as two replicas hold them."""
    opened = [Store.open(database_url), Store.open(database_url)]
    await opened[0].migrate()
    yield opened
    for store in opened:
        await store.close()


def slack_client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url, retry_handlers=[])


async def enqueue(store: Store, key: str) -> OutboxItem:
    item, created = await store.outbox.enqueue(
        TEAM, key, kind="summary", channel_id=LEAD, payload={"text": "mlorg summary", "blocks": []}
    )
    assert created
    return item


async def test_an_attempt_that_failed_on_one_replica_is_delivered_by_another_once_it_stopped(
    fake_slack: FakeSlack, stores: list[Store]
) -> None:
    first_store, second_store = stores
    fake_slack.script("chat.postMessage", SERVER_ERROR)
    # The first replica would retry in a minute; the second one's clock is two minutes on,
    # as if it looked at the queue that much later. Nothing waits in real time.
    first = OutboxWorker(first_store.outbox, slack_client(fake_slack), base_delay=60, name="first:1")

    def later() -> datetime:
        return utc_now() + timedelta(minutes=2)

    second = OutboxWorker(
        Outbox(second_store.sessions, second_store.dialect, clock=later),
        slack_client(fake_slack),
        clock=later,
        name="second:2",
    )
    item = await enqueue(first_store, "summary:failover")

    stop_first = asyncio.Event()
    running = asyncio.create_task(first.run(stop_first))
    failed = await wait_item(first_store, item.item_id, status="pending", attempts=1)
    stop_first.set()
    await running
    assert failed.last_error == "HTTP 500: internal_error"

    stop_second = asyncio.Event()
    running = asyncio.create_task(second.run(stop_second))
    try:
        delivered = await wait_status(first_store, item.item_id, "delivered")
        await fake_slack.settle()
    finally:
        stop_second.set()
        await running

    assert delivered.attempts == 2
    assert (delivered.claimed_by or "").startswith("second:2:"), delivered.claimed_by
    assert [item_id_of(p) for p in posts_to(fake_slack, LEAD)] == [item.item_id] * 2
    (accepted,) = accepted_with(fake_slack, item.item_id)
    assert delivered.message_ts == accepted["ts"]


#: Leases short enough that several run out while a test watches: the heartbeat has to work.
SHORT = timedelta(seconds=0.4)


def short_lease_worker(store: Store, fake: FakeSlack, name: str) -> OutboxWorker:
    worker = OutboxWorker(store.outbox, slack_client(fake), lease=SHORT, interval=0.05, name=name)
    assert worker.heartbeat == SHORT / 3, "the heartbeat renews every third of the lease by default"
    return worker


async def test_a_slow_post_keeps_its_lease_and_is_not_taken_over_by_another_replica(
    fake_slack: FakeSlack, stores: list[Store]
) -> None:
    fake_slack.hold("chat.postMessage", LEAD)
    workers = [short_lease_worker(store, fake_slack, f"replica{n}:{n}") for n, store in enumerate(stores)]
    stop = asyncio.Event()
    running = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        item = await enqueue(stores[0], "summary:slow")
        await fake_slack.wait_for("chat.postMessage", 1)
        claimed = await stores[0].outbox.get(item.team_id, item.item_id)
        await asyncio.sleep(SHORT.total_seconds() * 5)  # five leases' worth of a hanging Slack
        still = await stores[0].outbox.get(item.team_id, item.item_id)

        fake_slack.release()
        delivered = await wait_status(stores[0], item.item_id, "delivered")
        await fake_slack.settle()
    finally:
        stop.set()
        await asyncio.gather(*running)

    assert claimed is not None and still is not None
    assert (still.status, still.claimed_by) == ("delivering", claimed.claimed_by), "nobody took it over"
    assert still.claimed_until is not None and claimed.claimed_until is not None
    assert still.claimed_until > claimed.claimed_until, "the lease was renewed"
    assert (delivered.attempts, delivered.claimed_by) == (1, claimed.claimed_by)
    assert fake_slack.calls_to("conversations.history") == []
    assert len(posts_to(fake_slack, LEAD)) == 1
    assert len(accepted_with(fake_slack, item.item_id)) == 1


async def test_a_worker_whose_item_was_taken_over_stops_and_changes_nothing(
    fake_slack: FakeSlack, stores: list[Store]
) -> None:
    first_store, second_store = stores
    fake_slack.hold("chat.postMessage", LEAD)
    slow = short_lease_worker(first_store, fake_slack, "slow:1")
    item = await enqueue(first_store, "summary:stalled")
    (claim,) = await first_store.outbox.claim(SHORT, limit=1, worker=slow.name)
    delivering = asyncio.create_task(slow.deliver(claim))
    await fake_slack.wait_for("chat.postMessage", 1)

    # The slow worker's lease lapses (as if it had stalled) and another replica claims the item.
    later = Outbox(
        second_store.sessions, second_store.dialect, clock=lambda: utc_now() + timedelta(minutes=1)
    )
    (taken,) = await later.claim(timedelta(minutes=5), limit=1, worker="owner:2")
    await asyncio.wait_for(delivering, timeout=10)  # its next heartbeat finds the claim lost
    after = await first_store.outbox.get(item.team_id, item.item_id)

    assert taken.resumed and (taken.claimed_by or "").startswith("owner:2:")
    assert after is not None
    assert (after.status, after.claimed_by, after.attempts) == ("delivering", taken.claimed_by, 2)
    assert accepted_with(fake_slack, item.item_id) == []


def claimant(item: OutboxItem, replicas: list[ServeProcess]) -> ServeProcess:
    """The replica whose worker made the item's current claim (``host:pid:random``)."""
    assert item.claimed_by is not None, item
    pid = int(item.claimed_by.split(":")[-2])
    (replica,) = [r for r in replicas if r.pid == pid]
    return replica


@pytest.mark.postgres
async def test_a_replica_killed_mid_delivery_on_postgresql_leaves_the_item_to_the_other_which_posts_it_once(
    fake_slack: FakeSlack, tmp_path: Path, pg_url: str
) -> None:
    store = Store.open(pg_url)
    await store.migrate()
    # Slack hangs on the first post to the channel: whichever replica claims the item is
    # caught in the middle of delivering it, with its lease renewed by the heartbeat.
    fake_slack.hold("chat.postMessage", LEAD)
    ports = [free_port(), free_port()]
    replicas = [
        ServeProcess(serve_command(port=port), serve_env(fake_slack, pg_url), tmp_path, name=f"replica{n}")
        for n, port in enumerate(ports)
    ]
    try:
        for replica in replicas:
            replica.start()
        for replica, port in zip(replicas, ports, strict=True):
            await replica.wait_healthy(f"http://127.0.0.1:{port}")
        item = await enqueue(store, "summary:killed")

        (held,) = await fake_slack.wait_for("chat.postMessage", 1, timeout=20)
        claimed = await store.outbox.get(item.team_id, item.item_id)
        assert claimed is not None and (claimed.status, claimed.attempts) == ("delivering", 1)
        victim = claimant(claimed, replicas)
        (survivor,) = [r for r in replicas if r is not victim]
        victim.kill()  # SIGKILL mid-delivery: no shutdown hook, no outcome recorded
        assert victim.returncode == -9

        delivered = await wait_status(store, item.item_id, "delivered", timeout=TAKEOVER)
        await fake_slack.settle(1.0)

        assert item_id_of(held) == item.item_id
        assert claimant(delivered, replicas) is survivor
        assert delivered.attempts == 2
        (accepted,) = accepted_with(fake_slack, item.item_id)
        assert delivered.message_ts == accepted["ts"]
        assert [item_id_of(p) for p in posts_to(fake_slack, LEAD)] == [item.item_id] * 2
        methods = [c.method for c in fake_slack.calls if c.args.get("channel") == LEAD]
        assert methods == ["chat.postMessage", "conversations.history", "chat.postMessage"], (
            "the replica that took the item over checked the channel before posting"
        )
        assert survivor.returncode is None, survivor.describe()
    finally:
        for replica in replicas:
            replica.kill()
        await store.close()
    assert "Traceback" not in survivor.output, survivor.describe()
