"""Backend-specific set-up and failure behaviour that the contract tests cannot show."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store import Store, StoreError, StoreUnavailable
from bot.store.db import SQLITE_BUSY_TIMEOUT_MS
from bot.store.store import Health
from bot.store.transaction import Transaction


async def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'mlorg.sqlite3'}")
    async with store, store.engine.connect() as connection:
        journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
        busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
        foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()

    assert (journal, busy, foreign_keys) == ("wal", SQLITE_BUSY_TIMEOUT_MS, 1)


async def test_sqlite_foreign_keys_are_back_on_after_migrating(tmp_path: Path) -> None:
    async with Store.open(f"sqlite:///{tmp_path / 'mlorg.sqlite3'}") as store:
        await store.migrate()
        async with store.engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1


async def test_ping_answers_false_when_postgresql_is_unreachable() -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    async with Store.open("postgresql://nobody:hunter2@127.0.0.1:1/mlorg") as store:
        assert await store.ping(timeout=5) is False


async def test_ping_answers_false_when_the_sqlite_file_cannot_be_opened(tmp_path: Path) -> None:
    async with Store.open(f"sqlite:///{tmp_path / 'missing-directory' / 'mlorg.sqlite3'}") as store:
        assert await store.ping() is False


async def test_an_unreachable_database_fails_a_claim_with_a_store_error(tmp_path: Path) -> None:
    # A SQLite file that cannot be opened is SQLite's "cannot connect".
    async with Store.open(f"sqlite:///{tmp_path / 'missing-directory' / 'mlorg.sqlite3'}") as store:
        with pytest.raises(StoreUnavailable):
            await store.events.claim("T0001", "Ev1")


async def test_a_migration_that_cannot_connect_fails_with_a_store_error_without_the_password() -> None:
    async with Store.open("postgresql://nobody:hunter2@127.0.0.1:1/mlorg") as store:
        with pytest.raises(StoreError, match="could not migrate") as raised:
            await store.migrate()
    assert "hunter2" not in str(raised.value)


def test_opening_a_store_with_a_bad_url_raises_value_error_without_the_password() -> None:
    with pytest.raises(ValueError, match="not supported") as raised:
        Store.open("mysql://bot:hunter2@db/mlorg")
    assert "hunter2" not in str(raised.value)


# -- an unreachable database is StoreUnavailable; other failures are plain StoreErrors ----------------


async def test_an_unreachable_postgresql_fails_every_kind_of_call_with_store_unavailable() -> None:
    async with Store.open("postgresql://nobody:hunter2@127.0.0.1:1/mlorg") as store:
        with pytest.raises(StoreUnavailable, match="cannot connect: ConnectionRefusedError") as claimed:
            await store.events.claim("T0001", "Ev1")
        with pytest.raises(StoreUnavailable) as read:
            await store.workspaces.get("T0001")
        with pytest.raises(StoreUnavailable):
            await store.outbox.claim(timedelta(seconds=60))
    for raised in (claimed, read):
        assert "hunter2" not in str(raised.value) and "nobody" not in str(raised.value)


async def test_health_names_the_reason_an_unreachable_database_fails_without_the_url() -> None:
    async with Store.open("postgresql://nobody:hunter2@127.0.0.1:1/mlorg") as store:
        health = await store.health(timeout=5)
    assert health == Health(ok=False, reason="cannot connect: ConnectionRefusedError")


async def test_a_statement_that_fails_on_a_reachable_database_is_a_store_error_but_not_unavailable(
    tmp_path: Path,
) -> None:
    # Not migrated: the tables are missing, which no amount of waiting fixes.
    async with Store.open(f"sqlite:///{tmp_path / 'mlorg.sqlite3'}") as store:
        with pytest.raises(StoreError) as raised:
            await store.workspaces.get("T0001")
        assert (await store.health()).ok
    assert not isinstance(raised.value, StoreUnavailable)


async def test_a_bug_inside_a_transaction_surfaces_as_itself_not_as_a_store_error(tmp_path: Path) -> None:
    async with Store.open(f"sqlite:///{tmp_path / 'mlorg.sqlite3'}") as store:
        with pytest.raises(ZeroDivisionError):
            async with Transaction(store.sessions, "divide"):
                _ = 1 / 0


def test_server_shutdown_startup_and_lost_connections_count_as_unavailable_and_bad_statements_do_not() -> (
    None
):
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.exc import DBAPIError, IntegrityError
    from sqlalchemy.exc import TimeoutError as PoolTimeoutError

    from bot.store.transaction import is_unavailable

    lost = DBAPIError("SELECT 1", {}, Exception("connection was closed"), connection_invalidated=True)
    for error in (
        ConnectionRefusedError(111, "refused"),
        TimeoutError(),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        lost,
        PoolTimeoutError("QueuePool limit reached"),
    ):
        assert is_unavailable(error), error
    wrapped = DBAPIError("SELECT 1", {}, Exception("adapter"))
    wrapped.orig.__cause__ = asyncpg.CannotConnectNowError("starting up")  # type: ignore[union-attr]
    assert is_unavailable(wrapped)
    assert not is_unavailable(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_unavailable(asyncpg.UniqueViolationError("duplicate key"))
    assert not is_unavailable(ValueError("a bug"))
