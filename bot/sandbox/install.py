"""Adding the app to a local workspace the way a person does: "Add to Slack", "Allow", back to the app.

``mlorg try --workspaces 2`` installs mlorg in each workspace through the real
OAuth flow at start-up, so a newcomer sees a distributed app at work without
clicking through it: open the app's install page (Bolt's "Add to Slack" link and
its state cookie), approve on the stand-in's authorize page as the workspace
admin, and follow the redirect back to the app, which trades the code for the
workspace's token with ``oauth.v2.access``. Each step's failure is reported in words
a person can act on; nothing here reaches into the app.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import aiohttp

from bot.sandbox.oauth import AUTHORIZE_PATH, OAuthError, OAuthServer

__all__ = ["InstallResult", "install_through_oauth"]

_LINK = re.compile(r'href="([^"]*' + re.escape(AUTHORIZE_PATH) + r'[^"]*)"')
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class InstallResult:
    ok: bool
    #: What happened, for the page and the log: a failure says which step and why.
    detail: str
    #: The authorize URL the app's install page linked to.
    authorize_url: str = ""
    #: Something a person clicking "Add to Slack" themselves would trip over, though the install worked.
    warning: str = ""


async def install_through_oauth(
    session: aiohttp.ClientSession,
    oauth: OAuthServer,
    team_id: str,
    *,
    install_url: str,
    authorize_base: str,
) -> InstallResult:
    """Install the app in ``team_id``: its ``install_url`` page, "Allow", its redirect; True once it holds a token.

    ``authorize_base`` is the stand-in's own origin: an install page that links elsewhere
    (``https://slack.com``) would send a person's browser to the real Slack, so it is reported.
    """
    try:
        async with session.get(install_url, allow_redirects=False) as response:
            page = await response.text()
            cookies = [c.split(";", 1)[0] for c in response.headers.getall("Set-Cookie", [])]
            location = response.headers.get("Location", "")
            status = response.status
    except aiohttp.ClientError as error:
        return InstallResult(False, f"the app's install page {install_url} did not answer ({error})")
    found = _LINK.search(page)
    authorize = location if status in {301, 302, 303, 307} else html.unescape(found.group(1)) if found else ""
    if not authorize:
        return InstallResult(
            False, f"the app's install page {install_url} (HTTP {status}) has no Add to Slack link"
        )
    warning = ""
    if not authorize.startswith(authorize_base.rstrip("/") + AUTHORIZE_PATH):
        warning = (
            f"the app's Add to Slack link goes to {authorize.split('?')[0]}, not to the Slack it was "
            f"given ({authorize_base.rstrip('/')}{AUTHORIZE_PATH}): its authorization URL must follow "
            "SLACK_API_URL, or a person's browser lands on the real Slack"
        )
    params = dict(parse_qsl(urlsplit(authorize).query, keep_blank_values=True))
    try:
        redirect = oauth.approve(team_id, params)
    except OAuthError as error:
        return InstallResult(False, f"the authorize page refused the app's request: {error}", authorize)
    headers = {"Cookie": "; ".join(cookies)} if cookies else {}
    try:
        async with session.get(redirect, headers=headers, allow_redirects=False) as response:
            answer = await response.text()
            status = response.status
    except aiohttp.ClientError as error:
        return InstallResult(False, f"the app's redirect URL did not answer ({error})", authorize)
    if team_id not in oauth.installed:
        said = " ".join(_TAGS.sub(" ", html.unescape(answer)).split())[:300]
        return InstallResult(
            False,
            f"the app answered its redirect with HTTP {status} without asking for a token: {said}",
            authorize,
        )
    return InstallResult(True, "installed through OAuth", authorize, warning)
