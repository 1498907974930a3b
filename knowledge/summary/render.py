"""The leadership summary as plain text (terminal, tests) and as a one-line headline.

Slack's blocks are built in ``bot/features/summary/blocks.py`` from the same
:class:`~knowledge.summary.model.Summary`; both only render, never filter.
"""

from __future__ import annotations

from knowledge.diagnosis import TeamReading
from knowledge.models import Archetype
from knowledge.summary.build import SHIFT_POINTS
from knowledge.summary.model import Change, Summary, count_words, people_words, topic_name

__all__ = ["render_summary_text", "summary_headline"]

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
        return "\n".join([*lines, "", *_render_unanswered(summary)]).rstrip()

    lines += _render_team(summary)
    lines += _render_change(summary.change)
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
    text = f"{d.name}: {where} ({reading.mean:.2f})"
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
    lines.append("")
    return lines


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
