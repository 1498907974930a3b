"""Fixtures for the storage contract: every test runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.store import Store

OpenStore = Callable[[], Awaitable[Store]]


@pytest.fixture
async def open_store(database_url: str) -> AsyncIterator[OpenStore]:
    """Open extra, unmigrated :class:`Store` objects on the same database, like other processes."""
    opened: list[Store] = []

    async def open_one() -> Store:
        store = Store.open(database_url)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        await store.close()


@pytest.fixture
async def store(open_store: OpenStore) -> Store:
    """A migrated store on a fresh database."""
    opened = await open_store()
    await opened.migrate()
    return opened
