"""``/mlorg summary``, ``/mlorg config`` and ``/mlorg forget me``, end to end over signed HTTP.

Who may post to a leadership channel is decided by Slack (``users.info`` says admin or
owner) or by the operator (``MLORG_ADMINS``); everyone else is refused privately and
nothing reaches a channel or the outbox. An admin sees a private preview first and posts
it with a button; the post goes through the outbox, so it arrives exactly once however
often the button is clicked. The summary never breaks anything down for fewer than the
minimum group size. The tests read what the fake Slack received, as a person would.

The helpers at the top are shared with ``test_outbox_delivery.py`` and ``test_digests.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import update

from bot.features.quiz.engine import snapshot
from bot.features.summary import ids
from bot.store import OutboxItem, Store, WorkspaceConfig
from bot.store.tables import DiagnosisFlowRow
from knowledge import load_knowledge
from knowledge.quiz import QuestionBank, QuizItem
from knowledge.summary import Period
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.harness import RunningApp, make_settings, sqlite_url
from tests.e2e.slack_client import SlackPlatform, find_button

KB = load_knowledge()
TEAM = "T0001"
#: Named in MLORG_ADMINS.
ADMIN = "U0ADMIN"
#: A workspace admin: users.info says so (``fake.admins``).
OWNER = "U0OWNER"
#: Neither.
MEMBER = "U0MEMBER"
LEAD = "C0LEAD"
LEAD_REF = f"<#{LEAD}|leadership>"
REPLY = "response_url:r1"
WAIT = 10.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ALL_STATUSES = ("pending", "delivering", "delivered", "failed")
ARCHETYPE_NAMES = tuple(a.short_name for a in KB.archetypes)

#: Complete answers that place a person in one archetype each.
PROFILES: dict[str, dict[str, str]] = {
    "embedded": {
        "where_ml_happens": "product_teams",
        "data_access": "slow",
        "path_to_production": "builders_run_them",
        "talent": "hard_to_grow",
        "time_horizon": "quick_only",
        "leadership": "team_leads",
        "engineering_or_research": "engineering",
        "data_ownership": "pipelines_together",
    },
    "rnd": {
        "where_ml_happens": "research_lab",
        "data_access": "very_hard",
        "path_to_production": "rarely",
        "talent": "researchers",
        "time_horizon": "long_bets",
        "leadership": "small_budget",
        "engineering_or_research": "research",
        "data_ownership": "others_no_engineers",
    },
    "ml_first": {
        "where_ml_happens": "everywhere",
        "data_access": "easy",
        "path_to_production": "users_run_them",
        "talent": "top_talent",
        "time_horizon": "both",
        "leadership": "ceo",
        "engineering_or_research": "varies",
        "data_ownership": "ml_owns_infra",
    },
}


@pytest.fixture(autouse=True)
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Nothing reaches the global error handler: every expected problem is a friendly message."""
    caplog.set_level(logging.WARNING)
    yield
    # At teardown caplog.records holds only the teardown's records: read the test's own.
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.fixture
async def app(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    """The real app with one operator-named admin (``MLORG_ADMINS``)."""
    running = await RunningApp(make_settings(fake_slack, sqlite_url(tmp_path), mlorg_admins=ADMIN)).start()
    yield running
    await running.stop()


# -- helpers -----------------------------------------------------------------------------------------


def store_of(app: RunningApp) -> Store:
    assert app.mlorg is not None
    return app.mlorg.store


async def eventually(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Wait (bounded) until ``check()`` holds; fail with ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.01)


async def ask(slack: SlackPlatform, fake: FakeSlack, text: str, *, user: str, channel: str = "C0001") -> Call:
    """Type ``/mlorg <text>``: the ack is empty, the answer arrives on the response_url."""
    before = len(fake.calls_to(REPLY))
    response = await slack.command(text, user=user, channel=channel)
    assert response.status == 200, response
    replies = await fake.wait_for(REPLY, before + 1, timeout=WAIT)
    return replies[before]


async def click(
    slack: SlackPlatform, fake: FakeSlack, element: dict[str, Any], *, user: str, times: int = 1
) -> list[Call]:
    """Click a button in an ephemeral message ``times`` times at once; the replies on the response_url."""
    before = len(fake.calls_to(REPLY))
    responses = await asyncio.gather(*(slack.click(element, user=user) for _ in range(times)))
    assert all(r.status == 200 for r in responses), responses
    return (await fake.wait_for(REPLY, before + times, timeout=WAIT))[before:]


def posts_to(fake: FakeSlack, channel: str) -> list[Call]:
    return fake.posts(channel)


def item_id_of(post: Call) -> str:
    metadata = post.args.get("metadata") or {}
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    return str((metadata.get("event_payload") or {}).get("item_id") or "")


def accepted_with(fake: FakeSlack, item_id: str) -> list[dict[str, Any]]:
    """Messages Slack accepted (answered ok) that carry this outbox item's id."""
    return [
        m
        for m in fake.accepted
        if ((m.get("metadata") or {}).get("event_payload") or {}).get("item_id") == item_id
    ]


async def wait_posts(fake: FakeSlack, channel: str, count: int = 1, timeout: float = WAIT) -> list[Call]:
    await eventually(lambda: len(posts_to(fake, channel)) >= count, f"{count} post(s) to {channel}", timeout)
    return posts_to(fake, channel)


async def outbox_items(store: Store) -> list[OutboxItem]:
    return await store.outbox.items(ALL_STATUSES)


async def wait_status(
    store: Store, item_id: str, status: str, timeout: float = WAIT, *, team_id: str = TEAM
) -> OutboxItem:
    deadline = time.monotonic() + timeout
    while True:
        item = await store.outbox.get(team_id, item_id)
        if item is not None and item.status == status:
            return item
        if time.monotonic() > deadline:
            raise AssertionError(
                f"outbox item {item_id} is {item and item.status}, not {status}, after {timeout}s"
            )
        await asyncio.sleep(0.02)


async def preview(
    slack: SlackPlatform, fake: FakeSlack, target: str = LEAD_REF, *, user: str = ADMIN
) -> Call:
    """``/mlorg summary <target>`` as an admin: the private preview."""
    reply = await ask(slack, fake, f"summary {target}".strip(), user=user)
    assert reply.args.get("response_type") == "ephemeral", reply.args
    assert reply.blocks, f"no preview, only: {reply.text}"
    return reply


async def post_summary(
    slack: SlackPlatform, fake: FakeSlack, target: str = LEAD_REF, *, user: str = ADMIN
) -> Call:
    """Preview and click Post; returns the preview (delivery is the outbox worker's job)."""
    shown = await preview(slack, fake, target, user=user)
    (reply,) = await click(slack, fake, find_button(shown.blocks, "Post to"), user=user)
    assert "on its way" in reply.text, reply.text
    return shown


def preview_id(shown: Call) -> str:
    """The preview's id: all the Post button carries (the server stored what it will post)."""
    return str(find_button(shown.blocks, "Post to")["value"])


async def item_for_preview(store: Store, shown: Call) -> OutboxItem:
    items = [i for i in await outbox_items(store) if i.dedupe_key == f"summary:{preview_id(shown)}"]
    assert len(items) == 1, items
    return items[0]


async def finish_diagnosis(
    store: Store, user: str, answers: Mapping[str, str], *, channel: str = "C0TEAM"
) -> None:
    """Seed a finished diagnosis exactly as the flow stores one: start, one answer per step, finish."""
    flow = await store.diagnoses.start(TEAM, user, channel, resume=False)
    for step, (question, option) in enumerate(answers.items()):
        moved = await store.diagnoses.answer(TEAM, flow.flow_id, step, question, option)
        assert moved is not None
    assert await store.diagnoses.finish(TEAM, flow.flow_id) is not None


def quiz_items(count: int = 2) -> list[QuizItem]:
    """Authored questions about one topic, so that topic is the one people miss."""
    return list(QuestionBank(KB).about("rnd")[:count])


def wrong_option(item: QuizItem) -> str:
    return next(option for option, _ in item.options if option != item.answer)


async def play_quiz(
    store: Store, players: Mapping[str, bool], *, channel: str = "C0QUIZ", count: int = 2
) -> str:
    """A quiz of ``count`` questions; each player answers all of them, right (True) or wrong."""
    items = quiz_items(count)
    quiz, created = await store.quizzes.create(TEAM, channel, "U0HOST", [snapshot(i) for i in items])
    assert created
    for position, item in enumerate(items):
        for player, right in players.items():
            outcome = await store.quizzes.answer(
                TEAM, quiz.quiz_id, position, player, item.answer if right else wrong_option(item)
            )
            assert outcome.status == "recorded", outcome
        if position + 1 < len(items):
            assert await store.quizzes.advance(TEAM, quiz.quiz_id, position) is not None
    assert await store.quizzes.end(TEAM, quiz.quiz_id) is not None
    return quiz.quiz_id


def view_of(call: Call) -> dict[str, Any]:
    view = call.args.get("view") or {}
    return json.loads(view) if isinstance(view, str) else dict(view)


def config_submission(
    view: dict[str, Any],
    *,
    user: str = ADMIN,
    channels: tuple[str, ...] = (LEAD,),
    weekday: str = "0",
    at: str = "09:30",
    timezone: str = "Europe/Berlin",
    min_group: str = "4",
) -> dict[str, Any]:
    """The ``view_submission`` Slack sends when ``user`` presses Save in the modal the app opened.

    State values are keyed by the block and action ids the app drew, so the test fills in
    the form the app actually showed, not one it imagines.
    """
    chosen: dict[str, dict[str, Any]] = {
        "channels": {"selected_conversations": list(channels)},
        "weekday": {"selected_option": {"text": {"type": "plain_text", "text": weekday}, "value": weekday}},
        "time": {"selected_time": at},
        "timezone": {"value": timezone},
        "min_group": {"value": min_group},
    }
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        element = block["element"]
        values[block["block_id"]] = {
            element["action_id"]: {"type": element["type"], **chosen[block["block_id"]]}
        }
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "trigger_id": "12345.1.trigger",
        "view": {
            **view,
            "id": "VCONFIG",
            "team_id": TEAM,
            "state": {"values": values},
            "hash": "1700000000.abcdef",
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }


async def open_config(slack: SlackPlatform, fake: FakeSlack, *, user: str = ADMIN) -> dict[str, Any]:
    before = len(fake.calls_to("views.open"))
    response = await slack.command("config", user=user)
    assert response.status == 200 and response.body == "", response
    opened = await fake.wait_for("views.open", before + 1, timeout=WAIT)
    return view_of(opened[before])


# -- who may do it -----------------------------------------------------------------------------------


async def test_a_member_asking_for_a_summary_is_refused_privately_and_nothing_is_posted(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    reply = await ask(slack, fake_slack, f"summary {LEAD_REF}", user=MEMBER)

    assert reply.args.get("response_type") == "ephemeral"
    assert "Only workspace admins and owners" in reply.text
    assert "MLORG_ADMINS" in reply.text
    assert [c.args.get("user") for c in fake_slack.calls_to("users.info")] == [MEMBER]
    await fake_slack.settle()
    assert fake_slack.posts() == []
    assert await outbox_items(store_of(app)) == []


async def test_a_member_opening_the_settings_is_refused_privately_and_no_modal_opens(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    reply = await ask(slack, fake_slack, "config", user=MEMBER)

    assert reply.args.get("response_type") == "ephemeral"
    assert "Only workspace admins and owners" in reply.text
    await fake_slack.settle()
    assert fake_slack.calls_to("views.open") == []
    assert fake_slack.posts() == []
    assert (await store_of(app).workspaces.get(TEAM)).updated_at is None


async def test_a_member_clicking_an_admins_post_button_is_refused_and_nothing_is_posted(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    shown = await preview(slack, fake_slack)

    (reply,) = await click(slack, fake_slack, find_button(shown.blocks, "Post to"), user=MEMBER)

    assert "Only workspace admins and owners" in reply.text
    assert reply.args.get("replace_original") is False
    await fake_slack.settle()
    assert fake_slack.posts() == []
    assert await outbox_items(store_of(app)) == []


async def test_an_mlorg_admin_is_allowed_without_asking_slack(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    shown = await preview(slack, fake_slack, user=ADMIN)

    assert find_button(shown.blocks, "Post to #leadership")
    assert fake_slack.calls_to("users.info") == []


async def test_a_workspace_admin_according_to_users_info_is_allowed(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    fake_slack.admins.add(OWNER)

    shown = await preview(slack, fake_slack, user=OWNER)
    await post_summary(slack, fake_slack, user=OWNER)

    assert find_button(shown.blocks, "Post to #leadership")
    assert OWNER in [c.args.get("user") for c in fake_slack.calls_to("users.info")]
    (post,) = await wait_posts(fake_slack, LEAD)
    assert "mlorg summary" in post.text


# -- preview and post ----------------------------------------------------------------------------------


async def test_the_preview_is_private_and_offers_to_post_to_the_named_channel(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    shown = await preview(slack, fake_slack)

    assert shown.args["response_type"] == "ephemeral"
    assert "Preview, only you can see this" in shown.text
    assert f"<#{LEAD}>" in shown.text
    button = find_button(shown.blocks, "Post to #leadership")
    assert button["action_id"] == ids.POST
    find_button(shown.blocks, "Discard")
    await fake_slack.settle()
    assert fake_slack.posts() == [], "a preview must not post anything"
    assert await outbox_items(store_of(app)) == []


async def test_clicking_post_delivers_the_summary_once_to_the_leadership_channel_even_when_double_clicked(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    shown = await preview(slack, fake_slack)
    button = find_button(shown.blocks, "Post to #leadership")

    replies = await click(slack, fake_slack, button, user=ADMIN, times=2)
    (post,) = await wait_posts(fake_slack, LEAD)
    (late,) = await click(slack, fake_slack, button, user=ADMIN)
    await fake_slack.settle(0.8)  # longer than the worker's polling interval

    assert len(posts_to(fake_slack, LEAD)) == 1
    assert fake_slack.posts() == [post]
    assert "mlorg summary" in post.text
    assert all(f"<#{LEAD}>" in r.text for r in replies)
    assert "was already sent" in late.text
    item = await item_for_preview(store_of(app), shown)
    assert item_id_of(post) == item.item_id
    delivered = await wait_status(store_of(app), item.item_id, "delivered")
    assert delivered.kind == "summary" and delivered.requested_by == ADMIN
    assert delivered.channel_id == LEAD and delivered.message_ts


async def test_discard_deletes_the_preview_and_posts_nothing(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    shown = await preview(slack, fake_slack)

    (reply,) = await click(slack, fake_slack, find_button(shown.blocks, "Discard"), user=ADMIN)

    assert reply.args.get("delete_original") is True
    await fake_slack.settle()
    assert fake_slack.posts() == []
    assert await outbox_items(store_of(app)) == []


async def test_without_a_named_or_configured_channel_the_admin_gets_a_hint(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    reply = await ask(slack, fake_slack, "summary", user=ADMIN)

    assert reply.args.get("response_type") == "ephemeral"
    assert "No leadership channel is set" in reply.text
    assert "/mlorg summary #leadership" in reply.text and "/mlorg config" in reply.text
    assert not reply.blocks


async def test_the_configured_leadership_channel_is_used_when_none_is_named(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    await store_of(app).workspaces.save(
        TEAM, WorkspaceConfig(TEAM, leadership_channels=("C0BOARD", "C0OTHER")), updated_by=ADMIN
    )

    shown = await preview(slack, fake_slack, "")
    await click(slack, fake_slack, find_button(shown.blocks, "Post to"), user=ADMIN)

    assert "<#C0BOARD>" in shown.text
    find_button(shown.blocks, "Post to the leadership channel")
    (post,) = await wait_posts(fake_slack, "C0BOARD")
    assert "mlorg summary" in post.text
    await fake_slack.settle()
    assert fake_slack.posts() == [post]


async def test_a_named_channel_wins_over_the_configured_one(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    await store_of(app).workspaces.save(
        TEAM, WorkspaceConfig(TEAM, leadership_channels=("C0BOARD",)), updated_by=ADMIN
    )

    await post_summary(slack, fake_slack, LEAD_REF)

    await wait_posts(fake_slack, LEAD)
    await fake_slack.settle()
    assert posts_to(fake_slack, "C0BOARD") == []


async def test_text_that_is_not_a_channel_is_answered_kindly_and_escaped(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    reply = await ask(slack, fake_slack, "summary <!channel> & #leadership", user=ADMIN)

    assert reply.args.get("response_type") == "ephemeral"
    assert "couldn't read" in reply.text
    assert "&lt;!channel&gt; &amp; #leadership" in reply.text
    assert "<!channel>" not in reply.text
    assert "/mlorg summary #leadership" in reply.text
    await fake_slack.settle()
    assert fake_slack.posts() == []
    assert await outbox_items(store_of(app)) == []


# -- what the summary says ---------------------------------------------------------------------------


async def test_three_finished_diagnoses_show_the_distribution_and_disagreement_in_preview_and_post(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    store = store_of(app)
    for user, profile in (("U0A", "embedded"), ("U0B", "embedded"), ("U0C", "rnd")):
        await finish_diagnosis(store, user, PROFILES[profile])

    shown = await preview(slack, fake_slack)
    await click(slack, fake_slack, find_button(shown.blocks, "Post to"), user=ADMIN)
    (post,) = await wait_posts(fake_slack, LEAD)

    for text in (shown.text, post.text):
        assert "Where the organization stands* (3 people placed)" in text
        assert "Product-embedded" in text and "R&D" in text
        assert "Where people disagree" in text
        assert any(word in text for word in ("aligned", "some disagreement", "strong disagreement"))
        assert "Recommended focus" in text
        assert "No diagnoses in the previous period to compare with." in text
        for user in ("U0A", "U0B", "U0C"):
            assert user not in text, "a summary must never name anyone"


async def test_two_finished_diagnoses_are_counted_but_never_broken_down(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    store = store_of(app)
    await finish_diagnosis(store, "U0A", PROFILES["embedded"])
    await finish_diagnosis(store, "U0B", PROFILES["rnd"])

    shown = await preview(slack, fake_slack)

    assert "2 people took the diagnosis; the breakdown appears from 3." in shown.text
    assert "Where the organization stands" not in shown.text
    assert "Where people disagree" not in shown.text
    for name in ARCHETYPE_NAMES:
        assert name not in shown.text, f"{name} shown for 2 people"


async def test_a_configured_minimum_group_of_four_hides_what_three_would_show(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    store = store_of(app)
    for user in ("U0A", "U0B", "U0C"):
        await finish_diagnosis(store, user, PROFILES["embedded"])
    await store.workspaces.save(TEAM, WorkspaceConfig(TEAM, min_group=4), updated_by=ADMIN)

    shown = await preview(slack, fake_slack)

    assert "3 people took the diagnosis; the breakdown appears from 4." in shown.text
    assert "Where the organization stands" not in shown.text
    assert "fewer than 4 people" in shown.text


async def test_quiz_answers_from_three_players_show_participation_and_the_most_missed_topic(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    await play_quiz(store_of(app), {"U0A": False, "U0B": False, "U0C": True})
    topic = KB.get(quiz_items()[0].topic)
    assert topic is not None

    shown = await preview(slack, fake_slack)

    assert "6 quiz answers from 3 people, 33% right" in shown.text
    assert f"Most missed: {topic.short_name} (67% missed)" in shown.text
    assert "/mlorg diagnose team" in shown.text, "with no diagnoses yet, it suggests how to start one"


async def test_quiz_answers_from_two_players_are_counted_without_results(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    await play_quiz(store_of(app), {"U0A": False, "U0B": True})

    shown = await preview(slack, fake_slack)

    assert "quiz results appear from 3 players" in shown.text
    assert "Most missed" not in shown.text
    assert "% right" not in shown.text


async def test_with_no_data_the_summary_says_so_and_suggests_how_to_start(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    shown = await preview(slack, fake_slack)

    assert "no diagnoses or quiz answers yet" in shown.text
    assert "Nobody has taken a diagnosis or played a quiz yet" in shown.text
    assert "/mlorg diagnose team" in shown.text
    assert "/mlorg quiz" in shown.text


# -- settings ----------------------------------------------------------------------------------------


async def test_config_opens_the_settings_modal_and_saving_it_stores_and_confirms_the_settings(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    view = await open_config(slack, fake_slack)

    assert view["callback_id"] == ids.CONFIG_VIEW
    assert view["private_metadata"] == "C0001"
    assert {b["block_id"] for b in view["blocks"]} == {"channels", "weekday", "time", "timezone", "min_group"}

    response = await slack.interact(config_submission(view, channels=(LEAD, "C0BOARD")))

    assert response.status == 200
    assert response.json.get("response_action") != "errors", response.body
    (confirmation,) = await fake_slack.wait_for("chat.postEphemeral", timeout=WAIT)
    assert confirmation.args["channel"] == "C0001" and confirmation.args["user"] == ADMIN
    assert "settings saved" in confirmation.text
    assert "every Monday at 09:30 (Europe/Berlin)" in confirmation.text
    assert f"<#{LEAD}>, <#C0BOARD>" in confirmation.text
    saved = await store_of(app).workspaces.get(TEAM)
    assert saved.leadership_channels == (LEAD, "C0BOARD")
    assert (saved.digest_weekday, saved.digest_time, saved.digest_timezone) == (0, "09:30", "Europe/Berlin")
    assert saved.min_group == 4 and saved.updated_by == ADMIN

    reopened = await open_config(slack, fake_slack)
    channels = next(b for b in reopened["blocks"] if b["block_id"] == "channels")
    assert channels["element"]["initial_conversations"] == [LEAD, "C0BOARD"]


async def test_an_unknown_time_zone_is_shown_under_its_field_and_nothing_is_saved(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    view = await open_config(slack, fake_slack)

    response = await slack.interact(config_submission(view, timezone="Mars/Olympus_Mons"))

    assert response.status == 200
    assert response.json["response_action"] == "errors"
    assert set(response.json["errors"]) == {"timezone"}
    await fake_slack.settle()
    assert fake_slack.calls_to("chat.postEphemeral") == []
    assert (await store_of(app).workspaces.get(TEAM)).updated_at is None


@pytest.mark.parametrize("value", ["2", "51", "1000000", "ten"])
async def test_a_minimum_group_outside_three_to_fifty_is_refused_and_nothing_is_saved(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform, value: str
) -> None:
    view = await open_config(slack, fake_slack)

    response = await slack.interact(config_submission(view, min_group=value))

    assert response.json["response_action"] == "errors"
    assert "a whole number from 3 to 50" in response.json["errors"]["min_group"]
    await fake_slack.settle()
    assert (await store_of(app).workspaces.get(TEAM)).updated_at is None


async def test_settings_the_database_cannot_save_keep_the_modal_open_and_say_so(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    """The submission's ack closes the modal, so it comes only once the settings are stored."""
    view = await open_config(slack, fake_slack)
    store = store_of(app)
    async with store.engine.begin() as connection:  # the settings table goes missing
        await connection.execute(
            sqlalchemy.text("ALTER TABLE workspace_settings RENAME TO workspace_settings_away")
        )
    try:
        response = await slack.interact(config_submission(view))
    finally:
        async with store.engine.begin() as connection:
            await connection.execute(
                sqlalchemy.text("ALTER TABLE workspace_settings_away RENAME TO workspace_settings")
            )

    assert response.status == 200
    assert response.json["response_action"] == "errors"
    assert "couldn't save these settings" in response.json["errors"]["channels"]
    await fake_slack.settle()
    assert fake_slack.calls_to("chat.postEphemeral") == []
    assert (await store.workspaces.get(TEAM)).updated_at is None


async def test_a_settings_submission_from_a_member_is_refused_and_nothing_is_saved(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    view = await open_config(slack, fake_slack)

    response = await slack.interact(config_submission(view, user=MEMBER))

    assert response.json["response_action"] == "errors"
    await fake_slack.settle()
    assert (await store_of(app).workspaces.get(TEAM)).updated_at is None
    assert fake_slack.calls_to("chat.postEphemeral") == []


# -- forget me ---------------------------------------------------------------------------------------


async def test_forget_me_deletes_what_was_stored_about_the_person_says_what_and_keeps_the_others(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    store = store_of(app)
    me, other = "U0FORGET", "U0STAYS"
    await finish_diagnosis(store, me, PROFILES["embedded"])
    await store.diagnoses.start(TEAM, me, "C0TEAM", resume=False)  # an unfinished one
    await finish_diagnosis(store, other, PROFILES["rnd"])
    session = await store.diagnoses.open_session(TEAM, "C0TEAM", other)
    await store.diagnoses.record_response(TEAM, session.session_id, me, PROFILES["embedded"], "leader")
    await store.diagnoses.record_response(TEAM, session.session_id, other, PROFILES["rnd"], None)
    quiz_id = await play_quiz(store, {me: False, other: True})

    response = await slack.command("forget me", user=me)

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert (
        "mlorg deleted 2 diagnoses (finished or not); deleted 1 team diagnosis answer; "
        "deleted 2 quiz answers." in response.text
    )
    assert [f.user_id for f in await store.diagnoses.finished_since(TEAM, EPOCH)] == [other]
    assert await store.diagnoses.active_flow(TEAM, me, None) is None
    assert [r.user_id for r in await store.diagnoses.responses(TEAM, session.session_id)] == [other]
    answers = await store.quizzes.answers(TEAM, quiz_id)
    assert {a.user_id for a in answers} == {other} and len(answers) == 2

    again = await slack.command("forget me", user=me)
    assert "nothing stored about you" in again.text


async def test_forget_without_me_explains_how_to_ask(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    await finish_diagnosis(store_of(app), "U0KEEP", PROFILES["rnd"])

    response = await slack.command("forget everyone", user="U0KEEP")

    assert "/mlorg forget me" in response.text
    assert len(await store_of(app).diagnoses.finished_since(TEAM, EPOCH)) == 1


async def test_forget_me_removes_the_persons_id_from_what_they_host_running_or_ended(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    store = store_of(app)
    host = "U0HOST"
    ended, _ = await store.quizzes.create(TEAM, "C0ENDED", host, [snapshot(i) for i in quiz_items(1)])
    await store.quizzes.end(TEAM, ended.quiz_id)
    running, _ = await store.quizzes.create(TEAM, "C0LIVE", host, [snapshot(i) for i in quiz_items(1)])
    closed = await store.diagnoses.open_session(TEAM, "C0TEAM", host)
    await store.diagnoses.close_session(TEAM, closed.session_id)
    await store.outbox.enqueue(
        TEAM, "k1", kind="summary", channel_id="C0LEAD", payload={"text": "x"}, requested_by=host
    )

    response = await slack.command("forget me", user=host)

    assert "removed your name from 1 quiz or team diagnosis still running" in response.text
    assert "the workspace's admins can move it on or close it now" in response.text
    assert (
        "removed your name from 3 finished quizzes, team diagnoses, summaries and settings" in response.text
    )
    forgotten_quiz = await store.quizzes.get(TEAM, ended.quiz_id)
    assert forgotten_quiz is not None and forgotten_quiz.host_id == ""
    live = await store.quizzes.get(TEAM, running.quiz_id)
    assert live is not None and live.host_id == ""  # hosting passes to the workspace's admins
    session = await store.diagnoses.get_session(TEAM, closed.session_id)
    assert session is not None and session.started_by == ""
    assert all(item.requested_by is None for item in await store.outbox.items(("pending",)))


async def test_last_week_is_a_fixed_week_of_its_own_and_this_week_does_not_include_it(
    app: RunningApp, fake_slack: FakeSlack, slack: SlackPlatform
) -> None:
    store = store_of(app)
    for person in ("U0A", "U0B", "U0C"):
        await finish_diagnosis(store, person, PROFILES["embedded"])
    week = Period.week_before(datetime.now(UTC))
    async with store.sessions.begin() as session:
        await session.execute(update(DiagnosisFlowRow).values(updated_at=week.start + timedelta(days=1)))

    last = await preview(slack, fake_slack, f"last week {LEAD_REF}")
    this = await preview(slack, fake_slack)

    assert "3 people diagnosed" in last.text
    assert "no diagnoses" in this.text or "3 people diagnosed" not in this.text
    assert week.label in last.text, "the week is the last whole Monday-to-Monday one"
