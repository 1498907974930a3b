"""Plays people in the stand-in's workspace, in process: type, click, read, as the page would.

Tests call the stand-in's delivery directly (the page's HTTP layer is covered by the
browser tests), and find buttons by what they say, the way a person does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.sandbox.delivery import Outcome
from bot.sandbox.runner import Sandbox
from bot.sandbox.workspace import BOT, Message

__all__ = ["Driver", "labelled"]


def labelled(blocks: list[dict[str, Any]], label: str) -> tuple[str, str, dict[str, Any]]:
    """(block_id, action_id, element) of the element whose text or placeholder contains ``label``."""
    seen = []
    for block in blocks:
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if not isinstance(element, dict) or "action_id" not in element:
                continue
            shown = str((element.get("text") or element.get("placeholder") or {}).get("text", ""))
            seen.append(shown)
            if label.lower() in shown.lower():
                return str(block["block_id"]), str(element["action_id"]), element
    raise AssertionError(f"nothing labelled {label!r}; saw {seen}")


class Driver:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox
        self.ws = sandbox.ws

    async def settle(self, quiet: float = 0.15) -> None:
        """Wait until the app has made no call for ``quiet`` seconds: work after an ack is done."""
        while True:
            before = self.ws.seq
            await asyncio.sleep(quiet)
            if self.ws.seq == before:
                return

    async def command(self, user: str, channel: str, text: str) -> Outcome:
        outcome = await self.sb.delivery.command(user, channel, f"/mlorg {text}".strip())
        await self.settle()
        return outcome

    async def say(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> Outcome:
        outcome = await self.sb.delivery.say(user, channel, text, thread_ts)
        await self.settle()
        return outcome

    def seen_by(self, user: str, channel: str) -> list[Message]:
        return list(self.ws.visible(channel, user))

    def last(self, user: str, channel: str, *, thread_ts: str | None = None) -> Message:
        if thread_ts:
            return self.ws.replies(channel, thread_ts, user)[-1]
        return self.seen_by(user, channel)[-1]

    def bot_posts(self, channel: str) -> list[Message]:
        return [m for m in self.ws.messages[channel] if m.user == BOT.id and m.visible_to is None]

    def modal(self, user: str) -> dict[str, Any]:
        top = self.sb.views.top(user)
        assert top is not None, f"{user} has no modal open"
        return top

    async def click(self, user: str, message: Message, label: str, value: Any = None) -> Outcome:
        block_id, action_id, _ = labelled(message.blocks, label)
        outcome = await self.sb.delivery.click_message(
            user, message.channel, message.ts, block_id, action_id, value
        )
        await self.settle()
        return outcome

    async def click_modal(
        self, user: str, label: str, value: Any = None, state: dict[str, Any] | None = None
    ) -> Outcome:
        view = self.modal(user)
        block_id, action_id, _ = labelled(list(view["blocks"]), label)
        outcome = await self.sb.delivery.click_view(user, view["id"], block_id, action_id, value, state)
        await self.settle()
        return outcome

    async def click_home(self, user: str, label: str) -> Outcome:
        home = self.ws.homes[user]
        block_id, action_id, _ = labelled(list(home["blocks"]), label)
        outcome = await self.sb.delivery.click_view(user, home["id"], block_id, action_id)
        await self.settle()
        return outcome

    async def answer(self, user: str, option: int = 0) -> Outcome:
        """Click the ``option``-th answer of the diagnosis question in ``user``'s modal."""
        view = self.modal(user)
        answers = next(b for b in view["blocks"] if str(b["block_id"]).startswith("answers:"))
        element = answers["elements"][option]
        outcome = await self.sb.delivery.click_view(
            user, view["id"], answers["block_id"], element["action_id"]
        )
        await self.settle()
        return outcome

    async def do(self, work: Any) -> Any:
        """Await any delivery, then let the app finish what follows its ack."""
        result = await work
        await self.settle()
        return result
