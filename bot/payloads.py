"""Reading the parts of an interaction payload every feature needs.

Slack payloads are nested and fields can be missing (a Home tab click has no
channel, an old button no value), and a signed request can still carry a part of
the wrong shape (a list where an object belongs, a number for an id). These
accessors never raise: they return "" (or an empty dict) for whatever is absent or
malformed, so a handler treats "missing", "malformed" and "stale" the same way.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "action",
    "action_value",
    "channel_id",
    "index",
    "obj",
    "response_url",
    "selected_value",
    "team_id",
    "text",
    "trigger_id",
    "user_id",
    "view",
    "view_id",
]


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    """A string or number as text; anything else (an object, a list, null) is ""."""
    if isinstance(value, bool) or value is None:
        return ""
    return str(value) if isinstance(value, (str, int, float)) else ""


def _id_of(value: Any, key: str = "id") -> str:
    """Slack names a team, user or channel as ``{"id": …}``; a bare string is the id itself."""
    return text(value) if isinstance(value, str) else text(obj(value).get(key))


def team_id(body: dict[str, Any]) -> str:
    return _id_of(body.get("team")) or _id_of(obj(body.get("user")).get("team_id"))


def user_id(body: dict[str, Any]) -> str:
    return _id_of(body.get("user"))


def channel_id(body: dict[str, Any]) -> str:
    return _id_of(body.get("channel"))


def action(body: dict[str, Any]) -> dict[str, Any]:
    """The (first) clicked element, or an empty object."""
    actions = body.get("actions")
    return obj(actions[0]) if isinstance(actions, list) and actions else {}


def action_value(body: dict[str, Any]) -> str:
    """The ``value`` of the (first) clicked element."""
    return text(action(body).get("value"))


def selected_value(body: dict[str, Any]) -> str:
    """The ``value`` of the option chosen in a select menu."""
    return text(obj(action(body).get("selected_option")).get("value"))


def view(body: dict[str, Any]) -> dict[str, Any]:
    return obj(body.get("view"))


def view_id(body: dict[str, Any]) -> str:
    return text(view(body).get("id"))


def trigger_id(body: dict[str, Any]) -> str:
    return text(body.get("trigger_id"))


def response_url(body: dict[str, Any]) -> str:
    return text(body.get("response_url"))


def index(part: str) -> int:
    """A position carried in a button value ("3"), or -1 (impossible) when it is not one.

    ``str.isdigit`` also accepts "²" and "٣", which ``int`` refuses or reads, and a number of
    thirty digits fits no database column: only 1-6 ASCII digits are a position.
    """
    return int(part) if 0 < len(part) <= 6 and part.isascii() and part.isdigit() else -1
