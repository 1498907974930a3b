"""Explanations and comparisons as structured results.

Each renderer (terminal text here, Block Kit in ``bot``) draws from the same
results, so a fact reachable in one surface is reachable in all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.lookup import Topic
from knowledge.models import Archetype, Dimension, Position

__all__ = [
    "ArchetypeCard",
    "ArchetypeComparison",
    "Card",
    "Comparison",
    "DimensionCard",
    "DimensionComparison",
    "Overview",
    "compare",
    "explain",
    "overview",
]


@dataclass(frozen=True)
class ArchetypeCard:
    """An archetype with its position on every dimension (None: the framework gives none)."""

    archetype: Archetype
    positions: tuple[tuple[Dimension, Position | None], ...]
    related: tuple[Topic, ...]


@dataclass(frozen=True)
class DimensionCard:
    """A dimension with the position the framework suggests for each archetype."""

    dimension: Dimension
    positions: tuple[tuple[Archetype, Position | None], ...]


Card = ArchetypeCard | DimensionCard


@dataclass(frozen=True)
class Overview:
    archetypes: tuple[Archetype, ...]
    dimensions: tuple[Dimension, ...]


@dataclass(frozen=True)
class ArchetypeComparison:
    """Two archetypes side by side: each dimension is a row (position of a, position of b)."""

    a: Archetype
    b: Archetype
    rows: tuple[tuple[Dimension, Position | None, Position | None], ...]


@dataclass(frozen=True)
class DimensionComparison:
    """Two dimensions side by side: each archetype is a row."""

    a: Dimension
    b: Dimension
    rows: tuple[tuple[Archetype, Position | None, Position | None], ...]


Comparison = ArchetypeComparison | DimensionComparison


def explain(kb: KnowledgeBase, topic: Topic) -> Card:
    """Everything the framework says about one topic."""
    if isinstance(topic, Archetype):
        related = tuple(t for t in (kb.get(i) for i in topic.related) if t is not None)
        return ArchetypeCard(
            archetype=topic,
            positions=tuple((d, topic.positions.get(d.id)) for d in kb.dimensions),
            related=related,
        )
    return DimensionCard(
        dimension=topic,
        positions=tuple((a, a.positions.get(topic.id)) for a in kb.archetypes),
    )


def overview(kb: KnowledgeBase) -> Overview:
    return Overview(archetypes=kb.archetypes, dimensions=kb.dimensions)


def compare(kb: KnowledgeBase, a: Topic, b: Topic) -> Comparison:
    """Two topics of the same kind side by side.

    Raises ValueError for an archetype against a dimension: they answer different
    questions, and callers turn that into a friendly message.
    """
    if isinstance(a, Archetype) and isinstance(b, Archetype):
        return ArchetypeComparison(
            a=a,
            b=b,
            rows=tuple((d, a.positions.get(d.id), b.positions.get(d.id)) for d in kb.dimensions),
        )
    if isinstance(a, Dimension) and isinstance(b, Dimension):
        return DimensionComparison(
            a=a,
            b=b,
            rows=tuple((x, x.positions.get(a.id), x.positions.get(b.id)) for x in kb.archetypes),
        )
    raise ValueError("compare two archetypes, or two dimensions")
