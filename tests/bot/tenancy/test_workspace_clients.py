"""Finding a workspace's client without a request: per-workspace bots, org-wide bots through
``workspace_orgs``, expiring tokens refreshed against a fake ``oauth.v2.access``, and nothing
(logged once) for a workspace where mlorg is not installed.

Runs on mlorg's migrated database (SQLite and PostgreSQL), with slack-sdk's SQLAlchemy
installation store on mlorg's tables, and the fake Slack Web API on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest

from bot.http import SharedSession
from bot.store import Store
from bot.tenancy.bots import InstalledBots, token_rotator
from bot.tenancy.clients import InstalledClients, SingleTokenClients
from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.support.installations import CLIENT_ID, MlorgTablesInstallationStore, installation

SECRET = "client-secret-for-tests"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = await FakeSlack().start()
    yield slack
    await slack.stop()


@pytest.fixture
async def http() -> AsyncIterator[SharedSession]:
    session = SharedSession(timeout=10)
    yield session
    await session.close()


@pytest.fixture
def installations(store: Store) -> MlorgTablesInstallationStore:
    return MlorgTablesInstallationStore(client_id=CLIENT_ID, engine=store.engine)


def clients_on(
    store: Store, installations: MlorgTablesInstallationStore, fake: FakeSlack, http: SharedSession
) -> InstalledClients:
    rotator = token_rotator(CLIENT_ID, SECRET, base_url=fake.api_url, timeout=10)
    bots = InstalledBots(installations, store.orgs, rotator=rotator)
    return InstalledClients(bots, http, base_url=fake.api_url, timeout=10)


def refreshed(token: str, refresh_token: str) -> Scripted:
    """Slack's answer to a refresh: a new bot token for 12 hours, and a new refresh token."""
    return Scripted(
        body={
            "ok": True,
            "token_type": "bot",
            "access_token": token,
            "refresh_token": refresh_token,
            "expires_in": 43200,
            "scope": "chat:write,commands",
            "bot_user_id": "UBOT",
            "app_id": "A0001",
            "team": {"id": "T0001"},
        }
    )


async def test_each_workspace_gets_a_client_with_its_own_bot_token(
    store: Store, installations: MlorgTablesInstallationStore, fake: FakeSlack, http: SharedSession
) -> None:
    await installations.async_save(installation("xoxb-team-one", team_id="T0001"))
    await installations.async_save(installation("xoxb-team-two", team_id="T0002"))
    clients = clients_on(store, installations, fake, http)

    one, two = await clients.for_team("T0001"), await clients.for_team("T0002")

    assert one is not None and two is not None
    assert (one.token, two.token) == ("xoxb-team-one", "xoxb-team-two")
    await two.chat_postMessage(channel="C0002", text="hello")
    assert fake.posts()[0].headers["Authorization"] == "Bearer xoxb-team-two"
    assert two.base_url == fake.api_url and two.session is http.get()  # mlorg's pool, not one per call
    assert await clients.for_team("T0002") is two  # kept per token


async def test_a_workspace_under_an_org_wide_install_is_served_once_its_org_is_known(
    store: Store, installations: MlorgTablesInstallationStore, fake: FakeSlack, http: SharedSession
) -> None:
    await installations.async_save(
        installation("xoxb-org", team_id=None, enterprise_id="E0001", org_wide=True)
    )
    clients = clients_on(store, installations, fake, http)
    assert await clients.for_team("T0009") is None  # no request from it yet: its org is unknown

    await store.orgs.record("T0009", "E0001")

    client = await clients.for_team("T0009")
    assert client is not None and client.token == "xoxb-org"


async def test_a_grid_workspace_with_its_own_install_uses_its_own_bot_rather_than_the_orgs(
    store: Store, installations: MlorgTablesInstallationStore, fake: FakeSlack, http: SharedSession
) -> None:
    await installations.async_save(
        installation("xoxb-org", team_id=None, enterprise_id="E0001", org_wide=True)
    )
    await installations.async_save(installation("xoxb-own", team_id="T0003", enterprise_id="E0001"))
    await store.orgs.record("T0003", "E0001")

    client = await clients_on(store, installations, fake, http).for_team("T0003")

    assert client is not None and client.token == "xoxb-own"


async def test_an_unknown_workspace_gets_no_client_and_is_logged_once(
    store: Store,
    installations: MlorgTablesInstallationStore,
    fake: FakeSlack,
    http: SharedSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await installations.async_save(installation("xoxb-team-one", team_id="T0001"))
    clients = clients_on(store, installations, fake, http)
    caplog.set_level(logging.INFO)

    assert [await clients.for_team("TUNKNOWN") for _ in range(5)] == [None] * 5

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "TUNKNOWN" in warnings[0].getMessage()
    assert fake.calls == []


async def test_an_expiring_token_is_refreshed_once_and_saved_where_bolt_reads_it(
    store: Store, installations: MlorgTablesInstallationStore, fake: FakeSlack, http: SharedSession
) -> None:
    await installations.async_save(
        installation("xoxb-old", team_id="T0001", refresh_token="xoxe-1-old", expires_in=600)
    )
    fake.script("oauth.v2.access", refreshed("xoxb-new", "xoxe-1-new"))
    clients = clients_on(store, installations, fake, http)

    got = await asyncio.gather(*(clients.for_team("T0001") for _ in range(5)))

    assert {client.token for client in got if client is not None} == {"xoxb-new"}
    [call] = fake.calls_to("oauth.v2.access")  # five callers, one refresh
    assert call.args["grant_type"] == "refresh_token"
    assert call.args["refresh_token"] == "xoxe-1-old"
    bot = await installations.async_find_bot(enterprise_id=None, team_id="T0001")
    saved = await installations.async_find_installation(enterprise_id=None, team_id="T0001")
    assert bot is not None and saved is not None
    assert (bot.bot_token, bot.bot_refresh_token) == ("xoxb-new", "xoxe-1-new")
    assert (saved.bot_token, saved.bot_refresh_token) == ("xoxb-new", "xoxe-1-new")
    assert bot.bot_token_expires_at is not None and bot.bot_token_expires_at > time.time() + 11 * 3600


async def test_an_org_wide_token_is_refreshed_for_the_workspaces_of_its_org(
    store: Store, installations: MlorgTablesInstallationStore, fake: FakeSlack, http: SharedSession
) -> None:
    await installations.async_save(
        installation(
            "xoxb-org-old",
            team_id=None,
            enterprise_id="E0001",
            org_wide=True,
            refresh_token="xoxe-1-org",
            expires_in=60,
        )
    )
    await store.orgs.record("T0005", "E0001")
    await store.orgs.record("T0006", "E0001")
    fake.script("oauth.v2.access", refreshed("xoxb-org-new", "xoxe-1-org-new"))
    clients = clients_on(store, installations, fake, http)

    five, six = await asyncio.gather(clients.for_team("T0005"), clients.for_team("T0006"))

    assert five is not None and six is not None and five.token == six.token == "xoxb-org-new"
    assert len(fake.calls_to("oauth.v2.access")) == 1


async def test_a_token_far_from_expiry_is_used_as_it_is(
    store: Store, installations: MlorgTablesInstallationStore, fake: FakeSlack, http: SharedSession
) -> None:
    await installations.async_save(
        installation("xoxb-fresh", team_id="T0001", refresh_token="xoxe-1", expires_in=12 * 3600)
    )

    client = await clients_on(store, installations, fake, http).for_team("T0001")

    assert client is not None and client.token == "xoxb-fresh"
    assert fake.calls_to("oauth.v2.access") == []


async def test_a_refused_refresh_keeps_the_current_token(
    store: Store, installations: MlorgTablesInstallationStore, fake: FakeSlack, http: SharedSession
) -> None:
    await installations.async_save(
        installation("xoxb-old", team_id="T0001", refresh_token="xoxe-1-old", expires_in=600)
    )
    fake.script("oauth.v2.access", Scripted(body={"ok": False, "error": "invalid_refresh_token"}))

    client = await clients_on(store, installations, fake, http).for_team("T0001")

    assert client is not None and client.token == "xoxb-old"


async def test_single_token_mode_gives_its_one_client_to_every_workspace(http: SharedSession) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token="xoxb-only")
    clients = SingleTokenClients(client, http)

    assert await clients.for_team("T0001") is client
    assert await clients.for_team("T0002") is client
    assert client.session is http.get()
