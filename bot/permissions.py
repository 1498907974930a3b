"""Who may configure mlorg and post to leadership channels.

Workspace admins and owners (as ``users.info`` reports them) and the users named
in ``MLORG_ADMINS``. The answer is cached briefly: a leader clicking through a
preview should not cost a Web API call per click, and a demotion still takes
effect within minutes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_text import api_error

__all__ = ["Admins"]

log = logging.getLogger(__name__)

CACHE_SECONDS = 300.0
#: How long a permission check waits for ``users.info`` (not cached when it gives up).
CHECK_SECONDS = 2.0


class Admins:
    def __init__(self, configured: frozenset[str], *, clock: Callable[[], float] = time.monotonic) -> None:
        self._configured = configured
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}

    async def allows(self, client: AsyncWebClient, team_id: str, user_id: str) -> bool:
        if user_id in self._configured:
            return True
        key = (team_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and self._clock() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            # Some checks run before the ack: a slow Slack must not push it past 3 seconds.
            async with asyncio.timeout(CHECK_SECONDS):
                response = await client.users_info(user=user_id)
        except SlackApiError as error:
            # Unknown is "no": refusing a real admin once is better than letting anyone through.
            log.warning("users.info failed for a permission check: %s", api_error(error))
            return False
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            log.warning("users.info did not answer a permission check: %s", type(error).__name__)
            return False
        user = response.get("user") or {}
        allowed = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        self._cache[key] = (self._clock(), allowed)
        return allowed
