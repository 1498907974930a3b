"""Mentions are events: Slack may deliver one several times, so the de-duplication
middleware in ``bot.app`` lets each ``event_id`` through once."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.features.ask.blocks import answer_text, build_answer
from bot.slack_text import unescape
from knowledge import Answerer

__all__ = ["register"]

#: A user, channel or special mention. ``[^<>]`` keeps the scan linear: with ``[^>]`` a message
#: of 40,000 ``<@`` would rescan to the end from every one of them and block the event loop.
_MENTION = re.compile(r"<[@!#][^<>]*>")
#: A question needs far less than Slack's 40,000 characters; the rest is cut before any parsing.
MAX_QUESTION = 2000


def register(app: AsyncApp, deps: Deps) -> None:
    kb = deps.kb
    answerer = Answerer(kb)  # indexes the content once, at start-up, not per mention

    @app.event("app_mention")
    async def handle_mention(event: dict[str, Any], client: AsyncWebClient) -> None:
        question = unescape(_MENTION.sub(" ", str(event.get("text", ""))[:MAX_QUESTION]))
        result = answerer.answer(question)
        await client.chat_postMessage(
            channel=str(event.get("channel", "")),
            thread_ts=str(event.get("thread_ts") or event.get("ts") or "") or None,
            blocks=build_answer(result, kb),
            text=answer_text(result),
        )
