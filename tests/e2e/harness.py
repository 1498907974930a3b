"""Run the real app in-process over real HTTP on 127.0.0.1, against the fake Slack.

The app is built by the same composition root production uses (``build_app``);
only the settings differ. ``restart()`` builds a fresh app on the same database
and port, which is what a deploy or a crash-and-restart looks like to Slack.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import EVENTS_PATH, Mlorg, build_app
from bot.settings import Settings
from tests.e2e.fake_oauth import CLIENT_ID, CLIENT_SECRET
from tests.e2e.fake_slack import FakeSlack

__all__ = [
    "APP_TOKEN",
    "BOT_TOKEN",
    "ENCRYPTION_KEY",
    "SECRETS",
    "SIGNING_SECRET",
    "RunningApp",
    "make_oauth_settings",
    "make_settings",
]

SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-e2e-bot-token"
APP_TOKEN = "xapp-1-A0001-1-e2esocketmodesecret"
#: A Fernet key (fixed, so a restarted app reads what it stored before).
ENCRYPTION_KEY = "u6Vq3c1i0lM4oV1Pz8lXr9Yd2bN7kTq5wH0sJcE3fAg="
#: Every credential the end-to-end suite hands the app; none may ever appear in its logs.
SECRETS = (SIGNING_SECRET, BOT_TOKEN, APP_TOKEN, CLIENT_SECRET, ENCRYPTION_KEY)


def make_settings(fake: FakeSlack, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.api_url,
        "database_url": database_url,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_oauth_settings(fake: FakeSlack, database_url: str, **overrides: Any) -> Settings:
    """OAuth mode: no bot token; the fake's client credentials; tokens encrypted with ENCRYPTION_KEY."""
    values: dict[str, Any] = {
        "slack_bot_token": None,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "mlorg_encryption_key": ENCRYPTION_KEY,
        **overrides,
    }
    return make_settings(fake, database_url, **values)


class RunningApp:
    def __init__(self, settings: Settings, **build_options: Any) -> None:
        """``build_options`` go to ``build_app`` as they are (a store, an installation store)."""
        self.settings = settings
        self.build_options = build_options
        self.mlorg: Mlorg | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{EVENTS_PATH}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> RunningApp:
        self.mlorg = build_app(self.settings, **self.build_options)
        await self.mlorg.startup()
        self._runner = web.AppRunner(self.mlorg.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.mlorg is not None:
            await self.mlorg.drain(5)
            await self.mlorg.shutdown()
            self.mlorg = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'mlorg-e2e.sqlite3'}"
