"""Isolation, proven, when one workspace changes something: the other is untouched.

Acme and Globex (see ``test_two_workspaces.py``) are installed afresh through the OAuth flow for
each test, since each of these changes what the others would read: forgetting a person,
uninstalling (with a grace period, and without), token rotation in background work, and an
org-wide install on Enterprise Grid serving two workspaces of the org.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.store import SLACK_BOTS, SLACK_INSTALLATIONS
from tests.e2e.fake_oauth import FakeOAuth
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import SIGNING_SECRET, RunningApp
from tests.e2e.oauth_browser import Browser, install
from tests.e2e.test_fuzz import rows_of
from tests.e2e.test_quiz import eventually
from tests.e2e.test_two_workspaces import World, acme, globex, operator_shell
from tests.e2e.workspace_features import (
    ask_privately,
    diagnose_myself,
    explain_and_share,
    leaderboard,
    play_a_quiz,
    summary_posted,
)
from tests.e2e.workspace_places import (
    GridPlatform,
    Place,
    close_platforms,
    install_both,
    leaks,
    open_platforms,
    start_app,
)


@pytest.fixture
async def fresh(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[World]]]:
    """``await fresh(rotation=..., **settings)``: the app started and both workspaces installed."""
    started: list[World] = []

    async def start(*, rotation: bool = False, **overrides: Any) -> World:
        oauth = FakeOAuth()
        oauth.rotation = rotation
        oauth.expires_in = 60  # inside the app's refresh margin: every use refreshes first
        fake = FakeSlack()
        oauth.attach(fake)
        await fake.start()
        places = (acme(), globex())
        database = tmp_path / f"app{len(started)}"
        database.mkdir()
        app = await start_app(fake, oauth, database, **overrides)
        made = World(app, fake, oauth, places)
        started.append(made)
        await install_both(app, oauth, places)
        await open_platforms(app, fake, places)
        return made

    yield start
    for made in started:
        await close_platforms(made.places)
        await made.app.stop()
        await made.fake.stop()


def leaks_row(row: tuple[Any, ...], other: Place) -> list[str]:
    """The ids of ``other`` found in a stored row."""
    return [i for i in other.ids() if i in repr(row)]


async def test_forget_me_in_one_workspace_removes_the_person_there_and_nothing_of_the_other(
    fresh: Callable[..., Awaitable[World]],
) -> None:
    world = await fresh()
    acme_place, globex_place = world.places
    for place in world.places:  # the same things done by "ME" in both, under different ids
        await explain_and_share(place, world.fake)
        await diagnose_myself(place, world.fake)
        await ask_privately(place, world.fake, "ask what goes wrong in an R&D lab?", user=place.me)
        await play_a_quiz(place, world.fake, world.store)
    globex_before = await rows_of(world.app, globex_place.team)
    acme_before = await rows_of(world.app, acme_place.team)
    assert any(acme_place.me in repr(rows) for rows in acme_before.values())

    answer = await acme_place.platform.command(
        "forget me", user=acme_place.me, channel=acme_place.channel("CARD")
    )

    assert answer.status == 200 and "deleted 1 diagnosis" in answer.text, answer.text
    acme_after = await rows_of(world.app, acme_place.team)
    assert not [t for t, rows in acme_after.items() if acme_place.me in repr(rows)]
    assert acme_after["quiz_answers"] == acme_before["quiz_answers"], "only what was theirs went"
    assert await rows_of(world.app, globex_place.team) == globex_before
    assert any(globex_place.me in repr(rows) for rows in globex_before.values())


async def uninstall(place: Place) -> None:
    """Slack's signed ``app_uninstalled`` event from the workspace."""
    assert (await place.platform.event({"type": "app_uninstalled"})).status == 200


async def tokens_of(fresh: World, team: str) -> tuple[int, int]:
    rows = await rows_of(fresh.app, team)
    return len(rows["slack_installations"]), len(rows["slack_bots"])


async def test_an_uninstall_removes_one_workspaces_tokens_at_once_and_a_reinstall_finds_its_data(
    fresh: Callable[..., Awaitable[World]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = await fresh()
    acme_place, globex_place = world.places
    for place in world.places:
        await play_a_quiz(place, world.fake, world.store)
    assert await tokens_of(world, acme_place.team) == (1, 1)

    await uninstall(acme_place)

    await eventually(lambda: _no_tokens(world, acme_place.team), "Acme's installation and bot token to go")
    assert await tokens_of(world, globex_place.team) == (1, 1)
    left = await world.store.installs.get(acme_place.team, "")
    stays = await world.store.installs.get(globex_place.team, "")
    assert left is not None and left.status == "uninstalled" and left.purge_after is not None
    assert stays is not None and stays.active and stays.purge_after is None
    operator_shell(monkeypatch, world.app, tmp_path)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["workspaces"]) == 0
    listed = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert " uninstalled " in listed[acme_place.team] and "Acme" in listed[acme_place.team]
    assert " active " in listed[globex_place.team] and "Globex" in listed[globex_place.team]
    assert (await rows_of(world.app, acme_place.team))["quizzes"], "the data stays for the grace period"
    before = len(world.fake.calls_to(acme_place.reply))
    refused = await acme_place.platform.command("leaderboard", user=acme_place.me, channel="CA0QUIZ")
    assert refused.status == 200 and "right of" not in refused.text
    notice = (await world.fake.wait_for(acme_place.reply, before + 1))[-1]
    assert "reinstall" in notice.text
    assert await leaderboard(globex_place) == list(globex_place.standings), "Globex is served as before"

    browser = Browser()
    try:
        await install(browser, world.app.base_url, world.oauth, acme_place.team, acme_place.name)
    finally:
        await browser.close()

    assert await leaderboard(acme_place) == list(acme_place.standings), "Acme's data is found again"
    back = await world.store.installs.get(acme_place.team, "")
    assert back is not None and back.active and back.purge_after is None, "the purge is called off"
    assert await tokens_of(world, acme_place.team) == (1, 1)


async def _no_tokens(world: World, team: str) -> bool:
    return await tokens_of(world, team) == (0, 0)


async def test_with_no_grace_period_an_uninstall_deletes_every_row_of_that_workspace_only(
    fresh: Callable[..., Awaitable[World]],
) -> None:
    world = await fresh(mlorg_retention_days_after_uninstall=0)
    acme_place, globex_place = world.places
    for place in world.places:
        await explain_and_share(place, world.fake)
        await diagnose_myself(place, world.fake)
        await play_a_quiz(place, world.fake, world.store)
    globex_before = await rows_of(world.app, globex_place.team)
    assert all(globex_before[t] for t in ("diagnosis_flows", "quizzes", "quiz_answers", "slack_bots"))

    await uninstall(acme_place)

    async def acme_gone() -> bool:
        return not [rows for rows in (await rows_of(world.app, acme_place.team)).values() if rows]

    await eventually(acme_gone, "every row of Acme's to go")
    assert await rows_of(world.app, globex_place.team) == globex_before
    assert await leaderboard(globex_place) == list(globex_place.standings)


async def test_with_token_rotation_background_work_refreshes_and_uses_each_workspaces_new_token(
    fresh: Callable[..., Awaitable[World]],
) -> None:
    world = await fresh(rotation=True)
    first = {place.team: world.oauth.token_of(place.team) for place in world.places}

    for place in world.places:  # the outbox posts on its own, with no request to authorize it
        await world.store.outbox.enqueue(
            place.team,
            f"summary:{place.team}",
            kind="summary",
            channel_id=place.channel("LEAD"),
            payload={"text": f"{place.name}'s summary"},
        )

    for place in world.places:
        [post] = await eventually(lambda p=place: world.fake.posts(p.channel("LEAD")), f"{place.name}'s post")
        assert post.text.startswith(f"{place.name}'s summary")
        assert first[place.team] in world.oauth.retired, f"{place.name}'s first token was refreshed"
        assert post.token == world.oauth.token_of(place.team) != first[place.team]
    refreshed = [
        c.args["refresh_token"] for c in world.fake.calls_to("oauth.v2.access") if c.args.get("refresh_token")
    ]
    assert sorted(token.split("-")[2] for token in refreshed) == ["T1001", "T2002"]


async def org_tokens(app: RunningApp, enterprise_id: str) -> int:
    """The org's rows in slack-sdk's installation and bot tables."""
    assert app.mlorg is not None
    async with app.mlorg.store.engine.connect() as connection:
        found = 0
        for table in (SLACK_INSTALLATIONS, SLACK_BOTS):
            query = select(func.count()).select_from(table).where(table.c.enterprise_id == enterprise_id)
            found += (await connection.execute(query)).scalar_one()
    return found


async def test_an_org_wide_install_answers_in_two_workspaces_of_the_org_and_keeps_their_data_apart(
    tmp_path: Path,
) -> None:
    oauth = FakeOAuth()
    fake = FakeSlack()
    oauth.attach(fake)
    await fake.start()
    # Two workspaces of one Enterprise Grid org, each with the people and quiz of its own.
    places = (acme(), globex())
    places[0].team, places[1].team = "T3001", "T3002"
    app = await start_app(fake, oauth, tmp_path)
    try:
        browser = Browser()
        try:
            page = await install(
                browser, app.base_url, oauth, None, None, enterprise_id="E0001", org_wide=True
            )
        finally:
            await browser.close()
        assert page.status == 200 and "every workspace of the organization" in page.text
        org_token = oauth.token_of("E0001")
        for place in places:
            place.slack = GridPlatform(
                app.url,
                SIGNING_SECRET,
                fake.response_url(place.team),
                team_id=place.team,
                enterprise_id="E0001",
            )
            await place.slack.__aenter__()
        assert app.mlorg is not None
        store = app.mlorg.store

        for place in places:
            await play_a_quiz(place, fake, store)
        for place in places:
            place.seen["shown"], place.seen["summary"] = await summary_posted(place, fake)

        for place, other in (places, places[::-1]):
            assert await leaderboard(place) == list(place.standings)
            stored = (await rows_of(app, place.team))["quiz_answers"]
            assert len(stored) == len(place.quiz_plan) and not [r for r in stored if leaks_row(r, other)]
            right = round(100 * sum(place.quiz_plan.values()) / len(place.quiz_plan))
            assert f"{len(place.quiz_plan)} quiz answers, {right}% right" in place.seen["summary"].text
            assert place.seen["summary"].token == org_token, (
                "the outbox found the org's token for the workspace"
            )
        for call in fake.calls:
            assert not (leaks(call, places[0]) and leaks(call, places[1])), (call.method, call.args)
        assert {c.token for c in fake.calls if c.method.startswith(("chat.", "views."))} == {org_token}

        # The org removes mlorg: Slack's event names the org alone (no workspace), and it still
        # counts, once: the org's tokens go at once, its workspaces' data after the grace period.
        uninstalled = places[0].slack.event_body({"type": "app_uninstalled"})
        uninstalled["team_id"] = None
        for _ in range(2):  # Slack's retry of the same event changes nothing more
            answer = await places[0].slack.send(json.dumps(uninstalled), "application/json")
            assert answer.status == 200, answer.body
        [org] = [i for i in await store.installs.list() if i.enterprise_id == "E0001"]
        assert (org.team_id, org.active) == ("", False) and org.purge_after is not None
        assert await org_tokens(app, "E0001") == 0, "the org-wide install's tokens are deleted at once"
        assert (await rows_of(app, places[0].team))["quiz_answers"], "its workspaces' data waits"
    finally:
        await close_platforms(places)
        await app.stop()
        await fake.stop()
