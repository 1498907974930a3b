"""A bare distributed Bolt app on the stand-in: what ``mlorg try --workspaces 2`` does, without mlorg.

It uses Bolt's own OAuth flow with slack-sdk's file stores, configured the way an
operator configures a distributed app, so the stand-in's OAuth half is proven on its
own. ``python -m tests.sandbox.bolt_oauth_app DATA_DIR`` runs two workspaces with it and
prints the page's address (the browser test of the workspace switcher uses that).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import FileInstallationStore
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.oauth import AUTHORIZE_PATH
from bot.sandbox.runner import Sandbox

__all__ = ["bolt_app", "serve"]


def bolt_app(sandbox: Sandbox, store: Path) -> AsyncApp:
    """A distributed Bolt app, configured the way an operator configures one, pointed at the stand-in."""
    assert sandbox.credentials is not None
    app = AsyncApp(
        signing_secret=sandbox.signing_secret,
        client=AsyncWebClient(base_url=f"{sandbox.internal_url}/api/"),
        oauth_settings=AsyncOAuthSettings(
            client_id=sandbox.credentials.client_id,
            client_secret=sandbox.credentials.client_secret,
            scopes=sorted(sandbox.manifest.scopes),
            installation_store=FileInstallationStore(base_dir=str(store / "installations")),
            state_store=FileOAuthStateStore(expiration_seconds=600, base_dir=str(store / "states")),
            authorization_url=f"{sandbox.internal_url}{AUTHORIZE_PATH}",
        ),
    )

    @app.command("/mlorg")
    async def answer(
        ack: AsyncAck, command: dict[str, str], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        # Posted before the ack, so the message is there when the delivery returns.
        await client.chat_postMessage(channel=command["channel_id"], text=f"hello from {context.team_id}")
        await ack()

    return app


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def _main(data_dir: Path) -> None:
    sandbox = Sandbox(data_dir / "try", port=0, workspaces=2)
    await sandbox.start_standin()
    runner, url = await serve(bolt_app(sandbox, data_dir).web_app())
    await sandbox.attach_app(url)
    print(f"running: {sandbox.url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
    await sandbox.stop()


if __name__ == "__main__":
    asyncio.run(_main(Path(sys.argv[1])))
