"""One pooled HTTP session for every call mlorg makes to Slack.

slack-sdk's async clients open a new ``aiohttp.ClientSession`` (and so a new
connection) per call unless they are given one. Under load that is a TCP (and in
production a TLS) handshake per message; a shared session keeps connections alive.
It is created inside the running event loop, at start-up, and closed at shutdown.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

__all__ = ["SharedSession"]


class SharedSession:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        """The session; created on first use (which must be inside the event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
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
