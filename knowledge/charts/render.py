"""mlorg's results as charts: which charts a result gets, with their titles and alt texts.

Deciding which charts exist is pure (and cheap): a team below the minimum group
gets none, the leaders-versus-contributors view only when the aggregate has one,
a trend only when some period had enough people. Drawing imports the plotting
library on first use, in :mod:`knowledge.charts.figures`, so importing this module
costs nothing at start-up. Drawing takes a few tenths of a second of CPU: callers
on an event loop run these functions in a thread (they are thread-safe).
"""

from __future__ import annotations

from datetime import timedelta

from knowledge.charts.alt import (
    clip,
    diagnosis_alt,
    mix_alt,
    perception_alt,
    quiz_alt,
    summary_mix_alt,
    trend_alt,
)
from knowledge.charts.model import TITLE_LIMIT, Chart
from knowledge.charts.spec import (
    Part,
    Picture,
    diagnosis_parts,
    mix_bars,
    perception_scales,
    quiz_bars,
    trend_stacks,
)
from knowledge.diagnosis import Diagnosis, TeamAggregate
from knowledge.summary.model import Summary, people_words

__all__ = [
    "diagnosis_picture",
    "render_diagnosis",
    "render_summary",
    "render_team",
    "summary_pictures",
    "team_pictures",
]

_MIX_CAPTION = "How many people's answers point most at each archetype"


def _picture(key: str, title: str, alt: str, *parts: Part) -> Picture:
    short = clip(title, TITLE_LIMIT)
    return Picture(key=key, title=short, alt=alt, heading=short, parts=parts)


def diagnosis_picture(diagnosis: Diagnosis) -> Picture:
    if not diagnosis.enough:
        title = "Your diagnosis: too few answers yet"
    elif diagnosis.blend and diagnosis.runner_up is not None:
        title = f"Your diagnosis: {diagnosis.best.short_name}, close to {diagnosis.runner_up.short_name}"
    else:
        title = f"Your diagnosis: {diagnosis.best.short_name}"
    return _picture("diagnosis", title, diagnosis_alt(diagnosis), *diagnosis_parts(diagnosis))


def team_pictures(team: TeamAggregate) -> tuple[Picture, ...]:
    """Nothing below the minimum group; the perception view only when the aggregate holds one.

    The mix counts people by best fit (not mean shares): that is how the team's text
    names its leading archetype, so the picture and the words agree.
    """
    if not team.visible:
        return ()
    pictures = [
        _picture(
            "team-mix",
            f"Team best fits ({people_words(team.placed)})",
            mix_alt(team),
            mix_bars(team.distribution, team.placed, _MIX_CAPTION),
        )
    ]
    if team.perception_gap is not None:
        pictures.append(
            _picture(
                "team-perception",
                "Leaders and contributors, side by side",
                perception_alt(team.perception_gap),
                perception_scales(team.perception_gap),
            )
        )
    return tuple(pictures)


def summary_pictures(summary: Summary) -> tuple[Picture, ...]:
    """The period's mix, the trend, and quiz accuracy: each only when it has something to show."""
    pictures = []
    label = summary.period.label
    if summary.visible:
        pictures.append(
            _picture(
                "summary-mix",
                f"Best fits, {label}",
                summary_mix_alt(summary),
                mix_bars(summary.team.distribution, summary.team.placed, _MIX_CAPTION),
            )
        )
    if any(p.visible for p in summary.trend):
        weekly = all(p.period.end - p.period.start == timedelta(days=7) for p in summary.trend)
        unit = "weeks" if weekly else "periods"
        title = f"Best-fit mix over the last {len(summary.trend)} {unit}"
        pictures.append(
            _picture("summary-trend", title, trend_alt(summary.trend), trend_stacks(summary.trend))
        )
    if summary.topic_accuracy:
        pictures.append(
            _picture(
                "summary-quiz",
                f"Quiz accuracy by topic, {label}",
                quiz_alt(summary.topic_accuracy),
                quiz_bars(summary.topic_accuracy),
            )
        )
    return tuple(pictures)


def _draw(picture: Picture) -> Chart:
    from knowledge.charts.figures import png_of  # the plotting library, only now

    return Chart(key=picture.key, title=picture.title, alt=picture.alt, png=png_of(picture))


def render_diagnosis(diagnosis: Diagnosis) -> Chart:
    """One person's result: the archetypes' shares and where they sit on each dimension."""
    return _draw(diagnosis_picture(diagnosis))


def render_team(team: TeamAggregate) -> tuple[Chart, ...]:
    """A team's charts; none at all below the minimum group size."""
    return tuple(_draw(p) for p in team_pictures(team))


def render_summary(summary: Summary) -> tuple[Chart, ...]:
    """A leadership summary's charts: ``summary-mix``, ``summary-trend``, ``summary-quiz`` where they apply."""
    return tuple(_draw(p) for p in summary_pictures(summary))
