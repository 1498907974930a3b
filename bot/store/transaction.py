"""One transaction per repository call, with storage errors in the store's own terms."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.errors import StoreError

__all__ = ["Transaction", "new_id"]


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
            raise StoreError(f"could not {self._doing}: {type(error).__name__}") from error
        return session

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            await self._context.__aexit__(exc_type, exc, tb)
        except SQLAlchemyError as error:
            raise StoreError(f"could not {self._doing}: {type(error).__name__}") from error
        if isinstance(exc, SQLAlchemyError):
            raise StoreError(f"could not {self._doing}: {type(exc).__name__}") from exc
