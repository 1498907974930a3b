"""Installing mlorg with "Add to Slack", end to end over HTTP against the fake Slack.

A browser opens the install page, follows "Add to Slack" to the fake's "Allow" page, is sent
back with a code and the state, and reads the page the app answers. The fake records the
``oauth.v2.access`` exchange (so it went to SLACK_API_URL) and every later Web API call with
the token it carried, so a test shows each workspace is served with its own token.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func, select

from bot.settings import DEFAULT_BOT_SCOPES
from bot.store.installation_tables import SLACK_BOTS, SLACK_INSTALLATIONS
from tests.e2e.conftest import assert_the_sandbox_page_draws
from tests.e2e.fake_oauth import AUTHORIZE_PATH, CLIENT_ID, FakeOAuth
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import SIGNING_SECRET, RunningApp, make_oauth_settings, sqlite_url
from tests.e2e.oauth_browser import Browser, Page, install, query_of
from tests.e2e.slack_client import SlackPlatform, find_button

REDIRECT_PATH = "/slack/oauth_redirect"


@pytest.fixture
def oauth() -> FakeOAuth:
    return FakeOAuth()


@pytest.fixture
async def fake(oauth: FakeOAuth) -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    oauth.attach(fake)
    await fake.start()
    yield fake
    await fake.stop()
    assert_the_sandbox_page_draws(fake)


@pytest.fixture
async def app(fake: FakeSlack, oauth: FakeOAuth, tmp_path: Path) -> AsyncIterator[RunningApp]:
    running = await RunningApp(make_oauth_settings(fake, sqlite_url(tmp_path))).start()
    oauth.redirect_url = f"{running.base_url}{REDIRECT_PATH}"  # the app's Redirect URL setting
    yield running
    await running.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    opened = Browser()
    yield opened
    await opened.close()


async def stored_rows(app: RunningApp) -> tuple[int, int]:
    assert app.mlorg is not None
    async with app.mlorg.store.engine.connect() as conn:
        installs = (await conn.execute(select(func.count()).select_from(SLACK_INSTALLATIONS))).scalar_one()
        bots = (await conn.execute(select(func.count()).select_from(SLACK_BOTS))).scalar_one()
    return installs, bots


async def every_stored_value(app: RunningApp) -> list[str]:
    assert app.mlorg is not None
    async with app.mlorg.store.engine.connect() as conn:
        rows = [*(await conn.execute(select(SLACK_INSTALLATIONS))).all()]
        rows += [*(await conn.execute(select(SLACK_BOTS))).all()]
    return [str(value) for row in rows for value in row]


def assert_no_internals(page: Page) -> None:
    for leak in ("Traceback", "Error:", "Exception", 'File "'):
        assert leak not in page.text, f"{leak!r} shown to the person installing"


async def share_a_card(platform: SlackPlatform, fake: FakeSlack, count: int) -> str | None:
    """``/mlorg explain`` and "Share in channel" from the platform's workspace; the post's token."""
    card = await platform.command("explain independent", channel="C0777")
    assert card.status == 200 and "Independent" in card.text, card.text
    await platform.click(find_button(card.blocks, "Share in channel"), channel="C0777")
    posts = await fake.wait_for("chat.postMessage", count=count)
    return posts[count - 1].token


# -- the install page -----------------------------------------------------------------------------


async def test_the_install_page_links_to_slacks_allow_page_with_a_fresh_state(
    app: RunningApp, fake: FakeSlack, browser: Browser
) -> None:
    first = await browser.get(f"{app.base_url}/slack/install")
    second = await browser.get(f"{app.base_url}/slack/install")

    assert first.status == 200 and "Add mlorg to your Slack workspace" in first.text
    link = first.link("add-to-slack")
    assert link.startswith(f"{fake.base_url}{AUTHORIZE_PATH}?"), "Slack's page, on SLACK_API_URL's host"
    query = query_of(link)
    assert query["client_id"] == CLIENT_ID
    assert query["scope"].split(",") == list(DEFAULT_BOT_SCOPES)
    assert query["state"] and query["state"] != query_of(second.link("add-to-slack"))["state"]
    assert browser.cookies.get("slack-app-oauth-state") == query_of(second.link("add-to-slack"))["state"]


# -- a successful install ----------------------------------------------------------------------------


async def test_an_approved_install_says_where_and_what_next_and_stores_the_token_encrypted(
    app: RunningApp, fake: FakeSlack, oauth: FakeOAuth, browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    page = await install(browser, app.base_url, oauth, "T1001", "Acme <Research>")

    assert page.status == 200, page.text
    assert page.url.startswith(f"{app.base_url}{REDIRECT_PATH}?code=")
    assert "mlorg is installed in Acme &lt;Research&gt;" in page.title, "named, and escaped"
    assert "/mlorg help" in page.text and "Home" in page.text
    assert page.link("open-slack") == "slack://open?team=T1001"
    [exchange] = fake.calls_to("oauth.v2.access")  # the fake is SLACK_API_URL: the exchange went there
    assert exchange.args["code"].startswith("code-T1001-")
    token = oauth.token_of("T1001")
    assert token.startswith("xoxb-T1001-")
    assert await stored_rows(app) == (1, 1)
    values = await every_stored_value(app)
    assert "T1001" in values and not [v for v in values if token in v], "the token is stored encrypted"
    assert "slack-app-oauth-state" not in browser.cookies, "the state cookie is cleared"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged


async def test_a_command_from_the_installed_workspace_is_served_with_its_token(
    app: RunningApp, fake: FakeSlack, oauth: FakeOAuth, browser: Browser
) -> None:
    await install(browser, app.base_url, oauth, "T1001", "Acme")

    async with SlackPlatform(app.url, SIGNING_SECRET, fake.response_url(), team_id="T1001") as acme:
        used = await share_a_card(acme, fake, 1)

    assert used == oauth.token_of("T1001")
    post = fake.posts("C0777")[0]
    assert "Shared by" in post.text


async def test_two_workspaces_get_distinct_tokens_and_each_is_served_with_its_own(
    app: RunningApp, fake: FakeSlack, oauth: FakeOAuth, browser: Browser
) -> None:
    await install(browser, app.base_url, oauth, "T1001", "Acme")
    await install(browser, app.base_url, oauth, "T2002", "Globex")
    acme_token, globex_token = oauth.token_of("T1001"), oauth.token_of("T2002")
    assert acme_token != globex_token
    assert await stored_rows(app) == (2, 2)

    async with (
        SlackPlatform(app.url, SIGNING_SECRET, fake.response_url(), team_id="T1001") as acme,
        SlackPlatform(app.url, SIGNING_SECRET, fake.response_url(), team_id="T2002") as globex,
    ):
        assert await share_a_card(globex, fake, 1) == globex_token
        assert await share_a_card(acme, fake, 2) == acme_token
        assert await share_a_card(globex, fake, 3) == globex_token

    checks = {call.token for call in fake.calls_to("auth.test")}
    assert checks == {acme_token, globex_token}, "each request authorized with its own workspace's token"


async def test_the_install_hooks_run_with_the_saved_installation(
    app: RunningApp, oauth: FakeOAuth, browser: Browser
) -> None:
    assert app.mlorg is not None
    seen: list[Installation] = []

    async def remember(installation: Installation) -> None:
        seen.append(installation)

    app.mlorg.on_installed.append(remember)

    await install(browser, app.base_url, oauth, "T1001", "Acme")

    assert [(i.team_id, i.team_name, i.bot_token) for i in seen] == [
        ("T1001", "Acme", oauth.token_of("T1001"))
    ]


async def test_a_failing_install_hook_says_the_setup_is_not_finished(
    app: RunningApp, oauth: FakeOAuth, browser: Browser
) -> None:
    assert app.mlorg is not None

    async def broken(installation: Installation) -> None:
        raise RuntimeError("directory unavailable")

    app.mlorg.on_installed.append(broken)

    page = await install(browser, app.base_url, oauth, "T1001", "Acme")

    assert page.status == 500
    assert "not finished" in page.title
    assert page.link("start-again") == "/slack/install"
    assert_no_internals(page)
    assert "directory unavailable" not in page.text


async def test_an_org_wide_install_says_it_covers_the_organization(
    app: RunningApp, oauth: FakeOAuth, browser: Browser
) -> None:
    page = await install(browser, app.base_url, oauth, None, None, enterprise_id="E0001", org_wide=True)

    assert page.status == 200, page.text
    assert "every workspace of the organization" in page.text
    assert await stored_rows(app) == (1, 1)


async def test_with_token_rotation_an_expiring_token_is_refreshed_at_slack_api_url_and_used(
    app: RunningApp, fake: FakeSlack, oauth: FakeOAuth, browser: Browser
) -> None:
    oauth.rotation = True
    oauth.expires_in = 60  # well inside the app's two-hour refresh margin
    await install(browser, app.base_url, oauth, "T1001", "Acme")
    first = oauth.token_of("T1001")

    async with SlackPlatform(app.url, SIGNING_SECRET, fake.response_url(), team_id="T1001") as acme:
        used = await share_a_card(acme, fake, 1)

    refreshes = [c for c in fake.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"]
    assert refreshes, "the token was refreshed through the fake, i.e. SLACK_API_URL"
    assert first in oauth.retired
    assert used == oauth.token_of("T1001") != first
    values = await every_stored_value(app)
    assert not [v for v in values if used in v or "xoxe-1-" in v], "the new pair is stored encrypted too"


# -- failures --------------------------------------------------------------------------------------


async def test_cancelling_on_slack_shows_the_cancelled_page_and_stores_nothing(
    app: RunningApp, fake: FakeSlack, oauth: FakeOAuth, browser: Browser
) -> None:
    oauth.approve_next(cancel=True)
    start = await browser.get(f"{app.base_url}/slack/install")

    page = await browser.get(start.link("add-to-slack"))

    assert "error=access_denied" in page.url
    assert page.status == 200
    assert "cancelled" in page.title.lower()
    assert page.link("start-again") == "/slack/install"
    assert_no_internals(page)
    assert await stored_rows(app) == (0, 0)
    assert fake.calls_to("oauth.v2.access") == []


async def test_a_replayed_redirect_gets_a_clear_page_and_installs_nothing_more(
    app: RunningApp, fake: FakeSlack, oauth: FakeOAuth, browser: Browser
) -> None:
    done = await install(browser, app.base_url, oauth, "T1001", "Acme")
    state = query_of(done.url)["state"]
    browser.cookies["slack-app-oauth-state"] = state  # the replayer has the cookie too

    again = await browser.get(done.url)

    assert again.status == 400
    assert "expired or was already used" in again.title
    assert again.link("start-again") == "/slack/install"
    assert_no_internals(again)
    assert len(fake.calls_to("oauth.v2.access")) == 1, "the code was not exchanged a second time"
    assert await stored_rows(app) == (1, 1)


@pytest.mark.parametrize(
    ("query", "cookie", "title"),
    [
        ("code=code-x-1&state=never-issued", "never-issued", "expired or was already used"),
        ("code=code-x-1", None, "did not start the installation"),
        ("code=code-x-1&state=abc", "another-state", "did not start the installation"),
    ],
)
async def test_a_redirect_without_a_state_this_app_issued_is_refused(
    app: RunningApp,
    fake: FakeSlack,
    browser: Browser,
    query: str,
    cookie: str | None,
    title: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if cookie is not None:
        browser.cookies["slack-app-oauth-state"] = cookie

    with caplog.at_level(logging.INFO):
        page = await browser.get(f"{app.base_url}{REDIRECT_PATH}?{query}")

    assert page.status == 400
    assert title in page.title
    assert_no_internals(page)
    assert fake.calls_to("oauth.v2.access") == []
    assert await stored_rows(app) == (0, 0)
    assert not [r for r in caplog.records if r.exc_info], "nothing logged as a crash"


async def test_a_code_slack_refuses_gets_a_clear_page(
    app: RunningApp, fake: FakeSlack, browser: Browser
) -> None:
    start = await browser.get(f"{app.base_url}/slack/install")
    state = query_of(start.link("add-to-slack"))["state"]

    page = await browser.get(f"{app.base_url}{REDIRECT_PATH}?code=forged-code&state={state}")

    assert page.status == 400
    assert "did not confirm" in page.title
    assert_no_internals(page)
    assert len(fake.calls_to("oauth.v2.access")) == 1
    assert await stored_rows(app) == (0, 0)


async def test_an_error_slack_names_is_shown_escaped(app: RunningApp, browser: Browser) -> None:
    page = await browser.get(f"{app.base_url}{REDIRECT_PATH}?error=%3Cscript%3Ebad%3C%2Fscript%3E")

    assert page.status == 400
    assert "<script>" not in page.text and "&lt;script&gt;bad" in page.text
    assert_no_internals(page)
