"""Slack's side of "Add to Slack": the authorize page and ``oauth.v2.access``, for local workspaces.

An app distributed to many workspaces never gets a bot token from its operator: a
person in each workspace approves it on Slack's authorize page, Slack sends the
browser back to the app's redirect URL with a one-time ``code``, and the app trades
the code, with its client id and secret, for that workspace's bot token
(``oauth.v2.access``). This module plays Slack in that exchange, with Slack's rules:
the redirect URL must be one the app configured, a code works once and for ten
minutes, a wrong client id or secret is refused, and each workspace gets its own
token (the same one again when the app is reinstalled, as Slack does). Once a
token is issued, the workspace's :class:`~bot.sandbox.web_api.WebApi` answers to it.
"""

from __future__ import annotations

import base64
import binascii
import html
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from aiohttp import web

from bot.sandbox.arguments import Args
from bot.sandbox.surfaces import ApiError
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import APP_ID, BOT, PEOPLE

__all__ = ["AUTHORIZE_PATH", "CODE_SECONDS", "Grant", "Installed", "OAuthError", "OAuthServer"]

#: Where Slack's authorize page lives relative to the Web API's ``/api/``: ``https://slack.com/oauth/v2/authorize``.
AUTHORIZE_PATH = "/oauth/v2/authorize"
#: Slack's codes expire after ten minutes.
CODE_SECONDS = 600
#: Who clicks "Allow" when the sandbox installs the app itself: the workspace admin.
INSTALLER = PEOPLE[0].id


class OAuthError(Exception):
    """The authorize request is one Slack would refuse with an error page (``str()`` says why)."""


@dataclass
class Grant:
    """An authorization code: who approved what, for which workspace, and where it may go."""

    code: str
    team_id: str
    scopes: frozenset[str]
    user: str
    issued: float
    #: The ``redirect_uri`` the authorize request named; the exchange must name it again.
    redirect_uri: str | None
    used: bool = False


@dataclass
class Installed:
    """The app's installation in one workspace, as Slack keeps it."""

    team_id: str
    token: str
    scopes: frozenset[str]
    user: str
    at: float = field(default_factory=time.time)


class OAuthServer:
    """The authorize page and ``oauth.v2.access`` for a set of workspaces (team id -> its Web API)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        apis: Mapping[str, WebApi],
        *,
        app_name: str = "mlorg",
        redirect_urls: list[str] | None = None,
        tokens: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.apis = dict(apis)
        self.app_name = app_name
        #: The app's configured redirect URLs (the manifest's ``oauth_config.redirect_urls``).
        self.redirect_urls = list(redirect_urls or [])
        #: Tokens issued before (kept across restarts): a reinstall gets the same token, as on Slack.
        self.tokens = dict(tokens or {})
        self.clock = clock
        self.installed: dict[str, Installed] = {}
        self._grants: dict[str, Grant] = {}
        #: Called after a workspace's token was issued, so the page can say so.
        self.on_install: Callable[[Installed], None] | None = None

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(AUTHORIZE_PATH, self.authorize_page)
        app.router.add_post(AUTHORIZE_PATH, self.authorize_decision)

    # -- the authorize page --------------------------------------------------------------------------
    def _check(self, params: Mapping[str, str]) -> tuple[frozenset[str], str]:
        """The requested scopes and the redirect URL, or the error page Slack would show."""
        if params.get("client_id") != self.client_id:
            raise OAuthError("invalid_client_id: no app has this client id")
        scopes = frozenset(s for s in params.get("scope", "").replace(" ", ",").split(",") if s)
        if not scopes:
            raise OAuthError("invalid_scope: the app asked for no bot scopes (scope=…)")
        return scopes, self._redirect(params.get("redirect_uri") or None)

    def _redirect(self, asked: str | None) -> str:
        if asked is None:
            if not self.redirect_urls:
                raise OAuthError("bad_redirect_uri: the app has no redirect URL configured")
            return self.redirect_urls[0]
        # Slack accepts a configured URL or a path below it, on the same scheme, host and port.
        if not any(_below(asked, configured) for configured in self.redirect_urls):
            raise OAuthError(f"bad_redirect_uri: {asked} is not one of the app's redirect URLs")
        return asked

    def approve(self, team_id: str, params: Mapping[str, str], *, user: str = INSTALLER) -> str:
        """A person clicked "Allow" for ``team_id``: the app's redirect URL with a fresh code and the state."""
        scopes, redirect = self._check(params)
        if team_id not in self.apis:
            raise OAuthError(f"team_not_found: there is no workspace {team_id}")
        grant = Grant(
            code=f"{team_id}.{secrets.token_urlsafe(16)}",
            team_id=team_id,
            scopes=scopes,
            user=user,
            issued=self.clock(),
            redirect_uri=params.get("redirect_uri") or None,
        )
        self._grants[grant.code] = grant
        return _with_query(redirect, code=grant.code, state=params.get("state", ""))

    def deny(self, params: Mapping[str, str]) -> str:
        """A person clicked "Cancel": back to the app with ``error=access_denied``."""
        _scopes, redirect = self._check(params)
        return _with_query(redirect, error="access_denied", state=params.get("state", ""))

    async def authorize_page(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        try:
            scopes, _redirect = self._check(params)
        except OAuthError as error:
            return _error_page(str(error))
        asked = params.get("team", "")
        team_id = asked if asked in self.apis else next(iter(self.apis))
        name = self.apis[team_id].ws.team_name
        hidden = "".join(
            f'<input type="hidden" name="{_e(k)}" value="{_e(v)}">'
            for k, v in params.items()
            if k in {"client_id", "scope", "user_scope", "state", "redirect_uri"}
        )
        others = "".join(
            f'<a href="{_e(_with_query(AUTHORIZE_PATH, **{**params, "team": other}))}" '
            f'data-testid="oauth-team-{_e(other)}">{_e(api.ws.team_name)}</a> '
            for other, api in self.apis.items()
            if other != team_id
        )
        picker = f'<p class="picker">Another workspace: {others}</p>' if others else ""
        listed = "".join(f"<li><code>{_e(scope)}</code></li>" for scope in sorted(scopes))
        body = (
            f'<h1 data-testid="oauth-question">Allow {_e(self.app_name)} in {_e(name)}?</h1>{picker}'
            f"<p>{_e(self.app_name)} will be able to:</p><ul>{listed}</ul>"
            f'<form method="post" action="{AUTHORIZE_PATH}">{hidden}'
            f'<input type="hidden" name="team" value="{_e(team_id)}">'
            '<button type="submit" name="decision" value="allow" data-testid="oauth-allow">Allow</button> '
            '<button type="submit" name="decision" value="cancel" data-testid="oauth-cancel">Cancel</button>'
            "</form>"
        )
        return web.Response(text=_page(f"Allow {self.app_name}?", body), content_type="text/html")

    async def authorize_decision(self, request: web.Request) -> web.Response:
        params = {k: str(v) for k, v in (await request.post()).items()}
        try:
            if params.get("decision") == "allow":
                location = self.approve(params.get("team", ""), params)
            else:
                location = self.deny(params)
        except OAuthError as error:
            return _error_page(str(error))
        raise web.HTTPFound(location)

    # -- oauth.v2.access ---------------------------------------------------------------------------------
    async def access(self, request: web.Request, args: Args) -> dict[str, Any]:
        """``oauth.v2.access``: a code and the app's credentials in, the workspace's bot token out."""
        client_id, client_secret = _client_credentials(request, args)
        if client_id != self.client_id:
            raise ApiError("invalid_client_id")
        if not secrets.compare_digest(client_secret, self.client_secret):
            raise ApiError("bad_client_secret")
        grant_type = str(args.get("grant_type") or "authorization_code")
        if grant_type != "authorization_code":
            # Token rotation is off in app_manifest.yml: Slack issues no refresh tokens to trade.
            raise ApiError("invalid_grant_type")
        grant = self._grants.get(str(args.get("code") or ""))
        if grant is None or self.clock() - grant.issued > CODE_SECONDS:
            raise ApiError("invalid_code")
        if grant.used:
            raise ApiError("code_already_used")
        if (str(args.get("redirect_uri") or "") or None) != grant.redirect_uri:
            raise ApiError("bad_redirect_uri")
        grant.used = True
        return self._install(grant)

    def _install(self, grant: Grant) -> dict[str, Any]:
        api = self.apis[grant.team_id]
        token = self.tokens.setdefault(grant.team_id, f"xoxb-{grant.team_id.lower()}-{secrets.token_hex(12)}")
        previous = self.installed.get(grant.team_id)
        # A reinstall adds scopes; it never takes any away (Slack's rule).
        scopes = grant.scopes | (previous.scopes if previous else frozenset())
        installed = Installed(grant.team_id, token, scopes, grant.user)
        self.installed[grant.team_id] = installed
        api.install(token, scopes)
        if self.on_install is not None:
            self.on_install(installed)
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(sorted(scopes)),
            "bot_user_id": BOT.id,
            "app_id": APP_ID,
            "team": {"id": api.ws.team_id, "name": api.ws.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": grant.user},
        }


def _client_credentials(request: web.Request, args: Args) -> tuple[str, str]:
    """slack_sdk sends the client id and secret as HTTP Basic auth; a form with both works too."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header.removeprefix("Basic ").strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return str(args.get("client_id") or ""), str(args.get("client_secret") or "")


def _below(asked: str, configured: str) -> bool:
    a, c = urlsplit(asked), urlsplit(configured)
    path = c.path.rstrip("/")
    return (a.scheme, a.netloc) == (c.scheme, c.netloc) and (
        a.path == c.path or a.path.startswith(path + "/")
    )


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return parts._replace(query=urlencode(query)).geturl()


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        '<link rel="stylesheet" href="/static/style.css"></head>'
        f'<body class="oauth-page"><main class="oauth-card">{body}</main></body></html>'
    )


def _error_page(reason: str) -> web.Response:
    body = (
        "<h1>Something went wrong when authorizing this app.</h1>"
        f'<p data-testid="oauth-error">{_e(reason)}</p>'
        "<p>Try installing it again from the app's own page, or ask the app's developer.</p>"
    )
    return web.Response(text=_page("Error", body), content_type="text/html", status=400)
