"""Operator commands that work on the database directly: ``mlorg outbox`` and ``mlorg export``.

They use the same settings and store as the app, so they see exactly what a
running ``mlorg serve`` sees, and they never talk to Slack: retrying an item
puts it back in the queue for the running app's worker.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from bot.features.quiz.rounds import released_records
from bot.features.summary.service import current_week, summarize
from bot.settings import ConfigError, Settings
from bot.store import DatabaseUrlError, Store, default_database_url, normalize_database_url
from bot.store.questions import unhelpful_questions
from knowledge import KnowledgeBase
from knowledge.charts import render_summary
from knowledge.diagnosis import TeamAggregate
from knowledge.summary import Period

__all__ = ["export", "list_outbox", "list_questions", "open_store", "retry_outbox"]


def open_store(settings: Settings) -> Store:
    try:
        return Store.open(normalize_database_url(settings.database_url or default_database_url()))
    except DatabaseUrlError as error:
        raise ConfigError(f"DATABASE_URL is malformed: {error}") from None


async def list_outbox(store: Store, *, show_all: bool = False) -> list[str]:
    statuses = (
        ("pending", "delivering", "failed", "delivered") if show_all else ("pending", "delivering", "failed")
    )
    items = await store.outbox.items(statuses)
    if not items:
        return ["The outbox is empty: nothing pending or failed."]
    lines = [f"{'ID':<14}{'STATUS':<12}{'KIND':<9}{'WORKSPACE':<12}{'CHANNEL':<13}{'TRIES':<6}LAST ERROR"]
    for item in items:
        note = item.last_error or ""
        if item.status == "delivering" and item.claimed_by:
            # The claim token is host:pid:random; the host and pid say which replica to look at.
            holder = item.claimed_by.rsplit(":", 1)[0]
            note = f"held by {holder}" + (f"; {note}" if note else "")
        lines.append(
            f"{item.item_id:<14}{item.status:<12}{item.kind:<9}{item.team_id:<12}{item.channel_id:<13}"
            f"{item.attempts:<6}{note}"
        )
    return lines


async def retry_outbox(store: Store, item_id: str | None) -> int:
    return await store.outbox.retry(item_id)


async def list_questions(store: Store, *, since: datetime | None = None) -> list[str]:
    """``mlorg questions``: per workspace, what people asked that mlorg could not answer well."""
    lines: list[str] = []
    for team_id in await store.questions.teams():
        rows = unhelpful_questions(
            await store.questions.asked_since(team_id, since or datetime(1970, 1, 1, tzinfo=UTC))
        )
        if rows:
            lines.append(f"{team_id}: {len(rows)} question(s) mlorg could not answer well")
            lines += [f"  {count}x  {question}  ({why})" for question, count, why in rows]
    return lines or ["No unanswered or down-voted questions: every question got an answer nobody voted down."]


async def export(
    store: Store, kb: KnowledgeBase, directory: Path, *, now: datetime | None = None
) -> list[str]:
    """Write aggregate CSVs per workspace; returns a line per file (or per workspace skipped).

    Every row is a group of at least the workspace's minimum group size, drawn exactly as the
    leadership summary draws it (the same released figures, so an export never shows a week
    one person apart from what leaders saw), and no user id, answer or time of day is written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC)
    report: list[str] = []
    teams = sorted(set(await store.diagnoses.teams()) | set(await store.quizzes.teams()))
    if not teams:
        return ["Nothing to export yet: no diagnoses or quiz answers are stored."]
    for team_id in teams:
        config = await store.workspaces.get(team_id)
        report += await _export_diagnoses(store, kb, team_id, config.min_group, directory, now)
        report += await _export_quiz(store, team_id, config.min_group, directory)
    return report


async def export_charts(
    store: Store, kb: KnowledgeBase, directory: Path, *, now: datetime | None = None
) -> list[str]:
    """Write each workspace's summary charts, as ``/mlorg summary`` would show them now.

    The same summary (this week's released figures, the trend of the last eight weeks,
    quiz accuracy), drawn by the same functions, into ``directory/<team_id>/``; where too
    few people took part there is no picture, and the line says so.
    """
    now = now or datetime.now(UTC)
    teams = sorted(set(await store.diagnoses.teams()) | set(await store.quizzes.teams()))
    if not teams:
        return ["No charts to draw yet: no diagnoses or quiz answers are stored."]
    report: list[str] = []
    for team_id in teams:
        config = await store.workspaces.get(team_id)
        week = current_week(now)
        charts = render_summary(await summarize(store, kb, team_id, week, config.min_group))
        if not charts:
            report.append(
                f"{team_id}: the week of {week.start.date().isoformat()} had fewer than "
                f"{config.min_group} people in every part; no charts drawn"
            )
            continue
        folder = directory / team_id
        folder.mkdir(parents=True, exist_ok=True)
        for chart in charts:
            (folder / chart.filename).write_bytes(chart.png)
        report.append(f"{folder}: {', '.join(chart.filename for chart in charts)}")
    return report


def _diagnosis_header(kb: KnowledgeBase) -> list[str]:
    header = ["week_start", "week_end", "people", "leaders", "contributors"]
    for archetype in kb.archetypes:
        header += [
            f"best_fit_{archetype.id}",
            f"best_fit_{archetype.id}_leaders",
            f"best_fit_{archetype.id}_contributors",
        ]
    for dimension in kb.dimensions:
        header += [
            f"mean_{dimension.id}",
            f"mean_{dimension.id}_leaders",
            f"mean_{dimension.id}_contributors",
        ]
    return header


def _tenths(value: float | None) -> str:
    """A mean position on the 0-1 scale to one decimal, as the team summary shows it."""
    return "" if value is None else f"{value:.1f}"


def _diagnosis_row(kb: KnowledgeBase, period: Period, team: TeamAggregate) -> list[object]:
    """One week: the whole group always, leaders and contributors only when each is large enough."""
    gap = team.perception_gap
    row: list[object] = [
        period.start.date().isoformat(),
        period.end.date().isoformat(),
        team.placed,
        gap.leaders if gap else "",
        gap.contributors if gap else "",
    ]
    tallies = {t.archetype.id: t.best_fit for t in team.distribution}
    by_role = {a.archetype.id: a for a in gap.archetypes} if gap else {}
    for archetype in kb.archetypes:
        role = by_role.get(archetype.id)
        row += [
            tallies.get(archetype.id, 0),
            role.leaders if role else "",
            role.contributors if role else "",
        ]
    readings = {r.dimension.id: r for r in team.readings}
    dims = {d.dimension.id: d for d in gap.dimensions} if gap else {}
    for dimension in kb.dimensions:
        reading = readings.get(dimension.id)
        perception = dims.get(dimension.id)
        row += [
            _tenths(reading.mean if reading else None),
            _tenths(perception.leaders if perception else None),
            _tenths(perception.contributors if perception else None),
        ]
    return row


async def _export_diagnoses(
    store: Store, kb: KnowledgeBase, team_id: str, min_group: int, directory: Path, now: datetime
) -> list[str]:
    flows = await store.diagnoses.finished_since(team_id, datetime(1970, 1, 1, tzinfo=UTC))
    weeks = sorted(
        {current_week(flow.updated_at) for flow in flows if flow.updated_at <= now}, key=lambda p: p.start
    )
    rows: list[list[object]] = []
    for week in weeks:
        summary = await summarize(store, kb, team_id, week, min_group)
        if summary.team.visible:
            rows.append(_diagnosis_row(kb, week, summary.team))
    if not rows:
        return [f"{team_id}: no week had diagnoses from at least {min_group} people; nothing exported"]
    path = directory / f"{team_id}-diagnoses.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(_diagnosis_header(kb))
        writer.writerows(rows)
    skipped = len(weeks) - len(rows)
    tail = f"; {skipped} week(s) with fewer than {min_group} people left out" if skipped else ""
    return [f"{path}: {len(rows)} week(s), each over at least {min_group} people{tail}"]


async def _export_quiz(store: Store, team_id: str, min_group: int, directory: Path) -> list[str]:
    """Per question, only answers to question rounds whose tally could be shown in their thread."""
    answers = await store.quizzes.answers_since(team_id, datetime(1970, 1, 1, tzinfo=UTC))
    if not answers:
        return []
    by_question: dict[tuple[str, str], list[bool]] = defaultdict(list)
    players: dict[tuple[str, str], set[str]] = defaultdict(set)
    for question_id, topic_id, user_id, correct in await released_records(store, team_id, answers, min_group):
        by_question[(question_id, topic_id)].append(correct)
        players[(question_id, topic_id)].add(user_id)
    path = directory / f"{team_id}-quiz.csv"
    kept = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question_id", "topic", "answers", "correct", "percent_correct"])
        for (question_id, topic), results in sorted(by_question.items()):
            if len(players[(question_id, topic)]) < min_group:
                continue
            kept += 1
            writer.writerow(
                [question_id, topic, len(results), sum(results), round(100 * sum(results) / len(results))]
            )
    return [f"{path}: {kept} questions (only those answered by at least {min_group} people)"]
