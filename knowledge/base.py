"""The loaded framework: topics by id, and lookup by whatever a person types."""

from __future__ import annotations

import re

from knowledge.lookup import Lookup, LookupIndex, Topic, normalize
from knowledge.models import Archetype, Dimension

__all__ = ["KnowledgeBase"]

#: Explicit separators between two topics: "rnd vs embedded", "rnd, embedded", "rnd and embedded".
_PAIR_SEPARATOR = re.compile(r"\s+(?:vs\.?|versus|v\.?|with|to|and)\s+|\s*[,/|]\s*", re.IGNORECASE)


class KnowledgeBase:
    """Validated, immutable content plus the indexes built from it once.

    Build it with :func:`knowledge.load_knowledge`; constructing it directly
    skips the cross-reference checks the loader performs.
    """

    def __init__(self, archetypes: tuple[Archetype, ...], dimensions: tuple[Dimension, ...]) -> None:
        self.archetypes = archetypes
        self.dimensions = dimensions
        self._by_id: dict[str, Topic] = {t.id: t for t in (*archetypes, *dimensions)}
        self._index = LookupIndex(archetypes, dimensions)

    @property
    def topics(self) -> tuple[Topic, ...]:
        return (*self.archetypes, *self.dimensions)

    def get(self, topic_id: str) -> Topic | None:
        """The topic with this exact id, or None (ids come from our own buttons)."""
        return self._by_id.get(topic_id)

    def archetype(self, archetype_id: str) -> Archetype:
        topic = self._by_id.get(archetype_id)
        if not isinstance(topic, Archetype):
            raise KeyError(archetype_id)
        return topic

    def dimension(self, dimension_id: str) -> Dimension:
        topic = self._by_id.get(dimension_id)
        if not isinstance(topic, Dimension):
            raise KeyError(dimension_id)
        return topic

    def find(self, query: str) -> Lookup:
        """Resolve free text to a topic, or suggestions; never raises."""
        return self._index.find(query)

    def find_pair(self, text: str) -> tuple[Lookup, Lookup]:
        """Split "A vs B" (or "A B" with multi-word names) into two lookups.

        An explicit separator wins; otherwise every split point between words is
        tried and the first where both halves resolve is taken, so
        "product embedded r&d" works without quotes. When nothing resolves, the
        halves of the most plausible split come back with their suggestions.
        """
        candidates: list[tuple[Lookup, Lookup]] = []
        parts = [p for p in _PAIR_SEPARATOR.split(text.strip(), maxsplit=1) if p.strip()]
        if len(parts) == 2:
            candidates.append((self.find(parts[0]), self.find(parts[1])))
        words = text.split()
        candidates += [
            (self.find(" ".join(words[:cut])), self.find(" ".join(words[cut:])))
            for cut in range(1, min(len(words), 12))
        ]
        for left, right in candidates:
            if left.found and right.found:
                return left, right
        for left, right in candidates:
            if left.found or right.found:
                return left, right
        return candidates[0] if candidates else (self.find(text), Lookup(""))
