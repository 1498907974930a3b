"""The question bank: every question the content offers, and the picking of a quiz from it.

:meth:`QuestionBank.select` picks a quiz: by count and optional topic (any
spelling :meth:`KnowledgeBase.find` accepts), authored questions first, no repeats,
options shuffled, all reproducible for a given seed. It never raises on user
input: an unknown topic comes back as a :class:`Selection` with a ``problem``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace

from knowledge.base import KnowledgeBase
from knowledge.lookup import Lookup, Topic, normalize
from knowledge.quiz.generator import generated_questions
from knowledge.quiz.items import DEFAULT_COUNT, MAX_COUNT, QuizItem, Selection, item_from_authored

__all__ = ["QuestionBank"]


class QuestionBank:
    """Every quiz question the content offers, built once at start-up from a knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        authored = tuple(item_from_authored(q) for q in kb.quiz)
        self.items: tuple[QuizItem, ...] = (*authored, *generated_questions(kb))
        self._by_id: dict[str, QuizItem] = {}
        for item in self.items:
            self._by_id.setdefault(item.id, item)

    @property
    def authored(self) -> tuple[QuizItem, ...]:
        return tuple(i for i in self.items if i.source == "authored")

    @property
    def generated(self) -> tuple[QuizItem, ...]:
        return tuple(i for i in self.items if i.source == "generated")

    def by_id(self, question_id: str) -> QuizItem | None:
        """The item with this id (options in canonical order), or None for a stale id."""
        return self._by_id.get(question_id)

    def about(self, topic_id: str) -> tuple[QuizItem, ...]:
        """Every item that a quiz about this topic may ask."""
        return tuple(i for i in self.items if i.is_about(topic_id))

    def select(
        self, count: int = DEFAULT_COUNT, topic: str | None = None, seed: int | None = None
    ) -> Selection:
        """Pick up to ``count`` (clamped to 1..20) distinct questions, optionally about one topic.

        Authored questions come first, spread across topics; generated ones top the quiz up.
        No two items share an id or a prompt. Options are shuffled. With a ``seed`` the
        result is reproducible; without one it varies. ``topic`` is free text resolved by
        :meth:`KnowledgeBase.find`; an unknown or ambiguous one yields a ``problem``.
        """
        requested = max(1, min(MAX_COUNT, count))
        resolved: Topic | None = None
        lookup: Lookup | None = None
        if topic is not None and topic.strip():
            lookup = self.kb.find(topic)
            if lookup.topic is None:
                return Selection((), None, _miss(lookup, self.kb), lookup, requested)
            resolved = lookup.topic
        rng = random.Random(seed)
        pool = self.items if resolved is None else self.about(resolved.id)
        ordered = [
            *_spread([i for i in pool if i.source == "authored"], rng),
            *_spread([i for i in pool if i.source == "generated"], rng),
        ]
        chosen: list[QuizItem] = []
        seen: set[str] = set()
        for item in ordered:
            keys = {f"id:{item.id}", f"prompt:{normalize(item.prompt)}"}
            if keys & seen:
                continue
            seen |= keys
            chosen.append(item)
            if len(chosen) == requested:
                break
        rng.shuffle(chosen)
        items = tuple(replace(i, options=tuple(rng.sample(i.options, len(i.options)))) for i in chosen)
        if not items:
            name = resolved.name if resolved else "any topic"
            return Selection(
                (), resolved, f"There are no quiz questions about {name} yet.", lookup, requested
            )
        return Selection(items, resolved, None, lookup, requested)


def _spread(items: list[QuizItem], rng: random.Random) -> list[QuizItem]:
    """Shuffle, then interleave topics so a quiz without a topic does not ask about one topic only."""
    groups: dict[str, list[QuizItem]] = defaultdict(list)
    for item in items:
        groups[item.topic].append(item)
    order = sorted(groups)
    rng.shuffle(order)
    for topic in order:
        rng.shuffle(groups[topic])
    spread: list[QuizItem] = []
    for round_ in range(max((len(g) for g in groups.values()), default=0)):
        spread += [groups[t][round_] for t in order if round_ < len(groups[t])]
    return spread


def _miss(lookup: Lookup, kb: KnowledgeBase) -> str:
    query = lookup.query.strip()
    clipped = query if len(query) <= 60 else query[:59] + "…"
    if lookup.ambiguous:
        head = f"'{clipped}' could mean several topics."
    else:
        head = f"I don't know a topic called '{clipped}'."
    if lookup.suggestions:
        names = ", ".join(f"{t.name} ({t.id})" for t in lookup.suggestions)
        return f"{head} Did you mean: {names}?"
    archetypes = ", ".join(a.id for a in kb.archetypes)
    dimensions = ", ".join(d.id for d in kb.dimensions)
    return f"{head} Try an archetype ({archetypes}) or a dimension ({dimensions})."
