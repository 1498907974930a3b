"""``/api/<method>``: every Web API call reaches the workspace its token belongs to.

Slack knows which workspace a call is for by its token alone; an app installed in
several workspaces holds one token per workspace and must use the right one. The
stand-in routes the same way, so a call made with one workspace's token can only
ever read or change that workspace, and a mix-up shows as a message in the wrong
workspace's channels or an ``invalid_auth``, never as a silent success.
``oauth.v2.access`` is the one method without a bot token: the app authenticates
with its client id and secret (:mod:`~bot.sandbox.oauth`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from bot.sandbox.arguments import Args, request_args
from bot.sandbox.oauth import OAuthServer
from bot.sandbox.surfaces import ApiError
from bot.sandbox.web_api import WebApi, bearer_token

__all__ = ["ApiRouter"]

#: Arguments of ``oauth.v2.access`` that never appear in the traffic panel.
_SECRET_ARGS = {"client_secret", "code", "token", "refresh_token"}


class ApiRouter:
    def __init__(self, apis: Sequence[WebApi], oauth: OAuthServer | None = None) -> None:
        assert apis, "at least one workspace"
        self.apis = list(apis)
        self.oauth = oauth

    def by_token(self, token: str) -> WebApi | None:
        return next((api for api in self.apis if api.token is not None and api.token == token), None)

    def by_team(self, team_id: str) -> WebApi | None:
        return next((api for api in self.apis if api.ws.team_id == team_id), None)

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await request_args(request)
        if method == "oauth.v2.access":
            return web.json_response(await self._oauth_access(request, args))
        token = bearer_token(request, args)
        if not token:
            return web.json_response(ApiError("not_authed").body())
        api = self.by_token(token)
        if api is None:
            return web.json_response(ApiError("invalid_auth").body())
        return web.json_response(await api.handle_args(method, args))

    async def _oauth_access(self, request: web.Request, args: Args) -> dict[str, Any]:
        started = time.monotonic()
        try:
            if self.oauth is None:
                # Single-workspace mode: the app was given its bot token; no app is registered for OAuth.
                raise ApiError("invalid_client_id")
            body = await self.oauth.access(request, args)
        except ApiError as error:
            body = error.body()
        # Shown in the traffic panel of the workspace that was installed (or the first one).
        team = (body.get("team") or {}).get("id", "")
        api = self.by_team(team) or self.apis[0]
        shown = {k: ("…" if k in _SECRET_ARGS else v) for k, v in args.items()}
        entry = api.ws.record("from app", "oauth.v2.access", shown)
        entry.status = "ok" if body.get("ok") else str(body.get("error"))
        entry.response = {k: ("xoxb-…" if k == "access_token" else v) for k, v in body.items()}
        entry.ms = (time.monotonic() - started) * 1000
        api.ws.changed()
        return body
