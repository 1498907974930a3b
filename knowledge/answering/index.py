"""The passage search: every fact in the content (built-in plus overlay) as a BM25 passage.

BM25 scoring comes from ``bm25s`` (sparse matrices over numpy/scipy) rather than a
hand-written formula; mlorg adds only the tokenizer and synonyms (``text.py``). The
index is built once, when the :class:`~knowledge.answering.Answerer` is made, and a
search scores one short query against every passage, which is what keeps a question
in the sub-millisecond range even with an overlay ten times the built-in content.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from knowledge.answering.model import Fact
from knowledge.answering.text import content_tokens, stem
from knowledge.base import KnowledgeBase
from knowledge.lookup import Topic
from knowledge.models import Archetype, Dimension

__all__ = ["Hit", "PassageIndex", "facts_of", "next_steps_of", "position_text"]

#: Extra tokens a passage gets from the field it sits in, so "typical" finds typical organizations.
_FIELD_TOKENS: dict[str, tuple[str, ...]] = {
    "typical_organizations": ("typical", "company", "industry", "sector"),
    "strengths": ("strength",),
    "challenges": ("challenge",),
}


def position_text(kb: KnowledgeBase, archetype: Archetype, dimension_id: str) -> str | None:
    """A position as one fact: the dimension's name, the stance and its detail, all from the content."""
    position = archetype.positions.get(dimension_id)
    if position is None:
        return None
    dimension = kb.get(dimension_id)
    name = dimension.name if dimension is not None else dimension_id
    return f"{name}: {position.stance}. {position.detail}"


def facts_of(kb: KnowledgeBase, topic: Topic) -> Iterator[Fact]:
    """Every fact of a topic, tagged with the field it comes from."""
    if isinstance(topic, Archetype):
        yield Fact(topic, "summary", topic.summary)
        for aspect in ("looks_like", "strengths", "challenges", "typical_organizations", "notes"):
            for text in getattr(topic, aspect):
                yield Fact(topic, aspect, text)
        for dimension_id in topic.positions:
            text = position_text(kb, topic, dimension_id)
            if text is not None:
                yield Fact(topic, "position", text)
    elif isinstance(topic, Dimension):
        yield Fact(topic, "summary", topic.summary)
        for text in topic.questions:
            yield Fact(topic, "questions", text)
        yield Fact(topic, "covers", "It covers: " + ", ".join(topic.covers) + ".")
        for text in topic.notes:
            yield Fact(topic, "notes", text)


def next_steps_of(topic: Topic) -> tuple[Fact, ...]:
    """mlorg's own advice for an archetype, as facts; kept out of the index on purpose.

    They are not the framework's, so a search must never offer them as what the framework
    says; they are given only when someone asks where to start or what to change.
    """
    if not isinstance(topic, Archetype):
        return ()
    return tuple(Fact(topic, "next_steps", text) for text in topic.next_steps)


@dataclass(frozen=True)
class Hit:
    """A passage that matched, its BM25 score and the query tokens it shares."""

    fact: Fact
    score: float
    matched: frozenset[str]


class PassageIndex:
    """All facts of all topics, tokenized and indexed once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.facts: tuple[Fact, ...] = tuple(f for topic in kb.topics for f in facts_of(kb, topic))
        self._tokens: tuple[frozenset[str], ...] = tuple(frozenset(self._passage(f)) for f in self.facts)
        corpus = [sorted(tokens) or ["_empty_"] for tokens in self._tokens]
        # Imported here, not at the top: numpy and bm25s are most of the cost of building an
        # index, and a process that never answers a question in words need not load them.
        import bm25s

        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._vocabulary: frozenset[str] = frozenset(t for tokens in self._tokens for t in tokens)
        self.builds = 1

    @staticmethod
    def _passage(fact: Fact) -> list[str]:
        tokens = content_tokens(fact.text)
        tokens.extend(stem(w) for w in _FIELD_TOKENS.get(fact.aspect, ()))
        if fact.aspect == "summary":
            tokens.extend(content_tokens(fact.topic.name))
        return tokens

    def known(self, tokens: Iterable[str]) -> list[str]:
        """The tokens the content uses at all; the rest can only add noise."""
        return [t for t in tokens if t in self._vocabulary]

    def search(
        self, tokens: list[str], *, weights: dict[str, float] | None = None, archetypes_only: bool = False
    ) -> list[Hit]:
        """Passages sharing a token with the query, best first; ``weights`` scales by field."""
        query = self.known(tokens)
        if not query:
            return []
        import numpy as np  # already loaded by bm25s when the index was built

        scores = np.asarray(self._bm25.get_scores(query), dtype=float)
        wanted = set(query)
        hits: list[Hit] = []
        for position in np.flatnonzero(scores > 0):
            fact = self.facts[int(position)]
            if archetypes_only and not isinstance(fact.topic, Archetype):
                continue
            factor = (weights or {}).get(fact.aspect, 1.0)
            if factor <= 0:
                continue
            hits.append(
                Hit(fact, float(scores[position]) * factor, frozenset(self._tokens[position] & wanted))
            )
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits
