"""The installation record, on SQLite and PostgreSQL: departures are dated once, reinstalls cancel them."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.store import Store
from bot.store.events import utc_now

TEAM = "T0001"
ORG = "E0001"


async def test_an_install_is_recorded_active_with_its_name(store: Store) -> None:
    install = await store.installs.record_install(TEAM, None, "Acme", False)

    assert install.active and install.team_name == "Acme" and install.enterprise_id == ""
    assert install.installed_at is not None and install.purge_after is None
    assert await store.installs.list() == [install]


async def test_a_departure_is_dated_and_a_second_event_does_not_push_the_date(store: Store) -> None:
    await store.installs.record_install(TEAM, None, "Acme", False)
    first_date = utc_now() + timedelta(days=30)

    departed = await store.installs.record_departure(TEAM, None, first_date)
    again = await store.installs.record_departure(TEAM, None, first_date + timedelta(days=5))

    assert departed.status == "uninstalled" and departed.uninstalled_at is not None
    assert again.purge_after == departed.purge_after
    assert abs((departed.purge_after or utc_now()) - first_date) < timedelta(seconds=1)
    assert again.team_name == "Acme", "the departure keeps what the install recorded"


async def test_a_departure_of_a_workspace_never_recorded_is_recorded(store: Store) -> None:
    """Single-token mode never sees an install, yet its departure must be purged on time."""
    when = utc_now() + timedelta(days=1)

    departed = await store.installs.record_departure(TEAM, None, when)

    assert departed.status == "uninstalled" and departed.installed_at is None
    assert await store.installs.get(TEAM, "") == departed


async def test_due_lists_only_departures_whose_date_has_passed(store: Store) -> None:
    now = utc_now()
    await store.installs.record_install("T0ACTIVE", None, "Stays", False)
    await store.installs.record_departure("T0LATER", None, now + timedelta(days=3))
    await store.installs.record_departure("T0DUE", None, now - timedelta(minutes=1))
    await store.installs.record_departure("", ORG, now - timedelta(days=1))

    due = await store.installs.due(now)

    assert [(i.team_id, i.enterprise_id) for i in due] == [("", ORG), ("T0DUE", "")]
    assert due[0].is_enterprise_install and due[0].label == ORG
    assert [i.team_id for i in await store.installs.due(now + timedelta(days=4))] == ["", "T0DUE", "T0LATER"]


async def test_a_reinstall_inside_the_grace_period_cancels_the_purge(store: Store) -> None:
    now = utc_now()
    await store.installs.record_install(TEAM, ORG, "Acme", False)
    await store.installs.record_departure(TEAM, ORG, now - timedelta(seconds=1))

    back = await store.installs.record_install(TEAM, ORG, "Acme Corp", False)

    assert back.active and back.purge_after is None and back.uninstalled_at is None
    assert back.team_name == "Acme Corp"
    assert await store.installs.due(now + timedelta(days=365)) == []


async def test_workspace_and_org_wide_installs_are_kept_apart(store: Store) -> None:
    await store.installs.record_install(TEAM, ORG, "Acme", False)
    await store.installs.record_install("", ORG, "Acme Org", True)
    await store.installs.record_departure("", ORG, utc_now())

    assert (await store.installs.get(TEAM, ORG)).active  # type: ignore[union-attr]
    assert [i.label for i in await store.installs.find(ORG)] == [ORG]
    assert [i.team_id for i in await store.installs.find(TEAM)] == [TEAM]


async def test_concurrent_departures_record_one_date(store: Store) -> None:
    now = utc_now()
    dates = [now + timedelta(days=n) for n in range(1, 7)]

    results = await asyncio.gather(*(store.installs.record_departure(TEAM, None, d) for d in dates))

    assert len({r.purge_after for r in results}) == 1


async def test_an_install_naming_no_workspace_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="team_id"):
        await store.installs.record_install("", None, "Nobody", False)
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.installs.record_departure(TEAM, None, utc_now().replace(tzinfo=None))


async def test_a_working_token_records_the_workspace_once_and_keeps_its_install_date(store: Store) -> None:
    first = await store.installs.confirm_install(TEAM, None, "Acme", False, checked_at=utc_now())
    again = await store.installs.confirm_install(TEAM, None, "Acme Inc", False, checked_at=utc_now())

    assert first is not None and again is not None
    assert first[0].active and not first[1] and not again[1]
    assert again[0].installed_at == first[0].installed_at and again[0].team_name == "Acme Inc"


async def test_a_token_that_works_after_the_departure_cancels_it(store: Store) -> None:
    await store.installs.record_install(TEAM, None, "Acme", False)
    await store.installs.record_departure(TEAM, None, utc_now() + timedelta(days=30))
    checked = utc_now() + timedelta(seconds=1)

    result = await store.installs.confirm_install(TEAM, None, "Acme", False, checked_at=checked)

    assert result is not None
    install, cancelled = result
    assert cancelled and install.active and install.purge_after is None
    assert install.installed_at is not None and abs(install.installed_at - checked) < timedelta(
        milliseconds=1
    )


async def test_a_token_checked_before_the_departure_does_not_cancel_it(store: Store) -> None:
    checked = utc_now()
    await store.installs.record_install(TEAM, None, "Acme", False)
    await store.installs.record_departure(TEAM, None, checked + timedelta(days=30))

    assert await store.installs.confirm_install(TEAM, None, "Acme", False, checked_at=checked) is None
    assert (await store.installs.get(TEAM, None)).status == "uninstalled"  # type: ignore[union-attr]
