"""Alembic environment for mlorg, usable both from code and from the ``alembic`` command.

At run time :meth:`bot.store.Store.migrate` builds the Alembic config in code and passes an
open connection in ``config.attributes["connection"]`` (a sync facade obtained with
``AsyncConnection.run_sync``); the migrations then run on it, inside the transaction and
under the lock the store already holds. No ``alembic.ini`` is involved.

For development (``alembic -c bot/store/alembic.ini revision --autogenerate -m ...``) there
is no connection: one is opened on the async engine from ``-x url=...`` or
``sqlalchemy.url``, defaulting to the SQLite file in the working directory.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.db import build_engine, default_database_url, normalize_database_url
from bot.store.pending_answers import PendingAnswerRow
from bot.store.tables import Base

# Imported for its table, which lives beside its repository rather than in tables.py.
assert PendingAnswerRow.__tablename__ in Base.metadata.tables

config = context.config
target_metadata = Base.metadata


def do_run_migrations(connection: Connection) -> None:
    """Run pending migrations on ``connection`` (sync; called through ``run_sync``)."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        # Alembic assumes SQLite DDL is not transactional because the sqlite3 driver does not
        # BEGIN before DDL; our engines emit BEGIN themselves (bot.store.db), so it is.
        transactional_ddl=True,
        compare_type=True,
    )
    # When the caller already began a transaction, Alembic joins it and leaves the commit
    # to the caller.
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations(url: str) -> None:
    """The command-line path: open our own async engine and run through ``run_sync``."""
    engine = build_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_offline(url: str) -> None:
    """``alembic upgrade --sql``: print the SQL instead of running it."""
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _command_line_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    return url or default_database_url()


_connection = config.attributes.get("connection")
if _connection is not None:
    do_run_migrations(_connection)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():
        run_migrations_offline(normalize_database_url(_command_line_url()))
    else:
        asyncio.run(run_async_migrations(_command_line_url()))
