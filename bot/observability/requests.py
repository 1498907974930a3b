"""Per request: a request id, the ack latency, the request and error counts, and one log line.

:class:`ObservedApp` is Bolt's ``AsyncApp`` with ``async_dispatch`` wrapped, because both the
HTTP adapter and the Socket Mode handler call it: one place sees every request. Bolt returns
from ``async_dispatch`` as soon as the listener calls ``ack()``, so the time it takes is the
ack latency; the listener's remaining work continues in a task that inherits the request's
context (and so its id).
"""

from __future__ import annotations

import logging
import secrets
import time

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.observability.kinds import RequestKinds, team_of
from bot.observability.logs import RequestInfo, current_request
from bot.observability.metrics import Metrics

__all__ = ["ObservedApp", "RequestObserver", "outcome_of_status"]

log = logging.getLogger("mlorg.requests")


def outcome_of_status(status: int) -> str:
    if status < 400:
        return "ok"
    if status == 401:
        return "unauthorized"
    return "rejected" if status < 500 else "error"


class RequestObserver:
    def __init__(self, metrics: Metrics, kinds: RequestKinds) -> None:
        self.metrics = metrics
        self.kinds = kinds

    async def dispatch(self, app: AsyncApp, request: AsyncBoltRequest) -> BoltResponse:
        started = time.perf_counter()
        body = request.body if isinstance(request.body, dict) else {}
        info = RequestInfo(
            request_id=secrets.token_hex(6), kind=self.kinds.classify(body), team=team_of(body)
        )
        token = current_request.set(info)
        try:
            response = await AsyncApp.async_dispatch(app, request)
        finally:
            current_request.reset(token)
        if response.status >= 500 and not info.failed:
            info.failed = True
            self.metrics.request_errors.labels(kind=info.kind).inc()
        self._record(info, response.status, time.perf_counter() - started)
        return response

    def refused(self, status: int, seconds: float) -> None:
        """A request refused before Bolt saw it: unsigned or stale (401), or signed but unreadable
        (400). Its body is not parsed for a kind (nothing unsigned ever is): the kind says why."""
        kind = "unverified" if status == 401 else "unreadable"
        self._record(RequestInfo(request_id=secrets.token_hex(6), kind=kind, team="-"), status, seconds)

    def _record(self, info: RequestInfo, status: int, seconds: float) -> None:
        """Count the request, time its ack, and write its one log line."""
        self.metrics.requests.labels(kind=info.kind).inc()
        self.metrics.ack_seconds.labels(kind=info.kind).observe(seconds)
        outcome = outcome_of_status(status)
        log.info(
            "%s from %s: %d %s in %.1f ms",
            info.kind,
            info.team,
            status,
            outcome,
            seconds * 1000,
            extra={
                "request_id": info.request_id,
                "kind": info.kind,
                "team": info.team,
                "status": status,
                "outcome": outcome,
                "duration_ms": round(seconds * 1000, 2),
            },
        )

    def listener_failed(self) -> None:
        """Called by the global error handler (in the request's context, before or after the ack)."""
        info = current_request.get()
        if info is None or info.failed:
            return
        info.failed = True
        self.metrics.request_errors.labels(kind=info.kind).inc()


class ObservedApp(AsyncApp):
    """``AsyncApp`` whose every dispatch goes through a :class:`RequestObserver` once one is set."""

    observer: RequestObserver | None = None

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        if self.observer is None:
            return await super().async_dispatch(req)
        return await self.observer.dispatch(self, req)
