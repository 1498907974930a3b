"""Plain-text rendering for the terminal (``mlorg explain``) and for tests.

Slack has its own renderer in ``bot``; both draw from :mod:`knowledge.explain`.
"""

from __future__ import annotations

from collections.abc import Iterable

from knowledge.diagnosis import Diagnosis
from knowledge.explain import (
    ArchetypeCard,
    ArchetypeComparison,
    Card,
    Comparison,
    DimensionCard,
    Overview,
)
from knowledge.lookup import Lookup, Topic
from knowledge.models import Archetype, Position

__all__ = [
    "FRAMEWORK",
    "render_card",
    "render_comparison",
    "render_diagnosis",
    "render_miss",
    "render_overview",
]

#: Named on every card so nobody mistakes it for mlorg's own invention.
FRAMEWORK = "the ML team-structure framework (five organizational archetypes, three design dimensions)"
NO_POSITION = "The framework suggests no position here."


def render_card(card: Card) -> str:
    if isinstance(card, ArchetypeCard):
        return _archetype(card)
    return _dimension(card)


def _archetype(card: ArchetypeCard) -> str:
    a = card.archetype
    lines = [f"{a.number}. {a.name}", "=" * len(f"{a.number}. {a.name}"), a.summary, ""]
    lines += _section("What it looks like", a.looks_like)
    lines += _section("Strengths", a.strengths)
    lines += _section("Challenges", a.challenges)
    lines += _section("Typical organizations", a.typical_organizations)
    lines.append("Position on the design dimensions")
    for dimension, position in card.positions:
        lines.append(f"  - {dimension.name}: {_position(position)}")
    lines.append("")
    if a.notes:
        lines += _section("Notes", a.notes)
    if card.related:
        lines.append("Read next: " + ", ".join(_label(t) for t in card.related))
    lines.append(f"Source: {FRAMEWORK}.")
    return "\n".join(lines)


def _dimension(card: DimensionCard) -> str:
    d = card.dimension
    lines = [d.name, "=" * len(d.name), d.summary, ""]
    lines += _section("The questions it asks", d.questions)
    lines += _section("What it covers", d.covers)
    lines.append(f"Scale: {d.low_end} <-> {d.high_end}")
    lines.append("")
    lines.append("Where each archetype sits")
    for archetype, position in card.positions:
        lines.append(f"  - {archetype.short_name}: {_position(position)}")
    lines.append("")
    if d.notes:
        lines += _section("Notes", d.notes)
    lines.append(f"Source: {FRAMEWORK}.")
    return "\n".join(lines)


def render_overview(view: Overview) -> str:
    lines = ["The five ML organization archetypes", ""]
    lines += [f"  {a.number}. {a.name} ({a.id}): {a.summary}" for a in view.archetypes]
    lines += ["", "The three design dimensions of an ML team", ""]
    lines += [f"  - {d.name} ({d.id}): {d.summary}" for d in view.dimensions]
    lines += ["", "Explain one with: mlorg explain TOPIC   (a name, an alias such as 'R&D', or 1-5)"]
    return "\n".join(lines)


def render_comparison(comparison: Comparison) -> str:
    a, b = comparison.a, comparison.b
    title = f"{a.name}  vs  {b.name}"
    lines = [title, "=" * len(title), ""]
    for row_topic, left, right in comparison.rows:
        lines.append(row_topic.name)
        lines.append(f"  {a.short_name}: {_position(left)}")
        lines.append(f"  {b.short_name}: {_position(right)}")
        lines.append("")
    if isinstance(comparison, ArchetypeComparison):
        for side in (a, b):
            assert isinstance(side, Archetype)
            lines += _section(f"{side.short_name}: strengths", side.strengths)
            lines += _section(f"{side.short_name}: challenges", side.challenges)
    lines.append(f"Source: {FRAMEWORK}.")
    return "\n".join(lines)


def render_miss(lookup: Lookup) -> str:
    """Why nothing was shown, and what to try instead."""
    query = lookup.query.strip()
    if not query:
        return "Name a topic: an archetype (1-5, e.g. 'embedded') or a dimension (e.g. 'data ownership')."
    if lookup.ambiguous:
        head = f"'{_clip(query)}' could mean several topics."
    else:
        head = f"I don't know a topic called '{_clip(query)}'."
    if lookup.suggestions:
        return head + " Did you mean: " + ", ".join(_label(t) for t in lookup.suggestions) + "?"
    return head + " Try one of the archetypes (1-5) or dimensions listed by 'mlorg explain'."


def _section(title: str, items: Iterable[str]) -> list[str]:
    return [title, *(f"  - {item}" for item in items), ""]


def _position(position: Position | None) -> str:
    return f"{position.stance}. {position.detail}" if position else NO_POSITION


def _label(topic: Topic) -> str:
    return f"{topic.short_name} ({topic.id})"


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_diagnosis(diagnosis: Diagnosis) -> str:
    """A diagnosis result for the terminal: the same facts as the Slack result card."""
    best = diagnosis.best
    lines = [f"Closest to: {best.name} ({diagnosis.shares[0].percent}%)"]
    if diagnosis.runner_up is not None:
        lines.append(f"Runner-up: {diagnosis.runner_up.name} ({diagnosis.percent(diagnosis.runner_up.id)}%)")
    if diagnosis.blend and diagnosis.runner_up is not None:
        lines.append(
            f"A blend: your answers sit between {best.short_name} and {diagnosis.runner_up.short_name}."
        )
    if not diagnosis.enough:
        lines.append("Mostly 'don't know': treat this as a rough guess.")
    lines.append("")
    lines += [f"  {share.percent:>3}%  {share.archetype.short_name}" for share in diagnosis.shares]
    lines.append("")
    if diagnosis.why:
        lines += _section(
            f"Why {best.short_name}",
            (f"{e.question.prompt} You said: {e.option.label}" for e in diagnosis.why),
        )
    lines.append("Where you stand (0 = low end, 100 = high end)")
    for reading in diagnosis.readings:
        team = "no answer" if reading.team is None else f"{round(reading.team * 100)}"
        suggested = reading.suggested
        target = (
            f"; suggested for {best.short_name}: {round(suggested.scale * 100)} ({suggested.stance})"
            if suggested is not None and suggested.scale is not None
            else ""
        )
        flag = "  <- gap" if reading.is_gap else ""
        lines.append(f"  - {reading.dimension.name}: you {team}{target}{flag}")
    lines.append("")
    lines += _section("What to change next", diagnosis.next_steps)
    lines.append(diagnosis.disclaimer)
    return "\n".join(lines)
