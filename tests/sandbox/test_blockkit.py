"""The Block Kit rules the stand-in enforces: what real Slack would refuse is refused here."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.blockkit import check_blocks, check_view, parse_blocks


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": "a", **extra}


def modal(**extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Title"}, "blocks": [section()], **extra}


def test_the_blocks_the_app_builds_pass() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Head"}},
        section(accessory=button()),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "small"}]},
        {"type": "divider"},
        {
            "type": "actions",
            "elements": [button(), {**button("Other"), "action_id": "b", "style": "primary"}],
        },
    ]
    assert check_blocks(blocks) == []


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([section()] * 51, "at most 50"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}], "at most 150"),
        ([section("x" * 3001)], "3000"),
        ([{"type": "actions", "elements": [button("x" * 76)]}], "longer than 75"),
        ([{"type": "actions", "elements": [button(value="v" * 2001)]}], "value is longer than 2000"),
        ([{"type": "actions", "elements": [{**button(), "action_id": "a" * 256}]}], "255"),
        ([section(block_id="b" * 256)], "255"),
        ([section(block_id="same"), section(block_id="same")], "used 2 times"),
        ([{"type": "actions", "elements": [button(), button()]}], "used 2 times in one block"),
        ([{"type": "carousel"}], "unknown block type"),
        (
            [{"type": "actions", "elements": [{"type": "rocket_launcher", "action_id": "x"}]}],
            "unknown element",
        ),
        ([{"type": "section"}], "text or fields"),
    ],
)
def test_a_broken_rule_is_named(blocks: list[dict[str, Any]], expected: str) -> None:
    problems = check_blocks(blocks)
    assert any(expected in p for p in problems), problems


def test_a_modal_holds_100_blocks_a_message_50() -> None:
    assert check_view(modal(blocks=[section()] * 100)) == []
    assert any("at most 100" in p for p in check_view(modal(blocks=[section()] * 101)))


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (modal(title={"type": "plain_text", "text": "x" * 25}), "title is 25 characters"),
        (modal(private_metadata="m" * 3001), "private_metadata"),
        (modal(submit={"type": "plain_text", "text": "s" * 25}), "submit"),
        ({"type": "modal", "blocks": [section()]}, "needs a title"),
        ({"type": "dialog"}, "not modal or home"),
        (
            modal(
                blocks=[
                    {
                        "type": "input",
                        "label": {"type": "plain_text", "text": "L"},
                        "element": {"type": "plain_text_input", "action_id": "t"},
                    }
                ]
            ),
            "needs a submit",
        ),
    ],
)
def test_a_broken_view_is_named(view: dict[str, Any], expected: str) -> None:
    problems = check_view(view)
    assert any(expected in p for p in problems), problems


def test_blocks_arrive_as_json_strings_from_forms() -> None:
    assert parse_blocks('[{"type": "divider"}]') == ([{"type": "divider"}], [])
    assert parse_blocks("not json")[1] == ["blocks is not valid JSON"]
    assert parse_blocks('{"type": "divider"}')[1] == ["blocks must be an array of objects"]
