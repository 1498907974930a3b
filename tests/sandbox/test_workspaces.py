"""``mlorg try --workspaces 2``: two local workspaces, an app installed in each through Bolt's real OAuth flow.

The app here is a bare Bolt ``AsyncApp`` with slack-sdk's file stores, so what is proven
is the stand-in's half of the contract (the install page's link, the authorize step, the
code exchange, one token per workspace, each workspace's requests and calls kept apart)
whatever mlorg's own OAuth mode does; ``test_try_installs_mlorg.py`` runs the same with mlorg.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.credentials import CREDENTIALS_FILE
from bot.sandbox.oauth import AUTHORIZE_PATH
from bot.sandbox.runner import Sandbox
from bot.sandbox.workspace import WORKSPACES, Message
from bot.settings import ConfigError
from tests.sandbox.bolt_oauth_app import bolt_app, serve

ACME, GLOBEX = WORKSPACES[0][0], WORKSPACES[1][0]


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(tmp_path / "try", port=0, workspaces=2)
    await sandbox.start_standin()
    runner, url = await serve(bolt_app(sandbox, tmp_path).web_app())
    await sandbox.attach_app(url)
    yield sandbox
    await runner.cleanup()
    await sandbox.stop()


async def test_the_app_is_installed_in_both_workspaces_through_oauth_at_start(two: Sandbox) -> None:
    assert two.oauth is not None and set(two.oauth.installed) == {ACME, GLOBEX}
    acme, globex = two.tenant(ACME), two.tenant(GLOBEX)
    assert acme.api.token and globex.api.token and acme.api.token != globex.api.token
    assert [link.status.split(" at ")[0] for link in two.links] == [
        "mlorg installed through OAuth by Ada Admin"
    ] * 2
    for tenant in (acme, globex):
        assert not tenant.ws.warnings, [w.text for w in tenant.ws.warnings]
        # The exchange, then Bolt's auth.test with the new token, both in this workspace's traffic.
        calls = [(t.kind, t.status) for t in tenant.ws.traffic]
        assert calls == [("oauth.v2.access", "ok"), ("auth.test", "ok")], calls


async def test_a_command_in_each_workspace_carries_its_team_and_is_answered_there(two: Sandbox) -> None:
    acme, globex = two.tenant(ACME), two.tenant(GLOBEX)
    assert (await globex.delivery.command("U0MIA", "C0GENERAL", "/mlorg help")).ok
    assert (await acme.delivery.command("U0LEAD", "C0GENERAL", "/mlorg help")).ok
    assert [m.text for m in globex.ws.messages["C0GENERAL"]] == [f"hello from {GLOBEX}"]
    assert [m.text for m in acme.ws.messages["C0GENERAL"]] == [f"hello from {ACME}"]
    [sent] = [t.request for t in globex.ws.traffic if t.kind == "slash command /mlorg"]
    assert (sent["team_id"], sent["team_domain"]) == (GLOBEX, "globex")


async def test_events_and_clicks_carry_the_workspace_they_happen_in(two: Sandbox) -> None:
    globex = two.tenant(GLOBEX)
    await globex.delivery.open_app("U0MAX")
    [event] = [t.request for t in globex.ws.traffic if t.kind == "event app_home_opened"]
    assert event["team_id"] == GLOBEX and event["authorizations"][0]["team_id"] == GLOBEX
    button = {"type": "button", "action_id": "noop", "text": {"type": "plain_text", "text": "Go"}}
    globex.ws.add(
        Message(
            globex.ws.next_ts(),
            "C0GENERAL",
            "U0MLORG",
            "x",
            [{"type": "actions", "block_id": "b", "elements": [button]}],
        )
    )
    message = globex.ws.messages["C0GENERAL"][-1]
    await globex.delivery.click_message("U0MAX", "C0GENERAL", message.ts, "b", "noop")
    [click] = [t.request for t in globex.ws.traffic if t.kind == "block_actions"]
    assert click["team"]["id"] == GLOBEX and click["user"]["team_id"] == GLOBEX


async def test_the_page_switches_between_workspaces(two: Sandbox) -> None:
    await two.tenant(GLOBEX).delivery.command("U0MIA", "C0GENERAL", "/mlorg help")
    async with aiohttp.ClientSession() as session:
        async with session.get(two.url + "/") as response:
            first = await response.text()
        async with session.get(two.url + f"/w/{GLOBEX}/") as response:
            second = await response.text()
        async with session.get(
            two.url + f"/w/{GLOBEX}/ui/screen", params={"user": "U0MIA", "conv": "C0GENERAL"}
        ) as response:
            globex_screen = await response.json()
        async with session.get(
            two.url + "/ui/screen", params={"user": "U0MIA", "conv": "C0GENERAL"}
        ) as response:
            acme_screen = await response.json()
    assert 'data-testid="workspace-switcher"' in first and f'value="/w/{GLOBEX}/"' in first
    assert '<div class="team">Acme ML (sandbox)</div>' in first
    assert '<div class="team">Globex Research (sandbox)</div>' in second
    assert re.search(r'<option value="/w/T0GLOBEX/" selected>', second)
    assert "mlorg installed through OAuth by Ada Admin" in second
    config = json.loads(
        re.search(r'<script id="config" type="application/json">(.*?)</script>', second).group(1)
    )  # type: ignore[union-attr]
    assert config["base"] == f"/w/{GLOBEX}" and config["teamId"] == GLOBEX
    assert f"hello from {GLOBEX}" in globex_screen["fragments"]["messages"]["html"]
    assert f"hello from {GLOBEX}" not in acme_screen["fragments"]["messages"]["html"]


async def test_the_second_workspace_has_its_own_control_api(two: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            two.url + f"/w/{GLOBEX}/control/post",
            json={"user": "U0MAX", "channel": "general", "text": "/mlorg help"},
        ) as response:
            assert (await response.json())["ok"]
        async with session.get(
            two.url + f"/w/{GLOBEX}/control/messages", params={"channel": "general"}
        ) as response:
            texts = [m["text"] for m in (await response.json())["messages"]]
    assert texts == [f"hello from {GLOBEX}"]
    assert two.tenant(ACME).ws.messages["C0GENERAL"] == []


async def test_a_restart_finds_the_same_app_credentials_and_tokens(tmp_path: Path) -> None:
    first = Sandbox(tmp_path / "try", port=0, workspaces=2)
    await first.start_standin()
    runner, url = await serve(bolt_app(first, tmp_path).web_app())
    await first.attach_app(url)
    tokens = {t.team_id: t.api.token for t in first.tenants}
    await runner.cleanup()
    await first.stop()
    assert (tmp_path / "try" / CREDENTIALS_FILE).stat().st_mode & 0o077 == 0, (
        "the secrets are the owner's only"
    )

    again = Sandbox(tmp_path / "try", port=0, workspaces=2)
    assert again.credentials == first.credentials
    await again.start_standin()
    runner, url = await serve(bolt_app(again, tmp_path).web_app())
    try:
        await again.attach_app(url)
        assert {t.team_id: t.api.token for t in again.tenants} == tokens, "Slack reissues the same bot token"
    finally:
        await runner.cleanup()
        await again.stop()


async def test_an_app_without_an_install_page_is_reported_in_the_page_not_a_crash(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "try", port=0, workspaces=2)
    await sandbox.start_standin()
    runner, url = await serve(web.Application())  # answers 404 to everything
    try:
        await sandbox.attach_app(url)
        assert sandbox.oauth is not None and sandbox.oauth.installed == {}
        for link, tenant in zip(sandbox.links, sandbox.tenants, strict=True):
            assert link.status.startswith("mlorg is not installed here: the app's install page")
            assert "has no Add to Slack link" in tenant.ws.warnings[-1].text
            assert tenant.api.token is None
    finally:
        await runner.cleanup()
        await sandbox.stop()


async def test_one_workspace_keeps_the_bot_token_and_no_oauth(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "try", port=0)
    assert sandbox.oauth is None and sandbox.credentials is None and sandbox.links == []
    assert (
        sandbox.token is not None and sandbox.token.startswith("xoxb-") and sandbox.api.token == sandbox.token
    )
    await sandbox.start_standin()
    try:
        assert sandbox.settings().slack_bot_token is not None
        async with aiohttp.ClientSession() as session:
            async with session.get(sandbox.url + "/") as response:
                page = await response.text()
            async with session.get(sandbox.url + AUTHORIZE_PATH) as response:
                assert response.status == 404
        assert "workspace-switcher" not in page
        assert not (tmp_path / "try" / CREDENTIALS_FILE).exists()
    finally:
        await sandbox.stop()


def test_the_workspace_count_is_checked() -> None:
    with pytest.raises(ConfigError, match="--workspaces must be from 1 to 3"):
        Sandbox(Path("/nonexistent"), workspaces=4)


def test_the_oauth_credentials_are_given_to_the_app(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "try", port=0, workspaces=2)
    assert sandbox.credentials is not None
    sandbox.internal_url = "http://127.0.0.1:9"  # what start_standin sets
    settings = sandbox.settings()
    assert settings.slack_bot_token is None
    # The values mlorg's OAuth mode reads (pydantic-settings ignores them until it declares them).
    extra = {
        "slack_client_id": sandbox.credentials.client_id,
        "slack_client_secret": sandbox.credentials.client_secret,
        "mlorg_encryption_key": sandbox.credentials.encryption_key,
    }
    for name, value in extra.items():
        declared = getattr(settings, name, None)
        if declared is not None:
            shown = declared.get_secret_value() if hasattr(declared, "get_secret_value") else declared
            assert shown == value, name
    assert len(base64.urlsafe_b64decode(sandbox.credentials.encryption_key)) == 32
