"""Count every Slack Web API attempt by method and outcome, and every retry, via retry handlers.

Bolt gives each request a fresh ``AsyncWebClient`` that copies the app client's retry handler
list, so a handler is the one hook that sees the calls listeners make as well as the app's own.
slack-sdk asks the handlers after every attempt (success or not) whether to retry; the observer
comes first, records what happened, and always answers no, leaving the decision to the real
handlers, each wrapped to count the retries it asks for.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import ClientError, ServerTimeoutError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.observability.metrics import Metrics

__all__ = ["CountedRetries", "ObserveCalls", "outcome_of"]

log = logging.getLogger("mlorg.slack_api")
_NAME = re.compile(r"[a-z][a-zA-Z0-9_.]{0,59}")
#: Distinct error codes kept as labels; past this (a misbehaving server) they are ``other_error``.
MAX_ERROR_CODES = 60


class ObserveCalls(AsyncRetryHandler):
    """Never retries; records each attempt's outcome (put it first in the handler list)."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self._metrics = metrics
        self._codes: set[str] = set()

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = method_of(request.url)
        outcome = outcome_of(response, error)
        if outcome not in _FIXED and outcome not in self._codes:
            if len(self._codes) >= MAX_ERROR_CODES or not _NAME.fullmatch(outcome):
                outcome = "other_error"
            else:
                self._codes.add(outcome)
        self._metrics.slack_api_calls.labels(method=method, outcome=outcome).inc()
        if outcome != "ok":
            # Written in the request's context: it carries the request id of the click behind it.
            log.warning("slack api %s: %s", method, outcome)
        return False


class CountedRetries(AsyncRetryHandler):
    """Wraps one of slack-sdk's retry handlers and counts the retries it asks for."""

    def __init__(self, inner: AsyncRetryHandler, reason: str, metrics: Metrics) -> None:
        super().__init__(max_retry_count=inner.max_retry_count, interval_calculator=inner.interval_calculator)
        self._inner = inner
        self._reason = reason
        self._metrics = metrics

    async def can_retry_async(self, **kwargs: Any) -> bool:
        return await self._inner.can_retry_async(**kwargs)

    async def prepare_for_next_attempt_async(self, **kwargs: Any) -> None:
        request: HttpRequest = kwargs["request"]
        self._metrics.slack_api_retries.labels(method=method_of(request.url), reason=self._reason).inc()
        await self._inner.prepare_for_next_attempt_async(**kwargs)


_FIXED = frozenset({"ok", "rate_limited", "http_5xx", "http_4xx", "timeout", "connection_error"})


def method_of(url: str) -> str:
    """``https://slack.com/api/chat.postMessage`` -> ``chat.postMessage`` (``other`` if odd)."""
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    return name if _NAME.fullmatch(name) else "other"


def outcome_of(response: HttpResponse | None, error: Exception | None) -> str:
    """ok, rate_limited, http_5xx, http_4xx, timeout, connection_error, or Slack's error code."""
    if response is None:
        if isinstance(error, TimeoutError | ServerTimeoutError):
            return "timeout"
        if isinstance(error, ClientError | OSError):
            return "connection_error"
        return "other_error"
    if response.status_code == 429:
        return "rate_limited"
    if response.status_code >= 500:
        return "http_5xx"
    if response.status_code >= 400:
        return "http_4xx"
    body = response.body or {}
    if body.get("ok") is False:
        return str(body.get("error") or "other_error")
    return "ok"
