"""The floor: the cheapest Bolt app that answers ``/mlorg``, to measure mlorg against.

Same slack-bolt ``AsyncApp``, same Web API client, same aiohttp server shape as
``mlorg serve --http`` (``POST /slack/events`` through Bolt's aiohttp adapter,
``GET /healthz``), but no database, no knowledge base, no routing: every
``/mlorg`` is acked with one fixed ephemeral card of about the size of an
``explain`` card (a header and eight sections of text, ~3 KB of JSON); a quiz
answer click is acked empty (the floor for ``bench/quiz_clicks.py``).

    SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... SLACK_API_URL=http://127.0.0.1:PORT/api/ \\
        python bench/floor_app.py --port 3100

Like the app, it calls ``auth.test`` once (on the first request) and stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import sys
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["CARD_BLOCKS", "CARD_TEXT", "build_floor", "main"]

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_REQUEST_BYTES = 1024 * 1024
SHUTDOWN_GRACE_SECONDS = 10.0

_PARAGRAPH = (
    "A fixed paragraph of mrkdwn text standing in for one section of a knowledge card. "
    "It is about as long as the sections mlorg renders for an archetype: a heading, "
    "a couple of bullet points and a sentence of context, nothing computed per request. "
    "One more sentence brings the whole card to the size of a real one."
)

CARD_TEXT = "The floor: a fixed card acked by a bare Bolt app."
CARD_BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": {"type": "plain_text", "text": ":straight_ruler: The floor", "emoji": True}},
    *(
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Section {number}*\n• {_PARAGRAPH}"}}
        for number in range(1, 9)
    ),
]


def build_floor(token: str, signing_secret: str, api_url: str) -> tuple[AsyncApp, web.Application]:
    """The Bolt app and the aiohttp application that serves it."""
    client = AsyncWebClient(token=token, base_url=api_url, timeout=10)
    bolt = AsyncApp(client=client, signing_secret=signing_secret, name="floor")

    @bolt.command("/mlorg")
    async def handle_mlorg(ack: AsyncAck) -> None:
        await ack(response_type="ephemeral", blocks=CARD_BLOCKS, text=CARD_TEXT)

    # The floor for state-changing clicks (bench/quiz_clicks.py): a quiz answer button, acked.
    @bolt.action(re.compile(r"^mlorg_quiz_answer:"))
    async def handle_answer(ack: AsyncAck) -> None:
        await ack()

    # The floor for questions (bench/run.py's "mention" scenario): acked by Bolt, then one fixed
    # reply in the thread, as mlorg posts its answer.
    @bolt.event("app_mention")
    async def handle_mention(event: dict[str, Any]) -> None:
        await client.chat_postMessage(
            channel=str(event["channel"]), thread_ts=str(event["ts"]), text=CARD_TEXT
        )

    async def handle_slack(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def handle_health(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app.router.add_post(EVENTS_PATH, handle_slack)
    app.router.add_get(HEALTH_PATH, handle_health)
    return bolt, app


async def _serve(app: web.Application, host: str, port: int) -> None:
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"floor listening on http://{host}:{port}{EVENTS_PATH}", file=sys.stderr, flush=True)
    await stop.wait()
    await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The benchmark floor: a bare Bolt app acking /mlorg.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3100)
    args = parser.parse_args(argv)
    missing = [name for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if not os.environ.get(name)]
    if missing:
        print(f"floor: {', '.join(missing)} not set", file=sys.stderr)
        return 2
    _, app = build_floor(
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
    )
    asyncio.run(_serve(app, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
