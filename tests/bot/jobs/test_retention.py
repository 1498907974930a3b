"""The retention job: what it deletes is decided by timestamps, and a failed pass never stops it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bot.jobs.retention import RetentionJob
from bot.store import Store
from bot.store.events import utc_now

TEAM = "T0001"


async def test_a_pass_deletes_by_age_and_reports_what_it_deleted(tmp_path: Path) -> None:
    async with Store.open(f"sqlite:///{tmp_path / 'r.sqlite3'}") as store:
        await store.migrate()
        await store.events.claim(TEAM, "Ev1")
        await store.diagnoses.start(TEAM, "U1", "C1")
        await store.outbox.enqueue(TEAM, "summary:p", kind="summary", channel_id="C", payload={}, held=True)
        await store.questions.record(TEAM, "what is r&d?", kind="aspect", answered=True)

        today = await RetentionJob(store, retention_days=30).prune()
        later = await RetentionJob(
            store, retention_days=30, clock=lambda: utc_now() + timedelta(days=31)
        ).prune()

    assert (today.events, today.abandoned_diagnoses, today.previews, today.questions) == (0, 0, 0, 0)
    assert (later.events, later.abandoned_diagnoses, later.previews, later.questions) == (1, 1, 1, 1)


async def test_a_failing_pass_is_retried_and_the_job_stops_when_asked(tmp_path: Path) -> None:
    async with Store.open(f"sqlite:///{tmp_path / 'r.sqlite3'}") as store:
        await store.migrate()
        calls: list[datetime] = []
        third = asyncio.Event()

        def clock() -> datetime:
            calls.append(utc_now())
            if len(calls) >= 3:
                third.set()
            if len(calls) == 1:
                raise RuntimeError("the first pass fails")
            return utc_now()

        stop = asyncio.Event()
        job = asyncio.create_task(
            RetentionJob(store, retention_days=30, interval=0.01, clock=clock).run(stop)
        )
        await asyncio.wait_for(third.wait(), 2)
        stop.set()
        await asyncio.wait_for(job, 2)

    assert len(calls) >= 3, "the job gave up after a failed pass"


async def test_a_pass_purges_the_workspaces_whose_grace_period_is_over(tmp_path: Path) -> None:
    async with Store.open(f"sqlite:///{tmp_path / 'r.sqlite3'}") as store:
        await store.migrate()
        await store.diagnoses.start(TEAM, "U1", "C1")
        await store.installs.record_departure(TEAM, None, utc_now() + timedelta(days=30))

        today = await RetentionJob(store, retention_days=365).prune()
        later = await RetentionJob(
            store, retention_days=365, clock=lambda: utc_now() + timedelta(days=31)
        ).prune()

        assert (today.workspaces, later.workspaces) == (0, 1)
        assert await store.diagnoses.teams() == [] and await store.installs.list() == []


async def _remaining(store: Store) -> dict[str, int]:
    """Rows left in every table the retention job prunes."""
    tables = (
        "processed_events",
        "diagnosis_flows",
        "outbox",
        "asked_questions",
        "answer_votes",
        "conversations",
    )
    async with store.engine.connect() as connection:
        return {t: (await connection.execute(text(f"SELECT COUNT(*) FROM {t}"))).scalar_one() for t in tables}


async def _filled(store: Store) -> None:
    await store.events.claim(TEAM, "Ev1")
    await store.diagnoses.start(TEAM, "U1", "C1")
    await store.outbox.enqueue(TEAM, "summary:p", kind="summary", channel_id="C", payload={}, held=True)
    answer = await store.questions.record(
        TEAM, "what is r&d?", kind="aspect", answered=False, conversation_key="C1:1.0", subject="rnd"
    )
    await store.questions.vote(TEAM, answer, "U1", helpful=False)


async def test_what_is_kept_for_the_retention_period_is_kept_at_29_days_and_gone_at_31(
    tmp_path: Path,
) -> None:
    async with Store.open(f"sqlite:///{tmp_path / 'r.sqlite3'}") as store:
        await store.migrate()
        await _filled(store)

        await RetentionJob(store, retention_days=30, clock=lambda: utc_now() + timedelta(days=29)).prune()
        at_29 = await _remaining(store)
        await RetentionJob(store, retention_days=30, clock=lambda: utc_now() + timedelta(days=31)).prune()
        at_31 = await _remaining(store)

    kept_30_days = ("diagnosis_flows", "asked_questions", "answer_votes", "conversations")
    assert {t: at_29[t] for t in kept_30_days} == dict.fromkeys(kept_30_days, 1)
    assert at_31 == dict.fromkeys(at_31, 0)


async def test_what_is_kept_for_a_day_is_kept_at_23_hours_and_gone_at_25(tmp_path: Path) -> None:
    async with Store.open(f"sqlite:///{tmp_path / 'r.sqlite3'}") as store:
        await store.migrate()
        await _filled(store)

        await RetentionJob(store, retention_days=30, clock=lambda: utc_now() + timedelta(hours=23)).prune()
        at_23 = await _remaining(store)
        await RetentionJob(store, retention_days=30, clock=lambda: utc_now() + timedelta(hours=25)).prune()
        at_25 = await _remaining(store)

    assert (at_23["processed_events"], at_23["outbox"]) == (1, 1)
    assert (at_25["processed_events"], at_25["outbox"]) == (0, 0)
    assert at_25["asked_questions"] == 1  # the rest keeps its own, longer period
