"""A workspace leaves: Slack's signed ``app_uninstalled`` / ``tokens_revoked`` events over HTTP.

Its data stays for the grace period (a reinstall finds it), then the retention job purges it,
also after a restart; with no grace period it goes at once. Other workspaces keep everything.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.store import Store
from bot.store.events import utc_now
from bot.store.tables import WorkspaceInstallRow
from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.e2e.harness import SIGNING_SECRET, RunningApp, make_settings, sqlite_url
from tests.e2e.slack_client import SlackPlatform
from tests.support.workspace_data import FILLED_TABLES, fill_workspace, rows_of

TEAM = "T0001"
OTHER = "T0002"
WAIT = 15.0
#: What auth.test answers once a workspace uninstalled mlorg: Slack revoked the bot token.
REVOKED = Scripted(body={"ok": False, "error": "token_revoked"})


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = WAIT) -> None:
    """Wait (bounded) until the database shows ``what``; fail naming it otherwise."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


def store_of(running: RunningApp) -> Store:
    assert running.mlorg is not None
    return running.mlorg.store


async def departed(running: RunningApp, team: str) -> bool:
    install = await store_of(running).installs.get(team, "")
    return install is not None and install.status == "uninstalled"


async def installed(running: RunningApp, team: str) -> bool:
    install = await store_of(running).installs.get(team, "")
    return install is not None and install.active


async def gone(running: RunningApp, team: str) -> bool:
    return await rows_of(store_of(running), team) == {}


@pytest.fixture
async def start_app(
    fake_slack: FakeSlack, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[RunningApp]]]:
    started: list[RunningApp] = []

    async def start(grace_days: int = 30) -> RunningApp:
        settings = make_settings(
            fake_slack, sqlite_url(tmp_path), mlorg_retention_days_after_uninstall=grace_days
        )
        running = await RunningApp(settings).start()
        started.append(running)
        for team in (TEAM, OTHER):
            await fill_workspace(store_of(running), team)
        return running

    yield start
    for running in started:
        await running.stop()


def platform(running: RunningApp, fake_slack: FakeSlack, team: str = TEAM) -> SlackPlatform:
    return SlackPlatform(running.url, SIGNING_SECRET, fake_slack.response_url(), team_id=team)


async def uninstall(running: RunningApp, fake_slack: FakeSlack, team: str = TEAM) -> None:
    async with platform(running, fake_slack, team) as slack:
        response = await slack.event({"type": "app_uninstalled"})
    assert response.status == 200


async def revoke(
    running: RunningApp, fake_slack: FakeSlack, tokens: dict[str, list[str]], team: str = TEAM
) -> None:
    async with platform(running, fake_slack, team) as slack:
        response = await slack.event({"type": "tokens_revoked", "tokens": tokens})
    assert response.status == 200


async def time_passes(running: RunningApp, days: int) -> None:
    """Move every pending purge date ``days`` earlier, while the app is stopped (a long weekend)."""
    async with Store.open(running.settings.database_url or "") as store:
        for install in await store.installs.list():
            if install.purge_after is None:
                continue
            async with store.sessions.begin() as db:
                await db.execute(
                    update(WorkspaceInstallRow)
                    .where(
                        WorkspaceInstallRow.team_id == install.team_id,
                        WorkspaceInstallRow.enterprise_id == install.enterprise_id,
                    )
                    .values(purge_after=install.purge_after - timedelta(days=days))
                )


async def test_an_uninstall_keeps_the_data_and_dates_its_purge(
    start_app: Callable[..., Awaitable[RunningApp]], fake_slack: FakeSlack
) -> None:
    running = await start_app(grace_days=30)
    before = utc_now()

    await uninstall(running, fake_slack)

    await until(lambda: departed(running, TEAM), "the departure to be recorded")
    install = await store_of(running).installs.get(TEAM, "")
    assert install is not None and install.purge_after is not None
    assert before + timedelta(days=30) <= install.purge_after <= utc_now() + timedelta(days=30)
    assert set(await rows_of(store_of(running), TEAM)) == FILLED_TABLES, (
        "data deleted inside the grace period"
    )
    assert (await store_of(running).installs.get(OTHER, "")).active  # type: ignore[union-attr]


async def test_with_no_grace_period_an_uninstall_deletes_everything_at_once(
    start_app: Callable[..., Awaitable[RunningApp]], fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    running = await start_app(grace_days=0)
    other_before = await rows_of(store_of(running), OTHER)

    await uninstall(running, fake_slack)

    await until(lambda: gone(running, TEAM), "every row of the workspace to be deleted")
    assert await rows_of(store_of(running), OTHER) == other_before
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("purged workspace")]
    assert TEAM in line and "diagnosis_flows=1" in line and "why?" not in line


async def test_a_due_departure_is_purged_by_the_job_after_a_restart(
    start_app: Callable[..., Awaitable[RunningApp]], fake_slack: FakeSlack
) -> None:
    running = await start_app(grace_days=30)
    await uninstall(running, fake_slack)
    await until(lambda: departed(running, TEAM), "the departure to be recorded")

    await running.stop()
    await time_passes(running, days=31)
    fake_slack.script("auth.test", REVOKED)
    checks = len(fake_slack.calls_to("auth.test"))
    await running.start()

    await until(lambda: gone(running, TEAM), "the retention job to purge the departed workspace")
    assert len(fake_slack.calls_to("auth.test")) == checks + 1, "the token is checked before the purge"
    assert set(await rows_of(store_of(running), OTHER)) == FILLED_TABLES


async def test_a_reinstall_inside_the_grace_period_cancels_the_purge(
    start_app: Callable[..., Awaitable[RunningApp]], fake_slack: FakeSlack
) -> None:
    running = await start_app(grace_days=30)
    await uninstall(running, fake_slack, TEAM)
    await uninstall(running, fake_slack, OTHER)
    await until(lambda: departed(running, TEAM), "the first departure")
    await until(lambda: departed(running, OTHER), "the second departure")

    # What the OAuth success callback calls when TEAM adds mlorg again.
    await store_of(running).installs.record_install(TEAM, None, "Back again", False)
    await running.stop()
    await time_passes(running, days=31)
    fake_slack.script("auth.test", REVOKED)  # OAuth mode has no single token that could say so
    await running.start()

    # OTHER is purged by the same pass that would have purged TEAM.
    await until(lambda: gone(running, OTHER), "the job to purge the workspace that stayed away")
    assert set(await rows_of(store_of(running), TEAM)) == FILLED_TABLES
    assert (await store_of(running).installs.get(TEAM, "")).active  # type: ignore[union-attr]


async def test_revoking_the_bot_token_is_a_departure(
    start_app: Callable[..., Awaitable[RunningApp]], fake_slack: FakeSlack
) -> None:
    running = await start_app(grace_days=30)

    await revoke(running, fake_slack, {"oauth": ["U0SOMEONE"]}, TEAM)  # a user token: no departure
    await revoke(running, fake_slack, {"bot": ["U0BOT"]}, OTHER)

    await until(lambda: departed(running, OTHER), "the bot token's workspace to be departed")
    assert set(await rows_of(store_of(running), OTHER)) == FILLED_TABLES
    assert (await store_of(running).installs.get(TEAM, "")).active  # type: ignore[union-attr]


async def test_with_no_grace_period_revoking_the_bot_token_deletes_everything(
    start_app: Callable[..., Awaitable[RunningApp]], fake_slack: FakeSlack
) -> None:
    running = await start_app(grace_days=0)

    await revoke(running, fake_slack, {"bot": ["U0BOT"], "oauth": []}, TEAM)

    await until(lambda: gone(running, TEAM), "every row of the workspace to be deleted")
    assert set(await rows_of(store_of(running), OTHER)) == FILLED_TABLES


async def test_a_repeated_uninstall_does_not_postpone_the_purge(
    start_app: Callable[..., Awaitable[RunningApp]], fake_slack: FakeSlack
) -> None:
    running = await start_app(grace_days=30)
    await uninstall(running, fake_slack)
    await until(lambda: departed(running, TEAM), "the departure to be recorded")
    first = (await store_of(running).installs.get(TEAM, "")).purge_after  # type: ignore[union-attr]

    await revoke(running, fake_slack, {"bot": ["U0BOT"]}, TEAM)  # Slack sends both, in any order
    await uninstall(running, fake_slack, OTHER)
    await until(lambda: departed(running, OTHER), "a later event to be handled")

    assert (await store_of(running).installs.get(TEAM, "")).purge_after == first  # type: ignore[union-attr]


async def test_single_token_mode_notices_a_reinstall_by_its_working_token_and_keeps_the_data(
    start_app: Callable[..., Awaitable[RunningApp]], fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    running = await start_app(grace_days=30)
    await uninstall(running, fake_slack)
    await until(lambda: departed(running, TEAM), "the departure to be recorded")

    await running.stop()
    await time_passes(running, days=10)
    await running.start()  # reinstalled: a new token, which auth.test accepts

    await until(lambda: installed(running, TEAM), "the reinstall to be noticed")
    install = await store_of(running).installs.get(TEAM, "")
    assert install is not None and install.purge_after is None and install.team_name == "Fake Team"
    assert set(await rows_of(store_of(running), TEAM)) == FILLED_TABLES
    assert any("installed again" in r.getMessage() for r in caplog.records)
