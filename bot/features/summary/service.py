"""Build a workspace's summary for a period from what the store holds.

Shared by ``/mlorg summary`` and the digest scheduler, so a preview, a posted
summary and a scheduled digest say the same thing for the same period.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.store import Flow, Store
from knowledge import KnowledgeBase
from knowledge.diagnosis import role_of
from knowledge.summary import Period, Summary, build_summary

__all__ = ["summarize"]


def _latest_per_person(flows: Iterable[Flow], period: Period) -> list[Flow]:
    """One diagnosis per person per period (their latest): retaking must not count twice."""
    latest: dict[str, Flow] = {}
    for flow in flows:
        if flow.updated_at in period and (
            flow.user_id not in latest or flow.updated_at > latest[flow.user_id].updated_at
        ):
            latest[flow.user_id] = flow
    return list(latest.values())


async def summarize(store: Store, kb: KnowledgeBase, team_id: str, period: Period, min_group: int) -> Summary:
    previous = period.previous()
    flows = await store.diagnoses.finished_since(team_id, previous.start)
    now = [(f.answers, role_of(kb, f.answers)) for f in _latest_per_person(flows, period)]
    before = [(f.answers, role_of(kb, f.answers)) for f in _latest_per_person(flows, previous)]
    answers = await store.quizzes.answers_since(team_id, period.start)
    records = [(a.question_id, a.topic_id, a.user_id, a.correct) for a in answers if a.answered_at in period]
    return build_summary(
        kb, period=period, diagnoses=now, previous=before, quiz_records=records, min_group=min_group
    )


def period_ending(end: datetime) -> Period:
    return Period.ending(end, days=7)
