"""Home tab and topic modal builders (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_sdk.models.blocks import Block

from bot.blocks import button, context, divider, header, section, to_dicts
from bot.features.explain.blocks import FRAMEWORK_LINE
from bot.slack_text import clip, escape
from knowledge import Archetype, Overview, Topic
from knowledge.charts.palette import swatch

__all__ = ["EXPLAIN_IN_MODAL", "build_home", "build_topic_modal", "chart_legend"]

#: Prefix; the full action_id is ``mlorg_home_explain:<topic id>``.
EXPLAIN_IN_MODAL = "mlorg_home_explain"
MODAL_TITLE_MAX = 24


def build_home(view: Overview) -> dict[str, Any]:
    blocks: list[Block] = [
        header(":busts_in_silhouette: mlorg"),
        section(
            "How should your organization structure its machine-learning teams? Here is the framework "
            "mlorg works from. In any channel, try `/mlorg help`."
        ),
        section("*Five archetypes*"),
        context(chart_legend(view.archetypes)),
    ]
    for a in view.archetypes:
        blocks.append(
            section(
                f"{a.emoji} *{a.number}. {a.name}*\n{a.summary}",
                accessory=button("Open", f"{EXPLAIN_IN_MODAL}:{a.id}", a.id),
            )
        )
    blocks += [divider(), section("*Three design dimensions*")]
    for d in view.dimensions:
        blocks.append(
            section(
                f"{d.emoji} *{d.name}*\n{d.summary}",
                accessory=button("Open", f"{EXPLAIN_IN_MODAL}:{d.id}", d.id),
            )
        )
    blocks.append(context(FRAMEWORK_LINE))
    return {"type": "home", "blocks": to_dicts(blocks)}


def chart_legend(archetypes: Iterable[Archetype]) -> str:
    """The key to mlorg's chart colours, as the emoji squares that stand for them.

    Charts tell archetypes apart by colour alone; text cannot be coloured, so the Home tab
    pairs each archetype with its square once, where people look up what things mean.
    """
    keys = " · ".join(f"{swatch(a).emoji} {escape(a.short_name)}" for a in archetypes)
    return f"Colours in mlorg's charts: {keys}"


def build_topic_modal(topic: Topic, card_blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": clip(topic.short_name, MODAL_TITLE_MAX)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": card_blocks,
    }
