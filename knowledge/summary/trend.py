"""The trend behind a leadership summary: how the mix of best fits moved over the last weeks.

A company wants to see whether it drifts (from embedded toward ML-first, say), so a summary
carries one :class:`~knowledge.summary.model.TrendPoint` per week: the whole percent of
people placed whose best fit each archetype is. Every point is drawn from a week's
*released* diagnoses, through :func:`~knowledge.diagnosis.aggregate` with that week's
watched view, exactly as the week's own summary draws it: a week in the trend is never one
person apart from what that week's summary showed, and a week with fewer than the minimum
group placed is a gap (``visible=False``, no mix), never a small number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.anonymity import MIN_GROUP, Ledger, Shown, group_size
from knowledge.base import KnowledgeBase
from knowledge.diagnosis import TeamAggregate, aggregate, whole_percents
from knowledge.summary.entries import Entry, scored
from knowledge.summary.model import TrendPoint
from knowledge.summary.period import Period

__all__ = ["PeriodDiagnoses", "build_trend", "period_aggregate", "trend_point"]


@dataclass(frozen=True)
class PeriodDiagnoses:
    """One period's released diagnoses, as a summary of that period would draw them.

    ``diagnoses`` holds one entry per person (answers, role); with ``members`` (one opaque
    token per entry) and ``shown`` (what the period's figures last reflected) the period is
    a watched view, and :func:`~knowledge.diagnosis.aggregate` holds back a change by fewer
    people than the group size, as it does for the summary itself.
    """

    period: Period
    diagnoses: Sequence[Entry] = ()
    members: Sequence[str] | None = None
    shown: Shown | None = None


def period_aggregate(
    kb: KnowledgeBase, history: PeriodDiagnoses, min_group: int = MIN_GROUP, ledger: Ledger | None = None
) -> TeamAggregate:
    """The period's aggregate, exactly as :func:`~knowledge.summary.build_summary` computes it."""
    results, tokens = scored(kb, history.diagnoses, history.members)
    return aggregate(kb, results, group_size(min_group), members=tokens, shown=history.shown, ledger=ledger)


def trend_point(period: Period, team: TeamAggregate) -> TrendPoint:
    """A period's point from its aggregate: the mix of best fits, or a gap when not visible.

    Built from the aggregate the summary shows, so the two cannot disagree; the
    percentages sum to exactly 100 (largest remainder, ties by archetype number).
    """
    if not team.visible or not team.distribution:
        return TrendPoint(period=period, placed=team.placed, visible=False)
    archetypes = sorted((t.archetype for t in team.distribution), key=lambda a: a.number)
    percents = whole_percents(archetypes, {t.archetype.id: t.best_fit for t in team.distribution})
    return TrendPoint(
        period=period,
        placed=team.placed,
        visible=True,
        mix=tuple((a, percents[a.id]) for a in archetypes),
    )


def build_trend(
    kb: KnowledgeBase, history: Sequence[PeriodDiagnoses], min_group: int = MIN_GROUP
) -> tuple[TrendPoint, ...]:
    """One point per period of ``history`` (oldest first), in the same order."""
    return tuple(trend_point(h.period, period_aggregate(kb, h, min_group)) for h in history)
