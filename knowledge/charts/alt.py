"""The words that stand in for each chart: every number the picture shows, within Slack's limit.

Screen readers read ``alt_text`` and notifications show it, so it states the figures
rather than describing shapes ("Product-embedded 45%", not "a long yellow bar").
Pure functions of the domain objects: no plotting library is imported for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.charts.model import ALT_LIMIT
from knowledge.diagnosis import Diagnosis, PerceptionGap, TeamAggregate
from knowledge.models import Dimension
from knowledge.summary.model import Summary, TopicAccuracy, TrendPoint, people_words

__all__ = [
    "clip",
    "diagnosis_alt",
    "mix_alt",
    "perception_alt",
    "quiz_alt",
    "summary_mix_alt",
    "trend_alt",
]


def clip(text: str, limit: int = ALT_LIMIT) -> str:
    """``text`` cut at a word to at most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _at(value: float | None) -> str:
    return "not placed" if value is None else f"{value:.2f}"


def _group_at(value: float | None) -> str:
    """A group's position, in tenths as everywhere a group is shown (knowledge.anonymity.position)."""
    return "not placed" if value is None else f"{value:.1f}"


def _ends(dimension: Dimension) -> str:
    return f"{dimension.name} (0 = {dimension.low_end}, 1 = {dimension.high_end})"


def diagnosis_alt(diagnosis: Diagnosis) -> str:
    shares = ", ".join(f"{s.archetype.short_name} {s.percent}%" for s in diagnosis.shares)
    if diagnosis.enough:
        lead = f"Best fit: {diagnosis.best.short_name} ({diagnosis.shares[0].percent}%)"
        if diagnosis.blend and diagnosis.runner_up is not None:
            lead += f", close to {diagnosis.runner_up.short_name}"
    else:
        lead = f"Too few answers to place you ({diagnosis.answered} of {diagnosis.total} answered)"
    parts = [f"{lead}. Shares: {shares}."]
    for r in diagnosis.readings:
        where = f"{_ends(r.dimension)}: you {_at(r.team)}"
        if diagnosis.enough:
            suggested = r.suggested.scale if r.suggested is not None else None
            where += f", {diagnosis.best.short_name} {_at(suggested)}"
        parts.append(where + ".")
    return clip(" ".join(parts))


def mix_alt(team: TeamAggregate, where: str = "") -> str:
    """Best-fit counts (the bars) and mean shares, for a team or a summary's period."""
    counts = ", ".join(
        f"{t.archetype.short_name} {t.best_fit} (mean share {t.mean_percent:g}%)" for t in team.distribution
    )
    return clip(f"Best fit of {people_words(team.placed)} placed{where}: {counts}.")


def perception_alt(gap: PerceptionGap) -> str:
    parts = [
        f"{gap.leaders} leaders and {gap.contributors} contributors placed. Leaders' best fit: {gap.leaders_lead.short_name}; "
        f"contributors': {gap.contributors_lead.short_name}."
    ]
    for d in gap.dimensions:
        where = (
            f"{_ends(d.dimension)}: leaders {_group_at(d.leaders)}, contributors {_group_at(d.contributors)}"
        )
        if d.difference is not None:
            where += f", difference {d.difference:+.1f}"
        parts.append(where + ".")
    return clip(" ".join(parts))


def trend_alt(trend: Sequence[TrendPoint]) -> str:
    periods = []
    for p in trend:
        if p.visible:
            mix = ", ".join(f"{a.short_name} {percent}%" for a, percent in p.mix)
            periods.append(f"{p.period.label}: {mix} of {people_words(p.placed)}")
        else:
            periods.append(f"{p.period.label}: too few people")
    return clip("Best-fit mix per period, oldest first. " + "; ".join(periods) + ".")


def quiz_alt(topics: Sequence[TopicAccuracy]) -> str:
    parts = [
        f"{t.topic.short_name} {t.percent}% right of {t.answers} answers"
        + (" (most missed)" if t.most_missed else "")
        for t in topics
    ]
    return clip("Quiz accuracy by topic, lowest first: " + "; ".join(parts) + ".")


def summary_mix_alt(summary: Summary) -> str:
    return mix_alt(summary.team, f" in {summary.period.label}")
