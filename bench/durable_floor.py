"""The durable floor: the cheapest Bolt app that stores a quiz answer before acking it.

``floor_app.py`` acks a click without doing anything, which no app that keeps state
can match. This floor does the least work a durable app must: it imports the same
stack as mlorg (slack-bolt, pydantic-settings, SQLAlchemy's asyncio layer and the
same drivers), reads its settings with pydantic-settings, opens the same database
with the same tuning (SQLite: WAL, ``synchronous=NORMAL``, a busy timeout, one
pooled connection, ``BEGIN IMMEDIATE``; PostgreSQL: a small pool with pre-ping), and
for each quiz answer click runs one ``INSERT … ON CONFLICT DO NOTHING`` on the same
unique key as mlorg's ``quiz_answers`` (team, quiz, position, user), committed before
``ack()``. ``/mlorg`` is acked with the same fixed card as ``floor_app.py``; ``/healthz``
runs ``SELECT 1`` like mlorg's.

It is also the **event floor**: every event's id is claimed with one
``INSERT … ON CONFLICT DO NOTHING RETURNING`` on (team, event id), committed before Bolt
acks (a middleware, as any app that answers a retried event once must), and a mention is
answered after the ack with one fixed reply in its thread. ``bench/events.py`` compares
mlorg's mentions with it.

It is what ``bench/quiz_clicks.py`` compares mlorg's clicks with, and what ``run.py``
compares start-up and memory with (DESIGN.md, "Performance expectations").

    SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... DATABASE_URL=sqlite:///floor.sqlite3 \\
        python bench/durable_floor.py --port 3100
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from floor_app import CARD_BLOCKS, CARD_TEXT, EVENTS_PATH, HEALTH_PATH, MAX_REQUEST_BYTES
from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = ["TABLE", "build_durable_floor", "main"]

TABLE = "floor_quiz_answers"
EVENTS_TABLE = "floor_events"
SHUTDOWN_GRACE_SECONDS = 10.0
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


class FloorSettings(BaseSettings):
    """Read once from the environment, as mlorg reads its own."""

    model_config = SettingsConfigDict(extra="ignore")

    slack_bot_token: SecretStr
    slack_signing_secret: SecretStr
    slack_api_url: str = "https://slack.com/api/"
    database_url: str


def _engine(url: str) -> AsyncEngine:
    scheme, _, rest = url.partition("://")
    normalized = f"{_ASYNC_DRIVERS.get(scheme, scheme)}://{rest}"
    if normalized.startswith("sqlite"):
        engine = create_async_engine(normalized, pool_size=1, max_overflow=0, pool_timeout=60)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(normalized, pool_size=5, max_overflow=5, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("busy_timeout = 5000", "journal_mode = WAL", "synchronous = NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    team_id TEXT NOT NULL, quiz_id TEXT NOT NULL, position INTEGER NOT NULL, user_id TEXT NOT NULL,
    option_id TEXT NOT NULL, answered_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (team_id, quiz_id, position, user_id)
)"""
_CREATE_EVENTS = f"""
CREATE TABLE IF NOT EXISTS {EVENTS_TABLE} (
    team_id TEXT NOT NULL, event_id TEXT NOT NULL, received_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (team_id, event_id)
)"""
_CLAIM = text(
    f"INSERT INTO {EVENTS_TABLE} (team_id, event_id, received_at) VALUES (:team_id, :event_id, :received_at) "
    "ON CONFLICT (team_id, event_id) DO NOTHING RETURNING event_id"
)
_INSERT = text(
    f"INSERT INTO {TABLE} (team_id, quiz_id, position, user_id, option_id, answered_at) "
    "VALUES (:team_id, :quiz_id, :position, :user_id, :option_id, :answered_at) "
    "ON CONFLICT (team_id, quiz_id, position, user_id) DO NOTHING"
)


def build_durable_floor(settings: FloorSettings) -> tuple[AsyncApp, web.Application, AsyncEngine]:
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url, timeout=10
    )
    bolt = AsyncApp(
        client=client, signing_secret=settings.slack_signing_secret.get_secret_value(), name="durable-floor"
    )
    engine = _engine(settings.database_url)

    @bolt.middleware
    async def claim_event(body: dict[str, Any], next: Any) -> BoltResponse | None:
        """The least an app must do to answer each event once: claim its id before the ack."""
        if body.get("type") == "event_callback" and body.get("event_id"):
            async with engine.begin() as connection:
                won = (
                    await connection.execute(
                        _CLAIM,
                        {
                            "team_id": body["team_id"],
                            "event_id": body["event_id"],
                            "received_at": time.time(),
                        },
                    )
                ).first()
            if won is None:
                return BoltResponse(status=200, body="")
        await next()
        return None

    @bolt.command("/mlorg")
    async def handle_mlorg(ack: AsyncAck) -> None:
        await ack(response_type="ephemeral", blocks=CARD_BLOCKS, text=CARD_TEXT)

    @bolt.action(re.compile(r"^mlorg_quiz_answer:"))
    async def handle_answer(ack: AsyncAck, body: dict[str, Any]) -> None:
        action = body["actions"][0]
        quiz_id, position, option_id = str(action["value"]).split("|")[:3]
        async with engine.begin() as connection:
            await connection.execute(
                _INSERT,
                {
                    "team_id": body["team"]["id"],
                    "quiz_id": quiz_id,
                    "position": int(position),
                    "user_id": body["user"]["id"],
                    "option_id": option_id,
                    "answered_at": time.time(),
                },
            )
        await ack()  # only now: the answer is stored

    @bolt.event("app_mention")
    async def handle_mention(event: dict[str, Any]) -> None:
        await client.chat_postMessage(
            channel=str(event["channel"]), thread_ts=str(event["ts"]), text=CARD_TEXT
        )

    async def handle_slack(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def handle_health(_request: web.Request) -> web.Response:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app.router.add_post(EVENTS_PATH, handle_slack)
    app.router.add_get(HEALTH_PATH, handle_health)
    return bolt, app, engine


async def _serve(app: web.Application, engine: AsyncEngine, host: str, port: int) -> None:
    async with engine.begin() as connection:  # the floor's "migration": one table
        await connection.exec_driver_sql(_CREATE)
        await connection.exec_driver_sql(_CREATE_EVENTS)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"durable floor listening on http://{host}:{port}{EVENTS_PATH}", file=sys.stderr, flush=True)
    await stop.wait()
    await runner.cleanup()
    await engine.dispose()


async def stored_answers(database_url: str) -> int:
    """How many answers the floor stored (the bench checks one per player)."""
    engine = _engine(database_url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(text(f"SELECT count(*) FROM {TABLE}"))).scalar_one())
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The durable floor: a bare Bolt app storing each answer.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3100)
    args = parser.parse_args(argv)
    try:
        settings = FloorSettings()  # type: ignore[call-arg]  # read from the environment
    except ValidationError as error:
        names = sorted({str(e["loc"][0]).upper() for e in error.errors() if e["loc"]})
        print(f"durable floor: missing or malformed: {', '.join(names)}", file=sys.stderr)
        return 2
    _, app, engine = build_durable_floor(settings)
    asyncio.run(_serve(app, engine, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
