"""The retention job: what it deletes is decided by timestamps, and a failed pass never stops it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

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
