"""The reply to a mention (pure).

A minimal rendering of :class:`knowledge.Answer`; the Slack side of the answering
rewrite replaces it.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import bullets, context, section, to_dicts
from knowledge import Answer, KnowledgeBase

__all__ = ["answer_text", "build_answer"]


def answer_text(result: Answer) -> str:
    if not result.answered:
        return "I can explain the five ML organization archetypes and the three team-design dimensions."
    return result.headline


def build_answer(result: Answer, kb: KnowledgeBase) -> list[dict[str, Any]]:
    if not result.answered:
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
    hint = "Try `/mlorg diagnose` for a fuller picture. · " if result.suggest_diagnose else ""
    subject = result.topics[0].id if result.topics else ""
    return to_dicts(
        [
            section(f"*{result.headline}*\n" + bullets(tuple(f.text for f in result.facts))),
            context(
                f"{hint}The full card: `/mlorg explain {subject}` · From the ML team-structure framework."
            ),
        ]
    )
