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

from bot.settings import ConfigError, Settings
from bot.store import DatabaseUrlError, Store, default_database_url, normalize_database_url
from knowledge import KnowledgeBase
from knowledge.diagnosis import role_of, score

__all__ = ["export", "list_outbox", "open_store", "retry_outbox"]


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
        lines.append(
            f"{item.item_id:<14}{item.status:<12}{item.kind:<9}{item.team_id:<12}{item.channel_id:<13}"
            f"{item.attempts:<6}{item.last_error or ''}"
        )
    return lines


async def retry_outbox(store: Store, item_id: str | None) -> int:
    return await store.outbox.retry(item_id)


async def export(store: Store, kb: KnowledgeBase, directory: Path) -> list[str]:
    """Write anonymised CSVs per workspace; returns a line per file (or per workspace skipped).

    No user id is written. A workspace's diagnoses are exported only when at least its
    minimum group size of people took one, and quiz figures are per question, only for
    questions that many people answered, so no row describes one identifiable person.
    """
    directory.mkdir(parents=True, exist_ok=True)
    report: list[str] = []
    teams = sorted(set(await store.diagnoses.teams()) | set(await store.quizzes.teams()))
    if not teams:
        return ["Nothing to export yet: no diagnoses or quiz answers are stored."]
    for team_id in teams:
        config = await store.workspaces.get(team_id)
        report += await _export_diagnoses(store, kb, team_id, config.min_group, directory)
        report += await _export_quiz(store, team_id, config.min_group, directory)
    return report


async def _export_diagnoses(
    store: Store, kb: KnowledgeBase, team_id: str, min_group: int, directory: Path
) -> list[str]:
    flows = await store.diagnoses.finished_since(team_id, datetime(1970, 1, 1, tzinfo=UTC))
    people = {flow.user_id for flow in flows}
    if len(people) < min_group:
        return [
            f"{team_id}: diagnoses skipped ({len(people)} people; at least {min_group} are needed to export)"
        ]
    path = directory / f"{team_id}-diagnoses.csv"
    questions = list(kb.questions)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["date", "best_fit", "best_fit_percent", "runner_up", "blend", "role", *(q.id for q in questions)]
        )
        for flow in sorted(flows, key=lambda f: f.updated_at):
            result = score(kb, flow.answers)
            writer.writerow(
                [
                    flow.updated_at.date().isoformat(),  # the day, not the minute: times could identify
                    result.best.id,
                    result.shares[0].percent,
                    result.runner_up.id if result.runner_up else "",
                    "yes" if result.blend else "no",
                    role_of(kb, flow.answers) or "",
                    *(flow.answers.get(q.id, "") for q in questions),
                ]
            )
    return [f"{path}: {len(flows)} diagnoses from {len(people)} people"]


async def _export_quiz(store: Store, team_id: str, min_group: int, directory: Path) -> list[str]:
    answers = await store.quizzes.answers_since(team_id, datetime(1970, 1, 1, tzinfo=UTC))
    if not answers:
        return []
    by_question: dict[tuple[str, str], list[bool]] = defaultdict(list)
    players: dict[tuple[str, str], set[str]] = defaultdict(set)
    for answer in answers:
        key = (answer.question_id, answer.topic_id)
        by_question[key].append(answer.correct)
        players[key].add(answer.user_id)
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
