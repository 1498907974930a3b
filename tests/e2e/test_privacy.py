"""mlorg's privacy promises, tested the way an attacker would try to break them.

The attacker watches every view as answers arrive one at a time, forges button values,
cancels and then reads the database, asks to be forgotten in the middle of things and then
searches every table for their id, and exports a workspace with a single leader. Each test
fails if one of the promises in the README's "Privacy" section stops being true.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.store import Store, WorkspaceConfig
from bot.store.events import utc_now
from bot.store.tables import Base, DiagnosisFlowRow, OutboxRow, ProcessedEvent
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import RunningApp, make_settings, sqlite_url
from tests.e2e.slack_client import SlackPlatform, find_button
from tests.e2e.test_diagnose import (
    EMBEDDED,
    INDEPENDENT,
    ML_FIRST,
    click_through,
    open_diagnosis,
)
from tests.e2e.test_diagnose_team import (
    CONTRIBUTOR,
    LEADER,
    Invitation,
    invitation_says,
    invite,
    summary_text,
    take_part,
    updates_of,
)
from tests.e2e.test_summary import (
    ADMIN,
    PROFILES,
    TEAM,
    click,
    finish_diagnosis,
    outbox_items,
    play_quiz,
    posts_to,
    preview,
    store_of,
)

PEOPLE = re.compile(r"Team diagnosis: (\d+) people")
GAP = re.compile(r"Perception gap\* \((\d+) leaders, (\d+) contributors\)")
DIAGNOSED = re.compile(r"(\d+) people diagnosed")


@pytest.fixture(autouse=True)
def no_errors_logged() -> None:
    """Forged input is expected here; its friendly answers are asserted test by test."""


@pytest.fixture
async def app(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    running = await RunningApp(make_settings(fake_slack, sqlite_url(tmp_path), mlorg_admins=ADMIN)).start()
    yield running
    await running.stop()


async def rows_mentioning(store: Store, needle: str) -> list[tuple[str, str]]:
    """Every (table, column) in the whole database holding ``needle`` anywhere in its value."""
    found = []
    async with store.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column, value in row.items():
                    if value is not None and needle in str(value):
                        found.append((table.name, column))
    return found


def answered(n: int) -> str:
    return "1 person has answered" if n == 1 else f"{n} people have answered"


def drawings(fake: FakeSlack, invitation: Invitation) -> list[str]:
    """Every version of the thread's summary the channel has seen, in order."""
    return [invitation.thread.text, *(c.text for c in updates_of(fake, invitation.session.summary_ts))]


def people_in(view: str) -> str | None:
    match = PEOPLE.search(view)
    return match.group(1) if match else None


def assert_moves_by_groups(counts: Sequence[int | None], group: int = 3) -> None:
    """Consecutive figures are equal or at least ``group`` apart (None: not shown)."""
    shown = [c for c in counts if c is not None]
    for before, after in pairwise(shown):
        assert after == before or abs(after - before) >= group, counts


# -- watching the team thread ---------------------------------------------------------------------


async def test_a_team_summary_watched_answer_by_answer_never_moves_by_one_person(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    invitation = await invite(slack, fake_slack, app)
    profiles = (EMBEDDED, INDEPENDENT, ML_FIRST)
    seen: list[str] = []
    for n in range(9):
        user = f"U{n:02d}"
        await take_part(
            slack, fake_slack, user, invitation, profiles[n % 3], LEADER if n % 2 == 0 else CONTRIBUTOR
        )
        await invitation_says(fake_slack, invitation, answered(n + 1))
        await fake_slack.settle(0.05)
        seen.append(summary_text(fake_slack, invitation))

    views = drawings(fake_slack, invitation)
    people = [int(m.group(1)) if (m := PEOPLE.search(v)) else None for v in views]
    assert [p for p in people if p is not None][:1] == [3], "first drawn at three"
    assert_moves_by_groups(people)
    gaps = [GAP.search(v) for v in views]
    assert_moves_by_groups([int(g.group(1)) if g else None for g in gaps])
    assert_moves_by_groups([int(g.group(2)) if g else None for g in gaps])
    # Consecutive drawings that show the same people show the same figures.
    for before, after in pairwise(views):
        same_people = PEOPLE.search(before) and PEOPLE.search(after) and people_in(before) == people_in(after)
        assert not same_people or before == after
    # What a watcher saw after each answer: hidden twice, then only 3, 6, 9.
    watched = [m.group(1) if (m := PEOPLE.search(s)) else None for s in seen]
    assert watched == [
        None,
        None,
        "3",
        "3",
        "3",
        "6",
        "6",
        "6",
        "9",
    ]


async def test_the_team_summary_honours_a_minimum_group_of_ten(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await store_of(app).workspaces.save(TEAM, WorkspaceConfig(TEAM, min_group=10), updated_by=ADMIN)
    invitation = await invite(slack, fake_slack, app)
    assert "once at least 10 people have answered" in invitation.post.text

    for n in range(9):
        await take_part(slack, fake_slack, f"U{n:02d}", invitation, EMBEDDED, LEADER)
    await invitation_says(fake_slack, invitation, "9 people have answered")
    await fake_slack.settle(0.1)
    assert not any(PEOPLE.search(v) for v in drawings(fake_slack, invitation)), "shown below ten"

    await take_part(slack, fake_slack, "U09", invitation, EMBEDDED, LEADER)
    await invitation_says(fake_slack, invitation, "10 people have answered")
    await fake_slack.settle(0.1)
    assert "Team diagnosis: 10 people" in summary_text(fake_slack, invitation)


# -- watching the leadership summary ----------------------------------------------------------------


async def test_leadership_previews_asked_after_every_new_diagnosis_never_differ_by_one_person(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    store = store_of(app)
    kinds = list(PROFILES)
    counts: list[int | None] = []
    texts: list[str] = []
    for n in range(8):
        await finish_diagnosis(store, f"U{n:02d}", PROFILES[kinds[n % len(kinds)]])
        shown = await preview(slack, fake_slack)
        texts.append(shown.text)
        match = DIAGNOSED.search(shown.text)
        counts.append(int(match.group(1)) if match else None)

    assert counts == [None, None, 3, 3, 3, 6, 6, 6], counts
    assert_moves_by_groups(counts)
    # Asking again with the same people shown gives the same figures, word for word.
    headline = [t.split(" :eyes:")[0] for t in texts]
    assert headline[2] == headline[3] == headline[4] and headline[5] == headline[6] == headline[7]
    assert "took the diagnosis since these figures were first shown" in texts[3]


async def test_a_forged_post_value_posts_nothing_and_says_so(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    shown = await preview(slack, fake_slack)
    post = find_button(shown.blocks, "Post to")
    forged_values = [
        "ffffffffffff",  # a well-formed id that was never issued
        f"{post['value']}|C0OTHER|0001-01-01",  # the old value format with a period in year 1
        "1|C0LEAD|-999999999999",
        "../../etc/passwd",
        "x" * 2000,
    ]
    for value in forged_values:
        (reply,) = await click(slack, fake_slack, {**post, "value": value}, user=ADMIN)
        assert "Nothing was posted" in reply.text, reply.text

    await fake_slack.settle(0.2)
    assert [i for i in await outbox_items(store_of(app)) if i.status != "held"] == []
    assert posts_to(fake_slack, "C0LEAD") == []


# -- cancel and forget ---------------------------------------------------------------------------------


async def test_cancel_leaves_nothing_of_the_flow_in_any_table(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    me = "U0CANCEL"
    await open_diagnosis(slack, fake_slack, user=me)
    middle = await click_through(slack, fake_slack, me, EMBEDDED[:3])
    flow_id = str(middle["private_metadata"])

    cancelled = await click_through(slack, fake_slack, me, ["Cancel"])

    assert "Diagnosis cancelled" in str(cancelled)
    assert await rows_mentioning(store_of(app), flow_id) == []
    assert await rows_mentioning(store_of(app), me) == []


async def test_forget_me_in_the_middle_of_everything_leaves_the_id_in_no_table(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    me = "U0FORGET"
    store = store_of(app)
    # A running quiz they host, another they play, an open team session they started and
    # answered, a diagnosis half done and one finished, and a summary they asked to post.
    invitation = await invite(slack, fake_slack, app, by=me)
    await take_part(slack, fake_slack, me, invitation, EMBEDDED)
    await slack.command("quiz 3", user=me, channel="C0QUIZ")
    await play_quiz(store, {me: True, "U0OTHER": False}, channel="C0PLAYED")
    await finish_diagnosis(store, me, PROFILES["embedded"])
    await open_diagnosis(slack, fake_slack, user=me)
    await click_through(slack, fake_slack, me, EMBEDDED[:2])
    await store.outbox.enqueue(TEAM, "k1", kind="summary", channel_id="C0LEAD", payload={}, requested_by=me)
    await slack.command("ask what goes wrong in an R&D lab?", user=me)  # a private conversation
    await fake_slack.wait_for("response_url:r1")
    assert await rows_mentioning(store, me), "the set-up stored nothing to forget"

    response = await slack.command("forget me", user=me)

    assert await rows_mentioning(store, me) == []
    text = response.text
    assert "deleted 3 diagnoses (finished or not)" in text
    assert "deleted 1 team diagnosis answer" in text
    assert "deleted 2 quiz answers" in text
    assert "removed your name from 2 quizzes and team diagnoses still running" in text
    assert "admins can move it on or close it" in text
    # Hosting passed to the admins: one of them ends the quiz the forgotten host started.
    ended = await slack.command("quiz end", user=ADMIN, channel="C0QUIZ")
    assert ended.status == 200
    await fake_slack.settle(0.3)
    quiz = await store.quizzes.running_in(TEAM, "C0QUIZ")
    assert quiz is None, "an admin could not end a quiz whose host was forgotten"
    # Asking again is truthful about there being nothing left.
    again = await slack.command("forget me", user=me)
    assert "had nothing stored about you" in again.text


# -- retention ---------------------------------------------------------------------------------------


async def test_retention_deletes_old_event_ids_abandoned_flows_and_unposted_previews_even_across_a_restart(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    store = store_of(app)
    long_ago = utc_now() - timedelta(days=45)
    yesterday_and_more = utc_now() - timedelta(days=2)
    await finish_diagnosis(store, "U0DONE", PROFILES["embedded"])
    old_flow = await store.diagnoses.start(TEAM, "U0GONE", "C0001")
    await store.diagnoses.answer(TEAM, old_flow.flow_id, 0, "where_ml_happens", "product_teams")
    recent_flow = await store.diagnoses.start(TEAM, "U0BUSY", "C0001")
    await store.events.claim(TEAM, "Ev-old")
    await store.events.claim(TEAM, "Ev-new")
    await preview(slack, fake_slack)
    await preview(slack, fake_slack)
    [first, _] = sorted(await store.outbox.items(("held",)), key=lambda i: i.item_id)
    async with store.sessions.begin() as session:
        await session.execute(
            update(DiagnosisFlowRow)
            .where(DiagnosisFlowRow.flow_id == old_flow.flow_id)
            .values(updated_at=long_ago)
        )
        await session.execute(
            update(DiagnosisFlowRow).where(DiagnosisFlowRow.user_id == "U0DONE").values(updated_at=long_ago)
        )
        await session.execute(
            update(ProcessedEvent)
            .where(ProcessedEvent.event_id == "Ev-old")
            .values(received_at=yesterday_and_more)
        )
        await session.execute(
            update(OutboxRow).where(OutboxRow.item_id == first.item_id).values(created_at=yesterday_and_more)
        )

    await app.restart()  # the job runs at start-up, whatever it was doing before
    store = store_of(app)

    deadline = asyncio.get_running_loop().time() + 5
    while await store.diagnoses.get(TEAM, old_flow.flow_id) is not None:
        assert asyncio.get_running_loop().time() < deadline, "the abandoned flow was kept"
        await asyncio.sleep(0.02)
    assert await store.diagnoses.get(TEAM, recent_flow.flow_id) is not None
    assert len(await store.diagnoses.finished_since(TEAM, long_ago - timedelta(days=1))) == 1, (
        "a finished diagnosis is a result, not an abandoned flow"
    )
    assert await store.events.claim(TEAM, "Ev-old"), "an old event id was kept"
    assert not await store.events.claim(TEAM, "Ev-new"), "a fresh event id was pruned"
    kept = {i.item_id for i in await store.outbox.items(("held",))}
    assert len(kept) == 1 and first.item_id not in kept, "the day-old preview was kept"


# -- hostile input -------------------------------------------------------------------------------------


async def test_a_mention_of_forty_thousand_link_openers_is_cut_before_it_is_parsed(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    text = "<@UBOT> what is R&D? " + "<@" * 20_000
    response = await slack.event(
        {"type": "app_mention", "user": "U0LOUD", "text": text, "channel": "C0001", "ts": "1700000000.000100"}
    )

    assert response.status == 200
    [reply] = await fake_slack.wait_for("chat.postMessage")
    assert reply.args.get("thread_ts") == "1700000000.000100"
    assert len(reply.text) < 4000
