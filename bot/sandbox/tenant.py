"""One local workspace and everything that serves it: its Web API, its deliveries, its page.

``mlorg try`` runs one of these; ``mlorg try --workspaces 2`` runs two, side by side
in one process, each with its own channels, people's views, files and traffic
panel, so what the app does in one can be checked against the other. The first
workspace's page is at ``/``; the others' at ``/w/<team id>/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bot.sandbox.delivery import Delivery
from bot.sandbox.files import Files
from bot.sandbox.manifest import Manifest
from bot.sandbox.page import Page, WorkspaceLink
from bot.sandbox.responses import ResponseUrls
from bot.sandbox.surfaces import Triggers, Views
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import Workspace

__all__ = ["Tenant", "prefix_of"]

WORKSPACE_FILE = "workspace.json"
#: Uploaded files (charts) live next to the workspace file, so kept messages keep their images.
FILES_DIR = "files"


def prefix_of(team_id: str, *, first: bool) -> str:
    """Where a workspace's page and control API live: the first at the root, the others below it."""
    return "" if first else f"/w/{team_id}"


class Tenant:
    def __init__(
        self,
        directory: Path,
        *,
        team_id: str,
        team_name: str,
        domain: str,
        first: bool,
        token: str | None,
        manifest: Manifest,
        signing_secret: str,
        ack_seconds: float,
        links: list[WorkspaceLink],
        reset: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.prefix = prefix_of(team_id, first=first)
        self.ws = Workspace(directory / WORKSPACE_FILE, team_id=team_id, team_name=team_name, domain=domain)
        self.triggers = Triggers()
        self.views = Views(self.ws)
        self.responses = ResponseUrls(self.ws)
        self.files = Files(directory / FILES_DIR, self.ws)
        self.api = WebApi(self.ws, self.views, self.triggers, token, scopes=manifest.scopes, files=self.files)
        self.delivery = Delivery(
            self.ws,
            self.views,
            self.triggers,
            self.responses,
            manifest,
            app_url="",
            signing_secret=signing_secret,
            ack_seconds=ack_seconds,
        )
        self.page = Page(
            self.ws, self.views, self.delivery, manifest, reset=reset, base=self.prefix, links=links
        )

    @property
    def team_id(self) -> str:
        return self.ws.team_id

    def set_internal_url(self, internal_url: str) -> None:
        """Response URLs and file URLs the app is given point at this workspace's own routes."""
        self.responses.base_url = self.files.base_url = internal_url + self.prefix

    def routes(self) -> web.Application | None:
        """A sub-application for a workspace below the root; None for the first (its routes go on the root)."""
        if not self.prefix:
            return None
        sub = web.Application(client_max_size=4 * 1024 * 1024)
        self.add_routes(sub)
        return sub

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/response/{token}", self.responses.handle)
        app.router.add_post("/control/api/{method}", self.control_api)
        self.files.add_routes(app)
        self.page.add_routes(app)

    async def control_api(self, request: web.Request) -> web.Response:
        """``/control/api/<method>``: a Web API call made as the app would make it, without its token.

        Tests set a scene with it (an uploaded chart in a message) without knowing the token
        the runner generated; the call is checked and recorded like the app's own.
        """
        try:
            args = await request.json() if request.can_read_body else {}
        except ValueError:
            args = None
        if not isinstance(args, dict):
            raise web.HTTPBadRequest(text="expected a JSON object of arguments")
        return web.json_response(await self.api.handle_args(request.match_info["method"], args))
