"""The storage side of mlorg's privacy promises, on SQLite and PostgreSQL alike.

What a summary last showed is saved compare-and-set (two admins cannot both move a week on);
a preview is held in the outbox exactly as it will be posted and is released once; abandoned
diagnoses are pruned; and forgetting a person leaves their id in no table.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.store import Store, WorkspaceConfig
from bot.store.events import utc_now
from bot.store.tables import Base

TEAM = "T0001"
ME = "U0ME"


async def rows_mentioning(store: Store, needle: str) -> list[tuple[str, str]]:
    found = []
    async with store.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                found += [(table.name, c) for c, v in row.items() if v is not None and needle in str(v)]
    return found


# -- released views ------------------------------------------------------------------------------------


async def test_a_view_never_shown_has_version_zero_and_nothing_shown(store: Store) -> None:
    view = await store.views.get(TEAM, "week:2026-11-30")

    assert (view.version, dict(view.shown), view.ever_shown) == (0, {}, False)


async def test_saving_a_view_is_compare_and_set(store: Store) -> None:
    assert await store.views.save(TEAM, "k", {"all": ["a", "b", "c"]}, expected=0)
    assert not await store.views.save(TEAM, "k", {"all": ["x", "y", "z"]}, expected=0), "a stale writer won"

    view = await store.views.get(TEAM, "k")
    assert view.version == 1 and dict(view.shown) == {"all": ("a", "b", "c")}
    assert await store.views.save(TEAM, "k", {"all": list("abcdef")}, expected=1)
    assert not await store.views.save(TEAM, "k", {"all": []}, expected=1)
    assert (await store.views.get(TEAM, "k")).shown["all"] == tuple("abcdef")
    assert (await store.views.get("T0OTHER", "k")).version == 0, "workspaces are kept apart"


async def test_two_writers_racing_from_the_same_version_save_exactly_once(store: Store) -> None:
    await store.views.save(TEAM, "k", {"all": ["a", "b", "c"]}, expected=0)

    results = await asyncio.gather(
        *(store.views.save(TEAM, "k", {"all": [f"w{n}", "b", "c"]}, expected=1) for n in range(6))
    )

    assert sorted(results) == [False] * 5 + [True]


# -- held previews -------------------------------------------------------------------------------------


async def test_a_held_preview_is_never_delivered_until_released_and_is_released_once(store: Store) -> None:
    item, created = await store.outbox.enqueue(
        TEAM, "summary:p1", kind="summary", channel_id="C0LEAD", payload={"text": "x"}, held=True
    )
    assert created and item.status == "held"
    assert await store.outbox.claim(timedelta(seconds=30)) == []

    first, second = await asyncio.gather(
        store.outbox.release(TEAM, "summary:p1"), store.outbox.release(TEAM, "summary:p1")
    )

    assert first is not None and second is not None
    assert sorted([first[1], second[1]]) == [False, True], "released twice"
    [claimed] = await store.outbox.claim(timedelta(seconds=30))
    assert claimed.item_id == item.item_id and claimed.payload == {"text": "x"}
    assert await store.outbox.release(TEAM, "summary:unknown") is None
    assert await store.outbox.release("T0OTHER", "summary:p1") is None


async def test_discard_deletes_only_a_held_preview(store: Store) -> None:
    await store.outbox.enqueue(TEAM, "summary:p1", kind="summary", channel_id="C", payload={}, held=True)
    await store.outbox.enqueue(TEAM, "summary:p2", kind="summary", channel_id="C", payload={}, held=True)
    await store.outbox.release(TEAM, "summary:p2")

    assert await store.outbox.discard(TEAM, "summary:p1")
    assert not await store.outbox.discard(TEAM, "summary:p1")
    assert not await store.outbox.discard(TEAM, "summary:p2"), "a released preview is on its way"
    assert [i.dedupe_key for i in await store.outbox.items(("held", "pending"))] == ["summary:p2"]


async def test_prune_held_deletes_old_previews_and_nothing_else(store: Store) -> None:
    await store.outbox.enqueue(TEAM, "summary:old", kind="summary", channel_id="C", payload={}, held=True)
    await store.outbox.enqueue(TEAM, "digest:1", kind="digest", channel_id="C", payload={})

    assert await store.outbox.prune_held(utc_now() - timedelta(hours=1)) == 0
    assert await store.outbox.prune_held(utc_now() + timedelta(seconds=1)) == 1

    assert [i.dedupe_key for i in await store.outbox.items(("held", "pending"))] == ["digest:1"]


# -- diagnoses -----------------------------------------------------------------------------------------


async def test_cancel_deletes_the_flow_and_its_answers(store: Store) -> None:
    flow = await store.diagnoses.start(TEAM, ME, "C0001")
    await store.diagnoses.answer(TEAM, flow.flow_id, 0, "q1", "a")

    cancelled = await store.diagnoses.cancel(TEAM, flow.flow_id)

    assert cancelled is not None and cancelled.status == "cancelled"
    assert await store.diagnoses.get(TEAM, flow.flow_id) is None
    assert await rows_mentioning(store, flow.flow_id) == []


async def test_prune_deletes_abandoned_flows_and_keeps_finished_ones(store: Store) -> None:
    done = await store.diagnoses.start(TEAM, "U0DONE", "C0001")
    await store.diagnoses.answer(TEAM, done.flow_id, 0, "q1", "a")
    await store.diagnoses.finish(TEAM, done.flow_id)
    abandoned = await store.diagnoses.start(TEAM, "U0GONE", "C0001")

    assert await store.diagnoses.prune(utc_now() - timedelta(days=30)) == 0
    assert await store.diagnoses.prune(utc_now() + timedelta(seconds=1)) == 1

    assert await store.diagnoses.get(TEAM, abandoned.flow_id) is None
    assert await store.diagnoses.get(TEAM, done.flow_id) is not None


# -- forgetting ----------------------------------------------------------------------------------------


async def test_forget_user_leaves_the_id_in_no_table_and_counts_what_it_did(store: Store) -> None:
    finished = await store.diagnoses.start(TEAM, ME, "C0001")
    await store.diagnoses.finish(TEAM, finished.flow_id)
    await store.diagnoses.start(TEAM, ME, "C0001")  # unfinished
    session = await store.diagnoses.open_session(TEAM, "C0TEAM", ME)
    await store.diagnoses.record_response(TEAM, session.session_id, ME, {"q1": "a"}, "leader")
    await store.diagnoses.record_response(TEAM, session.session_id, "U0OTHER", {"q1": "b"}, None)
    await store.quizzes.create(TEAM, "C0QUIZ", ME, [])
    await store.outbox.enqueue(TEAM, "k", kind="summary", channel_id="C", payload={}, requested_by=ME)
    await store.workspaces.save(TEAM, WorkspaceConfig(TEAM, min_group=4), updated_by=ME)
    assert await rows_mentioning(store, ME)

    forgotten = await store.forget_user(TEAM, ME)

    assert await rows_mentioning(store, ME) == []
    assert (forgotten.diagnoses, forgotten.team_answers) == (2, 1)
    assert (forgotten.running_quizzes, forgotten.open_sessions) == (1, 1)
    assert forgotten.mentions == 2  # the queued post and the settings
    assert [r.user_id for r in await store.diagnoses.responses(TEAM, session.session_id)] == ["U0OTHER"]
    assert (await store.workspaces.get(TEAM)).min_group == 4, "settings stay, only the name goes"
    again = await store.forget_user(TEAM, ME)
    assert not again.anything
