"""mlorg's knowledge core: the ML team-structure framework as validated data.

Pure Python with no Slack in it, so the terminal, the Slack app and the tests all
draw on one source. Load once with :func:`load_knowledge`, then look topics up,
explain and compare them, and render the results.
"""

from __future__ import annotations

from knowledge.base import KnowledgeBase
from knowledge.errors import KnowledgeError
from knowledge.explain import (
    ArchetypeCard,
    ArchetypeComparison,
    Card,
    Comparison,
    DimensionCard,
    DimensionComparison,
    Overview,
    compare,
    explain,
    overview,
)
from knowledge.loader import CONTENT_DIR, check_knowledge, load_knowledge
from knowledge.lookup import Lookup, Topic, normalize
from knowledge.models import Archetype, Dimension, Position
from knowledge.render_text import render_card, render_comparison, render_miss, render_overview

__all__ = [
    "CONTENT_DIR",
    "Archetype",
    "ArchetypeCard",
    "ArchetypeComparison",
    "Card",
    "Comparison",
    "Dimension",
    "DimensionCard",
    "DimensionComparison",
    "KnowledgeBase",
    "KnowledgeError",
    "Lookup",
    "Overview",
    "Position",
    "Topic",
    "check_knowledge",
    "compare",
    "explain",
    "load_knowledge",
    "normalize",
    "overview",
    "render_card",
    "render_comparison",
    "render_miss",
    "render_overview",
]
