"""What an operator sees: ``/metrics`` after real traffic, and one log line per request.

The app runs in process (and, for the separate metrics port and Socket Mode, as ``mlorg
serve``) against the fake Slack; the tests read the Prometheus page the way Prometheus does,
with prometheus-client's own parser, and the log lines the way a log shipper does.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.observability.logs import JsonFormatter, RequestContextFilter
from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.e2e.fake_socket_mode import FakeSocketMode
from tests.e2e.harness import BOT_TOKEN, SIGNING_SECRET, RunningApp
from tests.e2e.processes import ServeProcess, child_env, free_port, serve_command
from tests.e2e.slack_client import SlackPlatform
from tests.e2e.test_quiz import answer, start_quiz, store_of
from tests.e2e.test_socket_mode import slash_command_payload, socket_mode_env

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(base_url: str) -> Samples:
    """``GET /metrics``, parsed: (sample name, labels) -> value."""
    async with aiohttp.ClientSession() as session, session.get(f"{base_url}/metrics") as response:
        assert response.status == 200, await response.text()
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def mention(text: str) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": "U0001",
        "text": f"<@UBOT> {text}",
        "ts": "1700000100.000100",
        "channel": "C0001",
        "event_ts": "1700000100.000100",
    }


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The app's log lines as ``MLORG_LOG_FORMAT=json`` writes them, captured in memory."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def lines_of(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


async def test_an_explain_command_is_counted_and_its_ack_latency_observed_under_its_kind(
    app: RunningApp, slack: SlackPlatform
) -> None:
    before = await scrape(app.base_url)

    assert (await slack.command("explain rnd")).status == 200
    assert (await slack.command("no-such-subcommand 12345")).status == 200

    after = await scrape(app.base_url)
    kind = {"kind": "command:explain"}
    assert value(after, "mlorg_requests_total", **kind) - value(before, "mlorg_requests_total", **kind) == 1
    assert value(after, "mlorg_ack_seconds_count", **kind) == 1
    assert value(after, "mlorg_ack_seconds_bucket", kind="command:explain", le="+Inf") == 1
    # An unknown subcommand is a bounded "other", never its own label.
    assert value(after, "mlorg_requests_total", kind="command:other") == 1
    assert not [labels for (name, labels) in after if ("kind", "command:no-such-subcommand") in labels]
    assert value(after, "mlorg_request_errors_total", **kind) == 0
    # Process metrics and database figures are on the same page.
    assert value(after, "process_cpu_seconds_total") > 0
    assert value(after, "mlorg_database_up") == 1


async def test_a_quiz_answer_click_and_the_running_quiz_show_in_the_metrics(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    _, quiz, question = await start_quiz(slack, fake_slack, store_of(app), "")
    await answer(slack, fake_slack, quiz, question, "U0001", right=True)

    samples = await scrape(app.base_url)

    assert value(samples, "mlorg_requests_total", kind="command:quiz") == 1
    assert value(samples, "mlorg_requests_total", kind="action:quiz_answer") == 1
    assert value(samples, "mlorg_ack_seconds_count", kind="action:quiz_answer") == 1
    assert value(samples, "mlorg_quizzes_running") == 1
    assert value(samples, "mlorg_slack_api_calls_total", method="chat.postMessage", outcome="ok") >= 2


async def test_failing_web_api_calls_are_counted_by_method_and_outcome_and_retries_by_reason(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    fake_slack.script(
        "chat.postMessage",
        Scripted(status=500, body={"ok": False, "error": "internal_error"}),
        Scripted(status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "0"}),
    )
    assert (await slack.event(mention("what is an embedded team?"))).status == 200
    await fake_slack.wait_for("chat.postMessage", 3)

    fake_slack.script("chat.postMessage", Scripted(body={"ok": False, "error": "channel_not_found"}))
    assert (await slack.event(mention("and a centralized one?"))).status == 200
    await fake_slack.wait_for("chat.postMessage", 4)
    await fake_slack.settle()

    samples = await scrape(app.base_url)
    calls = {
        outcome: value(samples, "mlorg_slack_api_calls_total", method="chat.postMessage", outcome=outcome)
        for outcome in ("http_5xx", "rate_limited", "ok", "channel_not_found")
    }
    assert calls == {"http_5xx": 1, "rate_limited": 1, "ok": 1, "channel_not_found": 1}
    assert value(samples, "mlorg_slack_api_retries_total", method="chat.postMessage", reason="http_5xx") == 1
    retried = value(
        samples, "mlorg_slack_api_retries_total", method="chat.postMessage", reason="rate_limited"
    )
    assert retried == 1
    # The Slack error reached the global error handler: an error of that request's kind.
    assert value(samples, "mlorg_request_errors_total", kind="event:app_mention") == 1
    assert value(samples, "mlorg_requests_total", kind="event:app_mention") == 2


async def test_json_log_lines_carry_the_request_and_lines_after_the_ack_keep_its_id(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack, json_logs: io.StringIO
) -> None:
    fake_slack.script("chat.postMessage", Scripted(body={"ok": False, "error": "channel_not_found"}))

    assert (await slack.event(mention("why do researchers never ship?"))).status == 200
    await fake_slack.wait_for("chat.postMessage")
    await fake_slack.settle()

    lines = lines_of(json_logs)
    [request] = [line for line in lines if line["logger"] == "mlorg.requests"]
    assert request["kind"] == "event:app_mention"
    assert request["team"] == "T0001"
    assert request["outcome"] == "ok" and request["status"] == 200
    assert isinstance(request["duration_ms"], float | int) and request["duration_ms"] >= 0
    assert len(request["request_id"]) >= 8
    # The Web API call failed after the ack, in the listener's own task: same request id.
    after_ack = [line for line in lines if "channel_not_found" in line["message"]]
    assert after_ack, lines
    assert {line["request_id"] for line in after_ack} == {request["request_id"]}
    # Nothing the person wrote is in any line.
    assert not [line for line in lines if "researchers" in json.dumps(line)]


async def test_a_forged_request_is_logged_as_unauthorized_without_inventing_labels(
    app: RunningApp, fake_slack: FakeSlack, json_logs: io.StringIO
) -> None:
    async with SlackPlatform(app.url, "not-the-secret", fake_slack.response_url()) as forger:
        payload = forger.action_payload({"action_id": "mlorg_attacker_chosen_id", "value": "x"})
        assert (await forger.interact(payload)).status == 401

    samples = await scrape(app.base_url)

    # Refused before anything reads the body, so it is counted by why, not by what it claims.
    assert value(samples, "mlorg_requests_total", kind="unverified") == 1
    assert not [
        labels for name, labels in samples if name == "mlorg_requests_total" and "attacker" in str(labels)
    ]
    [request] = [line for line in lines_of(json_logs) if line["logger"] == "mlorg.requests"]
    assert request["outcome"] == "unauthorized" and request["kind"] == "unverified"


@pytest.fixture
async def socket_endpoint(fake_slack: FakeSlack) -> AsyncIterator[FakeSocketMode]:
    endpoint = await FakeSocketMode().start()
    fake_slack.socket_url = endpoint.url
    yield endpoint
    await endpoint.stop()


async def test_metrics_port_serves_metrics_alone_and_json_logs_are_one_object_per_line(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port, metrics_port = free_port(), free_port()
    env = child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'mlorg.sqlite3'}",
        MLORG_METRICS_PORT=str(metrics_port),
        MLORG_LOG_FORMAT="json",
    )
    main_url, metrics_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}"
    async with ServeProcess(serve_command(port=port), env, tmp_path) as app:
        await app.wait_healthy(main_url)
        async with SlackPlatform(
            f"{main_url}/slack/events", SIGNING_SECRET, fake_slack.response_url()
        ) as slack:
            assert (await slack.command("explain rnd")).status == 200

        samples = await app.while_running(scrape(metrics_url))
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{main_url}/metrics") as response:
                assert response.status == 404, "metrics moved to their own port"
            async with session.get(f"{metrics_url}/healthz") as response:
                assert response.status == 200
        assert await app.stop() == 0

    assert value(samples, "mlorg_requests_total", kind="command:explain") == 1
    lines = [json.loads(line) for line in app.stderr.splitlines() if line.strip()]
    [request] = [line for line in lines if line["logger"] == "mlorg.requests"]
    assert request["kind"] == "command:explain" and request["outcome"] == "ok"
    assert any(line["message"] == "stopped" for line in lines)


async def test_socket_mode_serves_metrics_only_on_the_metrics_port_when_asked(
    fake_slack: FakeSlack, socket_endpoint: FakeSocketMode, tmp_path: Path
) -> None:
    metrics_port = free_port()
    env = socket_mode_env(fake_slack, tmp_path, MLORG_METRICS_PORT=str(metrics_port))
    metrics_url = f"http://127.0.0.1:{metrics_port}"
    async with ServeProcess(serve_command(http=False), env, tmp_path, name="socket-mode") as app:
        await app.while_running(socket_endpoint.wait_connected(timeout=30))
        envelope = await socket_endpoint.send_envelope(
            "slash_commands", slash_command_payload(fake_slack, "explain rnd")
        )
        await socket_endpoint.wait_for_ack(envelope, timeout=15)
        await app.wait_healthy(metrics_url)

        samples = await app.while_running(scrape(metrics_url))
        assert await app.stop() == 0

    assert value(samples, "mlorg_requests_total", kind="command:explain") == 1
    assert value(samples, "mlorg_ack_seconds_count", kind="command:explain") == 1
    # The text format: one line per request, with its id, kind, team, status, outcome and duration.
    [line] = [line for line in app.stderr.splitlines() if " mlorg.requests " in line]
    assert "command:explain from T0001: 200 ok in " in line and " ms" in line
    assert "[-]" not in line, "the line names its request id"


async def test_socket_mode_without_a_metrics_port_serves_no_metrics(
    fake_slack: FakeSlack, socket_endpoint: FakeSocketMode, tmp_path: Path
) -> None:
    env = socket_mode_env(fake_slack, tmp_path)
    async with ServeProcess(serve_command(http=False), env, tmp_path, name="socket-mode") as app:
        await app.while_running(socket_endpoint.wait_connected(timeout=30))
        await app.wait_for_output("connected in Socket Mode", timeout=10)
        assert await app.stop() == 0

    assert "metrics on" not in app.stderr
