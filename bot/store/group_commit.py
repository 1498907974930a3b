"""Group commit: small writes that arrive together share one transaction.

The quiz's :class:`~bot.store.quizzes.answers.AnswerWriter` showed what this is worth: on
SQLite (one writer, one pooled connection, ``BEGIN IMMEDIATE``) a transaction costs far more
than the statements inside it, so a burst of clicks written one transaction each queues for
seconds, and written together costs a handful. Events (the claim of each event id, the answer
log, the end of an answered question) have the same shape, so the pattern lives here once.

While one transaction commits, the next callers queue; the flusher takes up to ``batch`` of
them into the following transaction. Each caller gets its own result, and only once the
transaction that holds its work has committed, so a caller that was told "done" can rely on
it being durable. If the transaction fails, every caller in it gets the error: the work of
one caller is never committed without the others', and none is silently dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.scoping import across_workspaces
from bot.store.transaction import Transaction

__all__ = ["BatchCommit", "GroupCommit", "Work"]

T = TypeVar("T")
ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")
#: One caller's part of a transaction: statements on the shared session, and its own result.
Work = Callable[[AsyncSession], Awaitable[T]]


@dataclass
class _Pending(Generic[T]):
    key: Any
    work: Work[T]
    future: asyncio.Future[T]


class GroupCommit:
    """Runs callers' work in shared transactions, ``parallel`` at a time (see the module docstring).

    ``key`` orders the work inside a transaction: two replicas on PostgreSQL that insert the
    same keys in different orders could deadlock, and in one order they cannot.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], doing: str, *, batch: int = 200, parallel: int = 1
    ) -> None:
        self._sessions = sessions
        self._doing = doing
        self._batch = batch
        #: Transactions in flight at once. SQLite has one writer, so 1; on PostgreSQL a few let
        #: the round trips of one batch overlap with the next (their statements never conflict
        #: in an order that could deadlock: each batch is sorted by key).
        self._parallel = parallel
        self._queue: list[_Pending[Any]] = []
        self._flushing = 0
        self._flushers: set[asyncio.Task[None]] = set()  # the loop keeps only weak references

    @across_workspaces("runs its callers' work, which their own repository methods scope")
    async def run(self, work: Work[T], *, key: Any = "") -> T:
        """Run ``work`` in the next shared transaction; return its result once that has committed."""
        pending: _Pending[T] = _Pending(key, work, asyncio.get_running_loop().create_future())
        self._queue.append(pending)
        if self._flushing < self._parallel:
            # Counted here and uncounted in the same step that finds the queue empty: a task's
            # done-callback would run a step later, and a caller in between would wait forever.
            self._flushing += 1
            flusher = asyncio.create_task(self._flush())
            self._flushers.add(flusher)
            flusher.add_done_callback(self._flushers.discard)
        return await pending.future

    async def _flush(self) -> None:
        try:
            await self._flush_queue()
        finally:
            self._flushing -= 1

    async def _flush_queue(self) -> None:
        await asyncio.sleep(0)  # let the callers of this moment join the first batch
        while self._queue:
            batch, self._queue = self._queue[: self._batch], self._queue[self._batch :]
            try:
                results = await self._run_all(sorted(batch, key=lambda p: p.key))
            except BaseException as error:
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            for item, result in results:
                if not item.future.done():
                    item.future.set_result(result)

    async def _run_all(self, batch: Sequence[_Pending[Any]]) -> list[tuple[_Pending[Any], Any]]:
        async with Transaction(self._sessions, self._doing) as session:
            return [(item, await item.work(session)) for item in batch]


class BatchCommit(Generic[ItemT, ResultT]):
    """Group commit where the whole batch is written at once: ``write_all(session, items)``
    returns one result per item, in order (one multi-row statement instead of one per caller,
    which is what a burst of event claims needs: SQLAlchemy's cost is per statement).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        doing: str,
        write_all: Callable[[AsyncSession, list[ItemT]], Awaitable[list[ResultT]]],
        *,
        batch: int = 200,
    ) -> None:
        self._sessions = sessions
        self._doing = doing
        self._write_all = write_all
        self._batch = batch
        self._queue: list[tuple[ItemT, asyncio.Future[ResultT]]] = []
        self._flusher: asyncio.Task[None] | None = None

    @across_workspaces("writes its callers' items, which their own repository methods scope")
    async def submit(self, item: ItemT) -> ResultT:
        """Write ``item`` with the next batch; return its result once that batch has committed."""
        future: asyncio.Future[ResultT] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._batch], self._queue[self._batch :]
            try:
                async with Transaction(self._sessions, self._doing) as session:
                    results = await self._write_all(session, [item for item, _ in batch])
            except BaseException as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
