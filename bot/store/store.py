"""The :class:`Store`: one engine, its sessions, the migrations, and the repositories."""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self, cast

from sqlalchemy import CursorResult, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.db import build_engine
from bot.store.diagnoses import Diagnoses
from bot.store.errors import StoreError
from bot.store.events import EventLog
from bot.store.group_commit import GroupCommit
from bot.store.installs import Installs
from bot.store.orgs import WorkspaceOrgs
from bot.store.outbox import Outbox
from bot.store.pending_answers import PendingAnswers
from bot.store.purge import Purged, count_workspace, purge_departure, purge_workspace
from bot.store.questions import Questions
from bot.store.quizzes import Quizzes
from bot.store.scoping import across_workspaces
from bot.store.tables import OutboxRow, QuizRow, TeamSessionRow, WorkspaceSettingsRow
from bot.store.transaction import ErrorObserver, Transaction, is_unavailable, observe_errors
from bot.store.views import ReleasedViews
from bot.store.workspaces import Workspaces

__all__ = ["MIGRATIONS_DIR", "MIGRATION_LOCK_KEY", "Forgotten", "Health", "Store"]

logger = logging.getLogger(__name__)

#: Where the Alembic environment lives; shipped as package data next to this module.
MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"

#: The PostgreSQL advisory lock key that serializes migrators ("mlorg" in ASCII). Fixed, so
#: every replica of every version agrees on it.
MIGRATION_LOCK_KEY: Final = 0x6D6C6F7267

# Alembic keeps the running migration in module-level state (``alembic.context``), so two
# migrations in one process must never overlap. The database lock taken before Alembic
# starts (advisory lock, or BEGIN IMMEDIATE) already ensures that; this lock also keeps a
# second migrator on the same loop out of SQLite's busy timeout, which a slow migration could
# outlast. One lock per loop, because an asyncio.Lock belongs to the loop it is first used on.
_loop_migration_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _migration_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _loop_migration_locks.get(loop)
    if lock is None:
        lock = _loop_migration_locks[loop] = asyncio.Lock()
    return lock


@dataclass(frozen=True)
class Health:
    """The answer to "can the database serve us?", with the reason when it cannot."""

    ok: bool
    reason: str


def _root_cause(error: BaseException) -> BaseException:
    """The driver's own error under SQLAlchemy's wrapper (its type is what an operator searches)."""
    wrapped = getattr(error, "orig", None)
    if isinstance(wrapped, BaseException):
        return _root_cause(wrapped.__cause__ or wrapped)
    return error


@dataclass(frozen=True)
class Forgotten:
    """What ``forget me`` deleted or changed, so the answer can say exactly that."""

    diagnoses: int
    team_answers: int
    quiz_answers: int
    #: Still running when the person asked; their hosting rights passed to admins.
    running_quizzes: int
    open_sessions: int
    #: Finished quizzes, sessions, outbox items and settings that named them.
    mentions: int
    #: 👍 / 👎 votes on mlorg's answers.
    votes: int = 0

    @property
    def anything(self) -> bool:
        return any(
            (
                self.diagnoses,
                self.votes,
                self.team_answers,
                self.quiz_answers,
                self.running_quizzes,
                self.open_sessions,
                self.mentions,
            )
        )


async def _rowcount(session: AsyncSession, statement: Any) -> int:
    return cast(CursorResult[Any], await session.execute(statement)).rowcount


class Store:
    """The application's database: built once by the composition root, shared by features.

    It owns the :class:`AsyncEngine` (and so the connection pool) and hands repositories an
    ``async_sessionmaker``. Features depend on the repositories (``store.events``, ...),
    never on SQLAlchemy directly; repositories raise :class:`StoreError` for database trouble.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        dialect = engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database dialect {dialect!r}")
        self.engine: Final = engine
        self.dialect: Final[str] = dialect
        # expire_on_commit=False: objects stay readable after commit without another
        # round trip, which in asyncio would otherwise be an implicit (forbidden) IO.
        self.sessions: Final = async_sessionmaker(engine, expire_on_commit=False)
        # What answering a question writes after its ack (the subject read, the answer log, the
        # end of the pending question) shares transactions: on SQLite's one connection, fewer
        # transactions is what lets the event claims that acks wait for through sooner.
        # On PostgreSQL the answer logs overlap a few transactions at once (the pool has room);
        # finished questions keep a serial group of their own there, since each of its
        # transactions deletes the rows of callers queued behind it (PendingAnswers.done).
        answering = GroupCommit(
            self.sessions, "answer a question", parallel=4 if dialect == "postgresql" else 1
        )
        finishing = (
            GroupCommit(self.sessions, "finish an answered question")
            if dialect == "postgresql"
            else answering
        )
        self.pending_answers: Final = PendingAnswers(self.sessions, group=finishing)
        self.events: Final = EventLog(self.sessions, dialect)
        self.diagnoses: Final = Diagnoses(self.sessions, dialect)
        self.quizzes: Final = Quizzes(self.sessions, dialect)
        self.workspaces: Final = Workspaces(self.sessions, dialect)
        self.outbox: Final = Outbox(self.sessions, dialect)
        self.views: Final = ReleasedViews(self.sessions, dialect)
        self.questions: Final = Questions(self.sessions, dialect, group=answering)
        self.orgs: Final = WorkspaceOrgs(self.sessions, dialect)
        self.installs: Final = Installs(self.sessions, dialect)

    @classmethod
    @across_workspaces("builds the store for the whole deployment")
    def open(cls, url: str) -> Store:
        """Build a store for ``url`` (``sqlite:///``, ``postgresql://`` or their async forms).

        Synchronous and cheap: no connection is made until the store is first used, so the
        composition root can build it before the event loop runs. Raises
        :class:`~bot.store.errors.DatabaseUrlError` (a ``ValueError``) for an unusable URL.
        """
        return cls(build_engine(url))

    @across_workspaces("migrations change the schema every workspace shares")
    async def migrate(self) -> None:
        """Bring the schema up to date (``alembic upgrade head``); safe to call on every start.

        Several replicas may start at once against one PostgreSQL database. A session-level
        ``pg_advisory_lock`` makes them take turns: the first applies the migrations, the
        others then find the schema at head and do nothing. On SQLite the migration runs in
        one ``BEGIN IMMEDIATE`` transaction, which serializes processes sharing the file the
        same way, and with foreign keys switched off, as SQLite requires when a migration
        rebuilds a table (otherwise dropping the old table would cascade to its children).
        """
        async with _migration_lock():
            try:
                async with self.engine.connect() as connection:
                    if await _at_head(connection):
                        return  # the usual restart: no need to load Alembic at all
                    if self.dialect == "postgresql":
                        await self._migrate_postgresql(connection)
                    else:
                        await self._migrate_sqlite(connection)
            except StoreError:
                raise
            except Exception as error:
                # First line only: driver messages can run to pages of SQL; none carries a password.
                detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
                raise StoreError(
                    f"could not migrate the database: {type(error).__name__}: {detail}"
                ) from error

    async def _migrate_postgresql(self, connection: AsyncConnection) -> None:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        await connection.commit()
        try:
            async with connection.begin():
                await connection.run_sync(_upgrade_to_head)
        finally:
            await _release_advisory_lock(connection)

    async def _migrate_sqlite(self, connection: AsyncConnection) -> None:
        # PRAGMA foreign_keys is ignored inside a transaction, and SQLAlchemy would begin one
        # for any statement, so it is set on the driver connection before BEGIN.
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.execute("PRAGMA foreign_keys = OFF")
        try:
            async with connection.begin():
                await connection.run_sync(_upgrade_to_head)
                violations = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
                if violations:
                    raise StoreError(
                        f"a migration left {len(violations)} rows violating foreign keys; rolled back"
                    )
        finally:
            await driver.execute("PRAGMA foreign_keys = ON")

    async def forget_user(self, team_id: str, user_id: str) -> Forgotten:
        """Delete what is stored about a person and remove their id from everything else.

        Their diagnoses (finished or not), team answers and quiz answers are deleted. Where
        their id is kept as a host, starter, requester or editor it is blanked, including a
        quiz or team diagnosis still running: hosting passes to the workspace's admins.
        """
        flows, responses = await self.diagnoses.forget_user(team_id, user_id)
        answers = await self.quizzes.forget_user(team_id, user_id)
        votes = await self.questions.forget_user(team_id, user_id)
        running = [
            update(QuizRow)
            .where(QuizRow.team_id == team_id, QuizRow.host_id == user_id, QuizRow.status == "running")
            .values(host_id=""),
            update(TeamSessionRow)
            .where(
                TeamSessionRow.team_id == team_id,
                TeamSessionRow.started_by == user_id,
                TeamSessionRow.status == "open",
            )
            .values(started_by=""),
        ]
        finished = [
            update(QuizRow).where(QuizRow.team_id == team_id, QuizRow.host_id == user_id).values(host_id=""),
            update(TeamSessionRow)
            .where(TeamSessionRow.team_id == team_id, TeamSessionRow.started_by == user_id)
            .values(started_by=""),
            update(OutboxRow)
            .where(OutboxRow.team_id == team_id, OutboxRow.requested_by == user_id)
            .values(requested_by=None),
            update(WorkspaceSettingsRow)
            .where(WorkspaceSettingsRow.team_id == team_id, WorkspaceSettingsRow.updated_by == user_id)
            .values(updated_by=""),
        ]
        async with Transaction(self.sessions, "forget a person") as session:
            hosting = [await _rowcount(session, statement) for statement in running]
            mentions = [await _rowcount(session, statement) for statement in finished]
        return Forgotten(
            diagnoses=flows,
            team_answers=responses,
            quiz_answers=answers,
            running_quizzes=hosting[0],
            open_sessions=hosting[1],
            mentions=sum(mentions),
            votes=votes,
        )

    async def purge_workspace(self, team_id: str, enterprise_id: str | None = None) -> Purged:
        """Delete every row of a workspace now, in one transaction (see :mod:`bot.store.purge`).

        ``team_id=""`` with an ``enterprise_id`` purges an org-wide install and its workspaces.
        """
        return await purge_workspace(self.sessions, team_id, enterprise_id)

    async def purge_departure(self, team_id: str, enterprise_id: str | None, now: datetime) -> Purged | None:
        """Purge a departed workspace whose grace period is over at ``now``; None if it is not
        (reinstalled meanwhile, or already purged by another replica)."""
        return await purge_departure(self.sessions, team_id, enterprise_id, now)

    async def count_workspace(self, team_id: str, enterprise_id: str | None = None) -> Purged:
        """How many rows :meth:`purge_workspace` would delete, per table; deletes nothing."""
        return await count_workspace(self.sessions, team_id, enterprise_id)

    @across_workspaces("health: whether the database answers at all")
    async def ping(self, timeout: float = 5.0) -> bool:
        """True if the database answers ``SELECT 1`` within ``timeout`` seconds."""
        return (await self.health(timeout)).ok

    @across_workspaces("health: whether the database answers at all")
    async def health(self, timeout: float = 5.0) -> Health:
        """Whether the database answers ``SELECT 1`` within ``timeout`` seconds, and if not, why.

        For ``/healthz``: a load balancer wants a yes or no, quickly, never an exception; an
        operator wants the reason. The reason names the error type only: a driver's message
        may name the host and user, and the URL may carry a password.
        """
        try:
            async with asyncio.timeout(timeout), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            cause = _root_cause(error)
            kind = "cannot connect" if is_unavailable(error) else "query failed"
            reason = f"{kind}: {type(cause).__name__}"
            logger.warning("database ping failed: %s", reason)
            return Health(ok=False, reason=reason)
        return Health(ok=True, reason="")

    @across_workspaces("observes failures of every repository call, for metrics")
    def on_error(self, observer: ErrorObserver) -> None:
        """Tell ``observer`` what was being done whenever a database operation fails."""
        observe_errors(self.sessions, observer)

    @across_workspaces("closes the connection pool every workspace shares")
    async def close(self) -> None:
        """Close every pooled connection; call once at shutdown."""
        await self.engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        # Never the URL: it may carry a password.
        return f"<Store dialect={self.dialect}>"


#: The newest migration in ``migrations/versions``; a test keeps it equal to Alembic's head.
SCHEMA_HEAD = "0010"


async def _at_head(connection: AsyncConnection) -> bool:
    """True when the schema is already current, checked with one query instead of Alembic.

    Importing and configuring Alembic costs a good share of start-up; a restart against
    an up-to-date database (every start but the first) does not need it.
    """
    try:
        result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        versions = {row[0] for row in result}
    except Exception:
        await connection.rollback()
        return False
    finally:
        if connection.in_transaction():
            await connection.rollback()
    return versions == {SCHEMA_HEAD}


def _alembic_config(connection: Connection) -> Any:
    """An Alembic config built in code: no ``alembic.ini`` is needed at run time."""
    from alembic.config import Config  # imported only when a migration has to run

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # env.py runs the migrations on this connection instead of opening its own.
    config.attributes["connection"] = connection
    return config


def _upgrade_to_head(connection: Connection) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), "head")


async def _release_advisory_lock(connection: AsyncConnection) -> None:
    """Unlock, or failing that, discard the connection (its session and lock end with it)."""
    try:
        if connection.in_transaction():
            await connection.rollback()
        await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        await connection.commit()
    except Exception:
        logger.warning("could not release the migration lock; discarding the connection", exc_info=True)
        await connection.invalidate()
