"""What each chart shows, decided without drawing: plain shapes that figures.py draws.

Deciding here (which bars, which is highlighted, what a missing value says) keeps
those choices testable without the plotting library, and lets one drawer serve
several charts: the diagnosis, a team's mix, a summary's mix and quiz accuracy are
all labelled bars; the diagnosis and the leaders-versus-contributors view are both
0-1 scales with markers. Labels carry full names; the drawer fits them to the space
(falling back to ``short``) so an overlay's long names never overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.charts.palette import INK, MUTED, swatch
from knowledge.diagnosis import ArchetypeTally, Diagnosis, PerceptionGap
from knowledge.models import Archetype
from knowledge.summary.model import TopicAccuracy, TrendPoint, people_words

__all__ = [
    "Bar",
    "Bars",
    "Column",
    "Marker",
    "Part",
    "Picture",
    "Scale",
    "Scales",
    "Stacks",
    "diagnosis_parts",
    "lighten",
    "mix_bars",
    "perception_scales",
    "quiz_bars",
    "short_date",
    "trend_stacks",
]

#: How far towards white the bars that are not highlighted are drawn.
LIGHTER = 0.55
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: ``value`` on a scale from 0 to its chart's ``top``."""

    label: str
    short: str
    value: float
    #: Written just after the bar's end ("42%", "3 people").
    text: str
    colour: str
    strong: bool = False


@dataclass(frozen=True)
class Bars:
    caption: str
    bars: tuple[Bar, ...]
    top: float


@dataclass(frozen=True)
class Marker:
    """How one series is drawn on every scale, and its name in the legend."""

    label: str
    shape: str
    colour: str
    filled: bool = True


@dataclass(frozen=True)
class Scale:
    """One dimension from ``low`` (0) to ``high`` (1); ``values`` follow the chart's markers.

    A value that is None is not drawn: ``note`` says so in words instead.
    """

    name: str
    low: str
    high: str
    values: tuple[float | None, ...]
    note: str = ""


@dataclass(frozen=True)
class Scales:
    caption: str
    markers: tuple[Marker, ...]
    scales: tuple[Scale, ...]


@dataclass(frozen=True)
class Column:
    """One period of a trend: stacked ``(colour, percent)`` segments, or a ``note`` instead."""

    label: str
    segments: tuple[tuple[str, int], ...]
    note: str = ""


@dataclass(frozen=True)
class Stacks:
    caption: str
    columns: tuple[Column, ...]
    #: ``(colour, name)`` for each archetype that appears, in archetype order.
    legend: tuple[tuple[str, str], ...]


Part = Bars | Scales | Stacks


@dataclass(frozen=True)
class Picture:
    """A whole chart before drawing: what :class:`~knowledge.charts.model.Chart` will carry, and its parts."""

    key: str
    title: str
    alt: str
    #: The line drawn at the top of the image, so an exported file explains itself.
    heading: str
    parts: tuple[Part, ...]


def lighten(colour: str, amount: float = LIGHTER) -> str:
    """``colour`` mixed with white: the same hue, so the archetype stays recognisable."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in channels]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def short_date(point: TrendPoint) -> str:
    """ "23 Nov": a trend column's label, the period's first day (locale-independent)."""
    day = point.period.start.date()
    return f"{day.day} {_MONTHS[day.month - 1]}"


def _bar(archetype: Archetype, value: float, text: str, strong: bool) -> Bar:
    colour = swatch(archetype).colour
    return Bar(
        archetype.name, archetype.short_name, value, text, colour if strong else lighten(colour), strong
    )


# --- The charts' parts -------------------------------------------------------------------------


def diagnosis_parts(diagnosis: Diagnosis) -> tuple[Bars, Scales]:
    """Shares as bars (every archetype tied for first highlighted), then the dimensions.

    Without enough answers nothing is highlighted and the best fit gets no marker:
    equal shares name no archetype, so a marker would claim a placement that is not there.
    """
    top = diagnosis.shares[0].percent if diagnosis.enough else None
    bars = tuple(_bar(s.archetype, s.percent, f"{s.percent}%", s.percent == top) for s in diagnosis.shares)
    caption = (
        "Share of your answers pointing at each archetype"
        if diagnosis.enough
        else "Too few answers to place you: no archetype stands out yet"
    )
    best = diagnosis.best
    you = Marker("You", "o", INK)
    markers = (you, Marker(f"Where the framework places {best.short_name}", "D", swatch(best).colour))
    scales = []
    for reading in diagnosis.readings:
        suggested = reading.suggested.scale if reading.suggested is not None else None
        notes = [] if reading.team is not None else ["No answer placed you here"]
        if diagnosis.enough and suggested is None:
            notes.append(f"The framework gives {best.short_name} no position here")
        dimension = reading.dimension
        values = (reading.team, suggested) if diagnosis.enough else (reading.team,)
        scales.append(Scale(dimension.name, dimension.low_end, dimension.high_end, values, ". ".join(notes)))
    return Bars(caption, bars, 100), Scales(
        "Where you sit on each dimension", markers if diagnosis.enough else (you,), tuple(scales)
    )


def mix_bars(distribution: Sequence[ArchetypeTally], placed: int, caption: str) -> Bars:
    """How many people's best fit each archetype is; every archetype tied for most highlighted."""
    most = max((t.best_fit for t in distribution), default=0)
    bars = tuple(
        _bar(
            t.archetype,
            t.best_fit,
            f"{people_words(t.best_fit)} ({_percent(t.best_fit, placed)}%)",
            t.best_fit == most,
        )
        for t in distribution
    )
    return Bars(caption, bars, max(placed, 1))


def perception_scales(gap: PerceptionGap) -> Scales:
    """Leaders and contributors on each dimension: two markers per scale."""
    markers = (
        Marker(f"Leaders ({gap.leaders})", "^", INK),
        Marker(f"Contributors ({gap.contributors})", "o", MUTED, filled=False),
    )
    scales = []
    for reading in gap.dimensions:
        missing = [
            f"Too few {who} placed here"
            for who, value in (("leaders", reading.leaders), ("contributors", reading.contributors))
            if value is None
        ]
        dimension = reading.dimension
        values = (reading.leaders, reading.contributors)
        scales.append(
            Scale(dimension.name, dimension.low_end, dimension.high_end, values, ". ".join(missing))
        )
    return Scales("Where each group places the team", markers, tuple(scales))


def trend_stacks(trend: Sequence[TrendPoint]) -> Stacks:
    """One stacked column per period; a period with too few people says so instead."""
    columns = tuple(
        Column(
            short_date(p),
            tuple((swatch(a).colour, percent) for a, percent in p.mix if percent > 0),
        )
        if p.visible
        else Column(short_date(p), (), "too few people")
        for p in trend
    )
    seen: dict[str, Archetype] = {}
    for point in trend:
        for archetype, percent in point.mix if point.visible else ():
            if percent > 0:
                seen.setdefault(archetype.id, archetype)
    legend = tuple((swatch(a).colour, a.short_name) for a in sorted(seen.values(), key=lambda a: a.number))
    return Stacks("Share of people by best fit, period by period, oldest first", columns, legend)


def quiz_bars(topics: Sequence[TopicAccuracy]) -> Bars:
    """Accuracy per topic, lowest first; the most-missed topic highlighted and named."""
    bars = []
    for t in topics:
        colour = swatch(t.topic).colour if isinstance(t.topic, Archetype) else MUTED
        text = f"{t.percent}% of {t.answers}" + (" · most missed" if t.most_missed else "")
        shade = colour if t.most_missed else lighten(colour)
        bars.append(Bar(t.topic.name, t.topic.short_name, t.percent, text, shade, t.most_missed))
    return Bars("Share of quiz answers that were right, per topic (of how many answers)", tuple(bars), 100)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0
