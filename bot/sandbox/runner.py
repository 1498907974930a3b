"""``mlorg try``: the real app and the Slack stand-in in one process, one event loop.

The app is built by the same composition root as ``mlorg serve --http`` and served
over HTTP on a loopback port; only its settings differ: a generated bot token and
signing secret, ``SLACK_API_URL`` pointing at the stand-in, and its own SQLite file
in the sandbox data directory (which survives restarts; ``--reset`` starts afresh).
The stand-in serves the Web API and response URLs on a loopback port of its own
(so the app always reaches it, whatever ``--host`` says) and the page on the public
``host:port``.
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
import webbrowser
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.app import EVENTS_PATH, Mlorg, build_app
from bot.sandbox.delivery import ACK_SECONDS, Delivery
from bot.sandbox.files import Files
from bot.sandbox.manifest import Manifest, load_manifest
from bot.sandbox.page import Page
from bot.sandbox.responses import ResponseUrls
from bot.sandbox.surfaces import Triggers, Views
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import PEOPLE, Workspace
from bot.settings import ConfigError, Settings

__all__ = ["Sandbox", "default_data_dir", "run_try"]

log = logging.getLogger("mlorg.sandbox")

DATABASE_FILE = "mlorg.sqlite3"
WORKSPACE_FILE = "workspace.json"
#: Uploaded files (charts) live next to the workspace file, so kept messages keep their images.
FILES_DIR = "files"


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
    ) -> None:
        self.data_dir = data_dir
        self.host, self.port = host, port
        self.token = "xoxb-sandbox-" + secrets.token_hex(12)
        self.signing_secret = secrets.token_hex(16)
        self.manifest = manifest or load_manifest()
        self.ws = Workspace(data_dir / WORKSPACE_FILE)
        self.triggers = Triggers()
        self.views = Views(self.ws)
        self.responses = ResponseUrls(self.ws)
        self.files = Files(data_dir / FILES_DIR, self.ws)
        self.api = WebApi(
            self.ws, self.views, self.triggers, self.token, scopes=self.manifest.scopes, files=self.files
        )
        self.delivery = Delivery(
            self.ws,
            self.views,
            self.triggers,
            self.responses,
            self.manifest,
            app_url="",
            signing_secret=self.signing_secret,
            ack_seconds=ack_seconds,
        )
        self.page = Page(self.ws, self.views, self.delivery, self.manifest, reset=self.reset)
        self.mlorg: Mlorg | None = None
        self._standin: web.AppRunner | None = None
        self._app: web.AppRunner | None = None
        self.internal_url = ""

    @property
    def url(self) -> str:
        shown = "127.0.0.1" if self.host in {"0.0.0.0", "::", ""} else self.host
        return f"http://{shown}:{self.port}"

    async def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        standin = web.Application(client_max_size=4 * 1024 * 1024)
        standin.router.add_route("*", "/api/{method}", self.api.handle)
        standin.router.add_post("/response/{token}", self.responses.handle)
        standin.router.add_post("/control/api/{method}", self.control_api)
        self.files.add_routes(standin)
        self.page.add_routes(standin)
        self._standin = web.AppRunner(standin, access_log=None, shutdown_timeout=1.0)
        await self._standin.setup()
        internal = web.TCPSite(self._standin, "127.0.0.1", 0)
        await internal.start()
        self.internal_url = f"http://127.0.0.1:{_port_of(internal)}"
        self.responses.base_url = self.files.base_url = self.internal_url
        public = web.TCPSite(self._standin, self.host, self.port)
        try:
            await public.start()
        except OSError as error:
            await self._standin.cleanup()
            raise ConfigError(
                f"cannot listen on {self.host}:{self.port} (--port, --host): {error.strerror}"
            ) from None
        self.port = _port_of(public)
        await self._start_app()
        return self.url

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

    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "slack_bot_token": self.token,
            "slack_signing_secret": self.signing_secret,
            "slack_api_url": f"{self.internal_url}/api/",
            "database_url": f"sqlite+aiosqlite:///{self.data_dir / DATABASE_FILE}",
            # The admin is an admin to the app both ways: named here and reported by users.info.
            "mlorg_admins": ",".join(p.id for p in PEOPLE if p.is_admin),
        }
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
        self.delivery.app_url = f"http://127.0.0.1:{_port_of(site)}{EVENTS_PATH}"

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
        """Wait until the workspace has not changed for ``seconds``: the app's work is done."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while loop.time() < deadline:
            before = self.ws.seq
            await asyncio.sleep(seconds)
            if self.ws.seq == before:
                return

    async def reset(self) -> None:
        """A fresh start without restarting: empty workspace, new database.

        ``Mlorg.drain`` waits for every task in the loop, which here includes the runner's own
        and the page's; the old app's work is thrown away anyway, so reset waits for quiet instead.
        """
        await self._quiet()
        await self._stop_app(drain=False)
        for path in self.data_dir.glob(DATABASE_FILE + "*"):
            path.unlink(missing_ok=True)
        self.views.stacks.clear()
        self.files.clear()
        self.ws.reset()
        await self._start_app()

    async def stop(self) -> None:
        await self._stop_app()
        await self.delivery.shutdown()
        if self._standin is not None:
            await self._standin.cleanup()
            self._standin = None
        self.ws.save()


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
    *, data_dir: Path, host: str = "127.0.0.1", port: int = 3000, browser: bool = True, reset: bool = False
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
    asyncio.run(_run(Sandbox(data_dir, host=host, port=port), browser))
    return 0


async def _run(sandbox: Sandbox, browser: bool) -> None:
    url = await sandbox.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"mlorg is running in a local workspace: {url}", flush=True)
    print(f"(data in {sandbox.data_dir}; --reset starts afresh; Ctrl+C stops)", flush=True)
    if browser and _can_open_browser():
        with contextlib.suppress(webbrowser.Error):
            webbrowser.open(url)
    await stop.wait()
    log.info("stopping the local workspace")
    await sandbox.stop()
