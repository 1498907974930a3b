"""Arbitrary text against the escaping and the command parser; settings that fail kindly.

Whatever a person types after ``/mlorg`` reaches the parser, the topic lookup and
(escaped) the reply. Hypothesis throws arbitrary text at all three: nothing raises,
every request is acked exactly once, and nothing the user typed comes back live.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Mlorg, build_app
from bot.commands import CommandRouter
from bot.settings import ConfigError, Settings, load_settings
from bot.slack_text import clip, escape, quote_user_text
from bot.slack_text import unescape as read_as_typed
from knowledge import load_knowledge
from knowledge.answering import Answerer

KB = load_knowledge()
ANSWERER = Answerer(KB)
SETTINGS_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "MLORG_ADMINS",
    "MLORG_KNOWLEDGE_DIR",
    "MLORG_PORT",
    "PORT",
)
_ENTITY = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}


def unescape(text: str) -> str:
    """Slack's reading of an escaped string (one pass, so ``&amp;lt;`` stays ``&lt;``)."""
    return _ENTITY.sub(lambda m: _UNESCAPED[m.group(1)], text)


def app_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": "test-signing-secret",
        "slack_api_url": "http://127.0.0.1:9/api/",
        "database_url": "sqlite:///never-opened-by-these-tests.sqlite3",
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@functools.cache
def the_app() -> Mlorg:
    """The real composition root's app; these tests only use its router, which never touches the store."""
    return build_app(app_settings(), kb=KB)


def the_router() -> CommandRouter:
    return the_app().commands


# -- strategies ------------------------------------------------------------------------------------

HOSTILE = [
    "<!channel>",
    "<!here>",
    "<@U999>",
    "<#C999|general>",
    "<https://evil.example|click me>",
    "&",
    "<",
    ">",
]
MEANINGFUL = [
    "explain",
    "compare",
    "help",
    "vs",
    "show",
    "?",
    "r&d",
    "rnd",
    "embedded",
    "independent",
    "ml-first",
    "3",
    "data ownership",
    "with",
    ",",
    "/",
]
words = st.one_of(st.sampled_from(HOSTILE + MEANINGFUL), st.text(max_size=15))
command_text = st.one_of(
    st.text(max_size=300),
    st.lists(words, max_size=12).map(" ".join),
    st.lists(words, max_size=6).map(lambda parts: "explain " + " ".join(parts)),
    st.lists(words, max_size=6).map(lambda parts: "compare " + " ".join(parts)),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- escaping --------------------------------------------------------------------------------------


@given(st.text())
def test_escape_leaves_no_angle_bracket_and_round_trips(text: str) -> None:
    escaped = escape(text)

    assert "<" not in escaped and ">" not in escaped
    assert unescape(escaped) == text
    assert all(m.group(0) in {"&amp;", "&lt;", "&gt;"} for m in re.finditer(r"&[^;]*;?", escaped))


def test_escape_handles_the_three_characters_slack_names() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape("&lt;") == "&amp;lt;"
    assert escape("<!channel>") == "&lt;!channel&gt;"


@given(st.text(), st.integers(min_value=1, max_value=500))
def test_clip_keeps_text_within_the_limit(text: str, limit: int) -> None:
    clipped = clip(text, limit)

    assert len(clipped) <= limit
    if len(text) <= limit:
        assert clipped == text
    else:
        assert clipped.endswith("…") and text.startswith(clipped[:-1])


@given(st.lists(st.sampled_from(HOSTILE) | st.text(), max_size=10).map("".join), st.integers(1, 200))
def test_quoted_user_text_can_never_mention_or_link(text: str, limit: int) -> None:
    quoted = quote_user_text(text, limit)

    for live in ("<!", "<@", "<#", "<http", "<"):
        assert live not in quoted
    assert "\n" not in quoted
    assert len(unescape(quoted)) <= limit


# -- the command parser ----------------------------------------------------------------------------


@FAST
@given(command_text)
def test_resolve_never_raises_and_returns_the_rest_of_the_text(text: str) -> None:
    sub, rest = the_router().resolve(text)

    assert rest in text
    if sub is None:
        assert rest == text.strip()
    else:
        first = text.split()[0].lower() if text.strip() else "help"
        assert first in (sub.name, *sub.aliases)


@given(st.sampled_from(["explain", "compare", "help", "show", "vs"]), st.text(max_size=100))
def test_resolve_hands_a_subcommand_only_the_text_after_it(name: str, tail: str) -> None:
    sub, rest = the_router().resolve(f"  {name.upper()} {tail}")

    assert sub is not None
    assert name in (sub.name, *sub.aliases)
    assert rest == tail.strip()


@pytest.mark.parametrize("name", ["explain", "compare", "help"])
def test_a_subcommand_alone_gets_no_text(name: str) -> None:
    """Regression: ``/mlorg explain`` used to look up a topic called "explain"."""
    sub, rest = the_router().resolve(name)

    assert sub is not None and sub.name == name
    assert rest == ""


def test_unknown_words_are_left_for_the_topic_fallback() -> None:
    assert the_router().resolve("  r&d  ") == (None, "r&d")


class RecordingAck:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def dispatch(text: str) -> dict[str, Any]:
    """Route ``/mlorg text`` through the real router and return what it acked with."""
    ack = RecordingAck()
    body = {"text": text, "team_id": "T1", "user_id": "U1", "channel_id": "C1", "trigger_id": "1.2"}

    async def go() -> None:
        await the_router().dispatch(body=body, ack=ack, respond=None, client=None)  # type: ignore[arg-type]

    asyncio.run(go())
    assert len(ack.calls) == 1, f"acked {len(ack.calls)} times for {text!r}"
    return ack.calls[0]


@FAST
@given(command_text)
def test_dispatch_never_raises_acks_once_and_echoes_nothing_live(text: str) -> None:
    acked = dispatch(text)

    assert acked.get("response_type") == "ephemeral"
    assert acked.get("text")
    blocks = acked.get("blocks") or []
    assert len(blocks) <= 50
    shown = json.dumps(acked, ensure_ascii=False)
    assert "<" not in shown, "no mention, channel ping or link can come from the user's text"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "explain",
        "compare",
        "help",
        "frobnicate",
        "explian",
        "explain " + "x" * 10_000,
        "compare " + " " * 20_000,
    ],
)
def test_dispatch_answers_the_edge_cases(text: str) -> None:
    acked = dispatch(text)

    assert acked.get("response_type") == "ephemeral"
    assert acked.get("text") or acked.get("blocks")


@FAST
@given(st.text(max_size=1000))
def test_knowledge_lookups_never_raise(text: str) -> None:
    lookup = KB.find(text)
    left, right = KB.find_pair(text)
    result = ANSWERER.answer(text)

    assert lookup.topic is None or KB.get(lookup.topic.id) is lookup.topic
    assert all(KB.get(s.id) is s for s in lookup.suggestions)
    assert left.topic is None or KB.get(left.topic.id) is not None
    assert right.topic is None or KB.get(right.topic.id) is not None
    assert result.answered or not result.facts
    assert all(fact.text and KB.get(fact.topic.id) is not None for fact in result.facts)


# -- settings --------------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No mlorg variable set and no ``.env`` to read: each test sets exactly what it needs."""
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def assert_one_line_naming(error: ConfigError, variable: str) -> None:
    message = str(error)
    assert variable in message
    assert "\n" not in message
    assert error.__cause__ is None and error.__suppress_context__, "no chained error that may quote input"


@pytest.mark.parametrize("value", ["abc", "0", "70000", "-1", "3000.5"])
def test_a_malformed_port_names_mlorg_port(clean_env: pytest.MonkeyPatch, value: str) -> None:
    clean_env.setenv("MLORG_PORT", value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert_one_line_naming(caught.value, "MLORG_PORT")
    assert "port number" in str(caught.value)


def test_a_good_port_is_read(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MLORG_PORT", "8123")

    assert load_settings().port == 8123


def test_a_malformed_bot_token_is_named_but_never_shown(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", "secret-value-123")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert_one_line_naming(caught.value, "SLACK_BOT_TOKEN")
    assert "secret-value-123" not in str(caught.value)
    assert "secret-value-123" not in repr(caught.value)
    assert "xoxb-" in str(caught.value), "says what is expected"


def test_a_malformed_app_token_is_named_but_never_shown(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_APP_TOKEN", "xoxb-not-an-app-token-987")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert_one_line_naming(caught.value, "SLACK_APP_TOKEN")
    assert "not-an-app-token-987" not in str(caught.value)


@pytest.mark.parametrize(
    ("present", "socket_mode", "missing"),
    [
        ({}, False, "SLACK_BOT_TOKEN"),
        ({"slack_bot_token": "xoxb-1"}, False, "SLACK_SIGNING_SECRET"),
        ({"slack_signing_secret": "s"}, False, "SLACK_BOT_TOKEN"),
        ({"slack_bot_token": "xoxb-1", "slack_signing_secret": "s"}, True, "SLACK_APP_TOKEN"),
    ],
)
def test_require_slack_names_the_missing_variable(
    clean_env: pytest.MonkeyPatch, present: dict[str, str], socket_mode: bool, missing: str
) -> None:
    configured = Settings(_env_file=None, **present)  # type: ignore[call-arg]

    with pytest.raises(ConfigError) as caught:
        configured.require_slack(socket_mode=socket_mode)

    assert str(caught.value).startswith(f"{missing} is not set")
    assert "\n" not in str(caught.value)


def test_require_slack_passes_when_everything_is_there(clean_env: pytest.MonkeyPatch) -> None:
    configured = Settings(  # type: ignore[call-arg]
        _env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s", slack_app_token="xapp-1"
    )

    configured.require_slack(socket_mode=True)
    configured.require_slack(socket_mode=False)


def test_build_app_without_a_signing_secret_names_it(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        build_app(app_settings(slack_signing_secret=None), kb=KB)


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("mysql://u:pw@h/db", "pw"),
        ("mysql://admin:hunter2-very-secret@db.example:3306/mlorg", "hunter2-very-secret"),
        ("sqlite://u:hunter2-very-secret@host/x.db", "hunter2-very-secret"),
        ("not a url hunter2-very-secret", "hunter2-very-secret"),
    ],
)
def test_a_bad_database_url_names_database_url_without_the_password(
    clean_env: pytest.MonkeyPatch, url: str, secret: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        build_app(app_settings(database_url=url), kb=KB)

    assert_one_line_naming(caught.value, "DATABASE_URL")
    assert secret not in str(caught.value)


@given(st.text())
def test_unescape_undoes_slacks_escaping_exactly_once(text: str) -> None:
    assert read_as_typed(escape(text)) == text
    assert escape(read_as_typed(escape(text))) == escape(text)


def test_unescape_decodes_each_entity_once() -> None:
    assert read_as_typed("R&amp;D &lt;!channel&gt; &amp;lt;") == "R&D <!channel> &lt;"


@given(st.text(alphabet="&<>;ltgamp ", max_size=40))
def test_the_apps_unescape_reads_like_slack(text: str) -> None:
    assert read_as_typed(text) == unescape(text)
