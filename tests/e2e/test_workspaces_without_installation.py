"""The app with an installation store (OAuth mode) serving the workspaces installed there.

Workspace A (T0001) has its own install and org E0001 an org-wide one; workspace B (T0002) has
none (uninstalled, or never installed). B's requests get Bolt's "please reinstall" answer, never
a 5xx, and one log line however many arrive; B's outbox items and quizzes wait instead of being
sent or lost; A's and the org's workspaces are served with their own tokens, by requests and by
background work alike.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.jobs.outbox import NOT_INSTALLED
from bot.store import Store
from bot.tenancy.requests import BOLT_NOT_INSTALLED
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import SIGNING_SECRET, RunningApp, make_settings, sqlite_url
from tests.e2e.slack_client import SlackPlatform
from tests.support.installations import CLIENT_ID, MlorgTablesInstallationStore, installation

TOKEN_A = "xoxb-workspace-a"
TOKEN_ORG = "xoxb-org-e0001"
ITEM = {"id": "q1", "prompt": "Q?", "options": [["a", "A"], ["b", "B"]], "answer": "a", "explanation": "."}


@pytest.fixture
async def served(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[tuple[RunningApp, Store]]:
    url = sqlite_url(tmp_path)
    store = Store.open(url)
    await store.migrate()
    installations = MlorgTablesInstallationStore(client_id=CLIENT_ID, engine=store.engine)
    await installations.async_save(installation(TOKEN_A, team_id="T0001"))
    await installations.async_save(
        installation(TOKEN_ORG, team_id=None, enterprise_id="E0001", org_wide=True)
    )
    settings = make_settings(fake_slack, url, slack_bot_token=None)
    running = await RunningApp(settings, store=store, installation_store=installations).start()
    yield running, store
    await running.stop()


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 10.0) -> None:
    """Wait for a row to reach a state (polling the store the app writes); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting until {what}")
        await asyncio.sleep(0.05)


async def test_requests_from_a_workspace_without_an_installation_get_bolts_answer_and_one_log_line(
    served: tuple[RunningApp, Store], fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    app, _ = served
    async with (
        SlackPlatform(app.url, SIGNING_SECRET, fake_slack.response_url("a"), team_id="T0001") as a,
        SlackPlatform(app.url, SIGNING_SECRET, fake_slack.response_url("b"), team_id="T0002") as b,
    ):
        served_a = await a.command("help")
        commands = await asyncio.gather(*(b.command("help") for _ in range(6)))
        click = await b.click({"action_id": "mlorg_explain_open", "value": "rnd"})
        event = await b.event({"type": "app_mention", "user": "U0001", "text": "<@UBOT> hi", "channel": "C1"})

    assert served_a.status == 200 and "machine-learning" in served_a.text  # A is served as usual
    assert [r.status for r in commands] == [200] * 6
    assert click.status == 200 and event.status == 200
    notices = await fake_slack.wait_for("response_url:b", count=7)  # six commands and the click
    assert all("reinstall" in notice.text for notice in notices)
    assert fake_slack.calls_to("chat.postMessage") == []  # nothing was done in B's name
    about_b = [r for r in caplog.records if r.levelno >= logging.WARNING and "T0002" in r.getMessage()]
    assert len(about_b) == 1, [r.getMessage() for r in about_b]
    assert not [r for r in caplog.records if BOLT_NOT_INSTALLED in r.getMessage()]


async def test_background_work_uses_each_workspaces_token_and_waits_where_there_is_none(
    served: tuple[RunningApp, Store], fake_slack: FakeSlack
) -> None:
    _, store = served
    for team, channel in (("T0002", "CB"), ("T0001", "CA")):
        await store.outbox.enqueue(
            team, f"summary:{team}", kind="summary", channel_id=channel, payload={"text": "hi"}
        )
    quiz, _ = await store.quizzes.create("T0002", "CB", "UHOST", [ITEM], time_limit=30)
    await store.quizzes.set_question(
        "T0002", quiz.quiz_id, 0, "1.0", datetime.now(UTC) - timedelta(seconds=1)
    )

    [posted] = await fake_slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == "CA" and posted.headers["Authorization"] == f"Bearer {TOKEN_A}"

    async def b_item_waits() -> bool:
        [item] = [i for i in await store.outbox.items() if i.team_id == "T0002"]
        return item.status == "pending" and item.last_error == NOT_INSTALLED and item.attempts == 0

    async def b_quiz_waits() -> bool:
        found = await store.quizzes.get("T0002", quiz.quiz_id)
        soon = datetime.now(UTC) + timedelta(minutes=4)
        return found is not None and found.deadline is not None and found.deadline > soon

    await eventually(b_item_waits, "B's summary waits for a reinstall, its attempts untouched")
    await eventually(b_quiz_waits, "B's quiz is set aside for a while")
    assert [c.args.get("channel") for c in fake_slack.calls if c.method.startswith("chat.")] == ["CA"]


async def test_a_workspace_under_an_org_wide_install_is_served_by_requests_and_background_work(
    served: tuple[RunningApp, Store], fake_slack: FakeSlack
) -> None:
    app, store = served
    body = {
        "team_id": "T0003",
        "enterprise_id": "E0001",
        "is_enterprise_install": "true",
        "channel_id": "C3",
        "user_id": "U0003",
        "command": "/mlorg",
        "text": "help",
        "api_app_id": "A0001",
        "response_url": fake_slack.response_url("grid"),
        "trigger_id": "1.1.trigger",
    }
    async with SlackPlatform(
        app.url, SIGNING_SECRET, fake_slack.response_url("grid"), team_id="T0003"
    ) as grid:
        answer = await grid.send(urlencode(body), "application/x-www-form-urlencoded")
    assert answer.status == 200 and "machine-learning" in answer.text, answer.text

    # The request taught the app T0003's org: an outbox item for T0003 goes out as the org's bot.
    assert await store.orgs.enterprise_of("T0003") == "E0001"
    await store.outbox.enqueue(
        "T0003", "summary:grid", kind="summary", channel_id="C3", payload={"text": "hi"}
    )
    [posted] = await fake_slack.wait_for("chat.postMessage")
    assert posted.headers["Authorization"] == f"Bearer {TOKEN_ORG}"
    metadata = posted.args.get("metadata") or {}
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
    assert metadata.get("event_type") == "mlorg_outbox"
