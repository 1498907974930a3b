"""One transaction per repository call, with storage errors in the store's own terms."""

from __future__ import annotations

import secrets
import sys
import weakref
from collections.abc import Callable
from typing import Any, Final

from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.errors import StoreError, StoreUnavailable

__all__ = ["ErrorObserver", "Transaction", "is_unavailable", "new_id", "observe_errors", "store_error"]

#: Told what was being done when a transaction failed (for metrics; the store stays free of them).
ErrorObserver = Callable[[str], None]
_observers: weakref.WeakKeyDictionary[Any, list[ErrorObserver]] = weakref.WeakKeyDictionary()


def observe_errors(sessions: async_sessionmaker[AsyncSession], observer: ErrorObserver) -> None:
    """Call ``observer`` for every StoreError raised by transactions on ``sessions``.

    Keyed by the session factory, so two stores in one process (tests, a CLI next to a server)
    never count each other's errors.
    """
    _observers.setdefault(sessions, []).append(observer)


#: asyncpg errors that mean "the server is not there for us", not "this statement failed":
#: connection lost or refused, the server shutting down or starting up, no free connection slot.
_ASYNCPG_UNAVAILABLE: Final = (
    "PostgresConnectionError",  # class 08 and ConnectionDoesNotExistError
    "AdminShutdownError",
    "CrashShutdownError",
    "CannotConnectNowError",
    "TooManyConnectionsError",
)


def new_id() -> str:
    """Short, unguessable ids: they travel in button values and must not be enumerable."""
    return secrets.token_hex(6)


def _connection_level(error: BaseException) -> bool:
    # asyncpg's connect raises OSError (ConnectionRefusedError, gaierror) and TimeoutError raw:
    # SQLAlchemy only wraps errors the driver raises as DB-API errors.
    if isinstance(error, OSError | TimeoutError | DisconnectionError | PoolTimeoutError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    # Only look at asyncpg's types if something already imported it: a SQLite deployment never
    # pays for the import, and an asyncpg error cannot exist without the module.
    asyncpg = sys.modules.get("asyncpg")
    if asyncpg is not None:
        kinds = tuple(getattr(asyncpg, name) for name in _ASYNCPG_UNAVAILABLE if hasattr(asyncpg, name))
        if kinds and isinstance(error, kinds):
            return True
    sqlite3 = sys.modules.get("sqlite3")
    return bool(
        sqlite3 is not None
        and isinstance(error, sqlite3.OperationalError)
        and "unable to open database file" in str(error)
    )


def is_unavailable(error: BaseException) -> bool:
    """True if ``error`` (or what it wraps) means the database cannot be reached right now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _connection_level(current):
            return True
        wrapped = getattr(current, "orig", None)
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__
    return False


def store_error(error: BaseException, doing: str) -> StoreError | None:
    """The StoreError to raise for ``error`` while ``doing`` something, or None if it is not
    a storage error (a bug in our code, which must surface as itself)."""
    if isinstance(error, StoreError):
        return error
    if is_unavailable(error):
        return StoreUnavailable(f"could not {doing}: cannot connect: {type(error).__name__}")
    if isinstance(error, SQLAlchemyError):
        return StoreError(f"could not {doing}: {type(error).__name__}")
    return None


class Transaction:
    """``async with``: one transaction, database errors turned into StoreError.

    A database that cannot be reached becomes :class:`StoreUnavailable`. The connection is
    made lazily, at the first statement inside the block, so that failure usually arrives
    as the block's own exception rather than from entering it.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], doing: str) -> None:
        self._sessions = sessions
        self._doing = doing
        self._context: Any = None

    async def __aenter__(self) -> AsyncSession:
        self._context = self._sessions.begin()
        try:
            session: AsyncSession = await self._context.__aenter__()
        except Exception as error:
            translated = self._translate(error)
            if translated is None:
                raise
            raise translated from error
        return session

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            await self._context.__aexit__(exc_type, exc, tb)
        except Exception as error:
            translated = self._translate(error)
            if translated is None or translated is error:
                raise
            raise translated from error
        if isinstance(exc, Exception):
            translated = self._translate(exc)
            if translated is not None and translated is not exc:
                raise translated from exc

    def _translate(self, error: Exception) -> StoreError | None:
        """The StoreError for ``error`` (None for a bug), counted once by the observers."""
        translated = store_error(error, self._doing)
        if translated is not None and translated is not error:
            for observer in _observers.get(self._sessions, ()):
                observer(self._doing)
        return translated
