"""One transaction per repository call, with storage errors in the store's own terms."""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.errors import StoreError

__all__ = ["ErrorObserver", "Transaction", "new_id", "observe_errors"]

#: Told what was being done when a transaction failed (for metrics; the store stays free of them).
ErrorObserver = Callable[[str], None]
_observers: weakref.WeakKeyDictionary[Any, list[ErrorObserver]] = weakref.WeakKeyDictionary()


def observe_errors(sessions: async_sessionmaker[AsyncSession], observer: ErrorObserver) -> None:
    """Call ``observer`` for every StoreError raised by transactions on ``sessions``.

    Keyed by the session factory, so two stores in one process (tests, a CLI next to a server)
    never count each other's errors.
    """
    _observers.setdefault(sessions, []).append(observer)


def new_id() -> str:
    """Short, unguessable ids: they travel in button values and must not be enumerable."""
    return secrets.token_hex(6)


class Transaction:
    """``async with``: one transaction, SQLAlchemy errors turned into StoreError."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], doing: str) -> None:
        self._sessions = sessions
        self._doing = doing
        self._context: Any = None

    async def __aenter__(self) -> AsyncSession:
        self._context = self._sessions.begin()
        try:
            session: AsyncSession = await self._context.__aenter__()
        except SQLAlchemyError as error:
            raise self._failed(error) from error
        return session

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            await self._context.__aexit__(exc_type, exc, tb)
        except SQLAlchemyError as error:
            raise self._failed(error) from error
        if isinstance(exc, SQLAlchemyError):
            raise self._failed(exc) from exc

    def _failed(self, error: SQLAlchemyError) -> StoreError:
        for observer in _observers.get(self._sessions, ()):
            observer(self._doing)
        return StoreError(f"could not {self._doing}: {type(error).__name__}")
