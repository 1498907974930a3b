"""Database URLs and engines: the only place that knows how each backend must be tuned.

SQLite is the embedded default (one process, one file); PostgreSQL is the scale-out path
(several replicas, one database). Both are used through SQLAlchemy's asyncio layer, so a
plain ``sqlite:///`` or ``postgresql://`` URL, as an operator would naturally write it, is
mapped to its async driver here rather than rejected.
"""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.store.errors import DatabaseUrlError

__all__ = [
    "PG_CONNECT_TIMEOUT_SECONDS",
    "PG_POOL_TIMEOUT_SECONDS",
    "SQLITE_BUSY_TIMEOUT_MS",
    "build_engine",
    "default_database_url",
    "normalize_database_url",
]

#: How long a SQLite connection waits for another writer before giving up with
#: "database is locked". Writes here are tiny, so a few seconds means "something is wrong".
SQLITE_BUSY_TIMEOUT_MS: Final = 5000

#: How long asyncpg waits for a PostgreSQL connection (TCP + start-up). A packet-dropping
#: network or a hung server must not hold a request past Slack's 3-second ack window for long.
PG_CONNECT_TIMEOUT_SECONDS: Final = 2.0
#: How long a request waits for a free pooled connection before giving up; during an outage the
#: pool's slots are all busy connecting, and queueing behind them would only delay the answer.
PG_POOL_TIMEOUT_SECONDS: Final = 5.0

#: The file name of the embedded database, created in the working directory by default.
DEFAULT_SQLITE_FILE: Final = "mlorg.sqlite3"

# Scheme (as written, lower-cased) -> the async scheme SQLAlchemy needs.
_ASYNC_SCHEMES: Final = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_SCHEME: Final = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]{0,30})://")
_EXPECTED: Final = "use sqlite:///path/to/mlorg.sqlite3 or postgresql://user:password@host:5432/dbname"


def normalize_database_url(url: str) -> str:
    """Return ``url`` with its async driver spelled out, or raise :class:`DatabaseUrlError`.

    ``sqlite:///x`` becomes ``sqlite+aiosqlite:///x``; ``postgresql://`` and ``postgres://``
    (Heroku and many hosting dashboards hand out the latter) become ``postgresql+asyncpg://``;
    URLs that already name those drivers are returned unchanged. Only the scheme is
    rewritten, so the rest of the URL (escaped passwords, query options) is kept byte for byte.

    The error message is one line meant for an operator, and it never echoes the URL: the
    URL usually carries a password. Only a recognised-looking scheme is ever quoted back.
    The error is raised ``from None`` so a traceback does not show a parser error that
    might quote the URL either.
    """
    text = url.strip()
    if not text:
        raise DatabaseUrlError(f"the database URL is empty: {_EXPECTED}")
    match = _SCHEME.match(text)
    if match is None:
        raise DatabaseUrlError(
            f"the database URL has no scheme such as sqlite:// or postgresql://: {_EXPECTED}"
        )
    scheme = match["scheme"].lower()
    target = _ASYNC_SCHEMES.get(scheme)
    if target is None:
        raise DatabaseUrlError(f"the database URL scheme {scheme!r} is not supported: {_EXPECTED}")
    normalized = target + text[match.end("scheme") :]
    try:
        parsed = make_url(normalized)
        _ = parsed.port  # make_url is lazy about some parts; touch them while we can still explain.
    except Exception:
        raise DatabaseUrlError(f"the {scheme} database URL could not be parsed: {_EXPECTED}") from None
    if target == "sqlite+aiosqlite" and (parsed.host or parsed.username or parsed.password):
        raise DatabaseUrlError(
            "a SQLite database URL names a file, not a server: use three slashes for a relative path "
            "(sqlite:///mlorg.sqlite3) or four for an absolute one (sqlite:////var/lib/mlorg.sqlite3)"
        )
    return normalized


def default_database_url() -> str:
    """The embedded default: ``mlorg.sqlite3`` in the current working directory.

    The path is made absolute now, so that a later ``chdir`` cannot move the database.
    """
    path = Path.cwd() / DEFAULT_SQLITE_FILE
    return f"sqlite+aiosqlite:///{path.as_posix()}"


def build_engine(url: str) -> AsyncEngine:
    """Create the :class:`AsyncEngine` for ``url`` (normalized first), tuned for its backend.

    SQLite:
      * WAL journal, so readers never block the writer and vice versa;
      * a busy timeout, so a writer waits briefly for another instead of failing at once;
      * ``foreign_keys=ON``, which SQLite leaves off by default for compatibility;
      * every transaction starts with ``BEGIN IMMEDIATE``. The sqlite3 driver's own habit
        (no BEGIN before SELECT or DDL) breaks transactional DDL and savepoints, and a
        deferred transaction that reads and then writes fails with "database is locked"
        immediately, without waiting, when another connection wrote in between. Taking the
        write lock up front makes every transaction wait its turn instead. SQLite only has
        one writer anyway, and our transactions are short;
      * one pooled connection. Since every transaction takes the write lock, several
        connections would only queue inside SQLite's busy handler, which sleeps in growing
        steps (up to 100 ms) between retries: under a burst of clicks that turned 2 ms
        transactions into seconds. Waiting for the one connection is an asyncio queue: no
        sleeping, first come first served. (Other processes on the same file still meet
        the busy timeout, as before.)

    PostgreSQL: a modest pool per replica (several replicas share the server's connection
    limit), pre-ping so a connection dropped by a restart or a proxy is replaced rather than
    surfacing as an error, and an ``application_name`` so operators can tell mlorg's
    sessions apart in ``pg_stat_activity``. Waits are short (see the constants): while the
    database is unreachable a request must fail fast enough to still ack within Slack's
    3 seconds with "try again in a minute", and the pool recovers on its own afterwards.

    Both: ``hide_parameters``, so a database error's message (and so a logged traceback)
    never quotes the values of a statement, which can be what a person wrote.
    """
    normalized = normalize_database_url(url)
    if normalized.startswith("sqlite+aiosqlite"):
        engine = create_async_engine(
            normalized, pool_size=1, max_overflow=0, pool_timeout=60, hide_parameters=True
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(
        normalized,
        pool_size=5,
        max_overflow=5,
        pool_pre_ping=True,
        pool_timeout=PG_POOL_TIMEOUT_SECONDS,
        connect_args={
            "server_settings": {"application_name": "mlorg"},
            "timeout": PG_CONNECT_TIMEOUT_SECONDS,
        },
        hide_parameters=True,
    )


def _configure_sqlite_connection(dbapi_connection: Any, _connection_record: Any) -> None:
    """Per-connection SQLite settings; see :func:`build_engine` for why each one."""
    # Stop the driver from emitting its own (deferred, DML-only) BEGIN; _begin_immediate does it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first: switching to WAL needs a lock another new connection may hold.
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        # In WAL mode NORMAL is durable against a crash of the process (kill -9 included): a
        # committed transaction is in the WAL file. Only an OS crash or power loss can drop the
        # last few, and it saves an fsync per commit, which is most of a quiz click's cost.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL, once: the mode is stored in the file, so later connections only read it.

    Two processes opening a brand-new file at once (replicas starting, a migration racing a
    first request) may both try to switch, and SQLite can answer the loser "database is
    locked" at once instead of waiting out the busy timeout. The loser looks again shortly
    (the winner has usually switched by then) and gives up after about two seconds.
    """
    for attempt in itertools.count(1):
        try:
            cursor.execute("PRAGMA journal_mode")
            row = cursor.fetchone()
            if row is not None and str(row[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except Exception as error:
            if "locked" not in str(error) or attempt >= _WAL_ATTEMPTS:
                raise
            # A blocking pause, on purpose: it happens only while a new file is being set up.
            time.sleep(_WAL_RETRY_SECONDS)


#: How often, and how far apart, a connection tries to switch a new file to WAL (~2 s in all).
_WAL_ATTEMPTS: Final = 40
_WAL_RETRY_SECONDS: Final = 0.05


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
