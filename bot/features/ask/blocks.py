"""The reply to a mention (pure)."""

from __future__ import annotations

from typing import Any

from bot.blocks import bullets, context, section, to_dicts
from knowledge import Answer, KnowledgeBase

__all__ = ["answer_text", "build_answer"]

_ASPECT_TITLES = {
    "challenges": "challenges",
    "strengths": "strengths",
    "typical_organizations": "where it is typically found",
    "positions": "position on the design dimensions",
    "questions": "the questions it asks",
    "covers": "what it covers",
    "summary": "in short",
}


def answer_text(result: Answer) -> str:
    if result.topic is None:
        return "I can explain the five ML organization archetypes and the three team-design dimensions."
    return f"{result.topic.name}: {_ASPECT_TITLES.get(result.aspect, result.aspect)}"


def build_answer(result: Answer, kb: KnowledgeBase) -> list[dict[str, Any]]:
    if result.topic is None:
        names = ", ".join(f"*{t.short_name}*" for t in kb.topics)
        return to_dicts(
            [
                section(
                    "I can answer questions about the five ML organization archetypes and the three "
                    f"team-design dimensions: {names}. Try "
                    "`@mlorg what's the downside of an R&D org?` or `/mlorg help`."
                )
            ]
        )
    topic = result.topic
    title = _ASPECT_TITLES.get(result.aspect, result.aspect)
    return to_dicts(
        [
            section(f"*{topic.name}: {title}*\n" + bullets(result.facts)),
            context(f"The full card: `/mlorg explain {topic.id}` · From the ML team-structure framework."),
        ]
    )
