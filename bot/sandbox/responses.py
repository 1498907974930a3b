"""``response_url``: how an app answers a command or a click after the ack, as Slack does it.

Each command and each message click gets its own URL. It is good for 5 uses in 30
minutes (then ``used_url`` / ``expired_url``). A body may replace or delete the
message that was clicked (``replace_original``, ``delete_original``), or post a new
one: ephemeral to the person by default, or to everyone with
``response_type: in_channel``. Answers to a click in a thread stay in that thread.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.blockkit import check_blocks, parse_blocks
from bot.sandbox.web_api import with_block_ids
from bot.sandbox.workspace import BOT, Message, Workspace

__all__ = ["MAX_USES", "RESPONSE_URL_SECONDS", "ResponseUrls", "Target"]

MAX_USES = 5
RESPONSE_URL_SECONDS = 30 * 60


@dataclass
class Target:
    """Where a response URL's answers go."""

    user: str
    channel: str
    #: The clicked message (None for a slash command).
    message_ts: str | None
    thread_ts: str | None
    issued: float
    uses: int = 0


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


class ResponseUrls:
    def __init__(
        self, ws: Workspace, base_url: str = "", clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ws = ws
        self.base_url = base_url
        self.clock = clock
        self._targets: dict[str, Target] = {}

    def issue(
        self, user: str, channel: str, message_ts: str | None = None, thread_ts: str | None = None
    ) -> str:
        token = secrets.token_urlsafe(12)
        self._targets[token] = Target(user, channel, message_ts, thread_ts, self.clock())
        return f"{self.base_url}/response/{token}"

    async def handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        raw = await request.text()
        try:
            body = json.loads(raw or "{}")
        except ValueError:
            body = {"text": raw}
        entry = self.ws.record("from app", "response_url", body)
        status, answer = self.use(token, body if isinstance(body, dict) else {})
        entry.status, entry.response = status, answer
        self.ws.changed()
        return web.Response(status=status, text=answer)

    def use(self, token: str, body: dict[str, Any]) -> tuple[int, str]:
        """Apply one response; (HTTP status, body) as Slack answers it."""
        target = self._targets.get(token)
        if target is None:
            return 404, "invalid_url"
        if self.clock() - target.issued > RESPONSE_URL_SECONDS:
            return 404, "expired_url"
        if target.uses >= MAX_USES:
            return 404, "used_url"
        target.uses += 1
        original = self.ws.find(target.channel, target.message_ts) if target.message_ts else None
        if _truthy(body.get("delete_original")):
            if original is None:
                return 404, "message_not_found"
            self.ws.remove(original)
            return 200, "ok"
        blocks, shape = parse_blocks(body.get("blocks"))
        problems = shape + check_blocks(blocks)
        if problems:
            for problem in problems:
                self.ws.warn("response_url", problem)
            return 400, "invalid_blocks"
        text = str(body.get("text") or "")
        if not text and not blocks:
            return 400, "no_text"
        blocks = with_block_ids(blocks)
        if _truthy(body.get("replace_original")) and original is not None:
            original.text, original.blocks = text, blocks
            if body.get("response_type") == "in_channel":
                original.visible_to = None
            self.ws.changed()
            return 200, "ok"
        public = body.get("response_type") == "in_channel"
        thread_ts = body.get("thread_ts") or target.thread_ts
        self.ws.add(
            Message(
                ts=self.ws.next_ts(),
                channel=target.channel,
                user=BOT.id,
                text=text,
                blocks=blocks,
                thread_ts=str(thread_ts) if thread_ts else None,
                visible_to=None if public else target.user,
            )
        )
        return 200, "ok"
