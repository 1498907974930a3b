"""Publish the Home tab when it is opened; open a topic's card in a modal."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot import payloads
from bot.deps import Deps
from bot.features.explain.blocks import build_card
from bot.features.home.blocks import EXPLAIN_IN_MODAL, build_home, build_topic_modal
from knowledge import explain, overview

__all__ = ["register"]


def register(app: AsyncApp, deps: Deps) -> None:
    kb = deps.kb
    home = build_home(overview(kb))  # immutable content: built once

    @app.event("app_home_opened")
    async def handle_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        await client.views_publish(user_id=str(event.get("user", "")), view=home)

    @deps.actions.on(f"{EXPLAIN_IN_MODAL}:", prefix=True)
    async def handle_open_topic(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        value = payloads.action_value(body)
        topic = kb.get(value)
        if topic is None:
            return  # a Home tab from before a content change; the next open republishes it
        # Built here, not taken from the explain cache: a modal card carries no Share button.
        view = build_topic_modal(topic, build_card(explain(kb, topic), kb, interactive=False))
        await client.views_open(trigger_id=payloads.trigger_id(body), view=view)
