"""What a person's click, pick or typing becomes in the payloads Slack sends.

Pure functions over blocks: find the element a person used, describe it as an
``actions[]`` entry (``value`` for a button, ``selected_option`` for a select,
overflow or radio, ``selected_options`` for checkboxes, …), turn a modal's inputs
into ``view.state.values``, check required fields as Slack's client does before it
sends anything, and format typed text the way Slack stores it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "build_action",
    "find_element",
    "format_user_text",
    "required_errors",
    "state_values",
]

_MENTION = re.compile(r"(?<![\w<@#])@([a-z][a-z0-9._-]*)")
_CHANNEL = re.compile(r"(?<![\w<@#&])#([a-z0-9][a-z0-9_-]*)")


def find_element(blocks: list[dict[str, Any]], block_id: str, action_id: str) -> dict[str, Any] | None:
    for block in blocks:
        if str(block.get("block_id") or "") != block_id:
            continue
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and str(element.get("action_id") or "") == action_id:
                return element
    return None


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += list(group.get("options") or [])
    return options


def _pick(element: dict[str, Any], value: Any) -> dict[str, Any] | None:
    return next((o for o in _options(element) if o.get("value") == value), None)


def _many(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _selection(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """The keys Slack uses for this element's current value (state entry and action alike)."""
    kind = element.get("type")
    if kind in {"static_select", "overflow", "radio_buttons"}:
        return {"selected_option": _pick(element, value)}
    if kind in {"multi_static_select", "checkboxes"}:
        return {"selected_options": [o for o in (_pick(element, v) for v in _many(value)) if o]}
    if kind == "multi_conversations_select":
        return {"selected_conversations": [str(v) for v in _many(value)]}
    if kind in {"conversations_select", "channels_select"}:
        key = "selected_conversation" if kind == "conversations_select" else "selected_channel"
        return {key: value or None}
    if kind == "users_select":
        return {"selected_user": value or None}
    if kind == "timepicker":
        return {"selected_time": value or None}
    if kind == "datepicker":
        return {"selected_date": value or None}
    if kind in {"plain_text_input", "number_input"}:
        return {"value": None if value in (None, "") else str(value)}
    return {}


def build_action(element: dict[str, Any], block_id: str, value: Any = None) -> dict[str, Any]:
    """One entry of a ``block_actions`` payload's ``actions``."""
    action: dict[str, Any] = {
        "type": element.get("type"),
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "action_ts": f"{time.time():.6f}",
    }
    if element.get("type") == "button":
        action["text"] = element.get("text")
        if element.get("value") is not None:
            action["value"] = element["value"]
        if element.get("style"):
            action["style"] = element["style"]
        return action
    if element.get("placeholder"):
        action["placeholder"] = element["placeholder"]
    action.update(_selection(element, value))
    return action


def state_values(blocks: list[dict[str, Any]], raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``view.state.values`` from what the page collected (``{block_id: {action_id: value}}``)."""
    values: dict[str, dict[str, Any]] = {}
    for block in blocks:
        block_id = str(block.get("block_id") or "")
        elements = (
            [block["element"]]
            if block.get("type") == "input" and isinstance(block.get("element"), dict)
            else []
        )
        if block.get("type") == "actions":
            elements = [
                e for e in block.get("elements") or [] if isinstance(e, dict) and e.get("type") != "button"
            ]
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") not in {"button", "overflow", "image"}:
            elements = [accessory]
        for element in elements:
            action_id = str(element.get("action_id") or "")
            given = (raw.get(block_id) or {}).get(action_id)
            if given is None and block.get("type") != "input":
                continue
            values.setdefault(block_id, {})[action_id] = {
                "type": element.get("type"),
                **_selection(element, given),
            }
    return values


def required_errors(blocks: list[dict[str, Any]], values: dict[str, dict[str, Any]]) -> dict[str, str]:
    """What Slack's client refuses to submit: empty required inputs, numbers out of range."""
    errors: dict[str, str] = {}
    for block in blocks:
        if block.get("type") != "input" or not isinstance(block.get("element"), dict):
            continue
        element = block["element"]
        block_id = str(block.get("block_id") or "")
        entry = (values.get(block_id) or {}).get(str(element.get("action_id") or "")) or {}
        filled = any(v not in (None, "", []) for k, v in entry.items() if k != "type")
        if not filled:
            if not block.get("optional"):
                errors[block_id] = "Please complete this required field."
            continue
        if element.get("type") == "number_input":
            errors.update(_number_error(block_id, element, str(entry.get("value") or "")))
    return errors


def _number_error(block_id: str, element: dict[str, Any], raw: str) -> dict[str, str]:
    try:
        number = float(raw)
    except ValueError:
        return {block_id: "Please enter a number."}
    if not element.get("is_decimal_allowed") and not number.is_integer():
        return {block_id: "Please enter a whole number."}
    low, high = element.get("min_value"), element.get("max_value")
    if low is not None and number < float(low):
        return {block_id: f"Please enter a number of at least {low}."}
    if high is not None and number > float(high):
        return {block_id: f"Please enter a number no more than {high}."}
    return {}


def format_user_text(
    text: str, user_id_of: Callable[[str], str | None], channel_id_of: Callable[[str], str | None]
) -> str:
    """Typed text as Slack stores it: ``&<>`` escaped, ``@name`` and ``#channel`` as references."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def person(match: re.Match[str]) -> str:
        user_id = user_id_of(match.group(1))
        return f"<@{user_id}>" if user_id else match.group(0)

    def channel(match: re.Match[str]) -> str:
        channel_id = channel_id_of(match.group(1))
        return f"<#{channel_id}|{match.group(1)}>" if channel_id else match.group(0)

    return _CHANNEL.sub(channel, _MENTION.sub(person, escaped))
