"""Reading the parts of an interaction payload every feature needs.

Slack payloads are nested and fields can be missing (a Home tab click has no
channel, an old button no value); these accessors never raise and return "" for
what is absent, so a handler can treat "missing" and "stale" the same way.
"""

from __future__ import annotations

from typing import Any

__all__ = ["action_value", "channel_id", "team_id", "trigger_id", "user_id", "view_id"]


def team_id(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")


def user_id(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def channel_id(body: dict[str, Any]) -> str:
    return str((body.get("channel") or {}).get("id") or "")


def action_value(body: dict[str, Any]) -> str:
    """The ``value`` of the (first) clicked element."""
    return str(((body.get("actions") or [{}])[0]).get("value") or "")


def view_id(body: dict[str, Any]) -> str:
    return str((body.get("view") or {}).get("id") or "")


def trigger_id(body: dict[str, Any]) -> str:
    return str(body.get("trigger_id") or "")
