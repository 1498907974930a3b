"""The weekly digest scheduler: safe with several replicas, and catches up once.

Each pass computes, per workspace, the most recent scheduled moment at or before
now. The outbox key is that moment (and the channel), so every replica and every
pass agrees on it: a digest is enqueued once, however many replicas tick, and a
digest missed while the app was down is sent once on recovery, for the latest
missed moment only, not once per missed week.

A digest reports the last whole week (Monday to Monday, UTC) before its moment, the same
fixed week a preview and an export use: never a window ending "now", which two digests a
few minutes apart could use to single out one person.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.charts import ChartRenderer
from bot.features.summary.blocks import build_summary_message, summary_text
from bot.features.summary.charts import digest_charts
from bot.features.summary.service import last_week, summarize
from bot.outage import OutageLog
from bot.store import Store, WorkspaceConfig
from bot.store.events import Clock, utc_now
from knowledge import KnowledgeBase

__all__ = ["DigestScheduler", "latest_slot"]

log = logging.getLogger(__name__)


def latest_slot(now: datetime, weekday: int, hhmm: str, timezone: str) -> datetime | None:
    """The latest ``weekday`` at ``hhmm`` in ``timezone`` that is not after ``now`` (as UTC)."""
    try:
        zone = ZoneInfo(timezone)
        hour, minute = (int(part) for part in hhmm.split(":", 1))
    except (ZoneInfoNotFoundError, ValueError):
        return None
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    # Compare instants, not wall clocks: aware datetimes sharing a tzinfo compare by wall time,
    # which is wrong in the hour a DST change repeats or skips.
    if candidate.astimezone(UTC) > now.astimezone(UTC):
        candidate -= timedelta(days=7)
        candidate = datetime(candidate.year, candidate.month, candidate.day, hour, minute, tzinfo=zone)
    return candidate.astimezone(UTC)


class DigestScheduler:
    def __init__(
        self,
        store: Store,
        kb: KnowledgeBase,
        *,
        interval: float = 30.0,
        clock: Clock = utc_now,
        renderer: ChartRenderer | None = None,
    ) -> None:
        self.store = store
        self.kb = kb
        #: Draws the digest's charts off the loop; the outbox worker uploads them on delivery.
        self.renderer = renderer or ChartRenderer()
        self.interval = interval
        self._clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        outage = OutageLog(log, "digest scheduler")
        while not stop.is_set():
            try:
                await self.tick()
            except Exception as error:
                outage.failed(error)
            else:
                outage.succeeded()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval)

    async def tick(self) -> int:
        """Enqueue every digest that is due and not yet enqueued; returns how many were added."""
        now = self._clock()
        added = 0
        for config in await self.store.workspaces.scheduled():
            added += await self._enqueue_due(config, now)
        return added

    async def _enqueue_due(self, config: WorkspaceConfig, now: datetime) -> int:
        if not config.scheduled or config.digest_weekday is None or config.digest_time is None:
            return 0
        slot = latest_slot(now, config.digest_weekday, config.digest_time, config.digest_timezone)
        # A schedule set up on Wednesday must not fire Monday's digest right away.
        if slot is None or (config.updated_at is not None and slot < config.updated_at):
            return 0
        added = 0
        payload = None
        for channel in config.leadership_channels:
            key = f"digest:{slot.isoformat()}:{channel}"
            if await self.store.outbox.exists(config.team_id, key):
                continue
            if payload is None:
                summary = await summarize(
                    self.store, self.kb, config.team_id, last_week(slot), config.min_group
                )
                payload = {
                    "blocks": build_summary_message(summary),
                    "text": summary_text(summary),
                    # The PNGs travel with the digest; the worker uploads them once, on delivery.
                    "charts": await digest_charts(self.renderer, summary),
                }
            _, created = await self.store.outbox.enqueue(
                config.team_id,
                key,
                kind="digest",
                channel_id=channel,
                payload=payload,
                # Whoever set the schedule hears if it cannot be delivered (MLORG_ADMINS may be empty).
                requested_by=config.updated_by or None,
            )
            if created:
                log.info("digest for %s at %s enqueued for %s", config.team_id, slot.isoformat(), channel)
                added += 1
        return added
