"""Answer a free-text question ("what's the downside of an R&D org?") from the content.

This is passage search, not a language model: find the topic the question names
and the aspect it asks about (strengths, challenges, typical organizations, …),
and return the matching facts. When no topic is named the answer says so, with
the topics to choose from, so the bot never invents an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.lookup import Topic, normalize
from knowledge.models import Archetype, Dimension

__all__ = ["ASPECTS", "Answer", "answer"]

#: Aspect -> words that ask for it. Checked in order; the first aspect named wins.
ASPECTS: dict[str, tuple[str, ...]] = {
    "challenges": (
        "downside",
        "downsides",
        "challenge",
        "challenges",
        "weakness",
        "weaknesses",
        "risk",
        "risks",
        "problem",
        "problems",
        "hard",
        "difficult",
        "con",
        "cons",
        "disadvantage",
        "disadvantages",
        "bad",
        "worst",
        "pitfall",
        "pitfalls",
        "issue",
        "issues",
    ),
    "strengths": (
        "upside",
        "upsides",
        "strength",
        "strengths",
        "advantage",
        "advantages",
        "benefit",
        "benefits",
        "pro",
        "pros",
        "good",
        "best",
        "why",
    ),
    "positions": (
        "position",
        "positions",
        "dimension",
        "dimensions",
        "ownership",
        "own",
        "owns",
        "deploy",
        "deploys",
        "maintain",
        "maintains",
        "data",
        "engineering",
        "research",
    ),
    "typical_organizations": (
        "who",
        "where",
        "typical",
        "typically",
        "example",
        "examples",
        "companies",
        "company",
        "industry",
        "industries",
        "sector",
        "sectors",
        "found",
    ),
    "questions": ("question", "questions", "ask", "asks", "mean", "means", "cover", "covers"),
}


@dataclass(frozen=True)
class Answer:
    """The facts that answer a question; ``topic`` is None when the question names none."""

    question: str
    topic: Topic | None
    aspect: str
    facts: tuple[str, ...]


def answer(kb: KnowledgeBase, question: str) -> Answer:
    text = normalize(question[:500])
    topic = _named_topic(kb, text)
    words = set(text.split())
    aspect = next((name for name, cues in ASPECTS.items() if words & set(cues)), "summary")
    if topic is None:
        return Answer(question, None, aspect, ())
    return Answer(question, topic, *_facts(topic, aspect))


def _named_topic(kb: KnowledgeBase, text: str) -> Topic | None:
    """The topic whose longest name appears in the question as whole words."""
    best: tuple[int, Topic] | None = None
    padded = f" {text} "
    for topic in kb.topics:
        names = [topic.id.replace("_", " "), topic.name, topic.short_name, *topic.aliases]
        for name in names:
            key = normalize(name)
            if (
                key
                and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", padded)
                and (best is None or len(key) > best[0])
            ):
                best = (len(key), topic)
    return best[1] if best else None


def _facts(topic: Topic, aspect: str) -> tuple[str, tuple[str, ...]]:
    if isinstance(topic, Archetype):
        if aspect == "challenges":
            return aspect, topic.challenges
        if aspect == "strengths":
            return aspect, topic.strengths
        if aspect == "typical_organizations":
            return aspect, topic.typical_organizations
        if aspect == "positions":
            if not topic.positions:
                return aspect, ("The framework suggests no position on the dimensions for this archetype.",)
            return aspect, tuple(f"{p.stance}: {p.detail}" for p in topic.positions.values())
        return "summary", (topic.summary, *topic.looks_like)
    assert isinstance(topic, Dimension)
    if aspect in {"questions", "summary"}:
        return "questions", (topic.summary, *topic.questions)
    return "covers", (topic.summary, "It covers: " + ", ".join(topic.covers) + ".")
