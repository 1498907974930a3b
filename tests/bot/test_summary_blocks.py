"""The summary's Block Kit: pure builders within Slack's limits, and the settings form's rules.

Slack rejects a whole message or modal when one limit is broken, so every surface is
built for an empty, a small and a full summary (and for odd channel names) and measured
against the limits. The settings modal is read back through ``_read_config``, the function
that turns what Slack submits into settings and per-field errors.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.features.summary import ids
from bot.features.summary.blocks import (
    WEEKDAYS,
    build_config_modal,
    build_preview,
    build_summary_blocks,
    build_summary_message,
    summary_text,
)
from bot.features.summary.listeners import _read_config, parse_channel
from bot.store import WorkspaceConfig
from knowledge import load_knowledge
from knowledge.quiz import QuestionBank
from knowledge.summary import Period, Summary, build_summary

KB = load_knowledge()
END = datetime(2024, 5, 13, 9, 0, tzinfo=UTC)
PERIOD = Period.ending(END)
TEAM = "T0001"

MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255
MAX_MODAL_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_OPTION_TEXT = 75


# -- summaries to render -------------------------------------------------------------------------------


def _answers(n: int) -> dict[str, str]:
    """A varied but deterministic set of answers for person ``n``."""
    return {q.id: q.options[(n + i) % (len(q.options) - 1)].id for i, q in enumerate(KB.questions)}


def _people(count: int, offset: int = 0) -> list[tuple[dict[str, str], str | None]]:
    roles: list[str | None] = ["leader", "contributor", None]
    return [(_answers(n + offset), roles[n % 3]) for n in range(count)]


def _quiz(players: int) -> list[tuple[str, str, str, bool]]:
    items = QuestionBank(KB).items
    return [
        (item.id, item.topic, f"U{p:04d}", (p + i) % 3 == 0)
        for i, item in enumerate(items[:60])
        for p in range(players)
    ]


def empty_summary() -> Summary:
    return build_summary(KB, period=PERIOD, diagnoses=[])


def small_summary() -> Summary:
    return build_summary(KB, period=PERIOD, diagnoses=_people(2), quiz_records=_quiz(2))


def full_summary() -> Summary:
    return build_summary(
        KB, period=PERIOD, diagnoses=_people(60), previous=_people(40, offset=3), quiz_records=_quiz(25)
    )


SUMMARIES = {"empty": empty_summary, "small": small_summary, "full": full_summary}


# -- measuring ------------------------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def assert_within_message_limits(blocks: list[dict[str, Any]]) -> None:
    assert 0 < len(blocks) <= MAX_BLOCKS_MESSAGE
    json.dumps(blocks)  # serialisable as Slack receives it
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
        if block["type"] == "context":
            assert all(len(e["text"]) <= MAX_SECTION_TEXT for e in block["elements"])
        assert len(block.get("block_id", "")) <= MAX_ID
    for node in _walk(blocks):
        if node.get("type") == "button":
            assert len(node["text"]["text"]) <= MAX_BUTTON_TEXT
            assert len(node.get("value", "")) <= MAX_BUTTON_VALUE
            assert len(node["action_id"]) <= MAX_ID


def text_of(blocks: list[dict[str, Any]]) -> str:
    return " ".join(str(n["text"]) for n in _walk(blocks) if isinstance(n.get("text"), str))


# -- the summary and its preview --------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SUMMARIES))
def test_the_summary_message_fits_slacks_limits(kind: str) -> None:
    summary = SUMMARIES[kind]()

    blocks = build_summary_message(summary)

    assert_within_message_limits(blocks)
    assert blocks[0]["type"] == "header" and PERIOD.label in blocks[0]["text"]["text"]
    assert len(summary_text(summary)) <= MAX_SECTION_TEXT


@pytest.mark.parametrize("kind", list(SUMMARIES))
def test_the_preview_fits_slacks_limits_and_offers_post_and_discard(kind: str) -> None:
    blocks = build_preview(
        SUMMARIES[kind](), channel_id="C0LEAD", channel_name="leadership", value="C0LEAD|2024|abc|leadership"
    )

    assert_within_message_limits(blocks)
    buttons = [n for n in _walk(blocks) if n.get("type") == "button"]
    assert [(b["text"]["text"], b["action_id"]) for b in buttons] == [
        ("Post to #leadership", ids.POST),
        ("Discard", ids.DISCARD),
    ]
    assert all(b["value"] == "C0LEAD|2024|abc|leadership" for b in buttons)
    assert "<#C0LEAD>" in text_of(blocks)


def test_a_preview_for_a_long_channel_name_keeps_the_button_text_within_75_characters() -> None:
    name = "x" * 80  # Slack allows channel names of up to 80 characters
    blocks = build_preview(
        empty_summary(), channel_id="C0LEAD", channel_name=name, value=f"C0LEAD|e|id|{name}"
    )

    assert_within_message_limits(blocks)


def test_a_preview_without_a_channel_name_says_leadership_channel() -> None:
    blocks = build_preview(empty_summary(), channel_id="C0BOARD", channel_name=None, value="C0BOARD|e|id|")

    assert "Post to the leadership channel" in text_of(blocks)


def test_the_full_summary_shows_every_part_and_nobody_by_id() -> None:
    summary = full_summary()
    text = text_of(build_summary_message(summary))

    assert summary.visible and summary.change is not None and summary.most_missed_topics
    for part in (
        "Where the organization stands",
        "Since the previous period",
        "Learning",
        "Recommended focus",
    ):
        assert part in text
    assert "U0" not in text, "a summary never names a person"


def test_the_small_summary_breaks_nothing_down() -> None:
    text = text_of(build_summary_message(small_summary()))

    assert "breakdown appears from 3" in text
    assert "quiz results appear from 3 players" in text
    assert "Where the organization stands" not in text and "Most missed" not in text
    for archetype in KB.archetypes:
        assert archetype.short_name not in text


def test_the_empty_summary_says_how_to_start() -> None:
    blocks = build_summary_blocks(empty_summary())
    text = " ".join(str(b.to_dict()) for b in blocks)

    assert "Nobody has taken a diagnosis or played a quiz yet" in text
    assert "/mlorg diagnose team" in text and "/mlorg quiz" in text


# -- the settings modal -------------------------------------------------------------------------------


CONFIGS = {
    "defaults": WorkspaceConfig(TEAM),
    "configured": WorkspaceConfig(
        TEAM,
        leadership_channels=tuple(f"C{n:08d}" for n in range(10)),
        digest_weekday=6,
        digest_time="17:45",
        digest_timezone="America/Argentina/ComodRivadavia",
        min_group=12,
    ),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_config_modal_fits_slacks_limits(name: str) -> None:
    modal = build_config_modal(CONFIGS[name], channel_id="C0001")

    assert modal["type"] == "modal" and modal["callback_id"] == ids.CONFIG_VIEW
    assert len(modal["blocks"]) <= MAX_BLOCKS_VIEW
    assert len(modal["title"]["text"]) <= MAX_MODAL_TITLE
    assert len(modal["submit"]["text"]) <= MAX_MODAL_TITLE and len(modal["close"]["text"]) <= MAX_MODAL_TITLE
    assert len(modal["private_metadata"]) <= MAX_PRIVATE_METADATA
    for node in _walk(modal["blocks"]):
        if "options" in node:
            assert all(len(o["text"]["text"]) <= MAX_OPTION_TEXT for o in node["options"])
            if "initial_option" in node:
                assert node["initial_option"] in node["options"]
    assert View(**modal).to_dict() == modal, "slack_sdk parses and validates it unchanged"


def test_the_config_modal_shows_the_current_settings() -> None:
    config = CONFIGS["configured"]
    blocks = {b["block_id"]: b["element"] for b in build_config_modal(config, channel_id="C0001")["blocks"]}

    assert blocks["channels"]["initial_conversations"] == list(config.leadership_channels)
    assert blocks["weekday"]["initial_option"]["value"] == "6"
    assert blocks["time"]["initial_time"] == "17:45"
    assert blocks["timezone"]["initial_value"] == config.digest_timezone
    assert blocks["min_group"]["initial_value"] == "12" and blocks["min_group"]["min_value"] == "3"


def test_the_config_modal_for_a_new_workspace_offers_no_digest_and_a_group_of_three() -> None:
    blocks = {
        b["block_id"]: b["element"]
        for b in build_config_modal(WorkspaceConfig(TEAM), channel_id="C1")["blocks"]
    }

    assert blocks["weekday"]["initial_option"]["value"] == "none"
    assert "initial_conversations" not in blocks["channels"]
    assert blocks["min_group"]["initial_value"] == "3"
    assert blocks["timezone"]["initial_value"] == "UTC"


# -- reading the submitted form --------------------------------------------------------------------


def state(
    *,
    channels: tuple[str, ...] = ("C0LEAD",),
    weekday: str | None = "0",
    at: str | None = "09:30",
    timezone: str | None = "Europe/Berlin",
    min_group: str | None = "3",
) -> dict[str, Any]:
    """``view.state.values`` as Slack submits the settings modal."""
    return {
        "channels": {
            "channels": {"type": "multi_conversations_select", "selected_conversations": list(channels)}
        },
        "weekday": {
            "weekday": {
                "type": "static_select",
                "selected_option": None
                if weekday is None
                else {"text": {"type": "plain_text", "text": weekday}, "value": weekday},
            }
        },
        "time": {"time": {"type": "timepicker", "selected_time": at}},
        "timezone": {"timezone": {"type": "plain_text_input", "value": timezone}},
        "min_group": {"min_group": {"type": "number_input", "value": min_group}},
    }


def test_a_complete_form_becomes_the_settings() -> None:
    config, errors = _read_config(TEAM, state(channels=("C0LEAD", "C0BOARD"), min_group="7"))

    assert errors == {}
    assert config == WorkspaceConfig(
        TEAM,
        leadership_channels=("C0LEAD", "C0BOARD"),
        digest_weekday=0,
        digest_time="09:30",
        digest_timezone="Europe/Berlin",
        min_group=7,
    )


def test_no_weekly_digest_needs_no_channel_and_keeps_no_time() -> None:
    config, errors = _read_config(TEAM, state(channels=(), weekday="none"))

    assert errors == {}
    assert config.digest_weekday is None and config.digest_time is None and not config.scheduled


def test_an_empty_submission_is_refused_field_by_field_instead_of_saved_as_defaults() -> None:
    # Saved as defaults, it would clear the leadership channels and turn the digest off.
    _, errors = _read_config(TEAM, {})

    assert set(errors) == {"channels", "weekday", "time", "timezone", "min_group"}
    assert all("missing" in error for error in errors.values())


@pytest.mark.parametrize("minimum", [None, "", "  ", [], ["7"], 7], ids=repr)
def test_a_minimum_group_that_is_empty_null_a_list_or_not_text_is_refused_and_says_so(
    minimum: object,
) -> None:
    _, errors = _read_config(TEAM, state(channels=("C0LEAD",), min_group=minimum))  # type: ignore[arg-type]

    assert set(errors) == {"min_group"}
    assert "whole number from 3 to 50" in errors["min_group"]


def test_a_submission_without_the_minimum_group_is_refused_and_says_so() -> None:
    values = state(channels=("C0LEAD",))
    del values["min_group"]

    _, errors = _read_config(TEAM, values)

    assert set(errors) == {"min_group"} and "missing" in errors["min_group"]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"min_group": "2"}, "min_group"),
        ({"min_group": "0"}, "min_group"),
        ({"min_group": "-5"}, "min_group"),
        ({"min_group": "three"}, "min_group"),
        ({"channels": ()}, "channels"),
        ({"at": "25:00"}, "time"),
        ({"at": "9am"}, "time"),
    ],
)
def test_a_bad_field_is_reported_under_that_field(form: dict[str, Any], field: str) -> None:
    config, errors = _read_config(TEAM, state(**form))

    assert set(errors) == {field}
    assert errors[field]
    assert config.min_group >= 3


@pytest.mark.parametrize("name", list(CONFIGS))
def test_submitting_the_modal_unchanged_keeps_the_settings(name: str) -> None:
    config = CONFIGS[name]
    modal = build_config_modal(config, channel_id="C0001")
    blocks = {b["block_id"]: b["element"] for b in modal["blocks"]}

    read, errors = _read_config(
        TEAM,
        state(
            channels=tuple(blocks["channels"].get("initial_conversations", ())),
            weekday=blocks["weekday"]["initial_option"]["value"],
            at=blocks["time"]["initial_time"],
            timezone=blocks["timezone"]["initial_value"],
            min_group=blocks["min_group"]["initial_value"],
        ),
    )

    assert errors == {}
    expected = (
        config
        if config.digest_weekday is not None
        else WorkspaceConfig(
            TEAM, leadership_channels=config.leadership_channels, digest_timezone=config.digest_timezone
        )
    )
    assert read == expected


def test_weekday_names_start_on_monday_like_python() -> None:
    monday = END - timedelta(days=END.weekday())
    assert [WEEKDAYS[(monday + timedelta(days=n)).weekday()] for n in range(7)] == list(WEEKDAYS)
    assert WEEKDAYS[0] == "Monday"


# -- channel references -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<#C0LEAD|leadership>", ("C0LEAD", "leadership")),
        ("  <#C0LEAD|leadership>  ", ("C0LEAD", "leadership")),
        ("<#C0LEAD>", ("C0LEAD", None)),
        ("<#C0LEAD|>", ("C0LEAD", None)),
        ("<#G0PRIVATE|secret-leads>", ("G0PRIVATE", "secret-leads")),
        ("#leadership", None),
        ("leadership", None),
        ("C0LEAD", None),
        ("<@U0ADMIN|admin>", None),
        ("<!channel>", None),
        ("<#c0lead|lower>", None),
        ("<#C0LEAD|leadership> and more", None),
        ("<#C0LEAD|a> <#C0OTHER|b>", None),
        ("<https://example.com|#leadership>", None),
        ("", None),
    ],
)
def test_parse_channel_reads_only_a_single_slack_channel_reference(
    text: str, expected: tuple[str, str | None] | None
) -> None:
    assert parse_channel(text) == expected


def test_every_weekday_and_time_combination_is_accepted() -> None:
    for weekday, hour, minute in itertools.product(range(7), (0, 9, 23), (0, 59)):
        at = f"{hour:02d}:{minute:02d}"
        config, errors = _read_config(TEAM, state(weekday=str(weekday), at=at))
        assert errors == {} and (config.digest_weekday, config.digest_time) == (weekday, at)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"channels": []}, "channels"),
        ({"channels": {"channels": "C0LEAD"}}, "channels"),
        ({"channels": {"channels": {"selected_conversations": "C0LEAD"}}}, None),
        ({"channels": {"channels": {"selected_conversations": [5, None, {"id": "C1"}]}}}, None),
        ({"weekday": {"weekday": {"selected_option": "1"}}}, None),
        ({"weekday": {"weekday": {"selected_option": {"value": "²"}}}}, None),
        ({"time": {"time": {"selected_time": ["09:00"]}}}, None),
        ({"timezone": {"timezone": {"value": {"zone": "UTC"}}}}, None),
        ({"timezone": {"timezone": {"value": "/etc/passwd"}}}, "timezone"),
        ({"min_group": {"min_group": {"value": "²"}}}, "min_group"),
        ({"min_group": {"min_group": {"value": "9" * 5000}}}, "min_group"),
        ({"min_group": 7}, "min_group"),
        ({"min_group": {"min_group": {"value": None}}}, "min_group"),
        ({"min_group": {"min_group": {"value": ["7"]}}}, "min_group"),
    ],
)
def test_a_form_state_of_the_wrong_shape_is_an_error_or_a_default_never_an_exception(
    values: dict[str, Any], field: str | None
) -> None:
    """A forged view_submission used to raise here (``"²".isdigit()`` is true, ``int`` refuses it;
    a list where Slack sends an object): the submitter now sees a field error or the default."""
    config, errors = _read_config(TEAM, {**state(weekday=None), **values})

    assert list(errors) == ([field] if field else [])
    assert config.team_id == TEAM and all(isinstance(c, str) for c in config.leadership_channels)


# -- what the summary quotes -----------------------------------------------------------------------


@pytest.mark.parametrize("people", [0, 60], ids=["quiet week", "full week"])
def test_the_unanswered_questions_a_summary_quotes_cannot_ping_the_channel_or_disguise_a_link(
    people: int,
) -> None:
    asked = [
        ("<!channel> why is nobody answering?", 3),
        ("see <https://evil.example|our docs> & <@U0BOSS>", 1),
    ]
    quoting = build_summary(
        KB,
        period=PERIOD,
        diagnoses=_people(people),
        unanswered=asked,
    )

    posted = json.dumps(build_summary_message(quoting))

    assert "why is nobody answering?" in posted  # quoted, so this checks the escaping
    for raw in ("<!channel>", "<https://evil.example|", "<@U0BOSS>"):
        assert raw not in posted
    assert "&lt;!channel&gt;" in posted and "&amp;" in posted
