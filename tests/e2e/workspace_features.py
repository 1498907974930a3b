"""mlorg's features as the people of one :class:`~tests.e2e.workspace_places.Place` use them.

The drivers follow the single-workspace tests (``test_diagnose``, ``test_quiz``, ``test_summary`` …)
but name the workspace, its people and its channels everywhere those take the default ``T0001``,
and wait for what Slack shows (a post, a modal, a private answer), never for a quiet spell.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from bot.features.quiz import ids as quiz_ids
from bot.features.summary.service import last_week
from bot.jobs.digests import latest_slot
from bot.store import Quiz, Store, TeamSession, WorkspaceConfig, Workspaces
from bot.store.events import utc_now
from bot.store.tables import DiagnosisFlowRow, QuizAnswerRow
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.harness import RunningApp
from tests.e2e.slack_client import find_button
from tests.e2e.test_diagnose import click, click_through, command, opened_for
from tests.e2e.test_diagnose_team import JOIN, NO_ROLE, Invitation, summary_says
from tests.e2e.test_quiz import eventually
from tests.e2e.workspace_places import Place

__all__ = [
    "ask_privately",
    "diagnose_myself",
    "diagnose_the_team",
    "explain_and_share",
    "leaderboard",
    "mention",
    "open_home",
    "play_a_quiz",
    "send_digests",
    "summary_posted",
]


async def explain_and_share(place: Place, fake: FakeSlack) -> Call:
    """``/mlorg explain <topic>`` and "Share in channel": the public post."""
    channel = place.channel("CARD")
    card = await place.platform.command(f"explain {place.topic}", user=place.me, channel=channel)
    assert card.status == 200 and card.blocks, card.text
    before = len(fake.posts(channel))
    await place.platform.click(find_button(card.blocks, "Share in channel"), user=place.me, channel=channel)
    [post] = (await eventually(lambda: fake.posts(channel)[before:], f"the shared card in {channel}"))[:1]
    return post


async def diagnose_myself(place: Place, fake: FakeSlack) -> dict[str, Any]:
    """``/mlorg diagnose``, every question answered: the result modal."""
    before = len(opened_for(fake, place.me))
    response = await command(place.platform, "diagnose", user=place.me, channel=place.channel("CARD"))
    assert response.status == 200 and response.body == "", response
    await eventually(lambda: len(opened_for(fake, place.me)) > before, f"{place.me}'s modal")
    return await click_through(place.platform, fake, place.me, place.answers)


async def invite_the_team(place: Place, fake: FakeSlack, store: Store) -> Invitation:
    """``/mlorg diagnose team`` in the workspace's team channel: the invitation and its thread."""
    channel = place.channel("TEAM")
    before = len(fake.posts(channel))
    response = await command(place.platform, "diagnose team", user=place.lead, channel=channel)
    assert response.status == 200 and response.body == "", response
    posts = await eventually(
        lambda: fake.posts(channel)[before:] if len(fake.posts(channel)) >= before + 2 else None,
        "the invitation",
    )
    post, thread = posts[0], posts[1]
    session_id = str(find_button(post.blocks, JOIN)["value"])

    async def recorded() -> TeamSession | None:
        session = await store.diagnoses.get_session(place.team, session_id)
        return session if session is not None and session.summary_ts is not None else None

    session = await eventually(recorded, "the invitation's ts to be recorded")
    return Invitation(post, thread, session)


async def diagnose_the_team(place: Place, fake: FakeSlack, store: Store) -> str:
    """Every member joins and answers: the thread's summary once it counts all of them."""
    invitation = await invite_the_team(place, fake, store)
    for member, answers in zip(place.members, place.team_answers, strict=True):
        before = len(opened_for(fake, member))
        await click(
            place.platform,
            find_button(invitation.post.blocks, JOIN),
            user=member,
            channel=place.channel("TEAM"),
            message={"ts": invitation.ts},
        )
        await eventually(lambda m=member, b=before: len(opened_for(fake, m)) > b, f"{member}'s modal")
        await click_through(place.platform, fake, member, [*answers, NO_ROLE])
    return await summary_says(fake, invitation, f"Team diagnosis: {len(place.members)} people")


def _quiz_posts(fake: FakeSlack, channel: str, parent_ts: str | None) -> list[Call]:
    return [c for c in fake.posts(channel) if parent_ts and c.args.get("thread_ts") == parent_ts]


async def play_a_quiz(place: Place, fake: FakeSlack, store: Store) -> Call:
    """A one-question quiz in the quiz channel, answered by ``quiz_plan``: the scoreboard."""
    channel = place.channel("QUIZ")
    ack = await place.platform.command("quiz 1", user=place.host, channel=channel)
    assert ack.status == 200 and ack.body == "", ack

    async def opened() -> tuple[Quiz, Call] | None:
        quiz = await store.quizzes.running_in(place.team, channel)
        if quiz is None or not quiz.question_ts:
            return None
        asked = [c for c in _quiz_posts(fake, channel, quiz.parent_ts) if "Question 1 of" in c.text]
        return (quiz, asked[0]) if asked else None

    quiz, question = await eventually(opened, f"the question in {channel}")
    item = quiz.items[0]
    for player, right in place.quiz_plan.items():
        option = item["answer"] if right else next(o for o, _ in item["options"] if o != item["answer"])
        button = next(
            {**e, "block_id": b.get("block_id", "b1")}
            for b in question.blocks
            for e in b.get("elements") or []
            if e.get("action_id") == f"{quiz_ids.ANSWER}:{option}"
        )
        await _click_in_thread(place, fake, button, player, quiz.question_ts)
    await _click_in_thread(
        place, fake, find_button(question.blocks, "See results"), place.host, quiz.question_ts
    )
    boards = await eventually(
        lambda: [c for c in _quiz_posts(fake, channel, quiz.parent_ts) if "Quiz scoreboard" in c.text],
        f"the scoreboard in {channel}",
    )

    async def announced() -> bool:
        # The end is done once the timer has nothing left to check: later tests compare rows.
        ended = await store.quizzes.get(place.team, quiz.quiz_id)
        return ended is not None and ended.status == "ended" and ended.deadline is None

    await eventually(announced, f"the quiz in {channel} to be announced as ended")
    return boards[0]


async def _click_in_thread(
    place: Place, fake: FakeSlack, element: dict[str, Any], user: str, message_ts: str | None
) -> None:
    """``user`` clicks a button in the quiz thread and waits for their private feedback."""
    payload = place.platform.action_payload(
        element, user=user, channel=place.channel("QUIZ"), message={"ts": message_ts or ""}
    )
    payload["response_url"] = fake.response_url(place.team)
    before = len(fake.calls_to(place.reply))
    response = await place.platform.interact(payload)
    assert response.status == 200, response
    if element["action_id"].startswith(quiz_ids.ANSWER):
        await fake.wait_for(place.reply, before + 1)


async def leaderboard(place: Place) -> list[str]:
    """``/mlorg leaderboard`` in the quiz channel: its rows."""
    board = await place.platform.command("leaderboard", user=place.me, channel=place.channel("QUIZ"))
    assert board.status == 200, board
    assert len(board.blocks) > 1, board.text
    return str(board.blocks[1]["text"]["text"]).splitlines()


async def ask_privately(place: Place, fake: FakeSlack, text: str, *, user: str) -> Call:
    """``/mlorg <text>`` whose answer comes on the workspace's response_url."""
    before = len(fake.calls_to(place.reply))
    response = await place.platform.command(text, user=user, channel=place.channel("CARD"))
    assert response.status == 200, response
    return (await fake.wait_for(place.reply, before + 1))[before]


async def mention(place: Place, fake: FakeSlack, text: str, ts: str) -> Call:
    """``@mlorg <text>`` in the card channel: mlorg's answer in the mention's thread."""
    channel = place.channel("CARD")
    event = {"type": "app_mention", "user": place.me, "text": f"<@UBOT> {text}", "channel": channel, "ts": ts}
    assert (await place.platform.event(event)).status == 200
    replies = await eventually(
        lambda: [c for c in fake.posts(channel) if c.args.get("thread_ts") == ts], f"the answer in {channel}"
    )
    return replies[0]


async def summary_posted(place: Place, fake: FakeSlack) -> tuple[Call, Call]:
    """``/mlorg summary #lead`` as the admin, then Post: the preview and the post the outbox made."""
    lead = place.channel("LEAD")
    shown = await ask_privately(place, fake, f"summary <#{lead}|leadership>", user=place.admin)
    assert shown.blocks, shown.text
    before = len(fake.calls_to(place.reply))
    clicked = await place.platform.click(
        find_button(shown.blocks, "Post to"), user=place.admin, channel=place.channel("CARD")
    )
    assert clicked.status == 200
    await fake.wait_for(place.reply, before + 1)
    [post] = (await eventually(lambda: fake.posts(lead), f"the summary in {lead}"))[:1]
    return shown, post


async def open_home(place: Place, fake: FakeSlack) -> Call:
    """The member opens mlorg's Home tab: the view published for them."""

    def published() -> list[Call]:
        return [c for c in fake.calls_to("views.publish") if c.args.get("user_id") == place.me]

    event = {"type": "app_home_opened", "user": place.me, "channel": place.channel("DM"), "tab": "home"}
    assert (await place.platform.event(event)).status == 200
    return (await eventually(published, f"{place.me}'s Home tab"))[-1]


async def send_digests(app: RunningApp, fake: FakeSlack, places: Sequence[Place]) -> dict[str, Call]:
    """Schedule a weekly digest in both workspaces, move their diagnoses into the week it reports,
    and let the scheduler run: each workspace's digest post, by team."""
    now = utc_now()
    moment = now - timedelta(days=2, hours=1)
    weekday, at = moment.weekday(), moment.strftime("%H:%M")
    slot = latest_slot(now, weekday, at, "UTC")
    assert slot is not None
    reported = last_week(slot)  # the week before the slot, whatever weekday today is
    assert app.mlorg is not None
    store = app.mlorg.store
    async with store.sessions() as session, session.begin():
        middle = reported.start + timedelta(days=3)
        await session.execute(update(DiagnosisFlowRow).values(updated_at=middle, created_at=middle))
        await session.execute(update(QuizAnswerRow).values(answered_at=middle))
    for place in places:
        workspaces = Workspaces(store.sessions, store.dialect, clock=lambda: now - timedelta(days=30))
        await workspaces.save(
            place.team,
            WorkspaceConfig(
                place.team,
                leadership_channels=(place.channel("BOARD"),),
                digest_weekday=weekday,
                digest_time=at,
                digest_timezone="UTC",
            ),
            updated_by=place.admin,
        )
    assert await app.mlorg.digests.tick() == 2
    posted: dict[str, Call] = {}
    for place in places:
        [posted[place.team]] = (
            await eventually(lambda p=place: fake.posts(p.channel("BOARD")), f"{place.name}'s digest")
        )[:1]
    return posted
