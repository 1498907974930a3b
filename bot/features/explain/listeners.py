"""``/mlorg explain``, ``/mlorg compare`` and their buttons.

Explaining is cheap and the content is immutable, so the answer goes in the ack
itself and the rendered blocks are cached per topic: a request does a dictionary
lookup, not a Block Kit build.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import payloads
from bot.commands import CommandContext
from bot.deps import Deps
from bot.features.explain import ids
from bot.features.explain.blocks import (
    build_card,
    build_comparison,
    build_miss,
    build_overview,
    build_pair_problem,
    card_text,
)
from bot.slack_text import api_error, quote_user_text
from knowledge import Archetype, KnowledgeBase, Lookup, Topic, compare, explain, overview

__all__ = ["ExplainRenderer", "register"]

log = logging.getLogger(__name__)

Blocks = list[dict[str, Any]]
_NOT_IN_CHANNEL = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


class ExplainRenderer:
    """Rendered cards, built on first use and kept: the knowledge base never changes at run time."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._cache: dict[tuple[str, ...], Blocks] = {}

    def card(self, topic: Topic) -> Blocks:
        key = ("card", topic.id)
        if key not in self._cache:
            self._cache[key] = build_card(explain(self.kb, topic), self.kb)
        return self._cache[key]

    def overview(self) -> Blocks:
        if ("overview",) not in self._cache:
            self._cache[("overview",)] = build_overview(overview(self.kb))
        return self._cache[("overview",)]

    def comparison(self, a: Topic, b: Topic) -> Blocks:
        key = ("compare", a.id, b.id)
        if key not in self._cache:
            self._cache[key] = build_comparison(compare(self.kb, a, b))
        return self._cache[key]

    def shared(self, what: str, user_id: str) -> tuple[Blocks, str] | None:
        """The public variant of a card or comparison named by a Share button's value."""
        kind, _, rest = what.partition(":")
        if kind == "explain" and (topic := self.kb.get(rest)) is not None:
            return build_card(explain(self.kb, topic), self.kb, shared_by=user_id), card_text(topic)
        if kind == "compare":
            a, _, b = rest.partition(":")
            left, right = self.kb.get(a), self.kb.get(b)
            if left is not None and right is not None and type(left) is type(right):
                comparison = build_comparison(compare(self.kb, left, right), shared_by=user_id)
                return comparison, f"{left.name} vs {right.name}"
        return None


def register(app: AsyncApp, deps: Deps) -> ExplainRenderer:
    renderer = ExplainRenderer(deps.kb)
    kb = deps.kb

    async def handle_explain_command(ctx: CommandContext) -> None:
        if not ctx.text.strip():
            await ctx.ack(response_type="ephemeral", blocks=renderer.overview(), text="The ML team framework")
            return
        lookup = kb.find(ctx.text)
        if lookup.topic is None:
            await ctx.ack(response_type="ephemeral", blocks=build_miss(lookup), text="Topic not found")
            return
        await ctx.ack(
            response_type="ephemeral", blocks=renderer.card(lookup.topic), text=card_text(lookup.topic)
        )

    async def handle_compare_command(ctx: CommandContext) -> None:
        left, right = kb.find_pair(ctx.text)
        problem = _pair_problem(ctx.text, left, right)
        if problem is not None:
            await ctx.ack(response_type="ephemeral", blocks=problem, text="Cannot compare those")
            return
        assert left.topic is not None and right.topic is not None
        await ctx.ack(
            response_type="ephemeral",
            blocks=renderer.comparison(left.topic, right.topic),
            text=f"{left.topic.name} vs {right.topic.name}",
        )

    async def handle_topic_fallback(ctx: CommandContext) -> bool:
        """``/mlorg r&d`` is read as ``/mlorg explain r&d`` when it names a topic exactly or nearly."""
        lookup = kb.find(ctx.text)
        if lookup.topic is None:
            return False
        await ctx.ack(
            response_type="ephemeral", blocks=renderer.card(lookup.topic), text=card_text(lookup.topic)
        )
        return True

    deps.commands.add(
        "explain",
        handle_explain_command,
        summary="A card for an archetype or a design dimension, by name, alias, number or near-miss.",
        example="/mlorg explain r&d",
        aliases=("show", "what", "about"),
    )
    deps.commands.add(
        "compare",
        handle_compare_command,
        summary="Two archetypes (or two dimensions) side by side on every dimension.",
        example="/mlorg compare embedded independent",
        aliases=("vs",),
    )
    deps.commands.fallback = handle_topic_fallback

    @deps.actions.on(f"{ids.EXPLAIN_TOPIC}:", prefix=True)
    async def handle_explain_button(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        topic = kb.get(payloads.action_value(body))
        if topic is None:
            await respond(response_type="ephemeral", replace_original=False, text=_STALE)
            return
        await respond(replace_original=True, blocks=renderer.card(topic), text=card_text(topic))

    @deps.actions.on(ids.OVERVIEW)
    async def handle_overview_button(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(replace_original=True, blocks=renderer.overview(), text="The ML team framework")

    @deps.actions.on(ids.COMPARE_WITH)
    async def handle_compare_select(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        value = payloads.selected_value(body)
        a, _, b = value.partition(":")
        left, right = kb.get(a), kb.get(b)
        if not (isinstance(left, Archetype) and isinstance(right, Archetype)):
            await respond(response_type="ephemeral", replace_original=False, text=_STALE)
            return
        await respond(
            replace_original=True,
            blocks=renderer.comparison(left, right),
            text=f"{left.name} vs {right.name}",
        )

    @deps.actions.on(ids.SHARE)
    async def handle_share_button(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = payloads.user_id(body)
        channel_id = payloads.channel_id(body)
        shared = renderer.shared(payloads.action_value(body), user_id)
        if shared is None or not channel_id:
            await respond(response_type="ephemeral", replace_original=False, text=_STALE)
            return
        blocks, text = shared
        try:
            await client.chat_postMessage(channel=channel_id, blocks=blocks, text=text)
        except SlackApiError as error:
            if api_error(error) in _NOT_IN_CHANNEL:
                await respond(
                    response_type="ephemeral",
                    replace_original=False,
                    text="I can't post in this channel yet. Add me with `/invite @mlorg`, then share again.",
                )
                return
            raise
        await respond(
            response_type="ephemeral", replace_original=False, text=":white_check_mark: Shared in channel."
        )

    return renderer


_STALE = "That button is out of date (the content may have changed). Try `/mlorg explain` again."


def _pair_problem(text: str, left: Lookup, right: Lookup) -> Blocks | None:
    """Why two topics cannot be compared, or None when they can."""
    if not text.strip():
        return build_pair_problem("Which two? Name two archetypes or two dimensions.")
    for side in (left, right):
        if side.topic is None:
            if not side.query.strip():
                return build_pair_problem(
                    f"I found only one topic in “{quote_user_text(text, 60)}”. Name two to compare."
                )
            return build_miss(side)
    assert left.topic is not None and right.topic is not None
    if left.topic.id == right.topic.id:
        return build_pair_problem(f"That is {left.topic.short_name} twice: pick two different topics.")
    if type(left.topic) is not type(right.topic):
        return build_pair_problem(
            f"{left.topic.short_name} and {right.topic.short_name} are different kinds of topic: "
            "compare two archetypes, or two dimensions."
        )
    return None
