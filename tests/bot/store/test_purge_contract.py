"""Purging a workspace, on SQLite and PostgreSQL: every table emptied of it, no other workspace touched."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.store import SLACK_BOTS, SLACK_INSTALLATIONS, Store
from bot.store.events import utc_now
from bot.store.purge import TABLES_WITHOUT_TEAM, team_tables
from bot.store.tables import Base, WorkspaceInstallRow
from tests.support.workspace_data import FILLED_TABLES, fill_every_team_table, fill_workspace, rows_of

TEAM = "T0GONE"
OTHER = "T0STAYS"
ORG = "E0ORG"


def test_every_table_holds_a_workspace_or_is_known_to_hold_none() -> None:
    """A new table without ``team_id`` could never be purged: it must be added here on purpose."""
    without = {table.name for table in Base.metadata.sorted_tables if "team_id" not in table.c}

    assert without == TABLES_WITHOUT_TEAM
    assert {table.name for table in team_tables()} >= FILLED_TABLES | {"workspace_orgs"}


async def test_a_purge_empties_every_table_of_the_workspace_and_only_of_it(store: Store) -> None:
    await fill_workspace(store, TEAM)
    await fill_workspace(store, OTHER)
    assert set(await rows_of(store, TEAM)) == FILLED_TABLES
    before = await rows_of(store, OTHER)

    purged = await store.purge_workspace(TEAM)

    assert await rows_of(store, TEAM) == {}
    assert await rows_of(store, OTHER) == before
    assert purged.team_ids == (TEAM,)
    assert {name for name, count in purged.rows.items() if count} == FILLED_TABLES
    assert "diagnosis_flows=1" in purged.describe() and "why" not in purged.describe()


async def test_a_purge_reaches_every_table_with_a_team_id_even_one_added_later(store: Store) -> None:
    """Generic rows in every team table: a table the purge forgot would keep its row here."""
    await fill_every_team_table(store, TEAM)
    await fill_every_team_table(store, OTHER)
    assert set(await rows_of(store, TEAM)) == {table.name for table in team_tables()}

    await store.purge_workspace(TEAM)

    assert await rows_of(store, TEAM) == {}
    assert set(await rows_of(store, OTHER)) == {table.name for table in team_tables()}


async def test_a_second_purge_finds_nothing(store: Store) -> None:
    await fill_workspace(store, TEAM)

    first, second = await store.purge_workspace(TEAM), await store.purge_workspace(TEAM)

    assert first.total > 0 and second.total == 0 and second.describe() == "no rows"


async def test_counting_a_workspace_deletes_nothing(store: Store) -> None:
    await fill_workspace(store, TEAM)

    counted = await store.count_workspace(TEAM)

    assert counted.rows["diagnosis_flows"] == 1 and await rows_of(store, TEAM) == {
        name: n for name, n in counted.rows.items() if n
    }


async def test_an_org_wide_purge_reaches_every_workspace_of_the_org(store: Store) -> None:
    await fill_workspace(store, "T0ORGA", enterprise=ORG, installed=False)
    await fill_workspace(store, "T0ORGB", enterprise=ORG, installed=False)
    await fill_workspace(store, "T0OWN", enterprise=ORG)  # installed on its own: it stays
    await fill_workspace(store, OTHER, enterprise="E0ELSE")
    await store.installs.record_install("", ORG, "The Org", True)
    async with store.sessions.begin() as db:
        for table in (SLACK_INSTALLATIONS, SLACK_BOTS):
            extra = {"user_id": "U0ADMIN"} if table is SLACK_INSTALLATIONS else {}
            await db.execute(
                table.insert().values(
                    client_id="1.2",
                    app_id="A1",
                    enterprise_id=ORG,
                    team_id=None,
                    is_enterprise_install=True,
                    **extra,
                )
            )

    purged = await store.purge_workspace("", ORG)

    assert purged.team_ids == ("T0ORGA", "T0ORGB")
    assert await rows_of(store, "T0ORGA") == {} and await rows_of(store, "T0ORGB") == {}
    assert await rows_of(store, OTHER) != {} and await rows_of(store, "T0OWN") != {}
    async with store.sessions() as db:
        for table in (SLACK_INSTALLATIONS, SLACK_BOTS):
            org_wide = (table.c.enterprise_id == ORG) & table.c.team_id.is_(None)
            left = select(func.count()).select_from(table).where(org_wide)
            assert (await db.execute(left)).scalar_one() == 0
        assert await db.get(WorkspaceInstallRow, ("", ORG)) is None


async def test_a_departure_is_purged_only_once_due_and_only_if_still_departed(store: Store) -> None:
    now = utc_now()
    await fill_workspace(store, TEAM)
    await store.installs.record_departure(TEAM, None, now + timedelta(days=1))

    assert await store.purge_departure(TEAM, None, now) is None, "purged before its date"
    assert set(await rows_of(store, TEAM)) == FILLED_TABLES

    await store.installs.record_install(TEAM, None, "Back again", False)
    assert await store.purge_departure(TEAM, None, now + timedelta(days=2)) is None, "purged a reinstall"

    await store.installs.record_departure(TEAM, None, now)
    purged = await store.purge_departure(TEAM, None, now)
    assert purged is not None and purged.rows["workspace_installs"] >= 1
    assert await rows_of(store, TEAM) == {}


async def test_two_replicas_purging_at_once_purge_once(store: Store) -> None:
    now = utc_now()
    await fill_workspace(store, TEAM)
    await store.installs.record_departure(TEAM, None, now)

    results = await asyncio.gather(*(store.purge_departure(TEAM, None, now) for _ in range(4)))

    assert sum(r is not None for r in results) == 1
    assert await rows_of(store, TEAM) == {}
