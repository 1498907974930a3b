"""The diagnosis: which archetype an organization resembles, why, and what to change.

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

:func:`aggregate` combines many people's results for a team without exposing any
one person: below the workspace's minimum group size of placed respondents it shows
nothing at all (the rule lives in :mod:`knowledge.anonymity`), and when the view is one
people watch change (a team thread), a section is only redrawn once at least that many
people changed underneath it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from knowledge.anonymity import MIN_GROUP, Release, Shown, changed_people, group_size, release
from knowledge.base import KnowledgeBase
from knowledge.models import Archetype, Dimension, Option, Position, Question, Role

__all__ = [
    "ALIGNED_BELOW",
    "ALL",
    "BLEND_MARGIN",
    "DISCLAIMER",
    "GAP_THRESHOLD",
    "MIN_GROUP",
    "PRIOR",
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
]

#: Best fit and runner-up closer than this many percentage points are reported as a blend.
BLEND_MARGIN = 10
#: How far (on the 0..1 scale) a team may sit from its archetype's suggested position before it is a gap.
GAP_THRESHOLD = 0.25
#: Added to every archetype's total before shares are taken, so nothing answered means equal
#: shares and a single answer cannot claim 100%.
PRIOR = Fraction(1)
#: Spread (population standard deviation on the 0..1 scale) below which a team is "aligned",
#: and from which it is in "strong disagreement"; between the two, "some disagreement".
ALIGNED_BELOW = 0.15
STRONG_FROM = 0.30
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

Disagreement = Literal["aligned", "some disagreement", "strong disagreement"]


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


def _shares(archetypes: Sequence[Archetype], totals: Mapping[str, Fraction]) -> tuple[Share, ...]:
    """Whole percentages summing to exactly 100, by largest remainder.

    Exact fractions keep equal totals equal, so ties are broken by archetype number
    and never by floating-point noise.
    """
    grand = sum(totals.values(), Fraction(0))
    exact = {
        a.id: totals[a.id] * 100 / grand if grand else Fraction(100, len(archetypes)) for a in archetypes
    }
    floors = {key: math.floor(value) for key, value in exact.items()}
    left = 100 - sum(floors.values())
    by_remainder = sorted(archetypes, key=lambda a: (-(exact[a.id] - floors[a.id]), a.number))
    for archetype in by_remainder[:left]:
        floors[archetype.id] += 1
    ordered = sorted(archetypes, key=lambda a: (-exact[a.id], a.number))
    return tuple(Share(archetype=a, percent=floors[a.id]) for a in ordered)


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
        team = _clamp(round(statistics.fmean(values), 3)) if values else None
        suggested = best.positions.get(dimension.id)
        gap = _gap(team, suggested)
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


def _gap(team: float | None, suggested: Position | None) -> float | None:
    """Team minus suggested on the 0..1 scale, rounded so thresholds are not decided by float noise."""
    if team is None or suggested is None or suggested.scale is None:
        return None
    return round(team - suggested.scale, 3)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


# --- A team's results together -----------------------------------------------------------------


@dataclass(frozen=True)
class ArchetypeTally:
    """How many people's best fit an archetype is, and its mean share across them."""

    archetype: Archetype
    best_fit: int
    mean_percent: float


@dataclass(frozen=True)
class TeamReading:
    """The team's position on one dimension and how much its people disagree about it.

    ``mean``/``spread``/``disagreement`` are None when fewer than MIN_GROUP people's answers
    spoke to the dimension. ``suggested`` and ``gap`` compare the mean with the position the
    framework suggests for the team's leading archetype.
    """

    dimension: Dimension
    people: int
    mean: float | None
    spread: float | None
    disagreement: Disagreement | None
    suggested: Position | None
    gap: float | None
    #: Enough people, but fewer than the group size changed since this reading was last shown.
    held: bool = False

    @property
    def is_gap(self) -> bool:
        return self.gap is not None and abs(self.gap) >= GAP_THRESHOLD


@dataclass(frozen=True)
class DimensionPerception:
    """Leaders' and contributors' mean position on one dimension (None: fewer than MIN_GROUP each).

    ``difference`` is leaders minus contributors.
    """

    dimension: Dimension
    leaders: float | None
    contributors: float | None
    difference: float | None


@dataclass(frozen=True)
class ArchetypePerception:
    """How many leaders and contributors an archetype is the best fit for, and its mean shares."""

    archetype: Archetype
    leaders: int
    contributors: int
    leaders_percent: float
    contributors_percent: float


@dataclass(frozen=True)
class PerceptionGap:
    """How leaders and individual contributors see the organization differently."""

    leaders: int
    contributors: int
    leaders_lead: Archetype
    contributors_lead: Archetype
    dimensions: tuple[DimensionPerception, ...]
    archetypes: tuple[ArchetypePerception, ...]

    @property
    def same_best_fit(self) -> bool:
        return self.leaders_lead.id == self.contributors_lead.id


@dataclass(frozen=True)
class TeamAggregate:
    """Many people's diagnoses combined, anonymous below the minimum group size.

    Only respondents who answered enough to be placed (``Diagnosis.enough``) count
    towards ``placed`` and the breakdowns: a page of "don't know" would otherwise
    count as a vote for whichever archetype wins ties. ``visible`` says whether the
    breakdowns may be drawn now; when it is False (fewer than the group size placed, or,
    watched, too few changed since the last drawing) every breakdown is empty.

    A *watched* aggregate (built with ``shown``) also says whether it has anything new
    to draw (``updated``) and what to remember for next time (``shown``); a section
    whose figures changed by fewer people than the group size is held back (its
    reading is ``held``, or ``perception_held``) rather than drawn.
    """

    respondents: int
    placed: int
    visible: bool
    #: The archetype most people's best fit is (ties: higher mean share, then number).
    leading: Archetype | None
    #: Every archetype, most best fits first.
    distribution: tuple[ArchetypeTally, ...]
    readings: tuple[TeamReading, ...]
    #: Leaders against contributors, only when each group is large enough (and not held back).
    perception_gap: PerceptionGap | None
    disclaimer: str = DISCLAIMER
    #: The group size every threshold of this view used.
    min_group: int = MIN_GROUP
    #: False when nothing may be drawn that differs from what was last shown.
    updated: bool = True
    #: People whose answers changed since the figures were last shown and are not in them yet.
    unshown: int = 0
    #: Leaders and contributors changed by too few people since last shown to redraw them.
    perception_held: bool = False
    #: What each section reflects now; keep it and pass it back as ``shown`` next time.
    shown: dict[str, tuple[str, ...]] | None = None


def aggregate(
    kb: KnowledgeBase,
    results: Sequence[tuple[Diagnosis, str | None]],
    min_group: int = MIN_GROUP,
    *,
    members: Sequence[str] | None = None,
    shown: Shown | None = None,
) -> TeamAggregate:
    """Combine people's results (each with the role they gave, if any) into a team view.

    ``min_group`` is the workspace's minimum group size (clamped by
    :func:`~knowledge.anonymity.group_size`); every threshold of the view uses it.
    ``members`` are opaque tokens, one per result, that change whenever a person's answers
    change; with ``shown`` (what the last drawn view reflected; empty before the first) the
    view is a watched one and :func:`~knowledge.anonymity.release` decides what may be drawn.
    """
    group = group_size(min_group)
    tokens = list(members) if members is not None else [str(i) for i in range(len(results))]
    if len(tokens) != len(results):
        raise ValueError("members must give one token per result")
    placed = [(d, role, token) for (d, role), token in zip(results, tokens, strict=True) if d.enough]
    sections = _sections(kb, placed)
    watched = shown is not None
    bundles = _bundles(kb, sections)
    released = release(sections, shown, group, anchor=ALL, together=bundles)
    drawn = ALL in released.visible
    diagnoses = [d for d, _, _ in placed]
    distribution = _tally(kb.archetypes, diagnoses) if drawn else ()
    leading = distribution[0].archetype if distribution else None
    return TeamAggregate(
        respondents=len(results),
        placed=len(placed),
        visible=drawn,
        leading=leading,
        distribution=distribution,
        readings=_team_readings(kb.dimensions, diagnoses, leading, released) if leading else (),
        perception_gap=_perception(kb, placed, released) if released.visible >= bundles[0] else None,
        min_group=group,
        updated=drawn and (released.updated or not watched),
        unshown=changed_people(shown[ALL], sections[ALL]) if shown and ALL in shown and not drawn else 0,
        perception_held=watched and bool(bundles[0] & released.held),
        shown=released.shown if watched else None,
    )


#: The section of a team view that holds everyone placed; without it nothing is drawn.
ALL = "all"
#: Roles compared in the perception view; people who gave neither are the rest.
_ROLES = ("leader", "contributor")
_REST = "rest"


def _dimension_key(dimension_id: str, role: str | None = None) -> str:
    return f"{role}:dim:{dimension_id}" if role else f"dim:{dimension_id}"


def _sections(kb: KnowledgeBase, placed: Sequence[tuple[Diagnosis, str | None, str]]) -> dict[str, list[str]]:
    """Who each part of the view would be computed from: everyone, per dimension, per role."""
    sections: dict[str, list[str]] = {}
    for group in (None, *_ROLES, _REST):
        people = [
            (d, token)
            for d, role, token in placed
            if group is None or role == group or (group == _REST and role not in _ROLES)
        ]
        sections[group or ALL] = [token for _, token in people]
        for dimension in kb.dimensions:
            sections[_dimension_key(dimension.id, group)] = [
                token for d, token in people if _value(d, dimension.id) is not None
            ]
    return sections


def _bundles(kb: KnowledgeBase, sections: Mapping[str, Sequence[str]]) -> tuple[frozenset[str], ...]:
    """Parts drawn all or none: leaders with contributors (overall, then per dimension).

    The people who gave no role join each bundle when there are any: were they fewer than
    the group size, everyone minus leaders minus contributors would single them out.
    """

    def bundle(*keys: str, rest: str) -> frozenset[str]:
        return frozenset((*keys, rest) if sections.get(rest) else keys)

    overall = bundle(*_ROLES, rest=_REST)
    per_dimension = tuple(
        bundle(*(_dimension_key(d.id, role) for role in _ROLES), rest=_dimension_key(d.id, _REST))
        for d in kb.dimensions
    )
    return (overall, *per_dimension)


def _tally(archetypes: Sequence[Archetype], diagnoses: Sequence[Diagnosis]) -> tuple[ArchetypeTally, ...]:
    tallies = [
        ArchetypeTally(
            archetype=a,
            best_fit=sum(d.best.id == a.id for d in diagnoses),
            mean_percent=round(statistics.fmean(d.percent(a.id) for d in diagnoses), 1) if diagnoses else 0.0,
        )
        for a in archetypes
    ]
    return tuple(sorted(tallies, key=lambda t: (-t.best_fit, -t.mean_percent, t.archetype.number)))


def _value(diagnosis: Diagnosis, dimension_id: str) -> float | None:
    reading = diagnosis.reading(dimension_id)
    return reading.team if reading is not None else None


def _values(diagnoses: Iterable[Diagnosis], dimension_id: str) -> list[float]:
    return [value for d in diagnoses if (value := _value(d, dimension_id)) is not None]


def _team_readings(
    dimensions: Sequence[Dimension], diagnoses: Sequence[Diagnosis], leading: Archetype, released: Release
) -> tuple[TeamReading, ...]:
    readings = []
    for dimension in dimensions:
        values = _values(diagnoses, dimension.id)
        suggested = leading.positions.get(dimension.id)
        key = _dimension_key(dimension.id)
        if key not in released.visible:
            held = key in released.held
            readings.append(TeamReading(dimension, len(values), None, None, None, suggested, None, held))
            continue
        mean = _clamp(round(statistics.fmean(values), 3))
        spread = round(statistics.pstdev(values), 3)
        readings.append(
            TeamReading(
                dimension=dimension,
                people=len(values),
                mean=mean,
                spread=spread,
                disagreement=_disagreement(spread),
                suggested=suggested,
                gap=_gap(mean, suggested),
            )
        )
    return tuple(readings)


def _disagreement(spread: float) -> Disagreement:
    if spread < ALIGNED_BELOW:
        return "aligned"
    if spread < STRONG_FROM:
        return "some disagreement"
    return "strong disagreement"


def _perception(
    kb: KnowledgeBase, placed: Sequence[tuple[Diagnosis, str | None, str]], released: Release
) -> PerceptionGap:
    """Leaders against contributors; the caller has checked that both groups may be drawn."""
    leaders = [d for d, role, _ in placed if role == "leader"]
    contributors = [d for d, role, _ in placed if role == "contributor"]

    def mean(group: Sequence[Diagnosis], role: str, dimension_id: str) -> float | None:
        if _dimension_key(dimension_id, role) not in released.visible:  # its bundle was not drawn
            return None
        return round(statistics.fmean(_values(group, dimension_id)), 3)

    dimensions = []
    for dimension in kb.dimensions:
        lead = mean(leaders, "leader", dimension.id)
        ic = mean(contributors, "contributor", dimension.id)
        difference = round(lead - ic, 3) if lead is not None and ic is not None else None
        dimensions.append(DimensionPerception(dimension, lead, ic, difference))
    lead_tally = {t.archetype.id: t for t in _tally(kb.archetypes, leaders)}
    ic_tally = {t.archetype.id: t for t in _tally(kb.archetypes, contributors)}
    archetypes = tuple(
        ArchetypePerception(
            archetype=a,
            leaders=lead_tally[a.id].best_fit,
            contributors=ic_tally[a.id].best_fit,
            leaders_percent=lead_tally[a.id].mean_percent,
            contributors_percent=ic_tally[a.id].mean_percent,
        )
        for a in kb.archetypes
    )
    return PerceptionGap(
        leaders=len(leaders),
        contributors=len(contributors),
        leaders_lead=_tally(kb.archetypes, leaders)[0].archetype,
        contributors_lead=_tally(kb.archetypes, contributors)[0].archetype,
        dimensions=tuple(dimensions),
        archetypes=archetypes,
    )
