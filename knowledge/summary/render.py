"""The leadership summary as plain text (terminal, tests) and as a one-line headline.

Slack's blocks are built in ``bot/features/summary/blocks.py`` from the same
:class:`~knowledge.summary.model.Summary`; both only render, never filter.
"""

from __future__ import annotations

from knowledge.diagnosis import TeamReading
from knowledge.models import Archetype
from knowledge.summary.build import SHIFT_POINTS
from knowledge.summary.model import (
    Change,
    Summary,
    TopicAccuracy,
    TrendPoint,
    count_words,
    people_words,
    topic_name,
)

__all__ = ["TOPICS_LISTED", "render_summary_text", "summary_headline", "topic_accuracy_text", "trend_line"]

#: How many topics the accuracy line names (lowest first); the rest are counted.
TOPICS_LISTED = 8

#: A headline doubles as a Block Kit header and a notification text; headers stop at 150.
_HEADLINE_MAX = 150

# --- Rendering ---------------------------------------------------------------------------------


def summary_headline(summary: Summary) -> str:
    """One line (at most 150 characters) for a notification, a header or a log."""
    if summary.empty:
        return _clip(f"{summary.period.label}: no diagnoses or quiz answers yet")
    parts = []
    team = summary.team
    if summary.visible and team.leading is not None:
        lead = team.distribution[0]
        was = ""
        if summary.change is not None and summary.change.leader_changed:
            was = f", was {summary.change.previous_leading.short_name}"
        parts.append(
            f"{people_words(team.placed)} diagnosed, leading archetype {lead.archetype.short_name} "
            f"({lead.best_fit} of {team.placed}{was})"
        )
    elif summary.respondents:
        parts.append(f"{people_words(summary.respondents)} took the diagnosis (too few to show)")
    else:
        parts.append("no diagnoses")
    if summary.quiz is not None:
        parts.append(
            f"{count_words(summary.quiz_answers, 'quiz answer')}, {_percent(summary.quiz.accuracy)} right"
        )
    elif summary.quiz_answers:
        parts.append(count_words(summary.quiz_answers, "quiz answer"))
    else:
        parts.append("no quizzes")
    return _clip(f"{summary.period.label}: " + "; ".join(parts))


def render_summary_text(summary: Summary) -> str:
    """The summary as plain text, for the terminal and the tests; Slack has its own blocks."""
    title = f"mlorg summary, {summary.period.label}"
    lines = [title, "=" * len(title), summary_headline(summary), ""]
    if summary.empty:
        lines += ["Nobody has taken a diagnosis or played a quiz in this period yet. To start:"]
        lines += [f"  - {s}" for s in summary.suggestions]
        # Earlier weeks may still have something to show: a quiet week keeps its trend.
        trend = trend_line(summary) if any(p.visible for p in summary.trend) else None
        lines += ["", *([trend, ""] if trend else [])]
        return "\n".join([*lines, *_render_unanswered(summary)]).rstrip()

    lines += _render_team(summary)
    lines += _render_change(summary.change)
    if (trend := trend_line(summary)) is not None:
        lines += [trend, ""]
    lines += _render_quiz(summary)
    lines += _render_unanswered(summary)
    if summary.focus:
        lines.append("Recommended focus")
        lines += [f"  {n}. {item}" for n, item in enumerate(summary.focus, 1)]
        lines.append("")
    if summary.notes:
        lines.append("Notes")
        lines += [f"  - {note}" for note in summary.notes]
        lines.append("")
    if summary.suggestions:
        lines.append("To get more out of the next summary")
        lines += [f"  - {s}" for s in summary.suggestions]
        lines.append("")
    if summary.visible:
        lines.append(
            "The diagnosis is mlorg's own model built from the framework, not part of the framework."
        )
    return "\n".join(lines).rstrip()


def _render_team(summary: Summary) -> list[str]:
    team = summary.team
    if not (summary.visible and team.leading is not None):
        return []
    lines = [f"Where the organization stands ({people_words(team.placed)} placed)"]
    for tally in team.distribution:
        if tally.best_fit:
            lines.append(
                f"  - {tally.archetype.short_name}: best fit for {tally.best_fit} of {team.placed} "
                f"(mean share {tally.mean_percent:.0f}%)"
            )
    gap = team.perception_gap
    if gap is not None:
        if gap.same_best_fit:
            lines.append(f"  Leaders and contributors both lean {gap.leaders_lead.short_name}.")
        else:
            lines.append(
                f"  Leaders lean {gap.leaders_lead.short_name}; "
                f"contributors lean {gap.contributors_lead.short_name}."
            )
    lines += ["", "On the design dimensions (0 to 1 from one end to the other)"]
    lines += [f"  - {_reading(r, team.leading)}" for r in team.readings]
    lines.append("")
    return lines


def _reading(reading: TeamReading, leading: Archetype) -> str:
    d = reading.dimension
    if reading.mean is None:
        return f"{d.name}: not enough answers to place the organization yet"
    if reading.mean < 0.35:
        where = f"toward {d.low_end.lower()}"
    elif reading.mean > 0.65:
        where = f"toward {d.high_end.lower()}"
    else:
        where = f"between {d.low_end.lower()} and {d.high_end.lower()}"
    text = f"{d.name}: {where} ({reading.mean:.1f})"
    if reading.suggested is not None and reading.suggested.scale is not None:
        text += f"; {leading.short_name} suggests {reading.suggested.scale:.2f}"
        if reading.is_gap:
            text += " — a gap"
    if reading.disagreement is not None:
        text += f"; {reading.disagreement}"
    return text


def _render_change(change: Change | None) -> list[str]:
    if change is None:
        return []
    lines = [f"Since the previous period ({people_words(change.previous_placed)} placed then)"]
    if change.leader_changed:
        lines.append(
            f"  - Leading archetype: {change.previous_leading.short_name} -> {change.leading.short_name}"
        )
    else:
        lines.append(f"  - Leading archetype unchanged: {change.leading.short_name}")
    for shift in change.shifts:
        lines.append(
            f"  - {shift.archetype.short_name}: {shift.points:+.0f} points "
            f"(mean share {shift.before:.0f}% -> {shift.after:.0f}%)"
        )
    if not change.shifts:
        lines.append(f"  - No archetype's mean share moved {SHIFT_POINTS:.0f} points or more.")
    lines.append("")
    return lines


def _render_quiz(summary: Summary) -> list[str]:
    stats = summary.quiz
    if stats is None:
        return []
    lines = [
        "Quizzes",
        f"  - {count_words(stats.answers, 'answer')} from {count_words(stats.participants, 'player')}, "
        f"{_percent(stats.accuracy)} right",
    ]
    if summary.most_missed_topics:
        missed = ", ".join(
            f"{topic_name(m.topic)} ({m.miss_rate}% missed of {m.answers})"
            for m in summary.most_missed_topics
        )
        lines.append(f"  - Most missed: {missed}")
    else:
        lines.append("  - No topic was missed often enough, by enough people, to call out.")
    if summary.topic_accuracy:
        lines.append(f"  - Right by topic: {topic_accuracy_text(summary.topic_accuracy)}")
    lines.append("")
    return lines


def topic_accuracy_text(topics: tuple[TopicAccuracy, ...]) -> str:
    """Accuracy per topic in one line, lowest first, the most-missed topic marked.

    The text under the quiz chart, so a screen reader (and a notification) gets the
    same figures the bars show.
    """
    named = [
        f"{_topic_label(t)} {t.percent}% of {t.answers}" + (" (most missed)" if t.most_missed else "")
        for t in topics[:TOPICS_LISTED]
    ]
    rest = len(topics) - len(named)
    return ", ".join(named) + (f", and {count_words(rest, 'more topic')}" if rest else "")


def _topic_label(accuracy: TopicAccuracy) -> str:
    # An archetype's short name is clear ("R&D"); a dimension's ("Data") is not.
    topic = accuracy.topic
    return topic.short_name if isinstance(topic, Archetype) else topic.name


def trend_line(summary: Summary) -> str | None:
    """How the mix moved over the trend's weeks, in one sentence (None without a trend).

    It follows the archetype that leads now (or, when this week is too small to show,
    the one that led in the last week shown) from the first week shown to the last, and
    says how many weeks had too few people: the words under the trend chart.
    """
    points = summary.trend
    if not points:
        return None
    shown = [p for p in points if p.visible]
    span = f"Over the last {count_words(len(points), 'week')}"
    if not shown:
        return f"{span}, no week had enough people placed to show the mix of best fits."
    leading = summary.team.leading if summary.visible and summary.team.leading else _leader(shown[-1])
    first, last = shown[0], shown[-1]
    before, after = _share(first, leading), _share(last, leading)
    hidden = len(points) - len(shown)
    few = f"; {hidden} of {len(points)} weeks had too few people to show" if hidden else ""
    if len(shown) == 1:
        return (
            f"{span}, only {last.period.label} had enough people placed: "
            f"{leading.short_name} was the best fit of {after}%{few}."
        )
    if before == after:
        moved = f"held at {after}% of people placed from {first.period.label} to {last.period.label}"
    else:
        verb = "rose" if after > before else "fell"
        moved = (
            f"{verb} from {before}% of people placed ({first.period.label}) to {after}% ({last.period.label})"
        )
    return f"{span}, {leading.short_name} {moved}{few}."


def _leader(point: TrendPoint) -> Archetype:
    return max(point.mix, key=lambda pair: (pair[1], -pair[0].number))[0]


def _share(point: TrendPoint, archetype: Archetype) -> int:
    return next((percent for a, percent in point.mix if a.id == archetype.id), 0)


def _percent(ratio: float) -> str:
    return f"{round(100 * ratio)}%"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _HEADLINE_MAX else text[: _HEADLINE_MAX - 1] + "…"


#: How many unanswered questions a summary quotes; the rest are counted.
UNANSWERED_QUOTED = 3


def _render_unanswered(summary: Summary) -> list[str]:
    if not summary.unanswered:
        return []
    total = sum(count for _, count in summary.unanswered)
    lines = [f"Questions people asked that mlorg could not answer: {total}"]
    lines += [f"  - “{question}” ({count}x)" for question, count in summary.unanswered[:UNANSWERED_QUOTED]]
    return [*lines, ""]
