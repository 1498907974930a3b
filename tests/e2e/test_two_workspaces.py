"""Isolation, proven: two workspaces installed with "Add to Slack" use every feature side by side.

Acme (T1001) and Globex (T2002) install mlorg through the OAuth flow against the fake Slack and
get distinct tokens. Their people and channels carry their own prefix (UA…/CA… and UB…/CB…) and
their data differs on purpose (how many people, which archetypes, who got the quiz right), so a
leak would show as a foreign id in a message or as a wrong figure. What Slack received is the
evidence: every call is filed under the workspace whose token (or response_url) it used, and
none of one workspace's calls mentions the other's ids.

These tests share one module-wide run of every feature in both workspaces (``world``) and only
read what it left. What one workspace changes (forgetting someone, uninstalling, token rotation,
an org-wide install) is in ``test_two_workspaces_changes.py``, each on two fresh installs.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.cli import main
from bot.store import Store
from knowledge import load_knowledge
from tests.e2e.fake_oauth import FakeOAuth
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import RunningApp
from tests.e2e.test_diagnose import EMBEDDED, INDEPENDENT, ML_FIRST, view_text
from tests.e2e.test_quiz import eventually
from tests.e2e.workspace_features import (
    ask_privately,
    diagnose_myself,
    diagnose_the_team,
    explain_and_share,
    leaderboard,
    mention,
    open_home,
    play_a_quiz,
    send_digests,
    summary_posted,
)
from tests.e2e.workspace_places import (
    Place,
    calls_by_workspace,
    close_platforms,
    install_both,
    leaks,
    open_platforms,
    start_app,
)

KB = load_knowledge()
MODULE = pytest.mark.asyncio(loop_scope="module")


def acme() -> Place:
    """Four people diagnosed (mostly embedded), the summary shows the thread's three; three quiz players, two right."""
    return Place(
        team="T1001",
        name="Acme",
        letter="A",
        topic="embedded",
        answers=EMBEDDED,
        team_answers=(EMBEDDED, EMBEDDED, ML_FIRST),
        quiz_plan={"UA0P1": True, "UA0P2": True, "UA0P3": False},
        headline="3 people diagnosed, leading archetype Product-embedded (2 of 3); 3 quiz answers, 67% right",
        best_fits={"embedded": 2, "ml_first": 1},
        standings=(
            "1. <@UA0P1>: *1* right of 1 (1 quiz)",
            "1. <@UA0P2>: *1* right of 1 (1 quiz)",
            "3. <@UA0P3>: *0* right of 1 (1 quiz)",
        ),
    )


def globex() -> Place:
    """Seven people diagnosed (mostly independent), the summary shows the thread's six; four quiz players, one right."""
    return Place(
        team="T2002",
        name="Globex",
        letter="B",
        topic="independent",
        answers=INDEPENDENT,
        team_answers=(INDEPENDENT, INDEPENDENT, INDEPENDENT, INDEPENDENT, ML_FIRST, ML_FIRST),
        quiz_plan={"UB0P1": False, "UB0P2": True, "UB0P3": False, "UB0P4": False},
        headline="6 people diagnosed, leading archetype Independent ML division (4 of 6); 4 quiz answers, 25% right",
        best_fits={"independent": 4, "ml_first": 2},
        standings=(
            "1. <@UB0P2>: *1* right of 1 (1 quiz)",
            "2. <@UB0P1>: *0* right of 1 (1 quiz)",
            "2. <@UB0P3>: *0* right of 1 (1 quiz)",
            "2. <@UB0P4>: *0* right of 1 (1 quiz)",
        ),
    )


class World:
    """The app, the fake Slack with its OAuth side, and the two places installed there."""

    def __init__(
        self, app: RunningApp, fake: FakeSlack, oauth: FakeOAuth, places: tuple[Place, Place]
    ) -> None:
        self.app = app
        self.fake = fake
        self.oauth = oauth
        self.places = places

    @property
    def store(self) -> Store:
        assert self.app.mlorg is not None
        return self.app.mlorg.store


def operator_shell(monkeypatch: pytest.MonkeyPatch, app: RunningApp, workdir: Path) -> None:
    """The operator's terminal: the app's DATABASE_URL and nothing else (no .env, no Slack secrets)."""
    for key in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "MLORG_ADMINS",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("DATABASE_URL", app.settings.database_url or "")


# -- every feature, in both ------------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """Both workspaces installed, then every feature used in both: built once for the module."""
    oauth = FakeOAuth()
    fake = FakeSlack()
    oauth.attach(fake)
    await fake.start()
    places = (acme(), globex())
    app = await start_app(fake, oauth, tmp_path_factory.mktemp("two-workspaces"))
    try:
        await install_both(app, oauth, places)
        await open_platforms(app, fake, places)
        world = World(app, fake, oauth, places)
        store = world.store
        # Feature by feature, first in one workspace and then in the other, so that whatever
        # one leaves behind (a cache, a conversation, a client) is there when the other asks.
        for place in places:
            place.seen["card"] = await explain_and_share(place, fake)
        for place in places:
            place.seen["result"] = await diagnose_myself(place, fake)
        for place in places:
            place.seen["team"] = await diagnose_the_team(place, fake, store)
        for place in places:
            place.seen["scoreboard"] = await play_a_quiz(place, fake, store)
        for place in places:
            place.seen["leaderboard"] = await leaderboard(place)
        for place in places:
            place.seen["answer"] = await ask_privately(
                place, fake, "ask how many design dimensions are there?", user=place.me
            )
        for n, place in enumerate(places):
            place.seen["mention"] = await mention(
                place, fake, "what goes wrong when ML sits in the R&amp;D lab?", ts=f"1700000001.00000{n}"
            )
        for place in places:
            place.seen["preview"], place.seen["summary"] = await summary_posted(place, fake)
        for place in places:
            place.seen["home"] = await open_home(place, fake)
        for team, post in (await send_digests(app, fake, places)).items():
            next(p for p in places if p.team == team).seen["digest"] = post

        async def all_delivered() -> bool:  # later tests compare rows: nothing may still move
            items = await store.outbox.items(("pending", "delivering", "delivered", "failed"))
            return len(items) == 4 and all(i.status == "delivered" for i in items)

        await eventually(all_delivered, "the summaries and digests to be marked delivered")
        yield world
    finally:
        await close_platforms(places)
        await app.stop()
        await fake.stop()


@MODULE
async def test_every_call_carries_its_own_workspaces_token_and_mentions_nothing_of_the_other(
    world: World,
) -> None:
    acme_place, globex_place = world.places
    grouped = calls_by_workspace(world.fake, world.oauth, world.places)

    assert "?" not in grouped, [(c.method, c.token) for c in grouped.get("?", [])]
    for place, other in ((acme_place, globex_place), (globex_place, acme_place)):
        mine = grouped[place.team]
        methods = {c.method for c in mine}
        assert {"chat.postMessage", "views.open", "views.update", "views.publish", place.reply} <= methods
        assert {c.token for c in mine if c.token} == {world.oauth.token_of(place.team)}
        found = {(c.method, leak) for c in mine for leak in leaks(c, other)}
        assert found == set(), f"{place.name}'s calls mention {other.name}'s ids"
        assert any(place.channel("CARD") in str(c.args) for c in mine), "the scan saw the place's own ids"
        # Nor the other's figures: its headline (people, leading archetype) is nowhere in ours.
        figures = other.headline.split(";")[0]
        assert [c.method for c in mine if figures in c.text] == []
        assert any(place.headline.split(";")[0] in c.text for c in mine)


@MODULE
async def test_each_workspaces_team_summary_scoreboard_and_leaderboard_count_only_its_own_people(
    world: World,
) -> None:
    for place in world.places:
        team = place.seen["team"]
        assert f"Team diagnosis: {len(place.members)} people" in team
        scoreboard = place.seen["scoreboard"].text
        right = [p for p, ok in place.quiz_plan.items() if ok]
        assert f"({len(place.quiz_plan) - len(right)} of {len(place.quiz_plan)} got it wrong)" in scoreboard
        assert all(f"<@{p}>" in scoreboard for p in place.quiz_plan)
        assert list(place.seen["leaderboard"]) == list(place.standings)


@MODULE
async def test_each_workspaces_summary_and_digest_report_only_its_own_figures(world: World) -> None:
    for place in world.places:
        preview, post, digest = (place.seen[k].text for k in ("preview", "summary", "digest"))
        assert place.headline in preview and place.headline in post, post[:300]
        assert f"Posting sends it to <#{place.channel('LEAD')}>" in preview
        assert place.headline in digest, digest[:300]  # the same people and answers, last week
        assert f"({place.people} people placed)" in digest
        names = {a.id: a.short_name for a in KB.archetypes}
        for archetype, count in place.best_fits.items():
            assert f"{count}  {names[archetype]}" in post and f"{count}  {names[archetype]}" in digest
        others = {names[a] for a in names} - {names[a] for a in place.best_fits}
        shown = [line for line in post.splitlines() if line.startswith("`")]
        assert not [line for line in shown if any(line.endswith(f"  {o}") for o in others)], shown


@MODULE
async def test_the_home_tab_and_private_answers_reach_only_the_workspaces_own_people(world: World) -> None:
    for place in world.places:
        home = place.seen["home"]
        assert home.token == world.oauth.token_of(place.team)
        assert home.args["user_id"] == place.me and "Five archetypes" in home.text
        answer = place.seen["answer"]
        assert answer.method == place.reply and answer.args.get("response_type") == "ephemeral"
        assert all(d.short_name in answer.text or d.name in answer.text for d in KB.dimensions)
        rnd = KB.get("rnd")
        assert rnd is not None and any(c in place.seen["mention"].text for c in rnd.challenges)
        assert place.seen["mention"].token == world.oauth.token_of(place.team)
        topic = KB.get(place.topic)
        assert topic is not None
        assert f"Your result: {topic.short_name}" in view_text(place.seen["result"])
        assert f"Shared by <@{place.me}>" in place.seen["card"].text


@MODULE
async def test_the_export_writes_each_workspaces_own_figures_in_its_own_files(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    operator_shell(monkeypatch, world.app, tmp_path)
    out = tmp_path / "export"

    code = await asyncio.to_thread(main, ["export", "--out", str(out)])

    assert code == 0, capsys.readouterr().err
    everything = {path.name: path.read_text(encoding="utf-8") for path in out.iterdir()}
    for place, other in (world.places, world.places[::-1]):
        [week] = list(csv.DictReader(everything[f"{place.team}-diagnoses.csv"].splitlines()))
        assert week["people"] == str(place.people)
        assert {
            a.id: int(week[f"best_fit_{a.id}"]) for a in KB.archetypes if week[f"best_fit_{a.id}"] != "0"
        } == dict(place.best_fits)
        [question] = list(csv.DictReader(everything[f"{place.team}-quiz.csv"].splitlines()))
        right = sum(place.quiz_plan.values())
        assert (question["answers"], question["correct"]) == (str(len(place.quiz_plan)), str(right))
        mine = everything[f"{place.team}-diagnoses.csv"] + everything[f"{place.team}-quiz.csv"]
        assert not [i for i in other.ids() | place.ids() if i in mine], "an export names people or places"
