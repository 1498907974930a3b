"""One person's diagnosis: which archetype their answers point at, why, and what to change.

The framework describes five archetypes and three design dimensions but has no
questionnaire. The questions, the weights each answer gives an archetype, the
scale positions and the next steps are mlorg's own model built from the
framework's facts (``content/questionnaire.yaml``), and every result carries a
:data:`DISCLAIMER` that says so.

Scoring is deliberately simple so a team can follow it: each answer adds its
weights to the archetypes it points at; a small equal prior keeps one answer from
claiming 100%; the totals become whole percentages that sum to exactly 100.
Answers arrive from button clicks, so unknown question or option ids (stale
buttons, an edited questionnaire) are ignored rather than raised.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from knowledge.base import KnowledgeBase
from knowledge.models import Archetype, Dimension, Option, Position, Question, Role

__all__ = [
    "BLEND_MARGIN",
    "DISCLAIMER",
    "GAP_THRESHOLD",
    "PRIOR",
    "Diagnosis",
    "DimensionReading",
    "Evidence",
    "Share",
    "clamp01",
    "position_gap",
    "role_of",
    "score",
    "whole_percents",
]

#: Best fit and runner-up closer than this many percentage points are reported as a blend.
BLEND_MARGIN = 10
#: How far (on the 0..1 scale) a team may sit from its archetype's suggested position before it is a gap.
GAP_THRESHOLD = 0.25
#: Added to every archetype's total before shares are taken, so nothing answered means equal
#: shares and a single answer cannot claim 100%.
PRIOR = Fraction(1)
#: How many answers that weighed most are shown as the "why".
_WHY = 3
#: How many of the best fit's own next steps come before the gap advice.
_STEPS = 3

DISCLAIMER = (
    "This diagnosis is mlorg's own model, not part of the ML team-structure framework: the framework "
    "describes the five archetypes and three design dimensions but has no questionnaire, so the "
    "questions, their weights, the positions on each dimension and the next steps are mlorg's reading "
    "of the framework's facts. Treat the result as a starting point for a conversation."
)


# --- One person's result -----------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """How much of the result one archetype takes, in whole percent."""

    archetype: Archetype
    percent: int


@dataclass(frozen=True)
class Evidence:
    """An answer that pushed toward the best fit, and by how much."""

    question: Question
    option: Option
    weight: float


@dataclass(frozen=True)
class DimensionReading:
    """Where the answers place the team on one dimension, against its best fit's suggested position.

    ``team`` is None when no answer spoke to the dimension; ``suggested`` is None when the
    framework gives the best fit no position there (Nascent); ``gap`` (team minus suggested,
    on the 0..1 scale) is None unless both are known. A negative gap means the team sits
    further toward the dimension's ``low_end`` than its archetype suggests.
    """

    dimension: Dimension
    team: float | None
    suggested: Position | None
    gap: float | None

    @property
    def is_gap(self) -> bool:
        return self.gap is not None and abs(self.gap) >= GAP_THRESHOLD


@dataclass(frozen=True)
class Diagnosis:
    """One person's (or one agreed set of) answers, scored."""

    #: Every archetype's share, largest first; the percentages sum to exactly 100.
    shares: tuple[Share, ...]
    best: Archetype
    #: None only when the knowledge base has a single archetype.
    runner_up: Archetype | None
    #: True when best fit and runner-up are less than BLEND_MARGIN points apart.
    blend: bool
    #: The valid answers given, in questionnaire order (don't-knows included).
    answers: tuple[tuple[Question, Option], ...]
    #: Scored questions answered with something other than "don't know".
    answered: int
    #: Scored questions answered "don't know".
    dont_know: int
    #: Scored questions in the questionnaire.
    total: int
    #: At least half the questions answered with something other than "don't know".
    enough: bool
    why: tuple[Evidence, ...]
    readings: tuple[DimensionReading, ...]
    next_steps: tuple[str, ...]
    disclaimer: str = DISCLAIMER

    @property
    def gaps(self) -> tuple[DimensionReading, ...]:
        """The dimensions where the team sits at least GAP_THRESHOLD from its archetype's position."""
        return tuple(r for r in self.readings if r.is_gap)

    def percent(self, archetype_id: str) -> int:
        """The share of one archetype (0 for an id the result does not know)."""
        return next((s.percent for s in self.shares if s.archetype.id == archetype_id), 0)

    def reading(self, dimension_id: str) -> DimensionReading | None:
        return next((r for r in self.readings if r.dimension.id == dimension_id), None)


def score(kb: KnowledgeBase, answers: Mapping[str, str]) -> Diagnosis:
    """Score ``answers`` (question id -> option id) against the questionnaire.

    Unknown question ids, unknown option ids and the role question are ignored, so a
    stale button or a garbage value can never break a result.
    """
    chosen = _chosen(kb, answers)
    totals = {
        a.id: PRIOR + sum((Fraction(o.weights.get(a.id, 0.0)) for _, o in chosen), Fraction(0))
        for a in kb.archetypes
    }
    shares = _shares(kb.archetypes, totals)
    best = shares[0].archetype
    runner_up = shares[1].archetype if len(shares) > 1 else None
    blend = len(shares) > 1 and shares[0].percent - shares[1].percent < BLEND_MARGIN
    answered = sum(not o.dont_know for _, o in chosen)
    total = len(kb.questions)
    readings = _readings(kb.dimensions, chosen, best)
    return Diagnosis(
        shares=shares,
        best=best,
        runner_up=runner_up,
        blend=blend,
        answers=tuple(chosen),
        answered=answered,
        dont_know=len(chosen) - answered,
        total=total,
        enough=total > 0 and 2 * answered >= total,
        why=_why(chosen, best),
        readings=readings,
        next_steps=_next_steps(best, readings),
    )


def role_of(kb: KnowledgeBase, answers: Mapping[str, str]) -> Role | None:
    """The role a person gave on the role question, or None (not asked, not said, or unknown)."""
    question = kb.role_question
    if question is None:
        return None
    option_id = answers.get(question.id)
    option = question.option(option_id) if isinstance(option_id, str) else None
    return option.role if option is not None else None


def _chosen(kb: KnowledgeBase, answers: Mapping[str, str]) -> list[tuple[Question, Option]]:
    chosen = []
    for question in kb.questions:
        option_id = answers.get(question.id)
        option = question.option(option_id) if isinstance(option_id, str) else None
        if option is not None:
            chosen.append((question, option))
    return chosen


def whole_percents(archetypes: Sequence[Archetype], totals: Mapping[str, Fraction | int]) -> dict[str, int]:
    """Whole percentages (archetype id -> percent) summing to exactly 100, by largest remainder.

    Exact fractions keep equal totals equal, so ties are broken by archetype number and
    never by floating-point noise. One rule for every place mlorg turns counts or scores
    into percentages (a person's shares, a week's mix of best fits), so they add up alike.
    All-zero totals split evenly.
    """
    grand = sum((Fraction(totals.get(a.id, 0)) for a in archetypes), Fraction(0))
    exact = {
        a.id: Fraction(totals.get(a.id, 0)) * 100 / grand if grand else Fraction(100, len(archetypes))
        for a in archetypes
    }
    floors = {key: math.floor(value) for key, value in exact.items()}
    left = 100 - sum(floors.values())
    by_remainder = sorted(archetypes, key=lambda a: (-(exact[a.id] - floors[a.id]), a.number))
    for archetype in by_remainder[:left]:
        floors[archetype.id] += 1
    return floors


def _shares(archetypes: Sequence[Archetype], totals: Mapping[str, Fraction]) -> tuple[Share, ...]:
    """A person's shares, largest first (ties by archetype number)."""
    percents = whole_percents(archetypes, totals)
    ordered = sorted(archetypes, key=lambda a: (-totals[a.id], a.number))
    return tuple(Share(archetype=a, percent=percents[a.id]) for a in ordered)


def _why(chosen: Sequence[tuple[Question, Option]], best: Archetype) -> tuple[Evidence, ...]:
    evidence = [
        Evidence(question=q, option=o, weight=o.weights.get(best.id, 0.0))
        for q, o in chosen
        if o.weights.get(best.id, 0.0) > 0
    ]
    # Stable sort: equal weights keep questionnaire order.
    return tuple(sorted(evidence, key=lambda e: -e.weight)[:_WHY])


def _readings(
    dimensions: Sequence[Dimension], chosen: Sequence[tuple[Question, Option]], best: Archetype
) -> tuple[DimensionReading, ...]:
    readings = []
    for dimension in dimensions:
        values = [o.positions[dimension.id] for _, o in chosen if dimension.id in o.positions]
        team = clamp01(round(statistics.fmean(values), 3)) if values else None
        suggested = best.positions.get(dimension.id)
        gap = position_gap(team, suggested)
        readings.append(DimensionReading(dimension=dimension, team=team, suggested=suggested, gap=gap))
    return tuple(readings)


def _next_steps(best: Archetype, readings: Iterable[DimensionReading]) -> tuple[str, ...]:
    own = best.next_steps or tuple(
        f"Work on a known challenge of the {best.short_name} archetype: {challenge}"
        for challenge in best.challenges
    )
    steps = list(own[:_STEPS])
    for reading in readings:
        if reading.is_gap and reading.gap is not None:
            steps.append(reading.dimension.toward_high if reading.gap < 0 else reading.dimension.toward_low)
    return tuple(steps)


def position_gap(team: float | None, suggested: Position | None) -> float | None:
    """Team minus suggested on the 0..1 scale, rounded so thresholds are not decided by float noise."""
    if team is None or suggested is None or suggested.scale is None:
        return None
    return round(team - suggested.scale, 3)


def clamp01(value: float) -> float:
    return min(1.0, max(0.0, value))
