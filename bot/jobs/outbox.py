"""The outbox worker: delivers what the outbox holds, exactly once.

It claims one item at a time with a short lease (10 s), posts it with
``chat.postMessage`` tagged with the item id in message metadata, and marks it
delivered. While the item is being worked on, a heartbeat renews the lease every
third of it, so a slow Slack never looks like a dead worker, and a worker that
really died is noticed within a lease plus a poll (well within 15 s) by any other
replica. Claiming one item at a time leaves the rest of the queue to whichever
replica is free.

A failure backs off exponentially, or for as long as ``Retry-After`` asks, by putting
the item back in the queue with its next attempt time, so the next attempt is made by
whichever replica is free then; after the last attempt the item is parked as failed and
the person who asked (or the configured admins) is told. An item whose lease ran out
(its worker died mid-delivery, possibly after Slack accepted the post) is checked
against the channel's recent history first, so a crash can never make a summary appear
twice. Outcomes name the claim's token: a worker whose item was taken over stops, and
whatever it reports afterwards changes nothing.

An item may carry charts (``payload["charts"]``, see :mod:`bot.charts.payload`): they are
uploaded before the first post and the file ids recorded in the item, so no retry uploads
them again (:mod:`bot.jobs.outbox_charts`). A chart never holds the item back: a failed
upload, or an image Slack still refuses after a few seconds of processing, means the text
goes out without it.

An item for a workspace where mlorg is not installed (any more, or not yet again) is neither
posted nor lost: it goes back in the queue, its attempts uncounted, and is tried again every
:data:`NOT_INSTALLED_RETRY`. A reinstall (inside the grace period after an uninstall) delivers
it; otherwise the purge of the departed workspace's data deletes it with the rest. Parking it as
failed instead would tell nobody anything: there is no token left to DM the requester with.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Iterable
from datetime import timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import NO_COUNTERS, ChartCounters, ChartPoster, ChartUploader
from bot.jobs.lease import ClaimLost, LeaseKeeper
from bot.jobs.outbox_charts import upload_charts
from bot.outage import OutageLog
from bot.slack_text import api_error
from bot.store import Outbox, OutboxItem, StoreUnavailable
from bot.store.events import Clock, utc_now
from bot.tenancy.clients import WorkspaceClients, clients_for

__all__ = ["METADATA_EVENT", "NOT_INSTALLED_RETRY", "OutboxWorker"]

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


#: How often an item for a workspace without an installation is looked at again.
NOT_INSTALLED_RETRY = timedelta(minutes=5)
#: ``last_error`` of such an item, for ``mlorg outbox`` listings.
NOT_INSTALLED = "not installed in this workspace; waiting for a reinstall"

#: How long a claim lasts without renewal: how soon another replica notices a dead worker.
LEASE = timedelta(seconds=10)


def worker_name() -> str:
    """``host:pid``: names this process in the claims it makes, for an operator (and tests)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class OutboxWorker:
    """Delivers outbox items; several replicas can each run one on the same database.

    ``lease`` bounds how long a dead worker's item waits before another replica takes it
    over; ``heartbeat`` (default: a third of the lease) is how often a working one renews
    it, so two renewals can fail before the item is lost; ``interval`` is how often an
    idle worker looks for due items. ``clients`` gives the client for an item's workspace
    (a bare client is the single-workspace mode); it should not retry in-process, since the
    outbox retries durably.
    """

    def __init__(
        self,
        outbox: Outbox,
        clients: WorkspaceClients | AsyncWebClient,
        *,
        admins: Iterable[str] = (),
        lease: timedelta = LEASE,
        heartbeat: timedelta | None = None,
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        interval: float = 0.5,
        clock: Clock = utc_now,
        name: str | None = None,
        counters: ChartCounters = NO_COUNTERS,
    ) -> None:
        self.outbox = outbox
        self.clients = clients_for(clients)
        self.admins = tuple(admins)
        self.lease = lease
        self._heartbeat = heartbeat
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.interval = interval
        self._clock = clock
        self._name = name
        self.counters = counters
        #: Posts with the item's chart images, waiting briefly while Slack processes the files.
        self.poster = ChartPoster(counters)

    @property
    def name(self) -> str:
        """What this worker's claims are prefixed with: ``host:pid`` unless set (looked up late, after any fork)."""
        return self._name or worker_name()

    @property
    def heartbeat(self) -> timedelta:
        """How often the lease of the item being delivered is renewed (a third of it unless set)."""
        return self._heartbeat if self._heartbeat is not None else self.lease / 3

    async def run(self, stop: asyncio.Event) -> None:
        outage = OutageLog(log, "outbox")
        while not stop.is_set():
            try:
                # One at a time: what this worker cannot start now stays free for other replicas.
                items = await self.outbox.claim(self.lease, limit=1, worker=self.name)
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
                    # Never let one item stop the worker. The item's lease is no longer renewed;
                    # when it runs out the item is resumed, and the channel checked before posting.
                    log.warning(
                        "outbox: delivering %s failed unexpectedly; it will be resumed",
                        item.item_id,
                        exc_info=True,
                    )
            if not items:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.interval)

    async def run_once(self, limit: int = 100) -> int:
        """Deliver what is due now, one item at a time (for tests and the command line).

        Returns how many items were tried. An item that fails and is due again at once is
        tried again, up to ``limit`` tries in all.
        """
        tried = 0
        while tried < limit:
            items = await self.outbox.claim(self.lease, limit=1, worker=self.name)
            if not items:
                break
            tried += 1
            await self.deliver(items[0])
        return tried

    async def deliver(self, item: OutboxItem) -> None:
        """Deliver one claimed item, renewing its lease until done; stop if the claim is lost.

        Losing the claim means another worker took the item over (this one stalled past
        its lease): this one stops at once, and cancels a Slack call in flight, so that the
        new owner, which checks the channel before posting, is the only one that posts.
        """
        async with LeaseKeeper(self.outbox, item, lease=self.lease, every=self.heartbeat) as claim:
            try:
                # Inside the lease: finding the client may refresh the workspace's token.
                client = await claim.guard(self.clients.for_team(item.team_id))
                if client is None:
                    await self._not_installed(item)
                    return
                await self._deliver(item, client, claim)
            except ClaimLost:
                log.warning("outbox: another worker took over %s; this one stopped", item.item_id)

    async def _not_installed(self, item: OutboxItem) -> None:
        """Leave the item for later, uncounted (see the module's docstring); for_team logged it."""
        await self.outbox.defer(
            item.item_id,
            NOT_INSTALLED,
            claimed_by=item.claimed_by or "",
            until=self._clock() + NOT_INSTALLED_RETRY,
        )

    async def _deliver(self, item: OutboxItem, client: AsyncWebClient, claim: LeaseKeeper) -> None:
        token = item.claimed_by or ""
        try:
            # After a crash mid-delivery, or an attempt Slack never answered, the post may have
            # gone through: look before posting again.
            if item.resumed or (item.last_error or "").startswith(NO_ANSWER):
                ts = await claim.guard(self._already_posted(client, item))
                if ts is not None:
                    log.info(
                        "outbox: item %s was posted by an earlier attempt; not posting again", item.item_id
                    )
                    await self.outbox.delivered(item.item_id, ts, claimed_by=token)
                    return
            # Uploads only what no earlier attempt uploaded; the outcome is recorded before posting.
            uploader = ChartUploader(client, self.counters)
            images = await claim.guard(upload_charts(self.outbox, uploader, item))
            if images is None:
                log.warning("outbox: another worker took over %s while its charts uploaded", item.item_id)
                return
            # An image Slack still refuses after a few short waits is left out: the text goes out.
            response = await claim.guard(
                self.poster.post_message(
                    client,
                    channel=item.channel_id,
                    blocks=list(item.payload.get("blocks") or []),
                    images=images,
                    text=str(item.payload.get("text") or "mlorg"),
                    metadata={"event_type": METADATA_EVENT, "event_payload": {"item_id": item.item_id}},
                )
            )
        except SlackApiError as error:
            code = api_error(error)
            status = error.response.status_code
            retry_after = _retry_after(error)
            permanent = code in PERMANENT
            await self._failed(client, item, f"HTTP {status}: {code}", None if permanent else retry_after)
            return
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            await self._failed(client, item, f"{NO_ANSWER}: {type(error).__name__}", 0.0)
            return
        if not await self.outbox.delivered(
            item.item_id, str(response.get("ts") or "") or None, claimed_by=token
        ):
            # Posted, but another worker owns the item now: it finds this post in the history.
            log.warning("outbox: posted %s after another worker took it over", item.item_id)
            return
        log.info("outbox: delivered %s (%s) to %s", item.item_id, item.kind, item.channel_id)

    def delay(self, attempts: int, retry_after: float) -> float:
        """Exponential backoff from ``base_delay``, never shorter than Slack's Retry-After."""
        backoff = min(self.max_delay, self.base_delay * float(2 ** max(attempts - 1, 0)))
        return max(backoff, retry_after)

    async def _failed(
        self, client: AsyncWebClient, item: OutboxItem, error: str, retry_after: float | None
    ) -> None:
        retry_at = None
        if retry_after is not None:
            retry_at = self._clock() + timedelta(seconds=self.delay(item.attempts, retry_after))
        updated = await self.outbox.attempt_failed(
            item.item_id,
            error,
            claimed_by=item.claimed_by or "",
            retry_at=retry_at,
            max_attempts=self.max_attempts,
        )
        if updated is None:
            return  # another worker took the item over; its own attempt decides
        if updated.status == "failed":
            log.warning(
                "outbox: item %s parked as failed after %d attempts: %s",
                item.item_id,
                updated.attempts,
                error,
            )
            await self._tell_someone(client, updated)
        else:
            log.info("outbox: attempt %d for %s failed (%s); retrying", updated.attempts, item.item_id, error)

    async def _already_posted(self, client: AsyncWebClient, item: OutboxItem) -> str | None:
        """The ts of a message carrying this item's id in the channel's recent history, if any."""
        oldest = (item.created_at - timedelta(minutes=1)).timestamp()
        try:
            history = await client.conversations_history(
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

    async def _tell_someone(self, client: AsyncWebClient, item: OutboxItem) -> None:
        """Best effort: a DM to the requester (for a digest, whoever set the schedule), else to MLORG_ADMINS."""
        people = [item.requested_by] if item.requested_by else list(self.admins)
        text = (
            f":warning: I couldn't post the {item.kind} to <#{item.channel_id}> after {item.attempts} attempts "
            f"({item.last_error}). Nothing was posted. An operator can retry it with `mlorg outbox retry {item.item_id}`."
        )
        for person in people:
            try:
                await client.chat_postMessage(channel=person, text=text)
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
