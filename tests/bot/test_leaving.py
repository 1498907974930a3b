"""Departures in OAuth mode: slack-sdk's own SQLAlchemy installation store on mlorg's database.

The single-token path is proven end to end (tests/e2e/test_leaving.py); here the tokens an
OAuth install saved are deleted at once, for a workspace and for an Enterprise Grid org.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.leaving import Departures, workspace_of
from bot.settings import ConfigError, load_settings
from bot.store import Store
from bot.store.events import utc_now
from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.support.workspace_data import fill_workspace, rows_of

CLIENT_ID = "111.222"
TEAM = "T0001"
ORG = "E0001"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with Store.open(f"sqlite:///{tmp_path / 'leaving.sqlite3'}") as opened:
        await opened.migrate()
        yield opened


@pytest.fixture
def installations(store: Store) -> AsyncSQLAlchemyInstallationStore:
    return AsyncSQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=store.engine)


def installation(team: str | None, enterprise: str | None = None) -> Installation:
    return Installation(
        app_id="A0001",
        enterprise_id=enterprise,
        team_id=team,
        bot_token="xoxb-unit-test",
        bot_id="B0001",
        bot_user_id="U0BOT",
        user_id="U0INSTALLER",
        is_enterprise_install=team is None,
    )


def context(team: str | None, enterprise: str | None = None) -> AsyncBoltContext:
    return AsyncBoltContext(
        {"team_id": team, "enterprise_id": enterprise, "is_enterprise_install": team is None}
    )


async def test_a_workspace_departure_deletes_its_tokens_at_once_and_keeps_its_data(
    store: Store, installations: AsyncSQLAlchemyInstallationStore
) -> None:
    await installations.async_save(installation(TEAM))
    await installations.async_save(installation("T0OTHER"))
    await fill_workspace(store, TEAM)
    departures = Departures(store, grace_days=30, installation_store=installations)

    await departures.depart(workspace_of(context(TEAM)), "app_uninstalled")

    assert await installations.async_find_bot(enterprise_id=None, team_id=TEAM) is None
    assert await installations.async_find_installation(enterprise_id=None, team_id=TEAM) is None
    assert await installations.async_find_bot(enterprise_id=None, team_id="T0OTHER") is not None
    install = await store.installs.get(TEAM, None)
    assert install is not None and install.purge_after is not None
    assert install.purge_after > utc_now() + timedelta(days=29)
    assert "diagnosis_flows" in await rows_of(store, TEAM)


async def test_an_org_wide_departure_without_grace_purges_the_orgs_workspaces(
    store: Store, installations: AsyncSQLAlchemyInstallationStore
) -> None:
    await installations.async_save(installation(None, ORG))
    await store.installs.record_install("", ORG, "The Org", True)
    await fill_workspace(store, "T0ORGA", enterprise=ORG, installed=False)
    await fill_workspace(store, "T0ELSE")
    departures = Departures(store, grace_days=0, installation_store=installations)

    workspace = workspace_of(context(None, ORG))
    await departures.depart(workspace, "app_uninstalled")

    assert workspace.install_key == ("", ORG) and workspace.label == ORG
    assert (
        await installations.async_find_bot(enterprise_id=ORG, team_id=None, is_enterprise_install=True)
        is None
    )
    assert await rows_of(store, "T0ORGA") == {}
    assert await store.installs.get("", ORG) is None, "the departure record goes with the data"
    assert "diagnosis_flows" in await rows_of(store, "T0ELSE")


async def test_revoked_user_tokens_delete_only_that_users_installation(
    store: Store, installations: AsyncSQLAlchemyInstallationStore
) -> None:
    await installations.async_save(installation(TEAM))
    departures = Departures(store, grace_days=30, installation_store=installations)

    await departures.revoke_user_tokens(workspace_of(context(TEAM)), ["U0INSTALLER"])

    assert await installations.async_find_installation(enterprise_id=None, team_id=TEAM) is None
    assert await installations.async_find_bot(enterprise_id=None, team_id=TEAM) is not None
    assert await store.installs.get(TEAM, None) is None, "a user's token is not the workspace leaving"


def test_a_negative_grace_period_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="grace_days"):
        Departures(store, grace_days=-1)


# -- MLORG_RETENTION_DAYS_AFTER_UNINSTALL -----------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.delenv("MLORG_RETENTION_DAYS_AFTER_UNINSTALL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the source tree
    return monkeypatch


def test_the_grace_period_defaults_to_30_days_and_0_means_at_once(env: pytest.MonkeyPatch) -> None:
    assert load_settings().mlorg_retention_days_after_uninstall == 30
    env.setenv("MLORG_RETENTION_DAYS_AFTER_UNINSTALL", "0")
    assert load_settings().mlorg_retention_days_after_uninstall == 0


@pytest.mark.parametrize("value", ["-1", "3651", "a month"])
def test_a_malformed_grace_period_is_one_line_naming_the_variable(
    env: pytest.MonkeyPatch, value: str
) -> None:
    env.setenv("MLORG_RETENTION_DAYS_AFTER_UNINSTALL", value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert str(caught.value) == (
        "MLORG_RETENTION_DAYS_AFTER_UNINSTALL is malformed: expected a whole number of days from 0 (at once) to 3650"
    )


# -- single-token mode: the start-up token check ---------------------------------------------------


async def test_a_working_token_records_the_workspace_and_a_refused_one_changes_nothing(store: Store) -> None:
    fake = await FakeSlack().start()
    try:
        client = AsyncWebClient(token="xoxb-unit", base_url=fake.api_url)
        departures = Departures(store, grace_days=30)
        await store.installs.record_departure(fake.team_id, None, utc_now() + timedelta(days=30))
        fake.script("auth.test", Scripted(body={"ok": False, "error": "token_revoked"}))

        await departures.confirm_installed(client)
        [departed] = await store.installs.list()
        assert not departed.active and departed.purge_after is not None

        await departures.confirm_installed(client)
        [install] = await store.installs.list()
        assert (install.team_id, install.team_name, install.active) == (fake.team_id, "Fake Team", True)
        assert install.purge_after is None
    finally:
        await fake.stop()


async def test_with_nothing_departed_the_start_up_check_asks_slack_nothing(store: Store) -> None:
    fake = await FakeSlack().start()
    try:
        client = AsyncWebClient(token="xoxb-unit", base_url=fake.api_url)

        await Departures(store, grace_days=30).confirm_installed(client)

        assert fake.calls_to("auth.test") == []
        assert await store.installs.list() == []
    finally:
        await fake.stop()


async def test_an_unreachable_slack_is_a_warning_not_a_crash(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    fake = await FakeSlack().start()
    url = fake.api_url
    await fake.stop()  # nothing listens there any more
    client = AsyncWebClient(token="xoxb-unit", base_url=url, timeout=2)
    await store.installs.record_departure("T0001", None, utc_now() + timedelta(days=30))

    await Departures(store, grace_days=30).confirm_installed(client)

    [departed] = await store.installs.list()
    assert not departed.active, "still departed: the purge goes ahead unless a start finds the token working"
    assert any("could not check the bot token" in r.getMessage() for r in caplog.records)
