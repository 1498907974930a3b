"""Scheduled digests: one per scheduled moment, whatever the number of replicas or missed ticks.

The scheduler keys a digest by its scheduled moment (the latest one not after now) and
the channel, and writes it to the outbox. So an app that was down for weeks sends the
latest missed digest once when it comes back, never one per missed week or per tick, and
two ``mlorg serve`` processes sharing PostgreSQL post it once between them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.jobs.digests import DigestScheduler, latest_slot
from bot.store import Store, WorkspaceConfig, Workspaces
from bot.store.events import utc_now
from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.e2e.harness import BOT_TOKEN, SIGNING_SECRET, RunningApp, make_settings, sqlite_url
from tests.e2e.processes import ServeProcess, child_env, free_port, serve_command
from tests.e2e.test_summary import (
    ADMIN,
    ALL_STATUSES,
    KB,
    LEAD,
    TEAM,
    item_id_of,
    outbox_items,
    posts_to,
    store_of,
    wait_posts,
)

# The autouse fixture applies here too: no request ends in the global error handler.
from tests.e2e.test_summary import no_errors_logged as no_errors_logged

BOARD = "C0BOARD"


@pytest.fixture
async def app(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    running = await RunningApp(make_settings(fake_slack, sqlite_url(tmp_path), mlorg_admins=ADMIN)).start()
    assert running.mlorg is not None
    running.mlorg.outbox_worker.interval = 0.05
    yield running
    await running.stop()


def schedule_due(now: datetime, *, ago: timedelta = timedelta(days=2, hours=1)) -> tuple[int, str]:
    """A weekly (weekday, "HH:MM") in UTC whose latest moment was ``ago`` before ``now``."""
    moment = now - ago
    return moment.weekday(), moment.strftime("%H:%M")


async def configure(
    store: Store,
    weekday: int,
    at: str,
    *,
    configured_at: datetime,
    channels: tuple[str, ...] = (LEAD, BOARD),
    timezone: str = "UTC",
    by: str = ADMIN,
) -> WorkspaceConfig:
    """Save a schedule as if an admin had saved it at ``configured_at``."""
    workspaces = Workspaces(store.sessions, store.dialect, clock=lambda: configured_at)
    return await workspaces.save(
        TEAM,
        WorkspaceConfig(
            TEAM,
            leadership_channels=channels,
            digest_weekday=weekday,
            digest_time=at,
            digest_timezone=timezone,
        ),
        updated_by=by,
    )


# -- catching up ---------------------------------------------------------------------------------------


async def test_a_digest_missed_for_weeks_is_sent_once_to_each_leadership_channel_on_recovery(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    now = utc_now()
    weekday, at = schedule_due(now)
    await configure(store_of(app), weekday, at, configured_at=now - timedelta(days=30))

    await app.restart()  # the app comes back; its scheduler ticks at start-up
    assert app.mlorg is not None
    (lead,) = await wait_posts(fake_slack, LEAD)
    (board,) = await wait_posts(fake_slack, BOARD)
    later = [await app.mlorg.digests.tick() for _ in range(4)]
    later_in_the_week = DigestScheduler(app.mlorg.store, KB, clock=lambda: now + timedelta(days=3))
    later.append(await later_in_the_week.tick())
    await fake_slack.settle(0.5)

    assert later == [0] * 5
    assert posts_to(fake_slack, LEAD) == [lead] and posts_to(fake_slack, BOARD) == [board]
    assert "mlorg summary" in lead.text and "mlorg summary" in board.text
    slot = latest_slot(now, weekday, at, "UTC")
    assert slot is not None
    items = await outbox_items(app.mlorg.store)
    assert {(i.kind, i.status, i.dedupe_key) for i in items} == {
        ("digest", "delivered", f"digest:{slot.isoformat()}:{LEAD}"),
        ("digest", "delivered", f"digest:{slot.isoformat()}:{BOARD}"),
    }
    assert {item_id_of(lead), item_id_of(board)} == {i.item_id for i in items}
    assert all(i.requested_by == ADMIN for i in items), "whoever set the schedule hears of a failure"


async def test_the_next_weeks_digest_is_a_new_one(app: RunningApp, fake_slack: FakeSlack) -> None:
    assert app.mlorg is not None
    store = app.mlorg.store
    now = utc_now()
    weekday, at = schedule_due(now)
    await configure(store, weekday, at, configured_at=now - timedelta(days=30), channels=(LEAD,))
    this_week = DigestScheduler(store, KB, clock=lambda: now)
    next_week = DigestScheduler(store, KB, clock=lambda: now + timedelta(days=7))

    assert await this_week.tick() == 1
    assert await this_week.tick() == 0
    assert await next_week.tick() == 1
    assert await next_week.tick() == 0

    await wait_posts(fake_slack, LEAD, 2)
    await fake_slack.settle(0.5)
    assert len(posts_to(fake_slack, LEAD)) == 2


async def test_a_schedule_saved_after_its_latest_moment_waits_for_the_next_one(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    assert app.mlorg is not None
    now = utc_now()
    weekday, at = schedule_due(now)
    await configure(app.mlorg.store, weekday, at, configured_at=now - timedelta(minutes=1))

    assert await app.mlorg.digests.tick() == 0
    await app.restart()
    assert app.mlorg is not None
    assert await app.mlorg.digests.tick() == 0

    await fake_slack.settle(0.5)
    assert fake_slack.posts() == []
    assert await outbox_items(app.mlorg.store) == []


async def test_a_schedule_without_leadership_channels_sends_nothing(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    assert app.mlorg is not None
    now = utc_now()
    weekday, at = schedule_due(now)
    await configure(app.mlorg.store, weekday, at, configured_at=now - timedelta(days=30), channels=())

    assert await app.mlorg.digests.tick() == 0
    assert await outbox_items(app.mlorg.store) == []


async def test_a_digest_that_cannot_be_delivered_is_reported_to_the_admin_who_scheduled_it(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    owner = "U0OWNER"  # a workspace admin; MLORG_ADMINS is empty in this deployment
    running = await RunningApp(make_settings(fake_slack, sqlite_url(tmp_path))).start()
    try:
        assert running.mlorg is not None
        fake_slack.script("chat.postMessage", Scripted(200, {"ok": False, "error": "not_in_channel"}))
        now = utc_now()
        weekday, at = schedule_due(now)
        await configure(
            running.mlorg.store,
            weekday,
            at,
            configured_at=now - timedelta(days=30),
            channels=(LEAD,),
            by=owner,
        )

        assert await running.mlorg.digests.tick() == 1
        (dm,) = await wait_posts(fake_slack, owner)
    finally:
        await running.stop()

    (attempt,) = fake_slack.posts(LEAD)
    assert "digest" in dm.text and f"<#{LEAD}>" in dm.text
    assert f"mlorg outbox retry {item_id_of(attempt)}" in dm.text


# -- replicas ------------------------------------------------------------------------------------------


@pytest.mark.postgres
async def test_schedulers_ticking_at_once_on_postgresql_enqueue_one_digest_per_channel(pg_url: str) -> None:
    stores = [Store.open(pg_url) for _ in range(3)]
    try:
        await stores[0].migrate()
        now = utc_now()
        weekday, at = schedule_due(now)
        await configure(stores[0], weekday, at, configured_at=now - timedelta(days=30))
        schedulers = [DigestScheduler(store, KB, clock=lambda: now) for store in stores]

        added = await asyncio.gather(*(s.tick() for s in schedulers for _ in range(4)))

        assert sum(added) == 2
        items = await stores[0].outbox.items(ALL_STATUSES)
        assert sorted(i.channel_id for i in items) == sorted([LEAD, BOARD])
    finally:
        for store in stores:
            await store.close()


@pytest.mark.postgres
async def test_two_mlorg_serve_processes_on_postgresql_post_a_due_digest_once(
    fake_slack: FakeSlack, tmp_path: Path, pg_url: str
) -> None:
    store = Store.open(pg_url)
    await store.migrate()
    now = utc_now()
    weekday, at = schedule_due(now)
    await configure(store, weekday, at, configured_at=now - timedelta(days=30), channels=(LEAD,))
    env = child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=pg_url,
        MLORG_ADMINS=ADMIN,
    )
    ports = [free_port(), free_port()]
    replicas = [
        ServeProcess(serve_command(port=port), env, tmp_path, name=f"replica{n}")
        for n, port in enumerate(ports)
    ]
    try:
        for replica in replicas:  # both start at once, so both schedulers race for the due digest
            replica.start()
        for replica, port in zip(replicas, ports, strict=True):
            await replica.wait_healthy(f"http://127.0.0.1:{port}")
        (post,) = await wait_posts(fake_slack, LEAD, timeout=20)
        await fake_slack.settle(1.5)  # several polling intervals of both workers

        assert posts_to(fake_slack, LEAD) == [post]
        assert all(r.returncode is None for r in replicas), [r.describe() for r in replicas]
        (item,) = await store.outbox.items(ALL_STATUSES)
        assert (item.kind, item.status, item.item_id) == ("digest", "delivered", item_id_of(post))
    finally:
        for replica in replicas:
            replica.kill()
        await store.close()
    for replica in replicas:
        assert "Traceback" not in replica.output, replica.describe()


# -- latest_slot ------------------------------------------------------------------------------------


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


MONDAY, SUNDAY = 0, 6


@pytest.mark.parametrize(
    ("now", "weekday", "at", "zone", "expected"),
    [
        pytest.param(
            utc(2024, 5, 15, 10), MONDAY, "09:00", "UTC", utc(2024, 5, 13, 9), id="earlier-this-week"
        ),
        pytest.param(utc(2024, 5, 13, 8, 59), MONDAY, "09:00", "UTC", utc(2024, 5, 6, 9), id="later-today"),
        pytest.param(utc(2024, 5, 13, 9), MONDAY, "09:00", "UTC", utc(2024, 5, 13, 9), id="exactly-now"),
        pytest.param(
            utc(2024, 5, 13, 14), MONDAY, "09:00", "America/New_York", utc(2024, 5, 13, 13), id="new-york"
        ),
        pytest.param(
            utc(2024, 5, 12, 21),
            MONDAY,
            "08:00",
            "Pacific/Auckland",
            utc(2024, 5, 12, 20),
            id="across-dateline",
        ),
        pytest.param(
            utc(2024, 3, 26, 12),
            MONDAY,
            "09:00",
            "Europe/Berlin",
            utc(2024, 3, 25, 8),
            id="berlin-winter-time",
        ),
        pytest.param(
            utc(2024, 4, 2, 12), MONDAY, "09:00", "Europe/Berlin", utc(2024, 4, 1, 7), id="berlin-summer-time"
        ),
        pytest.param(
            utc(2024, 4, 1, 6, 30),
            MONDAY,
            "09:00",
            "Europe/Berlin",
            utc(2024, 3, 25, 8),
            id="week-back-over-dst",
        ),
        pytest.param(
            utc(2024, 11, 3, 6, 15),
            SUNDAY,
            "01:30",
            "America/New_York",
            utc(2024, 11, 3, 5, 30),
            id="repeated-hour-after-the-first-01:30",
        ),
        pytest.param(
            utc(2024, 3, 31, 1, 20),
            SUNDAY,
            "02:30",
            "Europe/Berlin",
            utc(2024, 3, 24, 1, 30),
            id="skipped-hour-not-yet-due",
        ),
    ],
)
def test_latest_slot_is_the_latest_scheduled_moment_not_after_now(
    now: datetime, weekday: int, at: str, zone: str, expected: datetime
) -> None:
    slot = latest_slot(now, weekday, at, zone)

    assert slot == expected
    assert slot is not None and slot <= now and now - slot < timedelta(days=7)


def test_latest_slot_is_the_same_moment_for_every_tick_until_the_next_one() -> None:
    start = utc(2024, 10, 27, 0)
    slots = {
        latest_slot(start + timedelta(minutes=m), SUNDAY, "01:30", "America/New_York")
        for m in range(0, 14 * 24 * 60, 7)
    }

    assert len(slots) == 3  # 20 Oct, 27 Oct, 3 Nov: once each, DST change included
    assert all(s is not None and s.tzinfo is not None for s in slots)


@pytest.mark.parametrize(("at", "zone"), [("09:00", "Mars/Olympus_Mons"), ("nine", "UTC"), ("", "UTC")])
def test_latest_slot_is_none_for_an_unusable_schedule(at: str, zone: str) -> None:
    assert latest_slot(utc(2024, 5, 15), MONDAY, at, zone) is None
