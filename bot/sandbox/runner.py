"""``mlorg try``: the real app and the Slack stand-in in one process, one event loop.

The app is built by the same composition root as ``mlorg serve --http`` and served
over HTTP on a loopback port; only its settings differ: a generated bot token and
signing secret, ``SLACK_API_URL`` pointing at the stand-in, and its own SQLite file
in the sandbox data directory (which survives restarts; ``--reset`` starts afresh).
The stand-in serves the Web API and response URLs on a loopback port of its own
(so the app always reaches it, whatever ``--host`` says) and the page on the public
``host:port``.

With ``--workspaces 2`` (or 3) the app runs as a distributed app instead: no bot
token, but a client id, secret and encryption key generated for the data directory
(:mod:`~bot.sandbox.credentials`), and the stand-in installs it in every workspace
through the OAuth flow at start-up (:mod:`~bot.sandbox.install`), so each workspace's
requests carry its own team and its calls its own token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import shutil
import signal
import sys
import time
import webbrowser
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import ValidationError

from bot.app import EVENTS_PATH, Mlorg, build_app
from bot.sandbox.api_router import ApiRouter
from bot.sandbox.credentials import OAuthCredentials
from bot.sandbox.delivery import ACK_SECONDS, Delivery
from bot.sandbox.files import Files
from bot.sandbox.install import install_through_oauth
from bot.sandbox.manifest import Manifest, load_manifest
from bot.sandbox.oauth import OAuthServer
from bot.sandbox.page import Page, WorkspaceLink
from bot.sandbox.responses import ResponseUrls
from bot.sandbox.surfaces import Triggers, Views
from bot.sandbox.tenant import Tenant, prefix_of
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import PEOPLE, WORKSPACES, Workspace
from bot.settings import ConfigError, Settings

__all__ = ["INSTALL_PATH", "MAX_WORKSPACES", "REDIRECT_PATH", "Sandbox", "default_data_dir", "run_try"]

log = logging.getLogger("mlorg.sandbox")

DATABASE_FILE = "mlorg.sqlite3"
#: The other workspaces keep their channels and files below the data directory, one folder each.
WORKSPACES_DIR = "workspaces"
MAX_WORKSPACES = len(WORKSPACES)
#: The app's OAuth pages, given to it explicitly (they are also its defaults).
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def default_data_dir(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """``$XDG_DATA_HOME/mlorg-try``, else ``~/.local/share/mlorg-try``."""
    base = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mlorg-try"


class Sandbox:
    """Everything ``mlorg try`` runs; tests start one in-process with a temporary data directory."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        ack_seconds: float = ACK_SECONDS,
        manifest: Manifest | None = None,
        workspaces: int = 1,
    ) -> None:
        if not 1 <= workspaces <= MAX_WORKSPACES:
            raise ConfigError(f"--workspaces must be from 1 to {MAX_WORKSPACES}, not {workspaces}")
        self.data_dir = data_dir
        self.host, self.port = host, port
        #: One workspace: the app gets a bot token. Several: it is installed in each through OAuth.
        self.oauth_mode = workspaces > 1
        self.token = None if self.oauth_mode else "xoxb-sandbox-" + secrets.token_hex(12)
        self.signing_secret = secrets.token_hex(16)
        self.manifest = manifest or load_manifest()
        self.links: list[WorkspaceLink] = []
        self.tenants: list[Tenant] = []
        for index, (team_id, team_name, domain) in enumerate(WORKSPACES[:workspaces]):
            first = index == 0
            if self.oauth_mode:
                self.links.append(WorkspaceLink(team_id, team_name, prefix_of(team_id, first=first) + "/"))
            self.tenants.append(
                Tenant(
                    data_dir if first else data_dir / WORKSPACES_DIR / team_id,
                    team_id=team_id,
                    team_name=team_name,
                    domain=domain,
                    first=first,
                    token=self.token,
                    manifest=self.manifest,
                    signing_secret=self.signing_secret,
                    ack_seconds=ack_seconds,
                    links=self.links,
                    reset=self.reset,
                )
            )
        self.credentials: OAuthCredentials | None = None
        self.oauth: OAuthServer | None = None
        if self.oauth_mode:
            self.credentials = OAuthCredentials.load_or_create(data_dir)
            self.oauth = OAuthServer(
                self.credentials.client_id,
                self.credentials.client_secret,
                {t.team_id: t.api for t in self.tenants},
                app_name=self.manifest.name,
                tokens=self.credentials.tokens,
            )
        self.router = ApiRouter([t.api for t in self.tenants], self.oauth)
        self.mlorg: Mlorg | None = None
        self._standin: web.AppRunner | None = None
        self._app: web.AppRunner | None = None
        self.internal_url = ""
        self.app_url = ""

    # The first workspace is "the" workspace of ``mlorg try``: tests and the CLI reach it directly.
    @property
    def ws(self) -> Workspace:
        return self.tenants[0].ws

    @property
    def api(self) -> WebApi:
        return self.tenants[0].api

    @property
    def views(self) -> Views:
        return self.tenants[0].views

    @property
    def triggers(self) -> Triggers:
        return self.tenants[0].triggers

    @property
    def responses(self) -> ResponseUrls:
        return self.tenants[0].responses

    @property
    def files(self) -> Files:
        return self.tenants[0].files

    @property
    def delivery(self) -> Delivery:
        return self.tenants[0].delivery

    @property
    def page(self) -> Page:
        return self.tenants[0].page

    def tenant(self, team_id: str) -> Tenant:
        found = next((t for t in self.tenants if t.team_id == team_id), None)
        if found is None:
            raise KeyError(team_id)
        return found

    @property
    def url(self) -> str:
        shown = "127.0.0.1" if self.host in {"0.0.0.0", "::", ""} else self.host
        return f"http://{shown}:{self.port}"

    async def start(self) -> str:
        await self.start_standin()
        await self._start_app()
        return self.url

    async def start_standin(self) -> str:
        """The stand-in alone (Web API, OAuth, pages), before any app is attached; its page's URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        standin = web.Application(client_max_size=4 * 1024 * 1024)
        standin.router.add_route("*", "/api/{method}", self.router.handle)
        if self.oauth is not None:
            self.oauth.add_routes(standin)
        for tenant in self.tenants:
            assert tenant.ws.path is not None
            tenant.ws.path.parent.mkdir(parents=True, exist_ok=True)
            sub = tenant.routes()
            if sub is None:
                tenant.add_routes(standin)
            else:
                standin.add_subapp(tenant.prefix, sub)
        self._standin = web.AppRunner(standin, access_log=None, shutdown_timeout=1.0)
        await self._standin.setup()
        internal = web.TCPSite(self._standin, "127.0.0.1", 0)
        await internal.start()
        self.internal_url = f"http://127.0.0.1:{_port_of(internal)}"
        for tenant in self.tenants:
            tenant.set_internal_url(self.internal_url)
        public = web.TCPSite(self._standin, self.host, self.port)
        try:
            await public.start()
        except OSError as error:
            await self._standin.cleanup()
            raise ConfigError(
                f"cannot listen on {self.host}:{self.port} (--port, --host): {error.strerror}"
            ) from None
        self.port = _port_of(public)
        return self.url

    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "slack_signing_secret": self.signing_secret,
            "slack_api_url": f"{self.internal_url}/api/",
            "database_url": f"sqlite+aiosqlite:///{self.data_dir / DATABASE_FILE}",
            # The admin is an admin to the app both ways: named here and reported by users.info.
            "mlorg_admins": ",".join(p.id for p in PEOPLE if p.is_admin),
        }
        if self.credentials is None:
            values["slack_bot_token"] = self.token
        else:
            values.update(
                slack_client_id=self.credentials.client_id,
                slack_client_secret=self.credentials.client_secret,
                # What the manifest grants, asked for explicitly: the stand-in grants what is asked.
                slack_scopes=",".join(sorted(self.manifest.scopes)),
                slack_install_path=INSTALL_PATH,
                slack_redirect_uri_path=REDIRECT_PATH,
                mlorg_encryption_key=self.credentials.encryption_key,
            )
        try:
            return Settings(_env_file=None, **values)
        except ValidationError as error:
            field = str(error.errors()[0]["loc"][0]).upper() if error.errors()[0]["loc"] else "a setting"
            raise ConfigError(f"{field} is malformed") from None

    async def _start_app(self) -> None:
        self.mlorg = build_app(self.settings())
        await self.mlorg.startup()
        self._app = web.AppRunner(self.mlorg.web_app(), access_log=None, shutdown_timeout=2.0)
        await self._app.setup()
        site = web.TCPSite(self._app, "127.0.0.1", 0)
        await site.start()
        await self.attach_app(f"http://127.0.0.1:{_port_of(site)}")

    async def attach_app(self, app_url: str) -> None:
        """Deliver to the app at ``app_url`` and, with several workspaces, install it in each through OAuth."""
        self.app_url = app_url
        for tenant in self.tenants:
            tenant.delivery.app_url = self.app_url + EVENTS_PATH
        if self.oauth is not None:
            # The app's redirect URL as its Slack app configuration would list it.
            self.oauth.redirect_urls = [self.app_url + REDIRECT_PATH]
            await self.install_everywhere()

    async def install_everywhere(self) -> bool:
        """Add the app to every workspace through OAuth, as each workspace's admin would; True if all worked."""
        assert self.oauth is not None and self.credentials is not None
        everywhere = True
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
            for tenant, link in zip(self.tenants, self.links, strict=True):
                result = await install_through_oauth(
                    session,
                    self.oauth,
                    tenant.team_id,
                    install_url=self.app_url + INSTALL_PATH + f"?team={tenant.team_id}",
                    authorize_base=self.internal_url,
                )
                if result.warning:
                    tenant.ws.warn("Add to Slack", result.warning)
                if result.ok:
                    installed = self.oauth.installed[tenant.team_id]
                    person = tenant.ws.person(installed.user)
                    by = person.real_name if person else installed.user
                    link.status = f"mlorg installed through OAuth by {by} at {time.strftime('%H:%M')}"
                    log.info(
                        "mlorg is installed in %s (%s) through OAuth", tenant.ws.team_name, tenant.team_id
                    )
                else:
                    everywhere = False
                    link.status = "mlorg is not installed here: " + result.detail
                    tenant.ws.warn("Add to Slack", result.detail)
                    log.warning("installing mlorg in %s failed: %s", tenant.team_id, result.detail)
        self.credentials.tokens = dict(self.oauth.tokens)
        self.credentials.save(self.data_dir)
        return everywhere

    async def _stop_app(self, *, drain: bool = True) -> None:
        if self._app is not None:
            await self._app.cleanup()
            self._app = None
        if self.mlorg is not None:
            if drain:
                await self.mlorg.drain(5)
            await self.mlorg.shutdown()
            self.mlorg = None

    async def _quiet(self, seconds: float = 0.1, limit: float = 3.0) -> None:
        """Wait until no workspace has changed for ``seconds``: the app's work is done."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while loop.time() < deadline:
            before = [t.ws.seq for t in self.tenants]
            await asyncio.sleep(seconds)
            if [t.ws.seq for t in self.tenants] == before:
                return

    async def reset(self) -> None:
        """A fresh start without restarting: empty workspaces, new database (and a new install in each).

        ``Mlorg.drain`` waits for every task in the loop, which here includes the runner's own
        and the page's; the old app's work is thrown away anyway, so reset waits for quiet instead.
        """
        await self._quiet()
        await self._stop_app(drain=False)
        for path in self.data_dir.glob(DATABASE_FILE + "*"):
            path.unlink(missing_ok=True)
        for tenant in self.tenants:
            tenant.views.stacks.clear()
            tenant.files.clear()
            tenant.ws.reset()
        await self._start_app()

    async def stop(self) -> None:
        await self._stop_app()
        for tenant in self.tenants:
            await tenant.delivery.shutdown()
        if self._standin is not None:
            await self._standin.cleanup()
            self._standin = None
        for tenant in self.tenants:
            tenant.ws.save()


def _port_of(site: web.TCPSite) -> int:
    sockets = getattr(site._server, "sockets", None)
    assert sockets, "the site is not listening"
    return int(sockets[0].getsockname()[1])


def clear_data(data_dir: Path) -> None:
    """``--reset``: forget the sandbox's channels and the app's database."""
    if data_dir.exists():
        shutil.rmtree(data_dir)


def _can_open_browser() -> bool:
    """A graphical browser is there to open (never a text browser taking over the terminal)."""
    if sys.platform in {"darwin", "win32"}:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_try(
    *,
    data_dir: Path,
    host: str = "127.0.0.1",
    port: int = 3000,
    browser: bool = True,
    reset: bool = False,
    workspaces: int = 1,
) -> int:
    """Blocking entry point for ``mlorg try``; returns the exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # bm25s attaches its own DEBUG handler; its index build at start-up is not news.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    # The page's Traffic panel shows every request; a log line each would only bury the URL.
    logging.getLogger("mlorg.requests").setLevel(logging.WARNING)
    if reset:
        clear_data(data_dir)
    sandbox = Sandbox(data_dir, host=host, port=port, workspaces=workspaces)
    asyncio.run(_run(sandbox, browser))
    return 0


async def _run(sandbox: Sandbox, browser: bool) -> None:
    url = await sandbox.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"mlorg is running in a local workspace: {url}", flush=True)
    for link in sandbox.links:  # several workspaces: where each one's page is, and how mlorg got there
        print(f"  {link.name}: {url}{link.path} ({link.status})", flush=True)
    print(f"(data in {sandbox.data_dir}; --reset starts afresh; Ctrl+C stops)", flush=True)
    if browser and _can_open_browser():
        with contextlib.suppress(webbrowser.Error):
            webbrowser.open(url)
    await stop.wait()
    log.info("stopping the local workspace")
    await sandbox.stop()
