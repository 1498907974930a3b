"""The real app on the stand-in, every feature end to end, read as people read the workspace.

These prove the stand-in plays Slack well enough for mlorg to work on it, and walk
every message, modal and Home tab the app produces through the Block Kit checks and
the renderer: a block the page cannot draw, or one Slack would reject, fails here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.sandbox.render import Ctx, render_blocks, render_message, render_view
from bot.sandbox.runner import Sandbox
from bot.sandbox.workspace import Message
from tests.sandbox.driver import Driver, labelled

ADA, LEE, MIA, MAX = "U0ADMIN", "U0LEAD", "U0MIA", "U0MAX"
GENERAL, PLATFORM, LEADERSHIP = "C0GENERAL", "C0MLPLATFORM", "C0LEADERSHIP"


async def eventually(check: Callable[[], bool], timeout: float = 8.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the workspace never reached the expected state")
        await asyncio.sleep(0.05)


def assert_everything_renders(sandbox: Sandbox) -> int:
    """Every message, open modal and Home tab draws without a warning; returns how many blocks."""
    ws = sandbox.ws
    assert list(ws.warnings) == []
    drawn = 0
    for messages in ws.messages.values():
        for message in messages:
            viewer = message.visible_to or ADA
            out = render_message(message, Ctx(ws, viewer))
            assert "render-warning" not in out, out
            drawn += len(message.blocks)
    for user, stack in sandbox.views.stacks.items():
        for view in stack:
            out = render_view(view, Ctx(ws, user))
            assert "render-warning" not in out
            drawn += len(view["blocks"])
    for user, home in ws.homes.items():
        assert "render-warning" not in render_blocks(home["blocks"], Ctx(ws, user))
        drawn += len(home["blocks"])
    return drawn


async def test_help_explain_compare_and_share(sandbox: Sandbox, people: Driver) -> None:
    assert (await people.command(MIA, GENERAL, "help")).ok
    card = people.last(MIA, GENERAL)
    assert card.visible_to == MIA and "What you can ask" in str(card.blocks)
    assert people.seen_by(LEE, GENERAL) == []  # ephemeral: only Mia sees it
    await people.click(MIA, card, "Explain R&D")
    assert "Research and development" in str(people.last(MIA, GENERAL).blocks)  # replaced in place
    assert len(people.seen_by(MIA, GENERAL)) == 1
    await people.click(MIA, people.last(MIA, GENERAL), "Share in channel")
    shared = people.bot_posts(GENERAL)
    assert len(shared) == 1 and f"<@{MIA}>" in str(shared[0].blocks)
    assert "Shared in channel" in people.last(MIA, GENERAL).text
    await people.command(MIA, GENERAL, "compare embedded independent")
    comparison = people.last(MIA, GENERAL)
    await people.click(MIA, comparison, "Share in channel")
    assert len(people.bot_posts(GENERAL)) == 2
    await people.command(MIA, GENERAL, "explain rnd")
    await people.click(MIA, people.last(MIA, GENERAL), "Compare R&D with", value="rnd:embedded")
    assert " vs " in people.last(MIA, GENERAL).text
    await people.command(MIA, GENERAL, "explain")
    await people.command(MIA, GENERAL, "explain nothing-like-this")
    await people.command(MIA, GENERAL, "frobnicate")
    assert "I don't know" in people.last(MIA, GENERAL).text
    assert assert_everything_renders(sandbox) > 20


async def test_a_personal_diagnosis_closed_half_way_resumes(sandbox: Sandbox, people: Driver) -> None:
    await people.command(MAX, PLATFORM, "diagnose")
    for _ in range(3):
        await people.answer(MAX)
    assert "Question 4 of" in str(people.modal(MAX)["blocks"])
    await people.do(sandbox.delivery.close(MAX, people.modal(MAX)["id"]))
    assert sandbox.views.top(MAX) is None
    await people.command(MAX, PLATFORM, "diagnose")
    assert "Question 4 of" in str(people.modal(MAX)["blocks"])
    while "Your result" not in str(people.modal(MAX)["blocks"]):
        await people.answer(MAX)
    await people.click_modal(MAX, "Explain")
    assert len(sandbox.views.stack(MAX)) == 2  # pushed on top of the result
    await people.do(sandbox.delivery.close(MAX, people.modal(MAX)["id"]))
    await people.click_modal(MAX, "Share in channel")
    # The shared post waits for the result's chart, which a busy machine may take a while to draw.
    await eventually(lambda: len(people.bot_posts(PLATFORM)) >= 1, timeout=20.0)
    assert len(people.bot_posts(PLATFORM)) == 1
    assert assert_everything_renders(sandbox) > 10


async def _answer_everything(sandbox: Sandbox, people: Driver, user: str) -> None:
    while "Your result" not in str(people.modal(user)["blocks"]):
        await people.answer(user, 1)


async def test_a_team_diagnosis_shows_the_summary_at_three_answers(sandbox: Sandbox, people: Driver) -> None:
    await people.command(LEE, PLATFORM, "diagnose team")
    invitation = people.bot_posts(PLATFORM)[0]
    for n, user in enumerate((LEE, MIA, MAX), start=1):
        await people.click(user, invitation, "Take the 2-minute diagnosis")
        await _answer_everything(sandbox, people, user)
        if n < 3:
            answered = "1 person has answered" if n == 1 else f"{n} people have answered"
            await eventually(lambda a=answered: a in str(sandbox.ws.find(PLATFORM, invitation.ts).blocks))  # type: ignore[union-attr]
            assert "Team diagnosis:" not in str(sandbox.ws.replies(PLATFORM, invitation.ts)[0].blocks)
    await eventually(
        lambda: "Team diagnosis: 3 people" in str(sandbox.ws.replies(PLATFORM, invitation.ts)[0].blocks)
    )
    assert assert_everything_renders(sandbox) > 10


async def test_a_quiz_in_a_thread_with_a_double_click_and_a_scoreboard(
    sandbox: Sandbox, people: Driver
) -> None:
    await people.command(LEE, GENERAL, "quiz 2")
    parent = people.bot_posts(GENERAL)[0]
    question = sandbox.ws.replies(GENERAL, parent.ts)[0]
    answers = next(b for b in question.blocks if str(b["block_id"]).startswith("q:"))
    for user in (MIA, MIA, MAX):  # Mia double-clicks
        await people.do(
            sandbox.delivery.click_message(
                user, GENERAL, question.ts, answers["block_id"], answers["elements"][0]["action_id"]
            )
        )
    feedback = [m for m in sandbox.ws.replies(GENERAL, parent.ts, MIA) if m.visible_to == MIA]
    assert len(feedback) == 2 and "only your first answer counts" in feedback[1].text
    await eventually(lambda: "2 answers so far" in str(sandbox.ws.find(GENERAL, question.ts).blocks))  # type: ignore[union-attr]
    await people.click(MIA, question, "Next")
    assert "Only <@U0LEAD>" in people.last(MIA, GENERAL, thread_ts=parent.ts).text
    await people.click(LEE, question, "Next")

    def thread() -> list[Message]:
        return [m for m in sandbox.ws.replies(GENERAL, parent.ts) if m.visible_to is None]

    await eventually(lambda: len(thread()) >= 2)
    assert "got it right" in str(thread()[0].blocks)  # the first question, closed, with its answer
    await people.click(LEE, thread()[1], "End quiz")
    await eventually(lambda: "scoreboard" in str(thread()[-1].blocks))
    assert "wins" in str(sandbox.ws.find(GENERAL, parent.ts).blocks) or "tie" in str(
        sandbox.ws.find(GENERAL, parent.ts).blocks
    )  # type: ignore[union-attr]
    await people.command(MIA, GENERAL, "leaderboard")
    assert assert_everything_renders(sandbox) > 10


async def test_an_admin_posts_a_summary_and_a_member_is_refused(sandbox: Sandbox, people: Driver) -> None:
    await people.command(MIA, GENERAL, "summary #leadership")
    assert "Only workspace admins" in people.last(MIA, GENERAL).text
    await people.command(ADA, GENERAL, "summary #leadership")
    preview = people.last(ADA, GENERAL)
    assert preview.visible_to == ADA
    await people.click(ADA, preview, "Post to #leadership")
    await eventually(lambda: len(people.bot_posts(LEADERSHIP)) == 1)
    assert "on its way" in people.last(ADA, GENERAL).text
    await people.command(ADA, GENERAL, "config")
    view = people.modal(ADA)
    assert assert_everything_renders(sandbox) >= 5  # the settings modal's inputs draw too
    state = {
        "channels": {"channels": ["C0LEADERSHIP"]},
        "weekday": {"weekday": "0"},
        "time": {"time": "09:00"},
        "timezone": {"timezone": "Mars/Olympus"},
        "min_group": {"min_group": "3"},
    }
    await people.do(sandbox.delivery.submit(ADA, view["id"], state))
    assert "IANA" in people.modal(ADA)["errors"]["timezone"]  # response_action errors, shown under the field
    state["timezone"] = {"timezone": "Europe/Berlin"}
    await people.do(sandbox.delivery.submit(ADA, view["id"], state))
    assert sandbox.views.top(ADA) is None
    await eventually(lambda: "settings saved" in people.last(ADA, GENERAL).text)
    assert assert_everything_renders(sandbox) > 0


async def test_home_tab_mentions_and_forget_me(sandbox: Sandbox, people: Driver) -> None:
    await people.do(sandbox.delivery.open_app(MIA))
    assert MIA in sandbox.ws.homes
    await people.click_home(MIA, "Open")
    assert people.modal(MIA)["type"] == "modal"
    await people.say(MIA, GENERAL, "@mlorg what is the downside of an embedded org?")
    question = people.seen_by(MIA, GENERAL)[-1]
    assert question.text.startswith("<@U0MLORG>")
    answer = sandbox.ws.replies(GENERAL, question.ts)
    assert answer and "Product-embedded" in answer[0].text
    dm = sandbox.ws.dm_of(MIA)
    assert dm is not None
    assert (await people.say(MIA, dm.id, "what is product-embedded ML good at?")).ok  # a DM is a question too
    assert "Product-embedded" in people.last(MIA, dm.id).text
    await people.command(MIA, dm.id, "forget me")
    assert "mlorg" in people.last(MIA, dm.id).text
    assert labelled(sandbox.ws.homes[MIA]["blocks"], "Open")
    assert assert_everything_renders(sandbox) > 5
