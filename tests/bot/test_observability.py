"""Observability pieces on their own: request kinds stay a small fixed set whatever arrives,
settings for metrics and logs are validated, and a scrape never waits on a stuck database."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Mlorg, build_app
from bot.observability import metrics as metrics_module
from bot.observability.kinds import RequestKinds, team_of
from bot.observability.logs import JsonFormatter, RequestContextFilter, RequestInfo, current_request
from bot.observability.metrics import Metrics, StoreFigures
from bot.settings import ConfigError, Settings, load_settings
from knowledge import load_knowledge

KB = load_knowledge()


@functools.cache
def the_app() -> Mlorg:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret="test-signing-secret",
        slack_api_url="http://127.0.0.1:9/api/",
        database_url="sqlite:///never-opened-by-these-tests.sqlite3",
    )
    return build_app(settings, kb=KB)


def kinds() -> RequestKinds:
    app = the_app()
    return RequestKinds(app.commands, app.actions)


def every_kind() -> set[str]:
    """The whole label set a request can produce."""
    app = the_app()
    names = {sub.name for sub in app.commands.subcommands}
    actions = {a.removeprefix("mlorg_").rstrip(":") for a in app.actions.action_ids}
    return (
        {f"command:{n}" for n in (*names, "other")}
        | {f"action:{a}" for a in (*actions, "other")}
        | {f"{family}:{v}" for family in ("view", "view_closed") for v in ("config", "diagnosis", "other")}
        | {f"event:{e}" for e in ("app_mention", "message", "app_home_opened", "tokens_revoked")}
        | {"event:app_uninstalled", "event:other", "url_verification", "other"}
    )


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"command": "/mlorg", "text": "explain rnd"}, "command:explain"),
        ({"command": "/mlorg", "text": ""}, "command:help"),
        ({"command": "/mlorg", "text": "T0123 U0456 please"}, "command:other"),
        ({"type": "block_actions", "actions": [{"action_id": "mlorg_quiz_answer:b"}]}, "action:quiz_answer"),
        ({"type": "block_actions", "actions": [{"action_id": "mlorg_quiz_next"}]}, "action:quiz_next"),
        ({"type": "block_actions", "actions": [{"action_id": "U0456"}]}, "action:other"),
        ({"type": "view_submission", "view": {"callback_id": "mlorg_config"}}, "view:config"),
        ({"type": "view_submission", "view": {"callback_id": "T0123"}}, "view:other"),
        ({"type": "event_callback", "event": {"type": "app_mention"}}, "event:app_mention"),
        ({"type": "event_callback", "event": {"type": "reaction_added"}}, "event:other"),
        ({"type": "event_callback", "event": "not a dict"}, "event:other"),
        ({"type": "block_actions", "actions": "junk"}, "action:other"),
        ({}, "other"),
    ],
)
def test_a_request_is_named_by_what_it_asks_for(body: dict[str, Any], kind: str) -> None:
    assert kinds().classify(body) == kind


@given(
    st.dictionaries(
        st.sampled_from(["command", "text", "type", "actions", "view", "event", "team_id"]),
        st.recursive(
            st.none() | st.text(max_size=30) | st.integers(),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
            ),
            max_leaves=8,
        ),
    )
)
def test_whatever_arrives_the_kind_is_one_of_a_fixed_few(body: dict[str, Any]) -> None:
    for shaped in (body, {**body, "type": "block_actions"}, {**body, "type": "event_callback"}):
        assert kinds().classify(shaped) in every_kind()


@pytest.mark.parametrize(
    ("body", "team"),
    [
        ({"team_id": "T0001"}, "T0001"),
        ({"team": {"id": "T0002"}}, "T0002"),
        ({"team_id": "T1\n2024-01-01 INFO forged line"}, "-"),
        ({"team_id": "x" * 300}, "-"),
        ({}, "-"),
    ],
)
def test_the_team_in_a_log_line_is_a_slack_id_or_a_dash(body: dict[str, Any], team: str) -> None:
    assert team_of(body) == team


# -- settings ------------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ("MLORG_METRICS_PORT", "MLORG_LOG_FORMAT", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MLORG_METRICS_PORT", "abc"),
        ("MLORG_METRICS_PORT", "70000"),
        ("MLORG_LOG_FORMAT", "xml"),
        ("PROMETHEUS_MULTIPROC_DIR", "/no/such/directory"),
    ],
)
def test_a_malformed_observability_setting_is_named_in_one_line(
    clean_env: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    clean_env.setenv(variable, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    message = str(caught.value)
    assert message.startswith(f"{variable} is malformed: expected ") and "\n" not in message


def test_observability_settings_default_to_text_logs_and_metrics_on_the_main_port(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("MLORG_METRICS_PORT", "")
    clean_env.setenv("MLORG_LOG_FORMAT", " JSON ")

    settings = load_settings()

    assert settings.mlorg_metrics_port is None
    assert settings.mlorg_log_format == "json"


# -- logs ------------------------------------------------------------------------------------------


def test_a_json_line_carries_the_request_id_of_the_context_it_was_written_in() -> None:
    record = logging.LogRecord("mlorg", logging.INFO, __file__, 1, "hello %s", ("there",), None)
    token = current_request.set(RequestInfo("abc123", "command:explain", "T0001"))
    try:
        RequestContextFilter().filter(record)
    finally:
        current_request.reset(token)

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "hello there"
    assert line["request_id"] == "abc123"
    assert line["level"] == "INFO"


# -- the metrics page ---------------------------------------------------------------------------------


async def test_a_scrape_answers_with_database_down_when_the_database_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(metrics_module, "STORE_DEADLINE_SECONDS", 0.05)
    never = asyncio.Event()

    async def stuck() -> StoreFigures:
        await never.wait()
        return StoreFigures()

    metrics = Metrics()
    metrics.read_store_with(stuck, lambda: datetime.now(UTC))
    try:
        page = (await metrics.render()).decode()
    finally:
        metrics.close()

    values = {
        sample.name: sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }
    assert values["mlorg_database_up"] == 0
    assert values["mlorg_quizzes_running"] == 0
