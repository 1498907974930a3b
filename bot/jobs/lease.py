"""Keeping an outbox claim alive while its item is delivered, and noticing when it is lost.

Leases are short so that a dead worker is noticed quickly; a live worker therefore renews
its lease in the background (the heartbeat) for as long as it works on the item, however
slowly Slack answers. A renewal that finds the claim no longer owns the item (this worker
stalled past its lease and another one took the item over) marks the claim lost: the Slack
call in flight is cancelled and the worker stops, leaving the item to its new owner, which
checks the channel before posting. Database writes are never cancelled, only Slack calls;
a write under a lost claim changes nothing anyway (outcomes name the claim's token).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, Self, TypeVar

from bot.store import Outbox, OutboxItem

__all__ = ["ClaimLost", "LeaseKeeper"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class ClaimLost(Exception):
    """Another worker owns the item now; this one must stop working on it."""


class LeaseKeeper:
    """``async with LeaseKeeper(...) as claim``: renews the item's lease every ``every`` until the block ends.

    Wrap each Slack call in :meth:`guard`, so that it is cancelled (and :class:`ClaimLost`
    raised) as soon as a renewal finds the claim lost.
    """

    def __init__(self, outbox: Outbox, item: OutboxItem, *, lease: timedelta, every: timedelta) -> None:
        self._outbox = outbox
        self._item = item
        self._lease = lease
        self._every = every
        self._lost = asyncio.Event()
        self._done = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._renew())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._done.set()
        if self._task is not None:
            # Let a renewal in flight finish rather than cancel a database call halfway.
            await self._task

    async def guard(self, call: Coroutine[Any, Any, T]) -> T:
        """Await a Slack call, unless the claim is lost first: then cancel it and raise ClaimLost."""
        if self.lost:
            call.close()
            raise ClaimLost(self._item.item_id)
        work = asyncio.ensure_future(call)
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait({work, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            if not work.done():
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await work
        if work.cancelled():
            raise ClaimLost(self._item.item_id)
        return work.result()

    async def _renew(self) -> None:
        token = self._item.claimed_by or ""
        while not self._done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._done.wait(), timeout=self._every.total_seconds())
            if self._done.is_set():
                return
            try:
                if not await self._outbox.renew(self._item.item_id, token, self._lease):
                    self._lost.set()
                    return
            except Exception as error:
                # The database may be back before the lease runs out; if not, the token decides.
                log.warning(
                    "outbox: could not renew the lease on %s (%s)", self._item.item_id, type(error).__name__
                )
