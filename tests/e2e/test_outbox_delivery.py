"""The outbox, end to end: what an admin posts reaches the channel exactly once, whatever happens.

Slack answers 500 or 429, refuses for good (``channel_not_found``), or the process is
killed with SIGKILL halfway: the summary is still delivered once, never twice, and when
it cannot be delivered the person who asked is told how an operator retries it. Posts are
counted the way Slack sees them: messages it accepted that carry the item's id in their
metadata.

In-process tests shorten the worker's backoff (``base_delay``) so a run of failures takes
a fraction of a second; the SIGKILL tests run ``mlorg serve --http`` as real processes
with the production settings.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.store import Outbox, OutboxItem, Store, StoreError
from bot.store.events import utc_now
from bot.store.tables import OutboxRow
from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.e2e.harness import BOT_TOKEN, SIGNING_SECRET, RunningApp, make_settings, sqlite_url
from tests.e2e.processes import ServeProcess, child_env, free_port, serve_command
from tests.e2e.slack_client import SlackPlatform
from tests.e2e.test_summary import (
    ADMIN,
    LEAD,
    TEAM,
    accepted_with,
    item_for_preview,
    item_id_of,
    post_summary,
    posts_to,
    store_of,
    wait_posts,
    wait_status,
)

# The autouse fixture applies here too: no request ends in the global error handler.
from tests.e2e.test_summary import no_errors_logged as no_errors_logged

SERVER_ERROR = Scripted(500, {"ok": False, "error": "internal_error"})
#: The in-process worker's backoff: 50 ms, 100 ms, 200 ms ... instead of 1 s, 2 s, 4 s.
FAST = 0.05


@pytest.fixture
async def app(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    running = await RunningApp(make_settings(fake_slack, sqlite_url(tmp_path), mlorg_admins=ADMIN)).start()
    assert running.mlorg is not None
    worker = running.mlorg.outbox_worker
    assert (worker.base_delay, worker.max_attempts) == (1.0, 5), "the production settings changed"
    worker.base_delay = FAST
    worker.interval = FAST
    yield running
    await running.stop()


async def rewind_to_delivering(store: Store, item_id: str) -> None:
    """What the database holds when a worker died after Slack accepted the post but before it
    recorded the delivery: the item is still ``delivering`` and its lease has run out."""
    async with store.sessions.begin() as session:
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.item_id == item_id)
            .values(
                status="delivering",
                claimed_until=utc_now() - timedelta(minutes=5),
                delivered_at=None,
                message_ts=None,
            )
        )


async def run_mlorg(*args: str, database_url: str, cwd: Path) -> tuple[int, str, str]:
    """``mlorg …`` as an operator runs it, without blocking the loop the app and the fake live on."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=child_env(DATABASE_URL=database_url),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


# -- retries ---------------------------------------------------------------------------------------


async def test_two_server_errors_then_success_deliver_one_message_after_three_attempts(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    fake_slack.script("chat.postMessage", SERVER_ERROR, SERVER_ERROR)
    store = store_of(app)

    item = await item_for_preview(store, await post_summary(slack, fake_slack))
    delivered = await wait_status(store, item.item_id, "delivered")
    await fake_slack.settle()

    assert delivered.attempts == 3
    attempts = posts_to(fake_slack, LEAD)
    assert len(attempts) == 3, "each attempt is one durable attempt, not hidden in-process retries"
    assert {item_id_of(p) for p in attempts} == {item.item_id}
    (accepted,) = accepted_with(fake_slack, item.item_id)
    assert delivered.message_ts == accepted["ts"]
    assert fake_slack.posts(ADMIN) == [], "a delivered summary needs no apology"


async def test_a_429_is_retried_no_sooner_than_retry_after_asks(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    fake_slack.script(
        "chat.postMessage", Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    )
    store = store_of(app)

    item = await item_for_preview(store, await post_summary(slack, fake_slack))
    await fake_slack.wait_for("chat.postMessage", 1)
    refused_at = asyncio.get_running_loop().time()
    await fake_slack.wait_for("chat.postMessage", 2, timeout=5)
    retried_after = asyncio.get_running_loop().time() - refused_at
    delivered = await wait_status(store, item.item_id, "delivered")

    assert retried_after >= 0.9, f"retried after {retried_after:.2f}s although Slack asked for 1s"
    assert delivered.attempts == 2
    assert len(accepted_with(fake_slack, item.item_id)) == 1


async def test_a_permanent_error_parks_the_item_at_once_and_tells_the_requester(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    fake_slack.script("chat.postMessage", Scripted(200, {"ok": False, "error": "channel_not_found"}))
    store = store_of(app)

    item = await item_for_preview(store, await post_summary(slack, fake_slack))
    failed = await wait_status(store, item.item_id, "failed")
    (dm,) = await wait_posts(fake_slack, ADMIN)
    await fake_slack.settle(0.5)

    assert failed.attempts == 1
    assert failed.last_error is not None and "channel_not_found" in failed.last_error
    assert len(posts_to(fake_slack, LEAD)) == 1, "a permanent error is not retried"
    assert f"mlorg outbox retry {item.item_id}" in dm.text
    assert f"<#{LEAD}>" in dm.text and "Nothing was posted" in dm.text
    assert accepted_with(fake_slack, item.item_id) == []


async def test_a_failed_digest_is_reported_to_the_configured_admins(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.script("chat.postMessage", Scripted(200, {"ok": False, "error": "not_in_channel"}))
    store = store_of(app)

    item, _ = await store.outbox.enqueue(
        TEAM, "digest:test", kind="digest", channel_id=LEAD, payload={"text": "digest", "blocks": []}
    )
    await wait_status(store, item.item_id, "failed")
    (dm,) = await wait_posts(fake_slack, ADMIN)

    assert "digest" in dm.text and f"mlorg outbox retry {item.item_id}" in dm.text


async def test_five_server_errors_park_the_item_and_the_operator_can_list_and_retry_it(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform, tmp_path: Path
) -> None:
    fake_slack.script("chat.postMessage", *[SERVER_ERROR] * 5)
    store = store_of(app)
    database_url = app.settings.database_url
    assert database_url is not None

    item = await item_for_preview(store, await post_summary(slack, fake_slack))
    failed = await wait_status(store, item.item_id, "failed")
    (dm,) = await wait_posts(fake_slack, ADMIN)

    assert failed.attempts == 5
    assert len(posts_to(fake_slack, LEAD)) == 5
    assert "after 5 attempts" in dm.text and f"mlorg outbox retry {item.item_id}" in dm.text
    assert accepted_with(fake_slack, item.item_id) == []

    code, listed, err = await run_mlorg("outbox", database_url=database_url, cwd=tmp_path)
    assert code == 0, err
    (line,) = [row for row in listed.splitlines() if item.item_id in row]
    for shown in ("failed", "summary", TEAM, LEAD, "5", "HTTP 500: internal_error"):
        assert shown in line, (shown, line)

    code, out, err = await run_mlorg("outbox", "retry", item.item_id, database_url=database_url, cwd=tmp_path)
    assert code == 0, err
    assert "1 item(s) queued again" in out

    delivered = await wait_status(store, item.item_id, "delivered")
    await fake_slack.settle()
    assert delivered.attempts == 1
    assert len(accepted_with(fake_slack, item.item_id)) == 1
    code, listed, _ = await run_mlorg("outbox", database_url=database_url, cwd=tmp_path)
    assert "The outbox is empty" in listed


class BlippingOutbox:
    """The real outbox, except that recording the first delivery fails, as a database blip would."""

    def __init__(self, real: Outbox) -> None:
        self._real = real
        self.blips = 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def delivered(self, item_id: str, message_ts: str | None, *, claimed_by: str) -> bool:
        if self.blips:
            self.blips -= 1
            raise StoreError("could not update the outbox: OperationalError")
        return await self._real.delivered(item_id, message_ts, claimed_by=claimed_by)


async def test_a_database_error_after_posting_neither_stops_the_worker_nor_posts_twice(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    assert app.mlorg is not None
    worker = app.mlorg.outbox_worker
    worker.outbox = BlippingOutbox(worker.outbox)  # type: ignore[assignment]
    worker.lease = timedelta(seconds=0.3)
    store = store_of(app)

    first = await item_for_preview(store, await post_summary(slack, fake_slack))
    await fake_slack.wait_for("conversations.history", timeout=5)  # resumed once the lease ran out
    await wait_status(store, first.item_id, "delivered")
    second = await item_for_preview(store, await post_summary(slack, fake_slack))
    await wait_status(store, second.item_id, "delivered")
    await fake_slack.settle(0.5)

    assert len(accepted_with(fake_slack, first.item_id)) == 1
    assert len(accepted_with(fake_slack, second.item_id)) == 1


# -- resuming after a crash ------------------------------------------------------------------------


async def test_a_resumed_item_already_in_the_channel_is_marked_delivered_without_posting_again(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    store = store_of(app)
    item = await item_for_preview(store, await post_summary(slack, fake_slack))
    first = await wait_status(store, item.item_id, "delivered")

    await rewind_to_delivering(store, item.item_id)
    (history,) = await fake_slack.wait_for("conversations.history", timeout=5)
    again = await wait_status(store, item.item_id, "delivered")
    await fake_slack.settle(0.5)

    assert history.args["channel"] == LEAD
    assert len(accepted_with(fake_slack, item.item_id)) == 1
    assert len(posts_to(fake_slack, LEAD)) == 1
    assert again.message_ts == first.message_ts


async def test_a_resumed_item_that_never_reached_the_channel_is_posted_once(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    item, _ = await store.outbox.enqueue(
        TEAM, "summary:lost", kind="summary", channel_id=LEAD, payload={"text": "lost", "blocks": []}
    )
    await wait_status(store, item.item_id, "delivered")
    # Now make it look like a worker claimed the item and died before Slack accepted anything.
    fake_slack.accepted.clear()
    fake_slack.calls.clear()

    await rewind_to_delivering(store, item.item_id)
    await fake_slack.wait_for("conversations.history", timeout=5)
    await wait_status(store, item.item_id, "delivered")
    await fake_slack.settle(0.5)

    assert len(accepted_with(fake_slack, item.item_id)) == 1


# -- kill -9 -----------------------------------------------------------------------------------------


def serve_env(fake: FakeSlack, database_url: str) -> dict[str, str]:
    return child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=database_url,
        MLORG_ADMINS=ADMIN,
    )


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[list[ServeProcess]]:
    """Processes a test starts; every one still running is killed at the end."""
    started: list[ServeProcess] = []
    yield started
    for process in started:
        process.kill()


async def start_serve(
    fake: FakeSlack, database_url: str, cwd: Path, name: str, started: list[ServeProcess]
) -> tuple[ServeProcess, str]:
    port = free_port()
    process = ServeProcess(serve_command(port=port), serve_env(fake, database_url), cwd, name=name)
    started.append(process.start())
    await process.wait_healthy(f"http://127.0.0.1:{port}")
    return process, f"http://127.0.0.1:{port}/slack/events"


async def wait_item(
    store: Store, item_id: str, *, status: str, attempts: int, timeout: float = 10, team_id: str = TEAM
) -> OutboxItem:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        item = await store.outbox.get(team_id, item_id)
        if item is not None and (item.status, item.attempts) == (status, attempts):
            return item
        if loop.time() > deadline:
            raise AssertionError(f"item {item_id} is {item}, not {status} after {attempts} attempt(s)")
        await asyncio.sleep(0.005)


async def test_a_kill_9_between_failed_attempts_loses_nothing_and_posts_once_after_restart(
    fake_slack: FakeSlack, tmp_path: Path, replicas: list[ServeProcess]
) -> None:
    database_url = f"sqlite:///{tmp_path / 'mlorg.sqlite3'}"
    fake_slack.script("chat.postMessage", SERVER_ERROR, SERVER_ERROR)
    first, url = await start_serve(fake_slack, database_url, tmp_path, "first", replicas)
    store = Store.open(database_url)
    try:
        async with SlackPlatform(url, SIGNING_SECRET, fake_slack.response_url()) as slack:
            shown = await post_summary(slack, fake_slack)
        await fake_slack.wait_for("chat.postMessage", 1)
        item = await item_for_preview(store, shown)
        await wait_item(store, item.item_id, status="pending", attempts=1)

        first.kill()  # SIGKILL: no shutdown hook runs
        assert first.returncode == -9
        assert len(posts_to(fake_slack, LEAD)) == 1, "killed before its second attempt"

        await start_serve(fake_slack, database_url, tmp_path, "second", replicas)
        delivered = await wait_status(store, item.item_id, "delivered", timeout=20)
        await fake_slack.settle(1.0)
    finally:
        await store.close()

    assert len(accepted_with(fake_slack, item.item_id)) == 1
    assert delivered.attempts == 3
    assert [item_id_of(p) for p in posts_to(fake_slack, LEAD)] == [item.item_id] * 3


async def test_a_kill_9_after_slack_accepted_but_before_it_was_recorded_does_not_post_twice(
    fake_slack: FakeSlack, tmp_path: Path, replicas: list[ServeProcess]
) -> None:
    database_url = f"sqlite:///{tmp_path / 'mlorg.sqlite3'}"
    first, url = await start_serve(fake_slack, database_url, tmp_path, "first", replicas)
    store = Store.open(database_url)
    try:
        async with SlackPlatform(url, SIGNING_SECRET, fake_slack.response_url()) as slack:
            shown = await post_summary(slack, fake_slack)
        item = await item_for_preview(store, shown)
        await wait_status(store, item.item_id, "delivered")
        first.kill()
        await rewind_to_delivering(store, item.item_id)

        await start_serve(fake_slack, database_url, tmp_path, "second", replicas)
        await fake_slack.wait_for("conversations.history", timeout=20)
        delivered = await wait_status(store, item.item_id, "delivered")
        await fake_slack.settle(1.0)
    finally:
        await store.close()

    assert len(accepted_with(fake_slack, item.item_id)) == 1
    assert len(posts_to(fake_slack, LEAD)) == 1
    assert delivered.message_ts == accepted_with(fake_slack, item.item_id)[0]["ts"]
