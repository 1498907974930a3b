"""The Prometheus metrics of one running mlorg, and the ``/metrics`` page that shows them.

Each :class:`Metrics` owns its metric objects in its own registry, so several apps in one
process (the tests run many) never share or collide. Figures that live in the database
(outbox depth, running quizzes) are read when Prometheus scrapes, with a short deadline: a
scrape while the database is down answers at once with the last figures and
``mlorg_database_up 0``, never waits for the database.

With several worker processes on one host (``PROMETHEUS_MULTIPROC_DIR`` set, as
prometheus-client documents), counters and histograms are written to files there and every
process's ``/metrics`` shows the sum over all of them (:class:`MultiProcessCollector`);
process metrics then describe only the process that answered, so they are left out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE", "Metrics", "StoreFigures"]

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
#: Slack's deadline is 3 s; the buckets resolve the range an operator acts on.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
#: How long a scrape waits for the database figures before answering with the last ones.
STORE_DEADLINE_SECONDS = 1.0


@dataclass(frozen=True)
class StoreFigures:
    """What the database says at scrape time."""

    #: Outbox items by (kind, status), e.g. ("digest", "pending") -> 2.
    outbox: dict[tuple[str, str], int] = field(default_factory=dict)
    #: When the oldest item still waiting for delivery (pending or delivering) was created.
    oldest_waiting: datetime | None = None
    quizzes_running: int = 0


StoreReader = Callable[[], Awaitable[StoreFigures]]


class Metrics:
    def __init__(self, *, multiprocess_dir: Path | None = None) -> None:
        self.registry = CollectorRegistry()
        self._multiprocess_dir = multiprocess_dir
        r = self.registry
        self.requests = Counter("mlorg_requests", "Slack requests received, by kind.", ["kind"], registry=r)
        self.request_errors = Counter(
            "mlorg_request_errors",
            "Slack requests that failed: answered 5xx or reached the global error handler.",
            ["kind"],
            registry=r,
        )
        self.ack_seconds = Histogram(
            "mlorg_ack_seconds",
            "Time from a request's arrival to its ack (the HTTP response or Socket Mode envelope).",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.slack_api_calls = Counter(
            "mlorg_slack_api_calls",
            "Slack Web API attempts by method and outcome (ok, a Slack error code, rate_limited, "
            "http_5xx, timeout, ...).",
            ["method", "outcome"],
            registry=r,
        )
        self.slack_api_retries = Counter(
            "mlorg_slack_api_retries",
            "Slack Web API attempts retried in-process, by method and reason.",
            ["method", "reason"],
            registry=r,
        )
        self.database_errors = Counter(
            "mlorg_database_errors",
            "Database operations that failed (StoreError), by what was being done.",
            ["operation"],
            registry=r,
        )
        self.chart_uploads = Counter(
            "mlorg_chart_uploads",
            "Chart uploads to Slack by outcome: ok, or why not (missing_scope, not_allowed_token_type, "
            "timeout, connection_error, upload_refused, slack_error, ...).",
            ["outcome"],
            registry=r,
        )
        self.charts_dropped = Counter(
            "mlorg_charts_dropped",
            "Charts left out of a message that went out without them, by reason (draw_failed, "
            "upload_failed, not_ready, no_room).",
            ["reason"],
            registry=r,
        )
        self._store_reader: StoreReader | None = None
        self._figures = StoreFigures()
        self._database_up = 0
        self._now: Callable[[], datetime] | None = None
        self._refresh: asyncio.Task[None] | None = None
        self._exposition = self._exposition_registry()

    # -- hooks for the composition root --------------------------------------------------------
    def read_store_with(self, reader: StoreReader, now: Callable[[], datetime]) -> None:
        self._store_reader = reader
        self._now = now

    def database_error(self, operation: str) -> None:
        self.database_errors.labels(operation=operation).inc()

    # -- chart delivery (bot.charts.ChartCounters) ----------------------------------------------
    def chart_upload(self, outcome: str) -> None:
        self.chart_uploads.labels(outcome=outcome).inc()

    def chart_dropped(self, reason: str, count: int = 1) -> None:
        self.charts_dropped.labels(reason=reason).inc(count)

    # -- the page -----------------------------------------------------------------------------------
    async def render(self) -> bytes:
        """The text exposition; refreshes the database figures first, within the deadline."""
        await self._refresh_store()
        return generate_latest(self._exposition)

    async def _refresh_store(self) -> None:
        if self._store_reader is None:
            return
        if self._refresh is None or self._refresh.done():
            self._refresh = asyncio.create_task(self._read_store(self._store_reader))
        # A slow read keeps going in the background (the next scrape picks it up); cancelling a
        # database call half-way helps nobody.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._refresh), STORE_DEADLINE_SECONDS)
        if not self._refresh.done():
            self._database_up = 0

    async def _read_store(self, reader: StoreReader) -> None:
        try:
            self._figures = await reader()
            self._database_up = 1
        except Exception:
            self._database_up = 0
            log.warning("metrics: could not read the database figures", exc_info=True)

    def _exposition_registry(self) -> CollectorRegistry:
        if self._multiprocess_dir is not None:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=str(self._multiprocess_dir))  # type: ignore[no-untyped-call]
        else:
            registry = self.registry
            ProcessCollector(registry=registry)
            PlatformCollector(registry=registry)
        registry.register(_StoreCollector(self))
        return registry

    def close(self) -> None:
        if self._refresh is not None:
            self._refresh.cancel()


class _StoreCollector(Collector):
    """Yields the last database figures; the read itself happened in :meth:`Metrics.render`."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[GaugeMetricFamily]:
        m = self._metrics
        figures = m._figures
        up = GaugeMetricFamily(
            "mlorg_database_up", "1 if the last scrape read the database figures in time, else 0."
        )
        up.add_metric([], m._database_up)
        yield up
        outbox = GaugeMetricFamily(
            "mlorg_outbox_items", "Outbox items by kind and status.", labels=["kind", "status"]
        )
        for (kind, status), count in sorted(figures.outbox.items()):
            outbox.add_metric([kind, status], count)
        yield outbox
        age = GaugeMetricFamily(
            "mlorg_outbox_oldest_waiting_seconds",
            "Age of the oldest outbox item not yet delivered (pending or delivering); 0 if none.",
        )
        oldest = figures.oldest_waiting
        age.add_metric([], (m._now() - oldest).total_seconds() if oldest and m._now else 0.0)
        yield age
        digests = GaugeMetricFamily(
            "mlorg_digests",
            "Scheduled digests in the outbox: due (waiting to be posted), sent, failed (gave up).",
            labels=["state"],
        )
        due = sum(
            n for (k, s), n in figures.outbox.items() if k == "digest" and s in ("pending", "delivering")
        )
        digests.add_metric(["due"], due)
        digests.add_metric(["sent"], figures.outbox.get(("digest", "delivered"), 0))
        digests.add_metric(["failed"], figures.outbox.get(("digest", "failed"), 0))
        yield digests
        quizzes = GaugeMetricFamily("mlorg_quizzes_running", "Quizzes running now, in every workspace.")
        quizzes.add_metric([], figures.quizzes_running)
        yield quizzes
