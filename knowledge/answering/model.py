"""What an answer is: the shapes the Slack side and the terminal render.

Every fact carries the topic it came from, so a reply can say whose fact it is and a
follow-up can keep talking about the same topic. The text of a fact is always taken
from the content, never composed, so the bot cannot state what the framework does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from knowledge.lookup import Topic

__all__ = ["MAX_FACTS", "MAX_OVERVIEW_FACTS", "Answer", "AnswerKind", "Fact"]

AnswerKind = Literal["aspect", "which", "compare", "dimension", "situation", "framework", "outside"]

#: A reply is read in a channel: a handful of facts, not the whole card.
MAX_FACTS = 6
#: An overview names every archetype and every dimension once, which takes a few more.
MAX_OVERVIEW_FACTS = 8


@dataclass(frozen=True)
class Fact:
    """One statement from the content, and the topic (and field) it belongs to."""

    topic: Topic
    aspect: str
    text: str


@dataclass(frozen=True)
class Answer:
    """The reply to one question; ``topics[0]`` is the subject a follow-up refers back to."""

    question: str
    kind: AnswerKind
    headline: str
    facts: tuple[Fact, ...]
    topics: tuple[Topic, ...]
    answered: bool
    suggest_diagnose: bool = False
    #: The part of a question the framework does not speak to ("how many GPUs should we buy?"),
    #: said back to the asker so an answer to the rest is not mistaken for an answer to it.
    declined: str | None = None
