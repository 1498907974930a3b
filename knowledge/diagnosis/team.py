"""Many people's diagnoses together, without exposing any one of them.

:func:`aggregate` combines a team's results: below the workspace's minimum group size of
placed respondents it shows nothing at all (the rule lives in :mod:`knowledge.anonymity`),
and when the view is one people watch change (a team thread, a week's summary), a section
is only redrawn once at least that many people changed underneath it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from knowledge.anonymity import MIN_GROUP, Ledger, Release, Shown, group_size, position, release
from knowledge.base import KnowledgeBase
from knowledge.diagnosis.scoring import DISCLAIMER, GAP_THRESHOLD, Diagnosis, clamp01, position_gap
from knowledge.models import Archetype, Dimension, Position

__all__ = [
    "ALIGNED_BELOW",
    "ALL",
    "RESPONDENTS",
    "STRONG_FROM",
    "ArchetypePerception",
    "ArchetypeTally",
    "DimensionPerception",
    "Disagreement",
    "PerceptionGap",
    "TeamAggregate",
    "TeamReading",
    "aggregate",
]

#: Spread (population standard deviation on the 0..1 scale) below which a team is "aligned",
#: and from which it is in "strong disagreement"; between the two, "some disagreement".
ALIGNED_BELOW = 0.15
STRONG_FROM = 0.30

Disagreement = Literal["aligned", "some disagreement", "strong disagreement"]

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
    #: People who answered (or retook) since the figures last moved, placed or not, and are not in them
    #: yet; someone forgotten is never counted here.
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
    ledger: Ledger | None = None,
) -> TeamAggregate:
    """Combine people's results (each with the role they gave, if any) into a team view.

    ``min_group`` is the workspace's minimum group size (clamped by
    :func:`~knowledge.anonymity.group_size`); every threshold of the view uses it.
    ``members`` are opaque tokens, one per result, that change whenever a person's answers
    change; with ``shown`` (what the last drawn view reflected; empty before the first) the
    view is a watched one and :func:`~knowledge.anonymity.release` decides what may be drawn,
    against ``ledger`` (every set the workspace's views have shown) as well as ``shown``.
    Means and gaps are in tenths (:func:`~knowledge.anonymity.position`) before anyone draws them.
    """
    group = group_size(min_group)
    tokens = list(members) if members is not None else [str(i) for i in range(len(results))]
    if len(tokens) != len(results):
        raise ValueError("members must give one token per result")
    placed = [(d, role, token) for (d, role), token in zip(results, tokens, strict=True) if d.enough]
    sections = _sections(kb, placed)
    watched = shown is not None
    bundles = _bundles(kb, sections)
    released = release(sections, shown, group, anchor=ALL, together=bundles, ledger=ledger)
    drawn = ALL in released.visible
    keep = dict(released.shown)
    # Who the figures stand for, placed or not, moves only when the figures do: a newcomer who
    # answered too few questions waits exactly like one whose answers are held back.
    moved = drawn and (not shown or set(shown.get(ALL, ())) != set(sections[ALL]))
    if moved:
        keep[RESPONDENTS] = tuple(sorted(tokens))
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
        unshown=0 if moved else _arrivals(shown, tokens),
        perception_held=watched and bool(bundles[0] & released.held),
        shown=keep if watched else None,
    )


#: The section of a team view that holds everyone placed; without it nothing is drawn.
ALL = "all"
#: Not a section: everyone the drawn figures stand for, placed or not, kept beside them.
RESPONDENTS = "respondents"
#: Roles compared in the perception view; people who gave neither are the rest.
_ROLES = ("leader", "contributor")
_REST = "rest"


def _arrivals(shown: Shown | None, tokens: Sequence[str]) -> int:
    """People whose answers arrived (or changed) since the figures were last drawn.

    Arrivals only: someone forgotten since is not a newcomer, and counting every respondent
    (placed or not) says nothing about how anyone answered.
    """
    if not shown:
        return 0
    before = set(shown.get(RESPONDENTS, shown.get(ALL, ())))
    return len(set(tokens) - before) if before else 0


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
        mean = position(clamp01(statistics.fmean(values)))
        spread = round(statistics.pstdev(values), 3)
        readings.append(
            TeamReading(
                dimension=dimension,
                people=len(values),
                mean=mean,
                spread=spread,
                disagreement=_disagreement(spread),
                suggested=suggested,
                gap=_tenths(position_gap(mean, suggested)),
            )
        )
    return tuple(readings)


def _tenths(gap: float | None) -> float | None:
    return None if gap is None else position(gap)


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
        return position(statistics.fmean(_values(group, dimension_id)))

    dimensions = []
    for dimension in kb.dimensions:
        lead = mean(leaders, "leader", dimension.id)
        ic = mean(contributors, "contributor", dimension.id)
        difference = position(lead - ic) if lead is not None and ic is not None else None
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
