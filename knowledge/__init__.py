"""mlorg's knowledge core: the ML team-structure framework as validated data.

Pure Python with no Slack in it, so the terminal, the Slack app and the tests all
draw on one source. Load once with :func:`load_knowledge`, then look topics up,
explain and compare them, diagnose an organization with :func:`score` (and a team
with :func:`aggregate`), and render the results.
"""

from __future__ import annotations

from knowledge.ask import Answer, answer
from knowledge.base import KnowledgeBase
from knowledge.diagnosis import (
    BLEND_MARGIN,
    DISCLAIMER,
    GAP_THRESHOLD,
    MIN_GROUP,
    ArchetypePerception,
    ArchetypeTally,
    Diagnosis,
    DimensionPerception,
    DimensionReading,
    Evidence,
    PerceptionGap,
    Share,
    TeamAggregate,
    TeamReading,
    aggregate,
    role_of,
    score,
)
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
from knowledge.models import Archetype, Dimension, Option, Position, Question
from knowledge.render_text import (
    render_card,
    render_comparison,
    render_diagnosis,
    render_miss,
    render_overview,
)

__all__ = [
    "BLEND_MARGIN",
    "CONTENT_DIR",
    "DISCLAIMER",
    "GAP_THRESHOLD",
    "MIN_GROUP",
    "Answer",
    "Archetype",
    "ArchetypeCard",
    "ArchetypeComparison",
    "ArchetypePerception",
    "ArchetypeTally",
    "Card",
    "Comparison",
    "Diagnosis",
    "Dimension",
    "DimensionCard",
    "DimensionComparison",
    "DimensionPerception",
    "DimensionReading",
    "Evidence",
    "KnowledgeBase",
    "KnowledgeError",
    "Lookup",
    "Option",
    "Overview",
    "PerceptionGap",
    "Position",
    "Question",
    "Share",
    "TeamAggregate",
    "TeamReading",
    "Topic",
    "aggregate",
    "answer",
    "check_knowledge",
    "compare",
    "explain",
    "load_knowledge",
    "normalize",
    "overview",
    "render_card",
    "render_comparison",
    "render_diagnosis",
    "render_miss",
    "render_overview",
    "role_of",
    "score",
]
