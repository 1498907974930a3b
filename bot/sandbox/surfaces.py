"""Trigger ids and views (modal stacks and Home tabs), with Slack's rules.

A ``trigger_id`` lives 3 seconds and opens one view; a person has at most one
stack of at most 3 modals; ``views.update`` needs the view to exist (and a matching
``hash`` when one is given); the view the app receives always carries the id,
hash and state Slack would give it. Both the Web API (the app's calls) and the
delivery (a person submitting or closing) change views through this one place.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.workspace import APP_ID, BOT_ID, Workspace

__all__ = ["TRIGGER_SECONDS", "ApiError", "Trigger", "Triggers", "Views"]

#: Slack: "trigger_id ... expires in 3 seconds".
TRIGGER_SECONDS = 3.0
MAX_STACK = 3


class ApiError(Exception):
    """A Web API error as Slack reports it: ``{"ok": false, "error": code, ...}``."""

    def __init__(self, code: str, *messages: str, errors: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.messages = list(messages)
        #: ``invalid_blocks`` also lists each problem bare, e.g. ``invalid slack file [json-pointer:…]``.
        self.errors = errors

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error": self.code}
        if self.errors:
            out["errors"] = self.errors
        if self.messages:
            out["response_metadata"] = {"messages": self.messages}
        return out


@dataclass
class Trigger:
    id: str
    user: str
    issued: float
    #: The view the interaction came from: only such a trigger may push onto a stack.
    view_id: str | None = None
    used: bool = False


class Triggers:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._issued: dict[str, Trigger] = {}
        self._n = itertools.count(1)

    def issue(self, user: str, view_id: str | None = None) -> str:
        self._expire()
        trigger_id = f"{next(self._n)}.{int(time.time())}.{secrets.token_hex(8)}"
        self._issued[trigger_id] = Trigger(trigger_id, user, self.clock(), view_id)
        return trigger_id

    def take(self, trigger_id: str) -> Trigger:
        """The trigger, now spent; ``invalid_trigger_id``, ``expired_trigger_id`` or ``exchanged_trigger_id``."""
        trigger = self._issued.get(trigger_id)
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if self.clock() - trigger.issued > TRIGGER_SECONDS:
            raise ApiError("expired_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        trigger.used = True
        return trigger

    def _expire(self) -> None:
        now = self.clock()
        for key in [k for k, t in self._issued.items() if now - t.issued > 60]:
            del self._issued[key]


@dataclass
class Views:
    """Each person's modal stack; Home tabs live in the workspace (they are saved with it)."""

    ws: Workspace
    stacks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _hashes: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _stored(self, view: dict[str, Any], user: str, *, view_id: str | None = None) -> dict[str, Any]:
        stored = copy.deepcopy(view)
        stored.update(
            id=view_id or self.ws.next_id("V"),
            team_id=self.ws.team_id,
            app_id=APP_ID,
            bot_id=BOT_ID,
            app_installed_team_id=self.ws.team_id,
            hash=f"{int(time.time())}.{next(self._hashes):08d}",
            user=user,
        )
        stored.setdefault("private_metadata", "")
        stored.setdefault("callback_id", "")
        stored.setdefault("external_id", "")
        stored.setdefault("state", {"values": {}})
        stored.setdefault("clear_on_close", False)
        stored.setdefault("notify_on_close", False)
        stored["errors"] = {}
        return stored

    @staticmethod
    def public(stored: dict[str, Any]) -> dict[str, Any]:
        """The view as the app receives it (without the stand-in's bookkeeping)."""
        return {k: v for k, v in stored.items() if k not in {"errors", "user", "banner"}}

    def stack(self, user: str) -> list[dict[str, Any]]:
        return self.stacks.get(user, [])

    def top(self, user: str) -> dict[str, Any] | None:
        stack = self.stack(user)
        return stack[-1] if stack else None

    def find(self, view_id: str) -> dict[str, Any] | None:
        for stack in self.stacks.values():
            for view in stack:
                if view["id"] == view_id or (view.get("external_id") and view["external_id"] == view_id):
                    return view
        for home in self.ws.homes.values():
            if home.get("id") == view_id:
                return home
        return None

    def open(self, user: str, view: dict[str, Any]) -> dict[str, Any]:
        stored = self._stored(view, user)
        stored.update(root_view_id=stored["id"], previous_view_id=None)
        self.stacks[user] = [stored]
        self.ws.changed()
        return stored

    def push(self, user: str, view: dict[str, Any]) -> dict[str, Any]:
        stack = self.stack(user)
        if not stack:
            raise ApiError("not_found", "[ERROR] there is no modal open to push onto")
        if len(stack) >= MAX_STACK:
            raise ApiError("push_limit_reached")
        stored = self._stored(view, user)
        stored.update(root_view_id=stack[0]["id"], previous_view_id=stack[-1]["id"])
        stack.append(stored)
        self.ws.changed()
        return stored

    def update(self, view_id: str, view: dict[str, Any], hash_: str | None = None) -> dict[str, Any]:
        current = self.find(view_id)
        if current is None:
            raise ApiError("not_found")
        if hash_ and hash_ != current.get("hash"):
            raise ApiError("hash_conflict")
        replaced = self._stored(view, str(current.get("user", "")), view_id=current["id"])
        replaced.update(
            root_view_id=current.get("root_view_id"), previous_view_id=current.get("previous_view_id")
        )
        # Slack keeps what a person typed into inputs that are still there (same block and action id).
        kept = {}
        for block in replaced.get("blocks") or []:
            element = block.get("element") if block.get("type") == "input" else None
            old = (current.get("state") or {}).get("values", {}).get(block.get("block_id"), {})
            if isinstance(element, dict) and element.get("action_id") in old:
                kept[block["block_id"]] = {element["action_id"]: old[element["action_id"]]}
        replaced["state"] = {"values": kept}
        if current.get("type") == "home":
            self.ws.homes[str(current.get("user", ""))] = replaced
        else:
            for stack in self.stacks.values():
                for index, view_ in enumerate(stack):
                    if view_ is current:
                        stack[index] = replaced
        self.ws.changed()
        return replaced

    def publish(self, user: str, view: dict[str, Any]) -> dict[str, Any]:
        previous = self.ws.homes.get(user)
        stored = self._stored(view, user, view_id=previous.get("id") if previous else None)
        self.ws.homes[user] = stored
        self.ws.changed()
        return stored

    def pop(self, user: str, view_id: str) -> dict[str, Any] | None:
        """Close the view ``view_id`` (the top of the stack); the one beneath shows again."""
        stack = self.stack(user)
        if stack and stack[-1]["id"] == view_id:
            closed = stack.pop()
            if not stack:
                self.stacks.pop(user, None)
            self.ws.changed()
            return closed
        return None

    def clear(self, user: str) -> list[dict[str, Any]]:
        closed = self.stacks.pop(user, [])
        self.ws.changed()
        return closed
