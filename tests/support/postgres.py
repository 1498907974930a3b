"""Throwaway PostgreSQL databases for tests, on the server at 127.0.0.1:5432.

Each test that needs PostgreSQL gets a fresh, uniquely named database, so tests can run in
parallel and never see each other's rows, and drops it afterwards. The helpers are plain
synchronous functions (they run asyncpg on a private event loop in a worker thread) so
that sync fixtures, async fixtures and subprocess-based e2e tests can all use them.

When the server is unreachable, :func:`require_postgres` skips the test locally but fails
it when ``CI`` is set: in CI a silently skipped backend would look like a green build.
"""

from __future__ import annotations

import asyncio
import functools
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import asyncpg  # type: ignore[import-untyped]
import pytest

__all__ = [
    "HOST",
    "PORT",
    "create_pg_database",
    "drop_pg_database",
    "fresh_pg_database",
    "pg_database_url",
    "postgres_available",
    "require_postgres",
]

HOST = "127.0.0.1"
PORT = 5432
#: Tried in order; the first that can connect (trust auth, no password) is used throughout.
USERS = ("root", "postgres")
MAINTENANCE_DATABASE = "postgres"
CONNECT_TIMEOUT = 3.0
NAME_PREFIX = "mlorg_test_"

T = TypeVar("T")


def _run(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on its own loop, even from inside a running loop."""

    async def main() -> T:
        return await make()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


async def _connect_admin() -> tuple[asyncpg.Connection, str]:
    last: BaseException | None = None
    for user in USERS:
        try:
            connection = await asyncpg.connect(
                host=HOST, port=PORT, user=user, database=MAINTENANCE_DATABASE, timeout=CONNECT_TIMEOUT
            )
        except (OSError, asyncpg.PostgresError, TimeoutError) as error:
            last = error
            continue
        return connection, user
    raise ConnectionError(
        f"PostgreSQL at {HOST}:{PORT} refused users {', '.join(USERS)}: {type(last).__name__}: {last}"
    )


@functools.cache
def _admin_user() -> str:
    async def probe() -> str:
        connection, user = await _connect_admin()
        await connection.close()
        return user

    return _run(probe)


@functools.cache
def postgres_available() -> bool:
    """True if the test server accepts a connection (the answer is cached per process)."""
    try:
        _admin_user()
    except ConnectionError:
        return False
    return True


def require_postgres() -> None:
    """Skip the calling test when PostgreSQL is unreachable, or fail it when ``CI`` is set."""
    if postgres_available():
        return
    message = (
        f"PostgreSQL is not reachable at {HOST}:{PORT} as {' or '.join(USERS)} "
        "(start it, with trust auth for local connections)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI is set, so the PostgreSQL tests must run", pytrace=False)
    pytest.skip(message)


def pg_database_url(name: str) -> str:
    """The async SQLAlchemy URL of test database ``name``."""
    return f"postgresql+asyncpg://{_admin_user()}@{HOST}:{PORT}/{name}"


def create_pg_database() -> str:
    """Create an empty database with a fresh ``mlorg_test_<hex8>`` name and return the name."""
    name = f"{NAME_PREFIX}{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        connection, _ = await _connect_admin()
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    _run(create)
    return name


def drop_pg_database(name: str) -> None:
    """Drop test database ``name``, first disconnecting anything still attached to it."""
    if not name.startswith(NAME_PREFIX) or not name.replace("_", "").isalnum():
        raise ValueError(f"refusing to drop {name!r}: not a test database")

    async def drop() -> None:
        connection, _ = await _connect_admin()
        try:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            await connection.close()

    _run(drop)


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database for one test, dropped afterwards."""
    require_postgres()
    name = create_pg_database()
    try:
        yield pg_database_url(name)
    finally:
        drop_pg_database(name)
