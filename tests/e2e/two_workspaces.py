"""Two workspaces installed through "Add to Slack", each using every mlorg feature.

``test_two_workspaces.py`` proves isolation by what Slack received: each :class:`Place` has its
own users and channels, prefixed (``UA…``/``CA…`` for the first, ``UB…``/``CB…`` for the second)
so that one workspace's id showing up in the other's messages is recognisable, and its own
``response_url`` (``response_url:<team>``) so private answers are told apart too. The feature
drivers below follow the single-workspace tests (``test_diagnose``, ``test_quiz``,
``test_summary`` …) but name the workspace everywhere those take the default ``T0001``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from bot.features.quiz import ids as quiz_ids
from bot.store import Quiz, Store, TeamSession
from tests.e2e.fake_oauth import FakeOAuth
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.slack_client import SlackPlatform, find_button
from tests.e2e.test_diagnose import click, click_through, command, opened_for
from tests.e2e.test_diagnose_team import JOIN, NO_ROLE, Invitation, summary_says
from tests.e2e.test_quiz import eventually

__all__ = [
    "GridPlatform",
    "Place",
    "ask_privately",
    "calls_by_workspace",
    "diagnose_myself",
    "diagnose_the_team",
    "explain_and_share",
    "leaderboard",
    "leaks",
    "open_home",
    "play_a_quiz",
    "summary_posted",
]


@dataclass
class Place:
    """One workspace as the tests use it: its ids, its people, and what they will answer."""

    team: str
    name: str
    #: "A" or "B": every user id starts with U<letter>, every channel id with C<letter>.
    letter: str
    #: The archetype card its member explains and shares.
    topic: str
    #: The personal diagnosis's answers (labels of the buttons clicked).
    answers: Sequence[str]
    #: The team diagnosis: one answer list per member.
    team_answers: Sequence[Sequence[str]]
    #: Who plays the quiz, and whether they answer right.
    quiz_plan: Mapping[str, bool]
    #: What the workspace's figures must say, worked out by hand from the answers above.
    #: The summary's headline figures: people, the leading archetype, quiz answers.
    headline: str = ""
    #: Best fit per archetype id over everyone diagnosed (summary, digest, export).
    best_fits: Mapping[str, int] = field(default_factory=dict)
    #: The quiz channel's leaderboard rows.
    standings: Sequence[str] = ()
    slack: SlackPlatform | None = None
    #: What the features left to check: the result modal, the team summary, the quiz, posts.
    seen: dict[str, Any] = field(default_factory=dict)

    def user(self, name: str) -> str:
        return f"U{self.letter}0{name}"

    def channel(self, name: str) -> str:
        return f"C{self.letter}0{name}"

    @property
    def me(self) -> str:
        return self.user("ME")

    @property
    def admin(self) -> str:
        return self.user("ADMIN")

    @property
    def lead(self) -> str:
        return self.user("LEAD")

    @property
    def host(self) -> str:
        return self.user("HOST")

    @property
    def members(self) -> list[str]:
        return [self.user(f"M{n}") for n in range(len(self.team_answers))]

    @property
    def people(self) -> int:
        """Everyone diagnosed: the person on their own and every team member."""
        return 1 + len(self.team_answers)

    @property
    def reply(self) -> str:
        """The method under which the fake records this workspace's response_url posts."""
        return f"response_url:{self.team}"

    def ids(self) -> set[str]:
        """Every id and name that belongs to this workspace only."""
        users = {self.me, self.admin, self.lead, self.host, *self.members, *self.quiz_plan}
        channels = {self.channel(n) for n in ("CARD", "TEAM", "QUIZ", "LEAD", "BOARD", "DM")}
        return {self.team, self.name, *users, *channels}

    @property
    def platform(self) -> SlackPlatform:
        assert self.slack is not None, "open the place's SlackPlatform first"
        return self.slack


# -- reading what Slack received ---------------------------------------------------------------------


def calls_by_workspace(fake: FakeSlack, oauth: FakeOAuth, places: Sequence[Place]) -> dict[str, list[Call]]:
    """Every call the app made, by the workspace it was made as: its token, or its response_url.

    A Web API call with no token, or with a token the fake never issued, is filed under "?"
    so the caller can assert there is none.
    """
    owners = {token: ws.key for token, ws in oauth.tokens.items()}
    grouped: dict[str, list[Call]] = {p.team: [] for p in places}
    for call in fake.calls:
        if call.method in {"oauth.v2.access", "upload_url"}:
            continue  # the code exchange carries client credentials; the bytes' POST no token
        if call.method.startswith("response_url:"):
            owner = call.method.removeprefix("response_url:")
            grouped.setdefault(owner if owner in grouped else "?", []).append(call)
            continue
        grouped.setdefault(owners.get(call.token or "", "?"), []).append(call)
    return grouped


def leaks(call: Call, other: Place) -> list[str]:
    """The ids of ``other`` that appear anywhere in ``call``: arguments, blocks, views, metadata."""
    everything = json.dumps(call.args, sort_keys=True)
    return sorted(i for i in other.ids() if i in everything)


# -- features, as the workspace's people use them ------------------------------------------------------


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


class GridPlatform(SlackPlatform):
    """Slack for a workspace of an Enterprise Grid org where mlorg is installed org-wide.

    Every request names the org and says the install is org-wide, as Slack's do; the workspace
    is still the request's ``team_id``.
    """

    def __init__(self, *args: Any, enterprise_id: str, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.enterprise_id = enterprise_id

    def command_body(self, text: str, **kw: Any) -> str:
        fields = dict(parse_qsl(super().command_body(text, **kw)))
        fields.update(enterprise_id=self.enterprise_id, enterprise_name="Org", is_enterprise_install="true")
        return urlencode(fields)

    def action_payload(self, element: dict[str, Any], **kw: Any) -> dict[str, Any]:
        payload = super().action_payload(element, **kw)
        payload["enterprise"] = {"id": self.enterprise_id, "name": "Org"}
        payload["is_enterprise_install"] = True
        payload["user"]["enterprise_id"] = self.enterprise_id
        return payload

    def event_body(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        body = super().event_body(event, event_id=event_id)
        body["enterprise_id"] = self.enterprise_id
        body["is_ext_shared_channel"] = False
        body["authorizations"] = [
            {
                "enterprise_id": self.enterprise_id,
                "team_id": None,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": True,
            }
        ]
        return body
