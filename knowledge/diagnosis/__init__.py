"""The diagnosis: which archetype an organization resembles, why, and what to change.

Two jobs, one module each: :mod:`~knowledge.diagnosis.scoring` places one person's answers
(mlorg's own model, with the disclaimer that says so), and :mod:`~knowledge.diagnosis.team`
combines many people's results without exposing any one of them. Everything is
re-exported here, so callers import from ``knowledge.diagnosis``.
"""

from __future__ import annotations

from knowledge.anonymity import MIN_GROUP
from knowledge.diagnosis.scoring import (
    BLEND_MARGIN,
    DISCLAIMER,
    GAP_THRESHOLD,
    PRIOR,
    Diagnosis,
    DimensionReading,
    Evidence,
    Share,
    role_of,
    score,
    whole_percents,
)
from knowledge.diagnosis.team import (
    ALIGNED_BELOW,
    ALL,
    RESPONDENTS,
    STRONG_FROM,
    ArchetypePerception,
    ArchetypeTally,
    DimensionPerception,
    Disagreement,
    PerceptionGap,
    TeamAggregate,
    TeamReading,
    aggregate,
)

__all__ = [
    "ALIGNED_BELOW",
    "ALL",
    "BLEND_MARGIN",
    "DISCLAIMER",
    "GAP_THRESHOLD",
    "MIN_GROUP",
    "PRIOR",
    "RESPONDENTS",
    "STRONG_FROM",
    "ArchetypePerception",
    "ArchetypeTally",
    "Diagnosis",
    "DimensionPerception",
    "DimensionReading",
    "Disagreement",
    "Evidence",
    "PerceptionGap",
    "Share",
    "TeamAggregate",
    "TeamReading",
    "aggregate",
    "role_of",
    "score",
    "whole_percents",
]
