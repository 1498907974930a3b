"""Requests built and signed exactly as Slack builds them.

Slash commands and interactions are form-encoded (interactions as one ``payload``
field of JSON); events are JSON. Every request carries ``X-Slack-Request-Timestamp``
and ``X-Slack-Signature`` = ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

__all__ = ["AppResponse", "SlackPlatform", "find_button", "sign", "texts_of"]

_ids = itertools.count(1)


def sign(secret: str, body: str, timestamp: int) -> str:
    base = f"v0:{timestamp}:{body}".encode("utf-8", "surrogateescape")  # "\udcff" is the byte 0xff
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AppResponse:
    """What the app answered on the HTTP request itself (the ack)."""

    status: int
    body: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body.startswith("{") else {}

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.json.get("blocks") or [])

    @property
    def text(self) -> str:
        return " ".join([str(self.json.get("text", "")), *texts_of(self.blocks)]) if self.json else self.body


class SlackPlatform:
    """Plays Slack's part: sends signed requests to the app at ``url``."""

    def __init__(
        self,
        url: str,
        signing_secret: str,
        fake_response_url: str,
        team_id: str = "T0001",
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.url = url
        self.secret = signing_secret
        self.team_id = team_id
        self.response_url = fake_response_url
        self._session = session

    async def __aenter__(self) -> SlackPlatform:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    # -- raw ----------------------------------------------------------------------------------------
    async def send(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        signed: bool = True,
        extra_headers: dict[str, str] | None = None,
    ) -> AppResponse:
        assert self._session is not None, "use 'async with SlackPlatform(...)'"
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {"Content-Type": content_type, **(extra_headers or {})}
        if signed:
            headers["X-Slack-Request-Timestamp"] = str(ts)
            headers["X-Slack-Signature"] = signature or sign(self.secret, body, ts)
        async with self._session.post(
            self.url, data=body.encode("utf-8", "surrogateescape"), headers=headers
        ) as response:
            return AppResponse(response.status, await response.text())

    # -- what Slack sends ---------------------------------------------------------------------------
    def command_body(
        self, text: str, *, user: str = "U0001", channel: str = "C0001", command: str = "/mlorg"
    ) -> str:
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "team_domain": "fake",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": "A0001",
                "is_enterprise_install": "false",
                "response_url": self.response_url,
                "trigger_id": f"{next(_ids)}.1.trigger",
            }
        )

    async def command(
        self, text: str, *, user: str = "U0001", channel: str = "C0001", **kw: Any
    ) -> AppResponse:
        return await self.send(
            self.command_body(text, user=user, channel=channel), "application/x-www-form-urlencoded", **kw
        )

    def action_payload(
        self,
        element: dict[str, Any],
        *,
        user: str = "U0001",
        channel: str = "C0001",
        message: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        selected_value: str | None = None,
        view: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        action: dict[str, Any] = {
            "action_id": element["action_id"],
            "block_id": element.get("block_id", "b1"),
            "type": element.get("type", "button"),
            "action_ts": f"{time.time():.6f}",
        }
        if "value" in element:
            action["value"] = element["value"]
        if "text" in element:
            action["text"] = element["text"]
        if selected_value is not None:
            options = element.get("options") or []
            chosen = next((o for o in options if o["value"] == selected_value), None)
            action["selected_option"] = chosen or {
                "text": {"type": "plain_text", "text": selected_value},
                "value": selected_value,
            }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "fake"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0001",
            "token": "legacy-verification-token",
            "trigger_id": f"{next(_ids)}.1.trigger",
            "actions": [action],
        }
        if view is not None:
            payload["container"] = container or {"type": "view", "view_id": view.get("id", "V1")}
            payload["view"] = view
        else:
            payload["container"] = container or {
                "type": "message",
                "message_ts": (message or {}).get("ts", "1700000000.000001"),
                "channel_id": channel,
                "is_ephemeral": message is None,
            }
            payload["channel"] = {"id": channel, "name": "general"}
            payload["response_url"] = self.response_url
            if message is not None:
                payload["message"] = message
        return payload

    async def interact(self, payload: dict[str, Any], **kw: Any) -> AppResponse:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.send(body, "application/x-www-form-urlencoded", **kw)

    async def click(self, element: dict[str, Any], **kw: Any) -> AppResponse:
        """Click a button (or choose ``selected_value`` in a select) found in a message's blocks."""
        send_kw = {k: kw.pop(k) for k in ("timestamp", "signature", "signed") if k in kw}
        return await self.interact(self.action_payload(element, **kw), **send_kw)

    def event_body(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        return {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "UBOT", "is_bot": True}],
        }

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None, **kw: Any
    ) -> AppResponse:
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        body = json.dumps(self.event_body(event, event_id=event_id))
        return await self.send(body, "application/json", extra_headers=headers, **kw)


def texts_of(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(texts_of(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(texts_of(item))
    return found


def find_button(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """The interactive element whose visible text (or placeholder) contains ``label``.

    Returns the element with its ``block_id`` filled in, ready for :meth:`SlackPlatform.click`.
    """
    seen: list[str] = []
    for block in blocks:
        candidates = list(block.get("elements") or [])
        if block.get("accessory"):
            candidates.append(block["accessory"])
        for element in candidates:
            if "action_id" not in element:
                continue
            shown = (element.get("text") or element.get("placeholder") or {}).get("text", "")
            seen.append(shown)
            if label.lower() in shown.lower():
                return {**element, "block_id": block.get("block_id", "b1")}
    raise AssertionError(f"no button labelled {label!r}; buttons: {seen}")
