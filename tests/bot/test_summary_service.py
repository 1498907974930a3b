"""The summary service's trend, on SQLite and PostgreSQL: every week drawn as its own summary draws it.

A week in the eight-week trend is released through that week's stored view, like the two
weeks a summary compares, so it is never one person apart from what the week's own summary
showed, and the older weeks' views are saved so a later drawing cannot be either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta

import pytest

from bot.features.summary.service import current_week, summarize, trend_weeks, view_key
from bot.store import Store
from bot.store.diagnoses import Diagnoses
from knowledge import KnowledgeBase, load_knowledge
from knowledge.summary import TREND_PERIODS, TrendPoint
from tests.knowledge.test_summary import EMBEDDED, INDEPENDENT, RND

KB: KnowledgeBase = load_knowledge()
TEAM = "T0TREND"
WEEK = current_week(datetime(2026, 11, 25, 12, tzinfo=UTC))
WEEKS = trend_weeks(WEEK)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = Store.open(database_url)
    await opened.migrate()
    yield opened
    await opened.close()


async def diagnosed(store: Store, user: str, answers: Mapping[str, str], *, week: int, day: int = 1) -> str:
    """``user`` finishes a diagnosis on day ``day`` of trend week ``week`` (0 the oldest); its flow id."""
    when = WEEKS[week].start + timedelta(days=day, hours=10)
    diagnoses = Diagnoses(store.sessions, store.dialect, clock=lambda: when)
    flow = await diagnoses.start(TEAM, user, "C0TEAM", resume=False)
    for step, (question, option) in enumerate(answers.items()):
        assert await diagnoses.answer(TEAM, flow.flow_id, step, question, option) is not None
    assert await diagnoses.finish(TEAM, flow.flow_id) is not None
    return flow.flow_id


def mix(point: TrendPoint) -> dict[str, int]:
    return {archetype.id: percent for archetype, percent in point.mix if percent}


async def test_every_week_of_the_trend_is_what_that_weeks_own_summary_shows(store: Store) -> None:
    people = {
        0: [RND] * 3,
        1: [RND, EMBEDDED],  # too few
        3: [EMBEDDED, RND, INDEPENDENT],
        5: [EMBEDDED] * 4,
        6: [EMBEDDED, EMBEDDED, RND],
        7: [EMBEDDED] * 3,
    }
    for week, answers in people.items():
        for n, persona in enumerate(answers):
            await diagnosed(store, f"U{week}{n}", persona, week=week)

    summary = await summarize(store, KB, TEAM, WEEK, 3)

    assert [p.period for p in summary.trend] == WEEKS and len(WEEKS) == TREND_PERIODS
    assert [p.placed for p in summary.trend] == [3, 2, 0, 3, 0, 4, 3, 3]
    assert [p.visible for p in summary.trend] == [True, False, False, True, False, True, True, True]
    assert mix(summary.trend[0]) == {"rnd": 100}
    assert mix(summary.trend[3]) == {"rnd": 34, "embedded": 33, "independent": 33}
    assert mix(summary.trend[-1]) == {"embedded": 100}
    for point in summary.trend:
        own = await summarize(store, KB, TEAM, point.period, 3)
        assert own.trend[-1] == point, f"the week of {point.period.label} as its own summary shows it"
        assert own.team.placed == point.placed


async def test_a_week_shown_before_stays_as_shown_when_one_more_person_joined_it_later(store: Store) -> None:
    for n in range(3):
        await diagnosed(store, f"U{n}", RND, week=4, day=1)
    shown = await summarize(store, KB, TEAM, WEEKS[4], 3)
    assert shown.visible and shown.team.placed == 3
    # Someone finished a diagnosis later that week, after its summary was shown.
    await diagnosed(store, "ULATE", EMBEDDED, week=4, day=5)

    summary = await summarize(store, KB, TEAM, WEEK, 3)

    point = summary.trend[4]
    assert (point.visible, point.placed, mix(point)) == (True, 3, {"rnd": 100}), "not 75/25: one person apart"
    again = await summarize(store, KB, TEAM, WEEKS[4], 3)
    assert again.trend[-1] == point
    assert any("1 person took the diagnosis since" in note for note in again.notes)


async def test_older_weeks_are_saved_so_forgetting_one_person_hides_a_week_rather_than_moving_it(
    store: Store,
) -> None:
    flows = [
        await diagnosed(store, f"U{n}", persona, week=2) for n, persona in enumerate([RND] * 3 + [EMBEDDED])
    ]
    assert (await store.views.get(TEAM, view_key(WEEKS[2]))).version == 0, "nobody asked for that week"

    first = await summarize(store, KB, TEAM, WEEK, 3)

    assert (first.trend[2].placed, mix(first.trend[2])) == (4, {"rnd": 75, "embedded": 25})
    saved = await store.views.get(TEAM, view_key(WEEKS[2]))
    assert saved.version == 1 and set(saved.shown["all"]) == set(flows)

    await store.forget_user(TEAM, "U3")  # the one whose best fit was embedded
    after = await summarize(store, KB, TEAM, WEEK, 3)

    assert not after.trend[2].visible, "three of the four would show 100% R&D: the forgotten one's answer"
    assert after.trend[2].mix == ()
    assert (await store.views.get(TEAM, view_key(WEEKS[2]))).version == 1


async def test_a_summary_that_settles_saves_no_view_twice(store: Store) -> None:
    for n in range(3):
        await diagnosed(store, f"U{n}", EMBEDDED, week=6)

    await summarize(store, KB, TEAM, WEEK, 3)
    versions = [(await store.views.get(TEAM, view_key(week))).version for week in WEEKS]
    await summarize(store, KB, TEAM, WEEK, 3)

    assert [(await store.views.get(TEAM, view_key(week))).version for week in WEEKS] == versions
    assert versions[6] == 1
