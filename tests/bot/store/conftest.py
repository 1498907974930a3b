"""Fixtures for the storage contract: every test runs once on SQLite and once on PostgreSQL.

Every store they open is audited: each statement a workspace's repository call sends must name
the workspace (see ``scoping_support.SqlAudit``), so every contract scenario checks that too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.store import Store
from tests.bot.store.scoping_support import SqlAudit, repository_classes

OpenStore = Callable[[], Awaitable[Store]]


@pytest.fixture
def sql_audit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SqlAudit:
    """Every scoped repository method, on any instance, records the statements it sends."""
    audit = SqlAudit()
    audit.wrap(monkeypatch, repository_classes(Store.open(f"sqlite+aiosqlite:///{tmp_path / 'unused'}")))
    return audit


@pytest.fixture
async def open_store(database_url: str, sql_audit: SqlAudit) -> AsyncIterator[OpenStore]:
    """Open extra, unmigrated :class:`Store` objects on the same database, like other processes.

    When the test ends, every statement a scoped method sent must have named the workspace.
    """
    opened: list[Store] = []
    audit = sql_audit

    async def open_one() -> Store:
        store = Store.open(database_url)
        audit.attach(store)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        audit.detach(store)
        await store.close()
    assert not audit.violations(), "\n".join(audit.violations())


@pytest.fixture
async def store(open_store: OpenStore) -> Store:
    """A migrated store on a fresh database."""
    opened = await open_store()
    await opened.migrate()
    return opened
