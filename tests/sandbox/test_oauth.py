"""The stand-in plays Slack's OAuth: an authorize page, one-time codes, one token per workspace, routed by token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.api_router import ApiRouter
from bot.sandbox.oauth import AUTHORIZE_PATH, CODE_SECONDS, OAuthServer
from bot.sandbox.surfaces import Triggers, Views
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import WORKSPACES, Workspace

CLIENT_ID, CLIENT_SECRET = "111.222", "s3cret"
REDIRECT = "http://127.0.0.1:9/slack/oauth_redirect"
SCOPES = "chat:write,commands,users:read"
ACME, GLOBEX = WORKSPACES[0][0], WORKSPACES[1][0]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Slack:
    """Two workspaces behind one stand-in: its OAuth server, its router, and a client for the app's calls."""

    oauth: OAuthServer
    router: ApiRouter
    apis: dict[str, WebApi]
    url: str
    clock: Clock

    def client(self, token: str | None = None) -> AsyncWebClient:
        return AsyncWebClient(token=token, base_url=f"{self.url}/api/")

    def params(self, **extra: str) -> dict[str, str]:
        return {"client_id": CLIENT_ID, "scope": SCOPES, "state": "st4te", "user_scope": "", **extra}

    async def install(self, team_id: str) -> dict[str, Any]:
        code = code_of(self.oauth.approve(team_id, self.params()))
        return dict(
            (
                await self.client().oauth_v2_access(
                    client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
                )
            ).data
        )


def code_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["code"][0]


@pytest.fixture
async def slack() -> AsyncIterator[Slack]:
    clock = Clock()
    apis = {}
    for team_id, name, domain in WORKSPACES[:2]:
        ws = Workspace(team_id=team_id, team_name=name, domain=domain)
        apis[team_id] = WebApi(ws, Views(ws), Triggers(), None, scopes=frozenset())
    oauth = OAuthServer(CLIENT_ID, CLIENT_SECRET, apis, redirect_urls=[REDIRECT], clock=clock)
    router = ApiRouter(list(apis.values()), oauth)
    app = web.Application()
    app.router.add_route("*", "/api/{method}", router.handle)
    oauth.add_routes(app)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    yield Slack(oauth, router, apis, str(server.make_url("")).rstrip("/"), clock)
    await server.close()


async def test_the_authorize_page_asks_to_allow_the_app_in_the_workspace(slack: Slack) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(slack.url + AUTHORIZE_PATH, params=slack.params(team=GLOBEX)) as response,
    ):
        page = await response.text()
    assert response.status == 200
    assert "Allow mlorg in Globex Research (sandbox)?" in page
    assert all(f"<code>{scope}</code>" in page for scope in SCOPES.split(","))
    assert 'value="st4te"' in page, "the state goes back to the app untouched"
    assert f'data-testid="oauth-team-{ACME}"' in page, "another workspace can be picked instead"


async def test_allow_sends_the_browser_back_with_a_code_and_the_state_and_cancel_with_access_denied(
    slack: Slack,
) -> None:
    async with aiohttp.ClientSession() as session:
        form = {**slack.params(), "team": GLOBEX}
        async with session.post(
            slack.url + AUTHORIZE_PATH, data={**form, "decision": "allow"}, allow_redirects=False
        ) as allowed:
            location = allowed.headers["Location"]
        async with session.post(
            slack.url + AUTHORIZE_PATH, data={**form, "decision": "cancel"}, allow_redirects=False
        ) as cancelled:
            refused = cancelled.headers["Location"]
    assert allowed.status == 302 and location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st4te"] and query["code"][0].startswith(GLOBEX)
    assert parse_qs(urlsplit(refused).query) == {"error": ["access_denied"], "state": ["st4te"]}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"client_id": "999.999"}, "invalid_client_id"),
        ({"redirect_uri": "https://evil.example/slack/oauth_redirect"}, "bad_redirect_uri"),
        ({"redirect_uri": "http://127.0.0.1:9/elsewhere"}, "bad_redirect_uri"),
        ({"scope": ""}, "invalid_scope"),
    ],
)
async def test_a_request_slack_would_refuse_gets_an_error_page_and_no_redirect(
    slack: Slack, change: dict[str, str], reason: str
) -> None:
    async with aiohttp.ClientSession() as session:
        params = {**slack.params(**change), "team": GLOBEX}
        async with session.get(slack.url + AUTHORIZE_PATH, params=params) as shown:
            page = await shown.text()
        async with session.post(
            slack.url + AUTHORIZE_PATH, data={**params, "decision": "allow"}, allow_redirects=False
        ) as posted:
            answer = await posted.text()
    assert shown.status == 400 and reason in page
    assert posted.status == 400 and reason in answer and "Location" not in posted.headers


async def test_a_path_below_the_configured_redirect_url_is_accepted(slack: Slack) -> None:
    below = REDIRECT + "/globex"
    location = slack.oauth.approve(GLOBEX, slack.params(redirect_uri=below))
    assert location.startswith(below + "?")


async def test_each_workspace_gets_its_own_token_for_a_code_and_its_own_team(slack: Slack) -> None:
    acme, globex = await slack.install(ACME), await slack.install(GLOBEX)
    assert acme["access_token"].startswith("xoxb-") and globex["access_token"].startswith("xoxb-")
    assert acme["access_token"] != globex["access_token"]
    assert (acme["team"]["id"], globex["team"]["id"]) == (ACME, GLOBEX)
    assert globex["team"]["name"] == "Globex Research (sandbox)"
    assert globex["scope"] == SCOPES and globex["token_type"] == "bot" and globex["bot_user_id"]
    assert globex["authed_user"]["id"] == "U0ADMIN" and globex["is_enterprise_install"] is False
    assert slack.apis[GLOBEX].scopes == frozenset(SCOPES.split(","))


async def test_a_token_reaches_only_its_own_workspace(slack: Slack) -> None:
    acme = (await slack.install(ACME))["access_token"]
    globex = (await slack.install(GLOBEX))["access_token"]
    assert (await slack.client(acme).auth_test())["team_id"] == ACME
    assert (await slack.client(globex).auth_test())["team_id"] == GLOBEX
    await slack.client(globex).chat_postMessage(channel="C0GENERAL", text="hello Globex")
    globex_ws, acme_ws = slack.apis[GLOBEX].ws, slack.apis[ACME].ws
    assert [m.text for m in globex_ws.messages["C0GENERAL"]] == ["hello Globex"]
    assert acme_ws.messages["C0GENERAL"] == [], "a message in one workspace never shows in the other"
    assert [t.kind for t in globex_ws.traffic][-1] == "chat.postMessage"
    assert "chat.postMessage" not in [t.kind for t in acme_ws.traffic]


async def test_no_token_before_the_install_and_an_unknown_one_is_refused(slack: Slack) -> None:
    with pytest.raises(SlackApiError) as unknown:
        await slack.client("xoxb-t0globex-guessed").auth_test()
    assert unknown.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        await slack.client().auth_test()
    assert missing.value.response["error"] == "not_authed"


async def test_a_code_works_once_within_ten_minutes_and_only_with_the_apps_secret(slack: Slack) -> None:
    client = slack.client()

    async def exchange(code: str, **overrides: str) -> str:
        args = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": code, **overrides}
        try:
            await client.oauth_v2_access(**args)
        except SlackApiError as error:
            return str(error.response["error"])
        return "ok"

    code = code_of(slack.oauth.approve(GLOBEX, slack.params()))
    assert await exchange(code, client_secret="wrong") == "bad_client_secret"
    assert await exchange(code, client_id="999.999") == "invalid_client_id"
    assert await exchange(code, redirect_uri=REDIRECT) == "bad_redirect_uri", (
        "no redirect_uri was asked for, so none may be sent"
    )
    assert await exchange("made-up") == "invalid_code"
    assert await exchange(code) == "ok"
    assert await exchange(code) == "code_already_used"
    late = code_of(slack.oauth.approve(GLOBEX, slack.params()))
    slack.clock.now += CODE_SECONDS + 1
    assert await exchange(late) == "invalid_code"
    with_redirect = code_of(slack.oauth.approve(GLOBEX, slack.params(redirect_uri=REDIRECT)))
    assert await exchange(with_redirect) == "bad_redirect_uri", "the redirect_uri must be sent again"
    assert await exchange(with_redirect, redirect_uri=REDIRECT) == "ok"
    refresh = {"grant_type": "refresh_token", "refresh_token": "xoxe-1"}
    assert await exchange(code, **refresh) == "invalid_grant_type", "token rotation is off"


async def test_a_reinstall_keeps_the_token_and_adds_scopes(slack: Slack) -> None:
    first = await slack.install(GLOBEX)
    code = code_of(slack.oauth.approve(GLOBEX, slack.params(scope="files:write")))
    again = await slack.client().oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code)
    assert again["access_token"] == first["access_token"]
    assert set(again["scope"].split(",")) == {*SCOPES.split(","), "files:write"}


async def test_the_exchange_shows_in_the_workspaces_traffic_without_secrets(slack: Slack) -> None:
    await slack.install(GLOBEX)
    [entry] = [t for t in slack.apis[GLOBEX].ws.traffic if t.kind == "oauth.v2.access"]
    assert entry.status == "ok" and entry.request["code"] == "…"
    assert CLIENT_SECRET not in str(entry.request) and "xoxb-t0" not in str(entry.response)


async def test_with_a_bot_token_there_is_no_app_to_exchange_codes_for() -> None:
    ws = Workspace()
    router = ApiRouter([WebApi(ws, Views(ws), Triggers(), "xoxb-one", scopes=frozenset())])
    app = web.Application()
    app.router.add_route("*", "/api/{method}", router.handle)
    async with TestServer(app, host="127.0.0.1", port=0) as server:
        client = AsyncWebClient(token="xoxb-one", base_url=str(server.make_url("/api/")))
        assert (await client.auth_test())["team_id"] == ws.team_id
        with pytest.raises(SlackApiError) as refused:
            await client.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code="x")
    assert refused.value.response["error"] == "invalid_client_id"
