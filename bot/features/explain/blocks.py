"""Block Kit builders for explanations: pure functions, domain result in, blocks out.

They never touch the network, so they are tested without Slack, and their output
depends only on immutable content, so the listeners cache it.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement, StaticSelectElement

from bot.blocks import actions, bullets, button, context, divider, fields, header, section, select, to_dicts
from bot.features.explain import ids
from bot.slack_text import quote_user_text
from knowledge import (
    Archetype,
    ArchetypeCard,
    ArchetypeComparison,
    Card,
    Comparison,
    DimensionCard,
    KnowledgeBase,
    Lookup,
    Overview,
    Position,
    Topic,
)

__all__ = [
    "FRAMEWORK_LINE",
    "build_card",
    "build_comparison",
    "build_miss",
    "build_overview",
    "build_pair_problem",
    "card_text",
]

FRAMEWORK_LINE = (
    ":books: From the ML team-structure framework: five organizational archetypes, three design dimensions."
)
NO_POSITION = "_The framework suggests no position here._"

Blocks = list[dict[str, Any]]


def card_text(topic: Topic) -> str:
    """The notification / fallback text for a card (what shows in a push notification)."""
    return f"{topic.name}: {topic.summary}"


def _title(topic: Topic) -> str:
    prefix = f"{topic.emoji} " if topic.emoji else ""
    number = f"{topic.number}. " if isinstance(topic, Archetype) else ""
    return f"{prefix}{number}{topic.name}"


def _position(position: Position | None) -> str:
    return f"*{position.stance}.* {position.detail}" if position else NO_POSITION


def build_card(
    card: Card, kb: KnowledgeBase, *, shared_by: str | None = None, interactive: bool = True
) -> Blocks:
    """One topic's card.

    ``shared_by`` (a user id) makes the public variant; public and modal cards
    (``interactive=False``) carry no buttons, which only make sense to one reader.
    """
    blocks = _archetype(card, kb) if isinstance(card, ArchetypeCard) else _dimension(card)
    topic = card.archetype if isinstance(card, ArchetypeCard) else card.dimension
    if shared_by is not None:
        blocks.append(context(f"Shared by <@{shared_by}> · {FRAMEWORK_LINE}"))
        return to_dicts(blocks)
    if not interactive:
        blocks.append(context(FRAMEWORK_LINE))
        return to_dicts(blocks)
    blocks.append(context(FRAMEWORK_LINE))
    blocks.append(_card_actions(card, kb, topic))
    return to_dicts(blocks)


def _archetype(card: ArchetypeCard, kb: KnowledgeBase) -> list[Block]:
    a = card.archetype
    blocks: list[Block] = [
        header(_title(a)),
        section(f"_{a.summary}_"),
        section("*What it looks like*\n" + bullets(a.looks_like)),
        section("*Strengths*\n" + bullets(a.strengths)),
        section("*Challenges*\n" + bullets(a.challenges)),
        section("*Typical organizations*\n" + bullets(a.typical_organizations)),
        section(
            "*Position on the design dimensions*\n"
            + "\n".join(f"• *{d.name}*: {_position(p)}" for d, p in card.positions)
        ),
    ]
    if a.notes:
        blocks.append(section("*Notes from your organization*\n" + bullets(a.notes)))
    return blocks


def _dimension(card: DimensionCard) -> list[Block]:
    d = card.dimension
    blocks: list[Block] = [
        header(_title(d)),
        section(f"_{d.summary}_"),
        section("*The questions it asks*\n" + bullets(d.questions)),
        section("*What it covers*\n" + bullets(d.covers)),
        section(f"*Scale*: {d.low_end}  ⟷  {d.high_end}"),
        section(
            "*Where each archetype sits*\n"
            + "\n".join(f"• *{a.short_name}*: {_position(p)}" for a, p in card.positions)
        ),
    ]
    if d.notes:
        blocks.append(section("*Notes from your organization*\n" + bullets(d.notes)))
    return blocks


def _card_actions(card: Card, kb: KnowledgeBase, topic: Topic) -> Block:
    elements: list[ButtonElement | StaticSelectElement] = []
    if isinstance(card, ArchetypeCard):
        elements += [
            button(f"Explain {t.short_name}", f"{ids.EXPLAIN_TOPIC}:{t.id}", t.id) for t in card.related[:3]
        ]
        others = [(a.short_name, f"{topic.id}:{a.id}") for a in kb.archetypes if a.id != topic.id]
        if others:
            elements.append(select(f"Compare {topic.short_name} with…", ids.COMPARE_WITH, others))
    else:
        elements += [
            button(f"Explain {d.short_name}", f"{ids.EXPLAIN_TOPIC}:{d.id}", d.id)
            for d in kb.dimensions
            if d.id != topic.id
        ]
    elements.append(button("Share in channel", ids.SHARE, f"explain:{topic.id}", style="primary"))
    return actions(*elements, block_id=f"card:{topic.id}")


def build_overview(view: Overview) -> Blocks:
    blocks: list[Block] = [
        header(":busts_in_silhouette: How to structure ML teams"),
        section(
            "Organizations place their ML people in one of *five archetypes*, and any ML team is "
            "shaped along *three design dimensions*. Pick one to read its card."
        ),
        section("*The five archetypes*"),
    ]
    for a in view.archetypes:
        blocks.append(
            section(
                f"{a.emoji} *{a.number}. {a.name}*\n{a.summary}",
                accessory=button("Explain", f"{ids.EXPLAIN_TOPIC}:{a.id}", a.id),
            )
        )
    blocks.append(divider())
    blocks.append(section("*The three design dimensions*"))
    for d in view.dimensions:
        blocks.append(
            section(
                f"{d.emoji} *{d.name}*\n{d.summary}",
                accessory=button("Explain", f"{ids.EXPLAIN_TOPIC}:{d.id}", d.id),
            )
        )
    blocks.append(
        context(f"{FRAMEWORK_LINE} Try `/mlorg explain r&d` or `/mlorg compare embedded independent`.")
    )
    return to_dicts(blocks)


def build_comparison(comparison: Comparison, *, shared_by: str | None = None) -> Blocks:
    a, b = comparison.a, comparison.b
    blocks: list[Block] = [header(f"{a.short_name} vs {b.short_name}")]
    blocks.append(fields([f"*{a.emoji} {a.name}*\n{a.summary}", f"*{b.emoji} {b.name}*\n{b.summary}"]))
    for row, left, right in comparison.rows:
        label = row.name if not isinstance(row, Archetype) else f"{row.number}. {row.short_name}"
        blocks.append(section(f"*{label}*"))
        blocks.append(
            fields([f"*{a.short_name}*: {_position(left)}", f"*{b.short_name}*: {_position(right)}"])
        )
    if isinstance(comparison, ArchetypeComparison):
        left_a, right_b = comparison.a, comparison.b
        blocks.append(divider())
        blocks.append(
            fields(
                [
                    f"*{left_a.short_name}: strengths*\n" + bullets(left_a.strengths),
                    f"*{right_b.short_name}: strengths*\n" + bullets(right_b.strengths),
                ]
            )
        )
        blocks.append(
            fields(
                [
                    f"*{left_a.short_name}: challenges*\n" + bullets(left_a.challenges),
                    f"*{right_b.short_name}: challenges*\n" + bullets(right_b.challenges),
                ]
            )
        )
    if shared_by is not None:
        blocks.append(context(f"Shared by <@{shared_by}> · {FRAMEWORK_LINE}"))
        return to_dicts(blocks)
    blocks.append(context(FRAMEWORK_LINE))
    blocks.append(
        actions(
            button(f"Explain {a.short_name}", f"{ids.EXPLAIN_TOPIC}:{a.id}", a.id),
            button(f"Explain {b.short_name}", f"{ids.EXPLAIN_TOPIC}:{b.id}", b.id),
            button("Share in channel", ids.SHARE, f"compare:{a.id}:{b.id}", style="primary"),
            block_id=f"compare:{a.id}:{b.id}",
        )
    )
    return to_dicts(blocks)


def build_miss(lookup: Lookup) -> Blocks:
    """Nothing matched (or several things did): say so kindly and offer the closest topics."""
    query = quote_user_text(lookup.query, 60)
    if not lookup.query.strip():
        head = "Which topic? Name an archetype (1-5, e.g. `embedded`) or a dimension (e.g. `data ownership`)."
    elif lookup.ambiguous:
        head = f"“{query}” could mean more than one topic. Which one?"
    elif lookup.suggestions:
        head = f"I don't know a topic called “{query}”. Did you mean one of these?"
    else:
        head = f"I don't know a topic called “{query}”. Here is everything I can explain:"
    suggestions = lookup.suggestions
    blocks: list[Block] = [section(head)]
    if suggestions:
        blocks.append(actions(*(button(t.name, f"{ids.EXPLAIN_TOPIC}:{t.id}", t.id) for t in suggestions)))
    else:
        blocks.append(actions(button("Show all topics", ids.OVERVIEW, "overview", style="primary")))
    return to_dicts(blocks)


def build_pair_problem(message: str) -> Blocks:
    """Compare could not find two comparable topics; ``message`` is already escaped."""
    return to_dicts(
        [
            section(message),
            context(
                "Example: `/mlorg compare rnd independent` or `/mlorg compare data ownership model ownership`"
            ),
        ]
    )
