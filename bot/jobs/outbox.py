"""The outbox worker: delivers what the outbox holds, exactly once.

It claims items with a lease, posts them with ``chat.postMessage`` tagged with
the item id in message metadata, and marks them delivered. A failure backs off
exponentially, or for as long as ``Retry-After`` asks, and after the last attempt
the item is parked as failed and the person who asked (or the configured admins)
is told. An item whose lease ran out (its worker died mid-delivery, possibly after
Slack accepted the post) is checked against the channel's recent history first,
so a crash can never make a summary appear twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.outage import OutageLog
from bot.slack_text import api_error
from bot.store import Outbox, OutboxItem, StoreUnavailable
from bot.store.events import Clock, utc_now

__all__ = ["METADATA_EVENT", "OutboxWorker"]

log = logging.getLogger(__name__)

METADATA_EVENT = "mlorg_outbox"
#: The start of ``last_error`` for an attempt Slack never answered (timeout, dropped connection):
#: it may have posted, so the next attempt checks the channel first.
NO_ANSWER = "no answer"
#: Errors that another attempt cannot fix: park the item at once and tell someone.
PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "restricted_action",
        "msg_too_long",
    }
)


class OutboxWorker:
    def __init__(
        self,
        outbox: Outbox,
        client: AsyncWebClient,
        *,
        admins: Iterable[str] = (),
        lease: timedelta = timedelta(seconds=60),
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        interval: float = 0.5,
        clock: Clock = utc_now,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.admins = tuple(admins)
        self.lease = lease
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.interval = interval
        self._clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        outage = OutageLog(log, "outbox")
        while not stop.is_set():
            try:
                items = await self.outbox.claim(self.lease)
            except Exception as error:
                outage.failed(error)
                items = []
            else:
                outage.succeeded()
            for item in items:
                try:
                    await self.deliver(item)
                except StoreUnavailable as error:
                    # Posted or not, the item keeps its lease and is resumed (history checked first).
                    outage.failed(error)
                except Exception:
                    # Never let one item stop the worker. The item keeps its lease; when the lease
                    # runs out it is resumed, and the channel is checked before posting again.
                    log.warning(
                        "outbox: delivering %s failed unexpectedly; it will be resumed",
                        item.item_id,
                        exc_info=True,
                    )
            if not items:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.interval)

    async def run_once(self) -> int:
        """Deliver everything due now (for tests and the command line); returns how many were tried."""
        items = await self.outbox.claim(self.lease, limit=100)
        for item in items:
            await self.deliver(item)
        return len(items)

    async def deliver(self, item: OutboxItem) -> None:
        try:
            # After a crash mid-delivery, or an attempt Slack never answered, the post may have
            # gone through: look before posting again.
            if item.resumed or (item.last_error or "").startswith(NO_ANSWER):
                ts = await self._already_posted(item)
                if ts is not None:
                    log.info(
                        "outbox: item %s was posted by an earlier attempt; not posting again", item.item_id
                    )
                    await self.outbox.delivered(item.item_id, ts)
                    return
            response = await self.client.chat_postMessage(
                channel=item.channel_id,
                blocks=list(item.payload.get("blocks") or []) or None,
                text=str(item.payload.get("text") or "mlorg"),
                metadata={"event_type": METADATA_EVENT, "event_payload": {"item_id": item.item_id}},
            )
        except SlackApiError as error:
            code = api_error(error)
            status = error.response.status_code
            retry_after = _retry_after(error)
            permanent = code in PERMANENT
            await self._failed(item, f"HTTP {status}: {code}", None if permanent else retry_after)
            return
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            await self._failed(item, f"{NO_ANSWER}: {type(error).__name__}", 0.0)
            return
        await self.outbox.delivered(item.item_id, str(response.get("ts") or "") or None)
        log.info("outbox: delivered %s (%s) to %s", item.item_id, item.kind, item.channel_id)

    def delay(self, attempts: int, retry_after: float) -> float:
        """Exponential backoff from ``base_delay``, never shorter than Slack's Retry-After."""
        backoff = min(self.max_delay, self.base_delay * float(2 ** max(attempts - 1, 0)))
        return max(backoff, retry_after)

    async def _failed(self, item: OutboxItem, error: str, retry_after: float | None) -> None:
        retry_at = None
        if retry_after is not None:
            retry_at = self._clock() + timedelta(seconds=self.delay(item.attempts, retry_after))
        updated = await self.outbox.attempt_failed(
            item.item_id, error, retry_at=retry_at, max_attempts=self.max_attempts
        )
        if updated is None:
            return
        if updated.status == "failed":
            log.warning(
                "outbox: item %s parked as failed after %d attempts: %s",
                item.item_id,
                updated.attempts,
                error,
            )
            await self._tell_someone(updated)
        else:
            log.info("outbox: attempt %d for %s failed (%s); retrying", updated.attempts, item.item_id, error)

    async def _already_posted(self, item: OutboxItem) -> str | None:
        """The ts of a message carrying this item's id in the channel's recent history, if any."""
        oldest = (item.created_at - timedelta(minutes=1)).timestamp()
        try:
            history = await self.client.conversations_history(
                channel=item.channel_id, oldest=f"{oldest:.6f}", limit=200, include_all_metadata=True
            )
        except SlackApiError as error:
            # Without history we cannot tell; posting risks a duplicate, not posting risks a loss.
            log.warning("outbox: cannot check history for %s (%s); posting", item.item_id, api_error(error))
            return None
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload.get("item_id") == item.item_id:
                return str(message.get("ts") or "")
        return None

    async def _tell_someone(self, item: OutboxItem) -> None:
        """Best effort: a DM to the requester (for a digest, whoever set the schedule), else to MLORG_ADMINS."""
        people = [item.requested_by] if item.requested_by else list(self.admins)
        text = (
            f":warning: I couldn't post the {item.kind} to <#{item.channel_id}> after {item.attempts} attempts "
            f"({item.last_error}). Nothing was posted. An operator can retry it with `mlorg outbox retry {item.item_id}`."
        )
        for person in people:
            try:
                await self.client.chat_postMessage(channel=person, text=text)
            except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError):
                log.warning("outbox: could not tell %s about failed item %s", person, item.item_id)


def _retry_after(error: SlackApiError) -> float:
    headers = getattr(error.response, "headers", {}) or {}
    for key, value in headers.items():
        if str(key).lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            with contextlib.suppress(TypeError, ValueError):
                return max(0.0, float(raw))
    return 0.0
