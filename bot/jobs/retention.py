"""Deleting what mlorg no longer needs, on a schedule that survives restarts.

What is kept and for how long is part of what mlorg promises people (README, "Privacy"):

* a diagnosis left unfinished: ``MLORG_RETENTION_DAYS`` after it was last touched;
* a summary preview nobody posted: a day (its figures are stale by then);
* the ids of Slack events already handled: a day (Slack stops retrying within minutes);
* questions asked in plain words (without who asked), their votes, and what each
  conversation was about: ``MLORG_RETENTION_DAYS``;
* everything of a workspace that uninstalled mlorg: ``MLORG_RETENTION_DAYS_AFTER_UNINSTALL``
  after it left (:mod:`bot.jobs.departures`).

Every rule is "older than", decided by timestamps in the database, so a restart, a crash
or several replicas pruning at once change nothing about what is deleted or when.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.jobs.departures import purge_due
from bot.outage import OutageLog
from bot.store import Store
from bot.store.events import Clock, utc_now

__all__ = ["EVENT_IDS_KEPT", "PREVIEWS_KEPT", "Pruned", "RetentionJob"]

log = logging.getLogger(__name__)

EVENT_IDS_KEPT = timedelta(days=1)
PREVIEWS_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class Pruned:
    events: int
    abandoned_diagnoses: int
    previews: int
    questions: int = 0
    #: Departed workspaces purged (each logged with its row counts as it goes).
    workspaces: int = 0


class RetentionJob:
    def __init__(
        self,
        store: Store,
        *,
        retention_days: int,
        interval: float = 3600.0,
        clock: Clock = utc_now,
        before_first_pass: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.retention = timedelta(days=retention_days)
        self.interval = interval
        self._clock = clock
        #: Runs once before the first pass: single-token mode checks its token there, so a
        #: reinstall is recorded before a pending purge could delete the workspace's data.
        self._before_first_pass = before_first_pass

    async def run(self, stop: asyncio.Event) -> None:
        """Prune at start-up, then every ``interval`` seconds until ``stop`` is set."""
        outage = OutageLog(log, "retention")
        if self._before_first_pass is not None:
            try:
                await self._before_first_pass()
            except Exception as error:  # the database may be down; the purge waits for the next start
                log.warning("retention: the start-up check failed (%s)", type(error).__name__)
        while not stop.is_set():
            try:
                pruned = await self.prune()
                outage.succeeded()
                if any((pruned.events, pruned.abandoned_diagnoses, pruned.previews, pruned.questions)):
                    log.info(
                        "retention: deleted %d event ids, %d abandoned diagnoses, %d unposted previews, "
                        "%d old questions",
                        pruned.events,
                        pruned.abandoned_diagnoses,
                        pruned.previews,
                        pruned.questions,
                    )
            except Exception as error:
                outage.failed(error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)

    async def prune(self) -> Pruned:
        now = self._clock()
        return Pruned(
            events=await self.store.events.prune(now - EVENT_IDS_KEPT),
            abandoned_diagnoses=await self.store.diagnoses.prune(now - self.retention),
            previews=await self.store.outbox.prune_held(now - PREVIEWS_KEPT),
            questions=await self.store.questions.prune(now - self.retention),
            workspaces=len(await purge_due(self.store, now)),
        )
