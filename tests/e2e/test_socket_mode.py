"""Socket Mode, proven against a local fake Socket Mode endpoint.

Slack's side is played by two fakes on 127.0.0.1: the Web API (``apps.connections.open``
hands out the websocket URL) and a websocket server that greets the app with ``hello``,
hands it a slash-command envelope and reads back its ack. The app runs first in-process
(the composition root plus Bolt's Socket Mode handler, as ``bot.serve`` wires them), then as
``mlorg serve`` with ``SLACK_APP_TOKEN`` set, the way an operator runs it, stopped by SIGTERM.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import build_app
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.fake_socket_mode import FakeSocketMode
from tests.e2e.harness import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, make_settings, sqlite_url
from tests.e2e.processes import ServeProcess, child_env, serve_command
from tests.e2e.slack_client import SlackPlatform, texts_of


@pytest.fixture
async def socket_endpoint(fake_slack: FakeSlack) -> AsyncIterator[FakeSocketMode]:
    endpoint = await FakeSocketMode().start()
    fake_slack.socket_url = endpoint.url
    yield endpoint
    await endpoint.stop()


def slash_command_payload(fake: FakeSlack, text: str, **kw: Any) -> dict[str, Any]:
    """The fields of a slash command, as Slack puts them in a Socket Mode envelope.

    They are the very fields of the HTTP form (built by the same helper), as JSON.
    """
    platform = SlackPlatform("unused", SIGNING_SECRET, fake.response_url(), team_id=fake.team_id)
    return dict(parse_qsl(platform.command_body(text, **kw)))


def mention_event(fake: FakeSlack, text: str, event_id: str) -> dict[str, Any]:
    platform = SlackPlatform("unused", SIGNING_SECRET, fake.response_url(), team_id=fake.team_id)
    event = {
        "type": "app_mention",
        "user": "U0001",
        "text": f"<@{fake.bot_user_id}> {text}",
        "ts": "1700000100.000100",
        "channel": "C0001",
        "event_ts": "1700000100.000100",
    }
    return platform.event_body(event, event_id=event_id)


def assert_rnd_card(ack: dict[str, Any], envelope_id: str) -> None:
    assert ack["envelope_id"] == envelope_id
    payload = ack.get("payload") or {}
    assert payload.get("response_type") == "ephemeral", ack
    assert any("Research and development" in text for text in texts_of(payload.get("blocks") or [])), ack


def assert_connected_with_app_token(fake: FakeSlack) -> None:
    opens = fake.calls_to("apps.connections.open")
    assert opens, f"the app never asked for a websocket URL; calls: {[c.method for c in fake.calls]}"
    assert all(call.headers.get("Authorization") == f"Bearer {APP_TOKEN}" for call in opens)


async def test_the_app_answers_a_slash_command_envelope_with_its_ack_in_process(
    fake_slack: FakeSlack, socket_endpoint: FakeSocketMode, tmp_path: Path
) -> None:
    mlorg = build_app(make_settings(fake_slack, sqlite_url(tmp_path), slack_app_token=APP_TOKEN))
    await mlorg.startup()
    handler = AsyncSocketModeHandler(mlorg.bolt, APP_TOKEN)
    try:
        await handler.connect_async()
        await socket_endpoint.wait_connected(timeout=10)
        assert_connected_with_app_token(fake_slack)

        envelope_id = await socket_endpoint.send_envelope(
            "slash_commands", slash_command_payload(fake_slack, "explain rnd")
        )

        assert_rnd_card(await socket_endpoint.wait_for_ack(envelope_id), envelope_id)
        await fake_slack.settle()
        assert len(socket_endpoint.acks_of(envelope_id)) == 1
        # The card went back in the ack: nothing was posted or sent to the response_url.
        assert not fake_slack.posts()
        assert not [c for c in fake_slack.calls if c.method.startswith("response_url:")]
    finally:
        await handler.close_async()
        await mlorg.shutdown()


def socket_mode_env(fake_slack: FakeSlack, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of ``mlorg serve`` in Socket Mode against the fake Slack, on a SQLite file."""
    return child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'mlorg.sqlite3'}",
        **extra,
    )


async def test_mlorg_serve_in_socket_mode_acks_over_the_websocket_and_stops_on_sigterm(
    fake_slack: FakeSlack, socket_endpoint: FakeSocketMode, tmp_path: Path
) -> None:
    env = socket_mode_env(fake_slack, tmp_path)
    app = ServeProcess(serve_command(http=False), env, tmp_path, name="socket-mode")
    try:
        app.start()
        await app.while_running(socket_endpoint.wait_connected(timeout=30))
        await app.wait_for_output("connected in Socket Mode", timeout=10)
        assert_connected_with_app_token(fake_slack)

        # A slash command: the answer is in the ack itself.
        command = await socket_endpoint.send_envelope(
            "slash_commands", slash_command_payload(fake_slack, "explain rnd")
        )
        assert_rnd_card(await socket_endpoint.wait_for_ack(command, timeout=15), command)

        # An event: acked with an empty payload, answered with a post; a redelivery changes nothing.
        body = mention_event(fake_slack, "what's the downside of an R&D org?", "EvSOCKET0001")
        first = await socket_endpoint.send_envelope("events_api", body, accepts_response_payload=False)
        assert (await socket_endpoint.wait_for_ack(first))["envelope_id"] == first
        [post] = await fake_slack.wait_for("chat.postMessage")
        assert post.args["channel"] == "C0001"
        again = await socket_endpoint.send_envelope("events_api", body, accepts_response_payload=False)
        await socket_endpoint.wait_for_ack(again)
        await fake_slack.settle()
        assert len(fake_slack.posts()) == 1

        assert await app.stop(timeout=15) == 0
        await socket_endpoint.wait_disconnected(timeout=5)
    finally:
        app.kill()

    assert "stopped" in app.stderr, app.describe()
    assert "Traceback" not in app.output, app.describe()
    for secret in (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN):
        assert secret not in app.output, f"a secret leaked into the logs: {app.describe()}"
