"""A reply to a question in plain words (pure): a few facts, each with its topic, and what next.

Short on purpose: people ask in a channel or a DM, so the answer names a few facts and
offers the full card (privately), a comparison, the diagnosis for a described situation,
and 👍 / 👎 so admins learn what mlorg could not answer.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement

from bot.blocks import actions, button, context, section, to_dicts
from bot.features.ask import ids
from bot.features.diagnose import ids as diagnose_ids
from bot.slack_text import clip, quote_user_text
from knowledge.answering import Answer, Fact
from knowledge.models import Archetype

__all__ = ["CAN_ANSWER", "answer_text", "build_answer"]

_SECTION = 2900


#: What mlorg can answer, in one line: said with every question it declines.
CAN_ANSWER = (
    "I can answer questions about its five archetypes and three team-design dimensions: what they "
    "look like, their strengths and challenges, how they compare, and which one sounds like your team."
)


def answer_text(answer: Answer) -> str:
    """The notification line: the headline, or that the framework doesn't cover it."""
    if not answer.answered:
        return "The framework doesn't cover that."
    return clip(answer.headline, 150)


def _fact_line(fact: Fact) -> str:
    """A fact with whose it is; mlorg's own advice is marked so nobody takes it for the framework's."""
    if fact.aspect == "next_steps":
        return f"• {fact.text} _(mlorg's advice for {fact.topic.short_name}, not the framework's)_"
    return f"• {fact.text} _({fact.topic.short_name})_"


def build_answer(answer: Answer, *, answer_id: str) -> list[dict[str, Any]]:
    blocks: list[Block] = []
    if answer.answered:
        lines = [f"*{answer.headline}*", *(_fact_line(fact) for fact in answer.facts)]
        if answer.declined:
            lines.append(
                f"_The framework doesn't cover “{quote_user_text(answer.declined, 120)}”, "
                "so that part is left unanswered._"
            )
        blocks.append(section(clip("\n".join(lines), _SECTION)))
    else:
        blocks.append(
            section(
                f"*The framework doesn't cover that.* “{quote_user_text(answer.question, 80)}” is outside "
                f"the ML team-structure framework, so I won't guess. {CAN_ANSWER}"
            )
        )
    buttons: list[ButtonElement] = [
        button(f"Open the {t.short_name} card", f"{ids.CARD}:{t.id}", t.id) for t in answer.topics[:2]
    ]
    pair = [t for t in answer.topics if isinstance(t, Archetype)][:2]
    if len(pair) == 2:
        buttons.append(
            button(
                f"Compare {pair[0].short_name} and {pair[1].short_name}",
                ids.COMPARE,
                f"{pair[0].id}:{pair[1].id}",
            )
        )
    if answer.suggest_diagnose:
        buttons.append(button("Run the diagnosis", diagnose_ids.START, "start", style="primary"))
    buttons += [button("👍", ids.HELPFUL, answer_id), button("👎", ids.UNHELPFUL, answer_id)]
    blocks.append(actions(*buttons))
    note = "From the ML team-structure framework."
    if answer.suggest_diagnose:
        note += " For a real answer about your organization, run the diagnosis: 8 questions, 2 minutes."
    blocks.append(context(note + " 👍 / 👎 tell mlorg whether this helped."))
    return to_dicts(blocks)
