"""Modals as a person uses them: submit (with Slack's client-side checks), close, go back.

A submission's ack decides what happens next, as in Slack: an empty ack closes the
view, ``response_action`` ``errors`` shows messages under the fields, ``update``
replaces the view, ``push`` stacks a new one, ``clear`` closes them all. Closing a
view whose ``notify_on_close`` is set sends ``view_closed``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from bot.sandbox.blockkit import check_view
from bot.sandbox.interactions import required_errors, state_values
from bot.sandbox.surfaces import ApiError, Triggers, Views
from bot.sandbox.web_api import with_block_ids
from bot.sandbox.wire import VERIFICATION_TOKEN, Outcome, maybe_json, team_of, user_of
from bot.sandbox.workspace import APP_ID, Workspace

__all__ = ["ModalActions"]


class ModalActions:
    """Mixed into :class:`~bot.sandbox.delivery.Delivery`, which supplies the wire."""

    ws: Workspace
    views: Views
    triggers: Triggers

    async def _send(
        self, kind: str, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> Outcome:
        raise NotImplementedError

    async def submit(self, user: str, view_id: str, state: dict[str, Any]) -> Outcome:
        view = self.views.top(user)
        if view is None or view["id"] != view_id:
            return Outcome(False, "view_not_found")
        blocks = list(view.get("blocks") or [])
        view["state"] = {"values": state_values(blocks, state)}
        view.pop("banner", None)
        errors = required_errors(blocks, view["state"]["values"])
        view["errors"] = errors
        if errors:  # Slack's client refuses before anything is sent
            self.ws.changed()
            return Outcome(False, "required_fields")
        payload = {
            "type": "view_submission",
            "team": team_of(self.ws),
            "user": user_of(self.ws, user),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self.triggers.issue(user, view_id=view["id"]),
            "view": Views.public(view),
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        outcome = await self._send(
            "view_submission",
            urlencode({"payload": json.dumps(payload)}),
            "application/x-www-form-urlencoded",
        )
        if not outcome.ok:
            view["banner"] = "We had some trouble connecting. Try again?"
            self.ws.changed()
            return outcome
        self._apply_submission_ack(user, view, outcome.body)
        return outcome

    def _apply_submission_ack(self, user: str, view: dict[str, Any], body: str) -> None:
        reply = maybe_json(body) if body.strip() else {}
        if not isinstance(reply, dict):
            reply = {}
        action = reply.get("response_action")
        try:
            if action == "errors":
                view["errors"] = {str(k): str(v) for k, v in (reply.get("errors") or {}).items()}
                unknown = set(view["errors"]) - {str(b.get("block_id")) for b in view.get("blocks") or []}
                for block_id in unknown:
                    self.ws.warn(
                        "view_submission errors", f"no input block {block_id!r} to show an error under"
                    )
                self.ws.changed()
            elif action in {"update", "push"}:
                new = reply.get("view")
                problems = check_view(new)
                if problems:
                    for problem in problems:
                        self.ws.warn(f"response_action {action}", problem)
                    return
                assert isinstance(new, dict)
                new["blocks"] = with_block_ids(list(new.get("blocks") or []))
                if action == "update":
                    self.views.update(view["id"], new)
                else:
                    self.views.push(user, new)
            elif action == "clear":
                self.views.clear(user)
            else:
                self.views.pop(user, view["id"])
        except ApiError as error:
            self.ws.warn(f"response_action {action}", error.code)

    async def close(self, user: str, view_id: str, *, clear: bool = False) -> Outcome:
        """The person closes a modal (Cancel/Back pops one, × closes them all)."""
        top = self.views.top(user)
        if top is None or top["id"] != view_id:
            return Outcome(False, "view_not_found")
        closed = self.views.clear(user) if clear else [self.views.pop(user, view_id) or top]
        notify = next((v for v in reversed(closed) if v.get("notify_on_close")), None)
        if notify is None:
            return Outcome(True)
        payload = {
            "type": "view_closed",
            "team": team_of(self.ws),
            "user": user_of(self.ws, user),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "view": Views.public(notify),
            "is_cleared": clear and len(closed) > 1,
            "is_enterprise_install": False,
        }
        return await self._send(
            "view_closed", urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )
