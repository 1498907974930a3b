"""The OAuth side of the fake Slack: workspaces approving an install, and the tokens they get.

A test plays the person on Slack's "Allow" page with :meth:`FakeOAuth.authorize`, which
returns the one-time ``code`` Slack would put in the redirect. The app exchanges it at
``oauth.v2.access`` (checked like Slack does: client id and secret, the code once, the same
``redirect_uri``) for a bot token of that workspace's own (``xoxb-<team>-<n>``). ``auth.test``
answers for whichever token asks, so each workspace looks like itself. With
:attr:`FakeOAuth.rotation` on, installs also get a refresh token and an expiry, and
``grant_type=refresh_token`` trades a refresh token for a new pair (the old token stops working).

A browser can also walk the whole way: the install page's link leads to the fake's
``GET /oauth/v2/authorize`` ("Allow"), which approves as the next workspace queued with
:meth:`FakeOAuth.approve_next` (or cancels) and redirects to the app's redirect URL with a
code and the state, as Slack does.

Registered on a :class:`~tests.e2e.fake_slack.FakeSlack` with :meth:`FakeOAuth.attach`
(before the fake starts).
"""

from __future__ import annotations

import base64
import itertools
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode

from aiohttp import web

if TYPE_CHECKING:
    from tests.e2e.fake_slack import Call, FakeSlack

__all__ = ["AUTHORIZE_PATH", "CLIENT_ID", "CLIENT_SECRET", "FakeOAuth", "Grant", "Workspace"]

CLIENT_ID: Final = "1111111111.2222222222"
CLIENT_SECRET: Final = "e2e-oauth-client-secret-abcdef0123"
#: Slack's lifetime for a rotating token: 12 hours.
ROTATING_TOKEN_SECONDS: Final = 43200
APP_ID: Final = "A0001"
AUTHORIZE_PATH: Final = "/oauth/v2/authorize"


@dataclass(frozen=True)
class Workspace:
    """A workspace (or, org-wide, an Enterprise Grid organization) that installed the app."""

    team_id: str | None
    team_name: str | None
    enterprise_id: str | None
    org_wide: bool
    bot_user_id: str
    bot_id: str
    installer: str

    @property
    def key(self) -> str:
        return self.team_id or self.enterprise_id or "?"


@dataclass(frozen=True)
class Grant:
    """A code the person's approval produced, for one exchange."""

    workspace: Workspace
    redirect_uri: str | None
    scopes: str


class FakeOAuth:
    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        #: Issue refresh tokens and expiring access tokens (the manifest's token_rotation_enabled).
        self.rotation = False
        #: Seconds an access token lives with rotation on (tests shorten it to force a refresh).
        self.expires_in = ROTATING_TOKEN_SECONDS
        self._codes: dict[str, Grant] = {}
        self._used_codes: set[str] = set()
        #: Every token that works now, and the workspace it belongs to.
        self.tokens: dict[str, Workspace] = {}
        self._expiry: dict[str, float] = {}
        self._refresh: dict[str, Workspace] = {}
        #: Tokens that worked once and no longer do (replaced by a refresh).
        self.retired: set[str] = set()
        self._n = itertools.count(1)
        #: Where "Allow" sends the browser when the app named no redirect_uri (the app's setting).
        self.redirect_url = ""
        #: Who approves next on the "Allow" page: keyword arguments of authorize(), or None to cancel.
        self._approvals: deque[dict[str, Any] | None] = deque()

    def attach(self, fake: FakeSlack) -> FakeOAuth:
        fake.extensions.append(self.answer)
        fake.pages[AUTHORIZE_PATH] = self._allow_page
        return self

    def approve_next(
        self, team_id: str | None = None, team_name: str | None = None, *, cancel: bool = False, **kw: Any
    ) -> None:
        """The next visit of the "Allow" page approves for this workspace (or, ``cancel``, declines)."""
        self._approvals.append(None if cancel else {"team_id": team_id, "team_name": team_name, **kw})

    async def _allow_page(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        if query.get("client_id") != self.client_id:
            return web.Response(status=400, text="invalid_client_id")
        redirect = query.get("redirect_uri") or self.redirect_url
        if not redirect or not self._approvals:
            return web.Response(status=400, text="no redirect URL, or nobody to approve")
        approval = self._approvals.popleft()
        if approval is None:
            answer = {"error": "access_denied", "state": query.get("state", "")}
        else:
            code = self.authorize(
                **approval, redirect_uri=query.get("redirect_uri") or None, scopes=query.get("scope", "")
            )
            answer = {"code": code, "state": query.get("state", "")}
        raise web.HTTPFound(f"{redirect}?{urlencode(answer)}")

    # -- the person on Slack's page ----------------------------------------------------------
    def authorize(
        self,
        team_id: str | None,
        team_name: str | None,
        *,
        enterprise_id: str | None = None,
        org_wide: bool = False,
        redirect_uri: str | None = None,
        installer: str = "U0001",
        scopes: str = "commands,chat:write",
    ) -> str:
        """Approve an install into ``team_id`` (or, ``org_wide``, into ``enterprise_id``'s org)."""
        n = next(self._n)
        workspace = Workspace(
            team_id=None if org_wide else team_id,
            team_name=None if org_wide else team_name,
            enterprise_id=enterprise_id,
            org_wide=org_wide,
            bot_user_id=f"UBOT{(team_id or enterprise_id or 'X')}",
            bot_id=f"B{(team_id or enterprise_id or 'X')}",
            installer=installer,
        )
        code = f"code-{workspace.key}-{n}"
        self._codes[code] = Grant(workspace, redirect_uri, scopes)
        return code

    def token_of(self, team_or_enterprise: str) -> str:
        """The token that currently works for a workspace (the newest, after refreshes)."""
        mine = [token for token, ws in self.tokens.items() if ws.key == team_or_enterprise]
        assert mine, f"no token issued for {team_or_enterprise}; issued: {sorted(self.tokens)}"
        return mine[-1]

    # -- the Web API ---------------------------------------------------------------------------------
    def answer(self, call: Call) -> dict[str, Any] | None:
        """The answer to ``call`` if it is ours to give; None lets the fake answer as usual."""
        if call.method == "oauth.v2.access":
            return self._access(call)
        token = call.token
        if token is None or not token.startswith("xoxb-"):
            return None
        if token in self.retired or (token in self._expiry and self._expiry[token] < time.time()):
            return {"ok": False, "error": "token_expired"}
        workspace = self.tokens.get(token)
        if workspace is None:
            return None  # not an OAuth token: the single-token app's, answered as before
        if call.method == "auth.test":
            return {
                "ok": True,
                "url": f"https://{(workspace.team_name or 'org').lower().replace(' ', '-')}.slack.test/",
                "team": workspace.team_name,
                "user": "mlorg",
                "team_id": workspace.team_id,
                "user_id": workspace.bot_user_id,
                "bot_id": workspace.bot_id,
                "enterprise_id": workspace.enterprise_id,
                "is_enterprise_install": workspace.org_wide,
            }
        return None

    def _client(self, call: Call) -> tuple[str, str]:
        header = call.headers.get("Authorization", "")
        if header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return client_id, secret
        return str(call.args.get("client_id", "")), str(call.args.get("client_secret", ""))

    def _access(self, call: Call) -> dict[str, Any]:
        client_id, secret = self._client(call)
        if client_id != self.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if secret != self.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        if call.args.get("grant_type") == "refresh_token":
            return self._refreshed(str(call.args.get("refresh_token", "")))
        code = str(call.args.get("code", ""))
        grant = self._codes.get(code)
        if grant is None or code in self._used_codes:
            return {"ok": False, "error": "invalid_code"}
        self._used_codes.add(code)
        if (call.args.get("redirect_uri") or None) != grant.redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        ws = grant.workspace
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": ws.installer},
            "scope": grant.scopes,
            "token_type": "bot",
            "bot_user_id": ws.bot_user_id,
            "team": {"id": ws.team_id, "name": ws.team_name} if ws.team_id else None,
            "enterprise": {"id": ws.enterprise_id, "name": f"Org {ws.enterprise_id}"}
            if ws.enterprise_id
            else None,
            "is_enterprise_install": ws.org_wide,
        }
        return {**answer, **self._issue(ws)}

    def _issue(self, workspace: Workspace) -> dict[str, Any]:
        token = f"xoxb-{workspace.key}-{next(self._n)}"
        self.tokens[token] = workspace
        if not self.rotation:
            return {"access_token": token}
        refresh = f"xoxe-1-{workspace.key}-{next(self._n)}"
        self._refresh[refresh] = workspace
        self._expiry[token] = time.time() + self.expires_in
        return {"access_token": token, "refresh_token": refresh, "expires_in": self.expires_in}

    def _refreshed(self, refresh_token: str) -> dict[str, Any]:
        workspace = self._refresh.pop(refresh_token, None)
        if workspace is None:
            return {"ok": False, "error": "invalid_refresh_token"}
        for token, owner in list(self.tokens.items()):
            if owner == workspace:
                del self.tokens[token]
                self.retired.add(token)
        return {"ok": True, "token_type": "bot", **self._issue(workspace)}
