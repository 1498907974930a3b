"""Block Kit rules the stand-in enforces, so a problem shows up here and not in production.

Real Slack rejects a message or view that breaks a rule (``invalid_blocks``,
``invalid_arguments``) and the person sees nothing. The stand-in answers with the
same error, and also puts the reason in the page and the log. The checks are
``slack_sdk.models.blocks`` parsing (unknown types, the SDK's own limits) plus the
limits listed in DESIGN.md, which the SDK does not all check.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

__all__ = [
    "BLOCK_TYPES",
    "ELEMENT_TYPES",
    "MAX_BLOCKS_MESSAGE",
    "MAX_BLOCKS_VIEW",
    "MAX_TEXT",
    "check_blocks",
    "check_view",
    "parse_blocks",
]

MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
#: chat.postMessage's ``text``: longer is ``msg_too_long``.
MAX_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_OPTION_TEXT = 75
MAX_ID = 255
MAX_BUTTON_VALUE = 2000
MAX_MODAL_TITLE = 24
MAX_MODAL_BUTTON = 24
MAX_PRIVATE_METADATA = 3000
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_OPTIONS = 100

#: The block and element types the page can draw; anything else is a warning, never a blank.
BLOCK_TYPES = frozenset({"header", "section", "context", "divider", "actions", "image", "input", "rich_text"})
ELEMENT_TYPES = frozenset(
    {
        "button",
        "static_select",
        "multi_static_select",
        "overflow",
        "radio_buttons",
        "checkboxes",
        "plain_text_input",
        "number_input",
        "timepicker",
        "datepicker",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "users_select",
        "image",
    }
)

_sdk_log = logging.getLogger("slack_sdk.models")


def parse_blocks(raw: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Blocks as the Web API receives them (a JSON string from a form, or a list); problems if not."""
    if raw is None or raw == "":
        return [], []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return [], ["blocks is not valid JSON"]
    if not isinstance(raw, list) or not all(isinstance(b, dict) for b in raw):
        return [], ["blocks must be an array of objects"]
    return raw, []


def check_blocks(blocks: list[dict[str, Any]], *, surface: str = "message") -> list[str]:
    """Every rule these blocks break, as sentences; an empty list means Slack would take them."""
    problems: list[str] = []
    limit = MAX_BLOCKS_MESSAGE if surface == "message" else MAX_BLOCKS_VIEW
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks: a {surface} holds at most {limit}")
    block_ids = Counter(str(b["block_id"]) for b in blocks if b.get("block_id"))
    problems += [f"block_id {bid!r} is used {n} times" for bid, n in block_ids.items() if n > 1]
    for index, block in enumerate(blocks):
        where = f"block {index} ({block.get('type', '?')})"
        problems += [f"{where}: {p}" for p in _check_block(block, surface)]
    return problems


def check_view(view: Any) -> list[str]:
    """A modal or Home tab as views.open/push/update/publish receive it."""
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            return ["view is not valid JSON"]
    if not isinstance(view, dict):
        return ["view must be an object"]
    kind = view.get("type")
    problems: list[str] = []
    if kind not in {"modal", "home"}:
        return [f"view type {kind!r} is not modal or home"]
    if kind == "modal":
        title = _text_of(view.get("title"))
        if not title:
            problems.append("a modal needs a title")
        for key, maximum in (
            ("title", MAX_MODAL_TITLE),
            ("submit", MAX_MODAL_BUTTON),
            ("close", MAX_MODAL_BUTTON),
        ):
            value = view.get(key)
            if value is not None and _plain(value) is None:
                problems.append(f"{key} must be a plain_text object")
            if len(_text_of(value)) > maximum:
                problems.append(f"{key} is {len(_text_of(value))} characters; at most {maximum}")
    if len(str(view.get("private_metadata") or "")) > MAX_PRIVATE_METADATA:
        problems.append(f"private_metadata is longer than {MAX_PRIVATE_METADATA} characters")
    if len(str(view.get("callback_id") or "")) > MAX_ID:
        problems.append(f"callback_id is longer than {MAX_ID} characters")
    blocks, shape = parse_blocks(view.get("blocks"))
    problems += shape
    if kind == "modal" and any(b.get("type") == "input" for b in blocks) and not view.get("submit"):
        problems.append("a modal with input blocks needs a submit button")
    problems += check_blocks(blocks, surface=kind)
    return problems


def _check_block(block: dict[str, Any], surface: str) -> list[str]:
    kind = block.get("type")
    problems: list[str] = []
    if kind not in BLOCK_TYPES:
        return [f"unknown block type {kind!r}"]
    previous = _sdk_log.level
    _sdk_log.setLevel(logging.ERROR)  # the SDK logs unknown types; we report them ourselves
    try:
        parsed = Block.parse(block)
        if parsed is None:
            problems.append(f"slack_sdk cannot parse a {kind} block")
        else:
            parsed.validate_json()
    except (SlackObjectFormationError, KeyError, TypeError, ValueError) as error:
        problems.append(f"slack_sdk: {error}")
    finally:
        _sdk_log.setLevel(previous)
    if len(str(block.get("block_id") or "")) > MAX_ID:
        problems.append(f"block_id is longer than {MAX_ID} characters")
    if kind == "header" and len(_text_of(block.get("text"))) > MAX_HEADER:
        problems.append(f"header text is {len(_text_of(block.get('text')))} characters; at most {MAX_HEADER}")
    if kind == "section":
        if not block.get("text") and not block.get("fields"):
            problems.append("a section needs text or fields")
        if len(_text_of(block.get("text"))) > MAX_SECTION_TEXT:
            problems.append(f"section text is longer than {MAX_SECTION_TEXT} characters")
        fields = block.get("fields") or []
        if len(fields) > MAX_FIELDS:
            problems.append(f"{len(fields)} fields; at most {MAX_FIELDS}")
        if any(len(_text_of(f)) > MAX_FIELD_TEXT for f in fields):
            problems.append(f"a field is longer than {MAX_FIELD_TEXT} characters")
    if kind == "actions" and len(block.get("elements") or []) > MAX_ACTIONS_ELEMENTS:
        problems.append(f"an actions block holds at most {MAX_ACTIONS_ELEMENTS} elements")
    if kind == "context" and len(block.get("elements") or []) > MAX_CONTEXT_ELEMENTS:
        problems.append(f"a context block holds at most {MAX_CONTEXT_ELEMENTS} elements")
    elements = list(block.get("elements") or []) if kind in {"actions", "context"} else []
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            elements.append(block[key])
    action_ids = Counter(str(e["action_id"]) for e in elements if isinstance(e, dict) and e.get("action_id"))
    problems += [f"action_id {a!r} is used {n} times in one block" for a, n in action_ids.items() if n > 1]
    for element in elements:
        if isinstance(element, dict):
            problems += _check_element(element, in_context=kind == "context")
    return problems


def _check_element(element: dict[str, Any], *, in_context: bool) -> list[str]:
    kind = str(element.get("type", "?"))
    if in_context:
        if kind not in {"mrkdwn", "plain_text", "image"}:
            return [f"a context block cannot hold a {kind}"]
        return []
    problems: list[str] = []
    if kind not in ELEMENT_TYPES:
        return [f"unknown element type {kind!r}"]
    if len(str(element.get("action_id") or "")) > MAX_ID:
        problems.append(f"{kind}: action_id is longer than {MAX_ID} characters")
    if kind == "button":
        if len(_text_of(element.get("text"))) > MAX_BUTTON_TEXT:
            problems.append(f"button text {_text_of(element.get('text'))!r} is longer than {MAX_BUTTON_TEXT}")
        if len(str(element.get("value") or "")) > MAX_BUTTON_VALUE:
            problems.append(f"button value is longer than {MAX_BUTTON_VALUE} characters")
        if element.get("style") not in {None, "primary", "danger"}:
            problems.append(f"button style {element.get('style')!r} is not primary or danger")
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += list(group.get("options") or [])
    if len(options) > MAX_OPTIONS:
        problems.append(f"{kind}: {len(options)} options; at most {MAX_OPTIONS}")
    for option in options:
        if len(_text_of(option.get("text"))) > MAX_OPTION_TEXT:
            problems.append(
                f"{kind}: option text {_text_of(option.get('text'))!r} is longer than {MAX_OPTION_TEXT}"
            )
        if len(str(option.get("value") or "")) > MAX_BUTTON_VALUE:
            problems.append(f"{kind}: an option value is longer than {MAX_BUTTON_VALUE} characters")
    return problems


def _plain(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) and value.get("type") == "plain_text" else None


def _text_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return str(value or "")
