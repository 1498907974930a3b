"""One pooled HTTP session for every call mlorg makes to Slack.

slack-sdk's async clients open a new ``aiohttp.ClientSession`` (and so a new
connection) per call unless they are given one. Under load that is a TCP (and in
production a TLS) handshake per message; a shared session keeps connections alive.
It is created inside the running event loop, at start-up, and closed at shutdown.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook.async_client import AsyncWebhookClient

__all__ = ["BoundedRateLimitRetryHandler", "SharedSession"]


class SharedSession:
    """``timeout`` bounds every call made on the session, retries aside.

    It must be set here: slack-sdk applies its client's ``timeout`` only to sessions it
    creates itself, never to one it is given, so this is the Web API timeout in effect.
    """

    def __init__(self, timeout: float = 30.0) -> None:
        self._session: aiohttp.ClientSession | None = None
        self.timeout = timeout

    def get(self) -> aiohttp.ClientSession:
        """The session; created on first use (which must be inside the event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def respond(self, response_url: str, **message: Any) -> None:
        """Post to an interaction's ``response_url`` on the shared session (Bolt's ``respond``
        opens a new session per call)."""
        if response_url:
            await AsyncWebhookClient(response_url, session=self.get(), timeout=10).send_dict(message)


class BoundedRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack-sdk's 429 handler, but it only waits out a short ``Retry-After``.

    The stock handler sleeps for whatever Slack asks, however long, holding the task (and
    whatever it holds) that made the call. A click's follow-up that would land minutes late
    is worth less than the memory and connections a burst of them would pin, so a long
    wait gives up and surfaces the 429; what must not be lost goes through the outbox,
    which schedules its own retry durably.
    """

    def __init__(self, max_retry_count: int, max_wait_seconds: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_seconds = max_wait_seconds

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not await super()._can_retry_async(state=state, request=request, response=response, error=error):
            return False
        assert response is not None  # a 429 needs a response
        for key, values in response.headers.items():
            if key.lower() == "retry-after":
                raw = values[0] if isinstance(values, list) and values else values
                try:
                    return float(str(raw)) <= self.max_wait_seconds
                except ValueError:
                    return True  # unreadable: the stock handler waits about a second
        return True
