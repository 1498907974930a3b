"""Who may configure mlorg and post to leadership channels.

Workspace admins and owners (as ``users.info`` reports them) and the users named
in ``MLORG_ADMINS``. Permission checks run *before* the ack (the write they guard
must be stored before Slack hears back), so they must fit well within Slack's
3 seconds:

- the answer is cached per (team, user) for a minute, yes or no: a leader clicking
  through a preview costs one Web API call, and a demotion still takes effect soon;
- the ``users.info`` call itself is bounded (:data:`LOOKUP_SECONDS`); a slow, failing
  or rate-limited Slack answers "no" for this click only. That answer is not cached,
  so the next click asks again.
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

__all__ = ["CACHE_SECONDS", "LOOKUP_SECONDS", "Admins"]

log = logging.getLogger(__name__)

#: How long a yes or a no from ``users.info`` is trusted.
CACHE_SECONDS = 60.0
#: The most a permission check waits for ``users.info`` (retries included): the check,
#: the write it guards and the ack must together stay well inside Slack's 3 seconds.
LOOKUP_SECONDS = 1.5
#: Entries kept at most; expired ones are swept when the cache reaches this size.
_MAX_ENTRIES = 10_000


class Admins:
    def __init__(
        self,
        configured: frozenset[str],
        *,
        clock: Callable[[], float] = time.monotonic,
        lookup_seconds: float = LOOKUP_SECONDS,
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self._configured = configured
        self._clock = clock
        self._lookup_seconds = lookup_seconds
        self._cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}

    async def allows(self, client: AsyncWebClient, team_id: str, user_id: str) -> bool:
        if user_id in self._configured:
            return True
        key = (team_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and self._clock() - cached[0] < self._cache_seconds:
            return cached[1]
        allowed = await self._ask_slack(client, user_id)
        if allowed is None:
            return False  # unknown is "no", and not remembered: refusing a real admin once is the cost
        self._remember(key, allowed)
        return allowed

    async def _ask_slack(self, client: AsyncWebClient, user_id: str) -> bool | None:
        """Admin or owner per ``users.info``; None when Slack did not answer in time or failed."""
        try:
            async with asyncio.timeout(self._lookup_seconds):
                response = await client.users_info(user=user_id)
        except TimeoutError:
            log.warning(
                "users.info took longer than %.1fs for a permission check; refused", self._lookup_seconds
            )
            return None
        except SlackApiError as error:
            log.warning("users.info failed for a permission check: %s", api_error(error))
            return None
        except (aiohttp.ClientError, OSError) as error:  # connection trouble: "no" for this click
            log.warning("users.info failed for a permission check: %s", type(error).__name__)
            return None
        user = response.get("user") or {}
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    def _remember(self, key: tuple[str, str], allowed: bool) -> None:
        now = self._clock()
        if len(self._cache) >= _MAX_ENTRIES:
            self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self._cache_seconds}
        self._cache[key] = (now, allowed)
