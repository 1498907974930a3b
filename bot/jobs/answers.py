"""Takes over questions whose answer never came: their process died between the ack and the reply.

Every few seconds (and at once on start-up) it asks the store for questions whose lease ran out
(:meth:`PendingAnswers.take_over`) and answers each with the :class:`Replier`, which looks in
the thread for a reply already posted before posting one. Any replica may run it: the take-over
moves each lease once, so two replicas never resume the same question.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.features.ask.replies import Replier
from bot.outage import OutageLog
from bot.store.pending_answers import PendingAnswers
from bot.tenancy.clients import WorkspaceClients

__all__ = ["AnswerResumer"]

log = logging.getLogger(__name__)


class AnswerResumer:
    """Answers questions left behind by a dead process (see the module docstring)."""

    def __init__(
        self, pending: PendingAnswers, replier: Replier, clients: WorkspaceClients, *, interval: float = 2.0
    ) -> None:
        self._pending = pending
        self._replier = replier
        self._clients = clients
        self._interval = interval

    async def run(self, stop: asyncio.Event) -> None:
        outage = OutageLog(log, "answers")
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception as error:
                outage.failed(error)
            else:
                outage.succeeded()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)

    async def run_once(self) -> int:
        """Answer the questions whose lease has run out; return how many were taken over."""
        taken = await self._pending.take_over()
        for pending in taken:
            client = await self._clients.for_team(pending.team_id)
            if client is None:
                continue  # not installed (any more): its lease runs out again; the purge removes it
            log.info("answering event %s, left unanswered by a process that stopped", pending.event_id)
            try:
                await self._replier.reply(pending, client)
            except Exception:
                log.warning(
                    "resuming the answer to %s failed; it will be tried again",
                    pending.event_id,
                    exc_info=True,
                )
        return len(taken)
