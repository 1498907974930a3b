"""The storage contract, run against SQLite and PostgreSQL (see ``conftest.database_url``).

Whatever the backend, features must be able to rely on the same behaviour: migrations that
can run on every start, a claim that only one caller wins, team scoping, pruning by time.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection

from bot.store import EventLog, Store, StoreError
from bot.store.store import MIGRATIONS_DIR, SCHEMA_HEAD
from bot.store.tables import Base, ProcessedEvent
from tests.bot.store.conftest import OpenStore

TEAM = "T0001"
OTHER_TEAM = "T0002"


def _head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_create_the_schema_and_can_run_again(open_store: OpenStore) -> None:
    store = await open_store()

    await store.migrate()
    await store.migrate()

    async with store.engine.connect() as connection:
        tables = await connection.run_sync(_tables)
        version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert {"processed_events", "diagnosis_flows", "quizzes", "outbox", "alembic_version"} <= tables
    assert version == _head_revision()


async def test_the_migrated_schema_matches_the_table_definitions(store: Store) -> None:
    async with store.engine.connect() as connection:
        differences = await connection.run_sync(_schema_differences)
    assert differences == []


async def test_two_stores_migrating_a_fresh_database_at_once_both_succeed(database_url: str) -> None:
    # Each migrator runs on its own thread and event loop, as two replicas would: only the
    # database (advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite) keeps them apart.
    def migrate_like_a_separate_process() -> None:
        async def run() -> None:
            async with Store.open(database_url) as store:
                await store.migrate()

        asyncio.run(run())

    await asyncio.gather(*(asyncio.to_thread(migrate_like_a_separate_process) for _ in range(2)))

    async with Store.open(database_url) as store:
        assert await store.events.claim(TEAM, "Ev-after-migration")


async def test_two_stores_migrating_on_one_event_loop_both_succeed(open_store: OpenStore) -> None:
    first, second = await open_store(), await open_store()

    await asyncio.gather(first.migrate(), second.migrate())

    assert await first.events.claim(TEAM, "Ev1")
    assert not await second.events.claim(TEAM, "Ev1")


async def test_an_event_is_claimed_only_by_the_first_caller(store: Store) -> None:
    assert await store.events.claim(TEAM, "Ev1") is True
    assert await store.events.claim(TEAM, "Ev1") is False
    assert await store.events.claim(TEAM, "Ev2") is True


async def test_the_same_event_id_in_another_team_is_a_different_event(store: Store) -> None:
    assert await store.events.claim(TEAM, "Ev1")
    assert await store.events.claim(OTHER_TEAM, "Ev1")
    assert not await store.events.claim(OTHER_TEAM, "Ev1")


async def test_an_event_is_claimed_once_across_two_stores(store: Store, open_store: OpenStore) -> None:
    other = await open_store()
    stores = [store, other]

    results = await asyncio.gather(*(stores[i % 2].events.claim(TEAM, "EvRace") for i in range(50)))

    assert results.count(True) == 1
    assert results.count(False) == 49


async def test_many_different_events_claimed_concurrently_are_each_won_once(
    store: Store, open_store: OpenStore
) -> None:
    other = await open_store()

    results = await asyncio.gather(
        *(s.events.claim(TEAM, f"Ev{i}") for i in range(20) for s in (store, other))
    )

    assert results.count(True) == 20


async def test_a_claim_needs_a_team_and_an_event_id(store: Store) -> None:
    with pytest.raises(ValueError, match="team_id"):
        await store.events.claim("", "Ev1")
    with pytest.raises(ValueError, match="event_id"):
        await store.events.claim(TEAM, "")


async def test_the_claim_time_is_stored_as_aware_utc(store: Store) -> None:
    at = datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    events = EventLog(store.sessions, store.dialect, clock=lambda: at)
    await events.claim(TEAM, "Ev1")

    async with store.sessions() as session:
        received_at = (await session.execute(select(ProcessedEvent.received_at))).scalar_one()

    assert received_at == at
    assert received_at.utcoffset() == timedelta(0)


async def test_prune_forgets_old_events_and_keeps_recent_ones(store: Store) -> None:
    now = datetime.now(UTC)
    old = EventLog(store.sessions, store.dialect, clock=lambda: now - timedelta(days=2))
    await old.claim(TEAM, "EvOld")
    await old.claim(OTHER_TEAM, "EvOld")
    await store.events.claim(TEAM, "EvNew")

    removed = await store.events.prune(older_than=now - timedelta(days=1))

    assert removed == 2
    assert await store.events.claim(TEAM, "EvOld"), "a pruned event can be claimed again"
    assert not await store.events.claim(TEAM, "EvNew"), "a recent event is still remembered"
    assert await store.events.prune(older_than=now - timedelta(days=1)) == 0


async def test_prune_compares_instants_whatever_the_time_zone(store: Store) -> None:
    noon_utc = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    await EventLog(store.sessions, store.dialect, clock=lambda: noon_utc).claim(TEAM, "Ev1")
    plus_two = timezone(timedelta(hours=2))

    # 13:00+02:00 is 11:00 UTC, before the event: nothing to prune, though 13 > 12 as text.
    assert await store.events.prune(older_than=datetime(2024, 5, 1, 13, 0, tzinfo=plus_two)) == 0
    # 14:30+02:00 is 12:30 UTC, after it.
    assert await store.events.prune(older_than=datetime(2024, 5, 1, 14, 30, tzinfo=plus_two)) == 1


async def test_prune_refuses_a_naive_datetime(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.events.prune(older_than=datetime(2024, 5, 1, 12, 0))


async def test_ping_answers_true_for_a_reachable_database(store: Store) -> None:
    assert await store.ping() is True


async def test_a_store_names_its_dialect(store: Store, database_url: str) -> None:
    assert store.dialect == database_url.split("+", 1)[0]
    assert "password" not in repr(store)


async def test_a_store_that_is_not_migrated_reports_a_store_error(open_store: OpenStore) -> None:
    store = await open_store()

    with pytest.raises(StoreError, match="could not record"):
        await store.events.claim(TEAM, "Ev1")


def test_the_schema_head_the_store_checks_is_alembics_head() -> None:
    # Store.migrate skips Alembic when the database is at SCHEMA_HEAD; a new migration
    # without updating it would be skipped on every restart.
    assert _head_revision() == SCHEMA_HEAD
