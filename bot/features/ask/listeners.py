"""Mentions are events: Slack may deliver one several times, so the de-duplication
middleware in ``bot.app`` lets each ``event_id`` through once."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.features.ask.blocks import answer_text, build_answer
from knowledge import answer

__all__ = ["register"]

_MENTION = re.compile(r"<[@!#][^>]*>")


def register(app: AsyncApp, deps: Deps) -> None:
    kb = deps.kb

    @app.event("app_mention")
    async def handle_mention(event: dict[str, Any], client: AsyncWebClient) -> None:
        question = _MENTION.sub(" ", str(event.get("text", "")))
        result = answer(kb, question)
        await client.chat_postMessage(
            channel=str(event.get("channel", "")),
            thread_ts=str(event.get("thread_ts") or event.get("ts") or "") or None,
            blocks=build_answer(result, kb),
            text=answer_text(result),
        )
