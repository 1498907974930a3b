"""``/mlorg diagnose team``, end to end: a public invitation, private flows, an anonymous summary.

A team lead posts the invitation; each member clicks "Take the 2-minute diagnosis" and
answers in their own modal (the eight questions and a last, optional role question). The
summary in the invitation's thread stays a promise until three people have answered, is redrawn
only once three more have changed (so nobody's answer shows as the difference between two
drawings), and never names anyone. The tests read the channel the way a person would: the invitation, its
thread, and every update the app made to them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.features.diagnose import ids
from bot.store import TeamSession
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.harness import RunningApp
from tests.e2e.slack_client import SlackPlatform, find_button
from tests.e2e.test_diagnose import (
    EMBEDDED,
    INDEPENDENT,
    KB,
    ML_FIRST,
    TEAM,
    click,
    click_in_modal,
    click_through,
    command,
    eventually,
    labels_of,
    no_errors_logged,  # noqa: F401 - the autouse fixture applies here too
    opened_for,
    stored_flow,
    view_of,
    view_text,
)

CHANNEL = "C0TEAM"
LEAD = "U0LEAD"
JOIN = "Take the 2-minute diagnosis"
LEADER = "I lead people or teams"
CONTRIBUTOR = "I'm an individual contributor"
NO_ROLE = "I'd rather not say"
STEPS = len(KB.questions) + 1
DISAGREEMENT = re.compile(r"(aligned|some disagreement|strong disagreement)")


@dataclass(frozen=True)
class Invitation:
    """The public invitation as the channel first saw it, and the session behind it."""

    post: Call
    thread: Call
    session: TeamSession

    @property
    def ts(self) -> str:
        return str(self.session.message_ts)


# -- helpers ---------------------------------------------------------------------------------------


async def invite(slack: SlackPlatform, fake: FakeSlack, app: RunningApp, *, by: str = LEAD) -> Invitation:
    """``/mlorg diagnose team``: the invitation in the channel and the summary placeholder in its thread."""
    before = len(fake.calls_to("chat.postMessage"))  # earlier invitations are not this one
    response = await command(slack, "diagnose team", user=by, channel=CHANNEL)
    assert response.status == 200 and response.body == ""
    posts = (await fake.wait_for("chat.postMessage", before + 2))[before:]
    post, thread = posts[0], posts[1]
    session_id = str(find_button(post.blocks, JOIN)["value"])
    assert app.mlorg is not None
    async with asyncio.timeout(5):  # the app records both messages' ts right after posting them
        while True:
            session = await app.mlorg.store.diagnoses.get_session(TEAM, session_id)
            if session is not None and session.summary_ts is not None:
                break
            await asyncio.sleep(0.01)
    assert session.message_ts == thread.args["thread_ts"]
    return Invitation(post, thread, session)


def updates_of(fake: FakeSlack, ts: str | None) -> list[Call]:
    return [c for c in fake.calls_to("chat.update") if c.args.get("ts") == ts]


def summary_text(fake: FakeSlack, invitation: Invitation) -> str:
    """The thread summary as it reads now (its last update, or the first post)."""
    updates = updates_of(fake, invitation.session.summary_ts)
    return (updates[-1] if updates else invitation.thread).text


def invitation_now(fake: FakeSlack, invitation: Invitation) -> Call:
    updates = updates_of(fake, invitation.ts)
    return updates[-1] if updates else invitation.post


async def join(slack: SlackPlatform, fake: FakeSlack, user: str, invitation: Invitation) -> dict[str, Any]:
    """Click the invitation's join button as ``user``; return the modal that opens."""
    before = len(opened_for(fake, user))
    await click(
        slack,
        find_button(invitation.post.blocks, JOIN),
        user=user,
        channel=CHANNEL,
        message={"ts": invitation.ts},
    )
    await eventually(lambda: len(opened_for(fake, user)) > before, f"{user}'s modal")
    return view_of(opened_for(fake, user)[-1])


async def take_part(
    slack: SlackPlatform,
    fake: FakeSlack,
    user: str,
    invitation: Invitation,
    answers: Sequence[str],
    role: str = NO_ROLE,
) -> dict[str, Any]:
    """Join and answer everything; return the result modal."""
    await join(slack, fake, user, invitation)
    return await click_through(slack, fake, user, [*answers, role])


async def summary_says(fake: FakeSlack, invitation: Invitation, words: str) -> str:
    await eventually(lambda: words in summary_text(fake, invitation), f"the summary to say {words!r}")
    return summary_text(fake, invitation)


async def invitation_says(fake: FakeSlack, invitation: Invitation, count: str) -> str:
    """Wait until the invitation (redrawn after the summary) gives ``count`` as its running count.

    Only the count itself: "once at least 3 people have answered" in its explanation must not
    pass for "3 people have answered (so far)".
    """
    said = re.compile(re.escape(count) + r"( so far|\. The summary)")
    await eventually(
        lambda: bool(said.search(invitation_now(fake, invitation).text)), f"the invitation to count {count!r}"
    )
    return invitation_now(fake, invitation).text


def channel_texts(fake: FakeSlack) -> list[str]:
    """Everything the app showed in the channel: posts, thread posts and their updates."""
    return [
        c.text
        for c in fake.calls
        if c.method in {"chat.postMessage", "chat.update"} and c.args.get("channel") == CHANNEL
    ]


# -- the invitation --------------------------------------------------------------------------------


async def test_diagnose_team_posts_a_public_invitation_and_a_waiting_summary_in_its_thread(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    invitation = await invite(slack, fake_slack, app)

    assert invitation.post.args["channel"] == CHANNEL
    assert "thread_ts" not in invitation.post.args
    assert f"<@{LEAD}> invites this channel to a team diagnosis" in invitation.post.text
    assert "0 people have answered" in invitation.post.text
    labels = [str(find_button(invitation.post.blocks, label)["text"]["text"]) for label in (JOIN, "Close")]
    assert labels == [JOIN, "Close"]
    assert invitation.thread.args["channel"] == CHANNEL
    assert invitation.thread.args["thread_ts"] == invitation.ts
    assert "appears here once at least 3 people have answered" in invitation.thread.text
    assert invitation.session.started_by == LEAD and invitation.session.status == "open"


async def test_each_member_who_clicks_join_gets_a_private_team_flow_with_the_role_question_last(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    invitation = await invite(slack, fake_slack, app)
    flows = set()

    for user in ("U1", "U2"):
        first = await join(slack, fake_slack, user, invitation)
        assert first["title"]["text"] == "Team diagnosis"
        assert f"Question 1 of {STEPS}" in view_text(first)
        assert "only once at least 3 people have answered" in view_text(first)
        flow = await stored_flow(app, first)
        assert flow.user_id == user and flow.session_id == invitation.session.session_id
        flows.add(flow.flow_id)
    assert len(flows) == 2

    last = await click_through(slack, fake_slack, "U1", EMBEDDED)
    assert f"Question {STEPS} of {STEPS}" in view_text(last)
    assert KB.role_question is not None and KB.role_question.prompt in view_text(last)
    assert {LEADER, CONTRIBUTOR, NO_ROLE} <= set(labels_of(last))

    # Clicking join again resumes the same flow at the same question.
    again = await join(slack, fake_slack, "U1", invitation)
    assert again["private_metadata"] == last["private_metadata"]
    assert f"Question {STEPS} of {STEPS}" in view_text(again)
    await fake_slack.settle(0.1)
    assert len(fake_slack.posts()) == 2, "joining or answering posted in the channel"


# -- the anonymous summary -------------------------------------------------------------------------


async def test_a_team_sees_the_summary_from_the_third_answer_and_it_moves_only_three_people_at_a_time(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    invitation = await invite(slack, fake_slack, app)
    members = {
        "U1": (EMBEDDED, LEADER),
        "U2": (EMBEDDED, CONTRIBUTOR),
        "U3": (INDEPENDENT, LEADER),
        "U4": (ML_FIRST, CONTRIBUTOR),
        "U5": (EMBEDDED, LEADER),
        "U6": (EMBEDDED, CONTRIBUTOR),
    }
    users = list(members)

    for user in users[:2]:
        result = await take_part(slack, fake_slack, user, invitation, *members[user])
        assert "Your result:" in view_text(result)
        assert "added anonymously to the team summary" in view_text(result)
    await invitation_says(fake_slack, invitation, "2 people have answered")
    hidden = summary_text(fake_slack, invitation)
    assert "appears here once at least 3" in hidden
    for archetype in KB.archetypes:
        assert archetype.short_name not in hidden and archetype.name not in hidden

    await take_part(slack, fake_slack, "U3", invitation, *members["U3"])
    shown = await summary_says(fake_slack, invitation, "Team diagnosis: 3 people")
    assert "Most of the team sees us as *Business and product embedded ML*" in shown
    assert "Best fit, person by person" in shown
    assert "Product-embedded" in shown and "Independent ML division" in shown
    assert "Where the team stands" in shown
    for dimension in KB.dimensions:
        assert f"*{dimension.name}*: " in shown
    assert len(DISAGREEMENT.findall(shown)) == len(KB.dimensions)
    assert "mlorg's own model" in shown
    await invitation_says(fake_slack, invitation, "3 people have answered")

    # A fourth answer alone would show as the difference between two drawings: it waits.
    redraws = len(updates_of(fake_slack, invitation.session.summary_ts))
    await take_part(slack, fake_slack, "U4", invitation, *members["U4"])
    await invitation_says(fake_slack, invitation, "4 people have answered")
    await fake_slack.settle(0.2)
    assert len(updates_of(fake_slack, invitation.session.summary_ts)) == redraws
    assert re.search(r"` 0  ML-first", summary_text(fake_slack, invitation))

    for user in users[4:]:
        await take_part(slack, fake_slack, user, invitation, *members[user])
    six = await summary_says(fake_slack, invitation, "Team diagnosis: 6 people")
    assert re.search(r"` 1  ML-first", six), six
    assert "Perception gap* (3 leaders, 3 contributors)" in six
    await invitation_says(fake_slack, invitation, "6 people have answered")

    # Nobody can be singled out: no respondent's id, and none of their answers, ever reached the channel.
    chosen = {label for answers, _ in members.values() for label in answers}
    for text in channel_texts(fake_slack):
        for user in users:
            assert f"<@{user}>" not in text and not re.search(rf"\b{user}\b", text)
        for label in chosen:
            assert label not in text
    assert app.mlorg is not None
    stored = await app.mlorg.store.diagnoses.responses(TEAM, invitation.session.session_id)
    assert sorted(r.user_id for r in stored) == users
    assert [r.role for r in stored] == ["leader", "contributor"] * 3


async def test_a_retake_replaces_the_members_answers_and_is_shown_only_with_enough_other_changes(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    invitation = await invite(slack, fake_slack, app)
    for user, answers in (("U1", EMBEDDED), ("U2", EMBEDDED), ("U3", EMBEDDED)):
        await take_part(slack, fake_slack, user, invitation, answers)
    await summary_says(fake_slack, invitation, "Team diagnosis: 3 people")

    again = await click_through(slack, fake_slack, "U1", ["Start over"])
    assert f"Question 1 of {STEPS}" in view_text(again)
    updates_before = len(updates_of(fake_slack, invitation.session.summary_ts))
    await click_through(slack, fake_slack, "U1", [*ML_FIRST, NO_ROLE])

    # The retake alone would move the figures by one known person: it is held back.
    await fake_slack.settle(0.3)
    assert len(updates_of(fake_slack, invitation.session.summary_ts)) == updates_before
    assert re.search(r"` 0  ML-first", summary_text(fake_slack, invitation))
    assert "3 people have answered" in invitation_now(fake_slack, invitation).text
    assert app.mlorg is not None
    stored = await app.mlorg.store.diagnoses.responses(TEAM, invitation.session.session_id)
    assert len(stored) == 3
    mine = next(r for r in stored if r.user_id == "U1")
    assert mine.answers[KB.questions[0].id] == "everywhere"

    # Two newcomers make three changes: now the retake shows, counted once.
    for user in ("U4", "U5"):
        await take_part(slack, fake_slack, user, invitation, EMBEDDED)
    redrawn = await summary_says(fake_slack, invitation, "Team diagnosis: 5 people")
    assert re.search(r"` 1  ML-first", redrawn), redrawn
    assert re.search(r"` 4  Product-embedded", redrawn), redrawn


async def test_a_double_click_on_the_last_answer_counts_the_member_once(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    invitation = await invite(slack, fake_slack, app)
    await join(slack, fake_slack, "U1", invitation)
    last = await click_through(slack, fake_slack, "U1", EMBEDDED)

    await click_in_modal(slack, fake_slack, find_button(last["blocks"], NO_ROLE), user="U1", times=2)

    await invitation_says(fake_slack, invitation, "1 person has answered")
    await fake_slack.settle(0.2)
    assert "1 person has answered" in invitation_now(fake_slack, invitation).text
    assert app.mlorg is not None
    assert len(await app.mlorg.store.diagnoses.responses(TEAM, invitation.session.session_id)) == 1


async def test_the_perception_gap_appears_with_three_leaders_and_three_contributors(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    invitation = await invite(slack, fake_slack, app)
    people = [
        ("L1", INDEPENDENT, LEADER),
        ("L2", INDEPENDENT, LEADER),
        ("C1", EMBEDDED, CONTRIBUTOR),
        ("C2", EMBEDDED, CONTRIBUTOR),
        ("L3", ML_FIRST, LEADER),
    ]
    for user, answers, role in people:
        await take_part(slack, fake_slack, user, invitation, answers, role)
    await invitation_says(fake_slack, invitation, "5 people have answered")
    await fake_slack.settle(0.2)
    # Drawn at three (two leaders and one contributor: too few to compare), then held at five.
    five = summary_text(fake_slack, invitation)
    assert "Team diagnosis: 3 people" in five and "Perception gap" not in five

    await take_part(slack, fake_slack, "C3", invitation, EMBEDDED, CONTRIBUTOR)

    six = await summary_says(fake_slack, invitation, "Team diagnosis: 6 people")
    assert "Perception gap* (3 leaders, 3 contributors)" in six
    assert "Leaders lean *Independent ML division*; contributors lean *Product-embedded*." in six
    for dimension in KB.dimensions:
        assert re.search(rf"\*{dimension.name}\*: leaders \d+/10, contributors \d+/10", six), dimension.name


# -- closing ---------------------------------------------------------------------------------------


async def test_only_the_person_who_started_it_can_close_and_closing_stops_new_answers(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    assert app.mlorg is not None
    diagnoses = app.mlorg.store.diagnoses
    invitation = await invite(slack, fake_slack, app)
    await take_part(slack, fake_slack, "U1", invitation, EMBEDDED)
    await invitation_says(fake_slack, invitation, "1 person has answered")
    await join(slack, fake_slack, "U2", invitation)
    unfinished = await click_through(slack, fake_slack, "U2", INDEPENDENT)  # at the role question
    await fake_slack.settle(0.1)
    close = find_button(invitation.post.blocks, "Close")

    # Someone else tries to close it: told privately, nothing changes.
    updates_before = len(fake_slack.calls_to("chat.update"))
    await click(slack, close, user="U1", channel=CHANNEL, message={"ts": invitation.ts})
    refusal = (await fake_slack.wait_for("response_url:r1"))[-1]
    assert f"Only <@{LEAD}>, who started this team diagnosis, can close it." in refusal.text
    assert refusal.args.get("response_type") == "ephemeral"
    assert refusal.args.get("replace_original") in (False, "false")
    await fake_slack.settle(0.1)
    assert len(fake_slack.calls_to("chat.update")) == updates_before
    session = await diagnoses.get_session(TEAM, invitation.session.session_id)
    assert session is not None and session.status == "open"

    # The starter closes it: the invitation says so and loses its buttons.
    await click(slack, close, user=LEAD, channel=CHANNEL, message={"ts": invitation.ts})
    await eventually(
        lambda: "Closed by" in invitation_now(fake_slack, invitation).text, "the closed invitation"
    )
    closed = invitation_now(fake_slack, invitation)
    assert f"Closed by <@{LEAD}>" in closed.text and "1 person has answered" in closed.text
    assert not [b for b in closed.blocks if b["type"] == "actions"]
    assert JOIN not in closed.text
    session = await diagnoses.get_session(TEAM, invitation.session.session_id)
    assert session is not None and session.status == "closed"

    # A join click on the old invitation is answered politely and privately.
    opened_before = len(fake_slack.calls_to("views.open"))
    await click(
        slack,
        find_button(invitation.post.blocks, JOIN),
        user="U3",
        channel=CHANNEL,
        message={"ts": invitation.ts},
    )
    await fake_slack.wait_for("response_url:r1", 2)
    assert "This team diagnosis is closed" in fake_slack.calls_to("response_url:r1")[-1].text
    assert len(fake_slack.calls_to("views.open")) == opened_before

    # Closing twice is harmless.
    await click(slack, close, user=LEAD, channel=CHANNEL, message={"ts": invitation.ts})
    await fake_slack.wait_for("response_url:r1", 3)
    assert "already closed" in fake_slack.calls_to("response_url:r1")[-1].text

    # Someone who was mid-flow finishes after the close: told so, and not counted.
    await fake_slack.settle(0.1)
    summary_updates = len(updates_of(fake_slack, invitation.session.summary_ts))
    result = await click_in_modal(
        slack, fake_slack, find_button(unfinished["blocks"], NO_ROLE), user="U2", view=unfinished
    )
    assert "Your result: Independent ML division" in view_text(result)
    assert "closed before you finished" in view_text(result)
    assert "added anonymously" not in view_text(result)
    await fake_slack.settle(0.2)
    assert len(updates_of(fake_slack, invitation.session.summary_ts)) == summary_updates
    assert "appears here once at least 3" in summary_text(fake_slack, invitation)
    assert [r.user_id for r in await diagnoses.responses(TEAM, invitation.session.session_id)] == ["U1"]


async def test_a_team_flow_survives_an_app_restart(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    invitation = await invite(slack, fake_slack, app)
    await join(slack, fake_slack, "U1", invitation)
    middle = await click_through(slack, fake_slack, "U1", EMBEDDED[:4])

    await app.restart()

    await click_in_modal(
        slack, fake_slack, find_button(middle["blocks"], EMBEDDED[4]), user="U1", view=middle
    )
    result = await click_through(slack, fake_slack, "U1", [*EMBEDDED[5:], LEADER])
    assert "Your result: Product-embedded" in view_text(result)
    await invitation_says(fake_slack, invitation, "1 person has answered")
    assert find_button(invitation_now(fake_slack, invitation).blocks, JOIN)["action_id"] == ids.JOIN


async def test_replaying_the_last_click_after_a_crash_between_answer_and_finish_completes_the_flow(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    assert app.mlorg is not None
    invitation = await invite(slack, fake_slack, app)
    await join(slack, fake_slack, "U1", invitation)
    last = await click_through(slack, fake_slack, "U1", EMBEDDED)
    flow = await stored_flow(app, last)
    assert KB.role_question is not None
    # The replica that took the last click stored the answer and died before finishing the flow.
    moved = await app.mlorg.store.diagnoses.answer(
        TEAM, flow.flow_id, STEPS - 1, KB.role_question.id, "leader"
    )
    assert moved is not None and moved.status == "active"
    await app.restart()

    # Slack redelivers nothing, but the person clicks again on the modal they still see.
    result = await click_in_modal(
        slack, fake_slack, find_button(last["blocks"], LEADER), user="U1", view=last
    )

    assert "Your result: Product-embedded" in view_text(result)
    assert app.mlorg is not None
    finished = await stored_flow(app, last)
    assert finished.status == "finished"
    await invitation_says(fake_slack, invitation, "1 person has answered")
    responses = await app.mlorg.store.diagnoses.responses(TEAM, invitation.session.session_id)
    assert [(r.user_id, r.role) for r in responses] == [("U1", "leader")]
