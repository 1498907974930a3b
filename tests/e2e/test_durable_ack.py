"""The ack is the receipt: a click that changes durable state is stored before Slack hears back.

For each kind of state-changing click, a real ``mlorg serve --http`` process (on a SQLite
file) gets the click exactly as Slack sends it, and is killed with SIGKILL as soon as it
has acked. What the click changed must then be in the database.

To make "right after the ack" exact rather than a race, the child runs with a tiny
``sitecustomize`` that makes Bolt's ``ack()`` hold its handler forever once the ack is
sent: nothing a handler does after ``await ack()`` ever runs in this process, just as if
the kill had landed on the next instruction. A write moved back after the ack therefore
never happens, and the case fails every time, not now and then. The fake Slack records
that no redraw or reply (the after-ack work) was made either.

The state is set up, and read back after the kill, through the Store API on the same
database file, as a restarted replica would find it.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.features.ask import ids as ask_ids
from bot.features.diagnose import ids as diagnose_ids
from bot.features.diagnose.blocks import build_invitation, build_question_view, build_result_view
from bot.features.diagnose.listeners import steps_for
from bot.features.quiz.blocks import build_question
from bot.features.quiz.engine import snapshot
from bot.features.summary import ids as summary_ids
from bot.features.summary.blocks import build_config_modal
from bot.store import Store
from knowledge import load_knowledge
from knowledge.diagnosis import score
from knowledge.quiz import QuestionBank
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import SIGNING_SECRET
from tests.e2e.processes import ServeProcess, free_port, serve_command
from tests.e2e.slack_client import SlackPlatform, find_button
from tests.e2e.test_serve_process import serve_env
from tests.e2e.test_summary import config_submission

KB = load_knowledge()
TEAM = "T0001"
CHANNEL = "C0001"
ME = "U0001"
LEAD = "U0LEAD"
ADMIN = "U0ADMIN"  # in MLORG_ADMINS
WORKSPACE_ADMIN = "U0WSADMIN"  # an admin according to users.info
HOST = "UHOST"
LEAD_CHANNEL = "C0LEAD"
PREVIEW = "0123456789ab"
HELD = "mlorg-test: ack sent; the handler is held"

#: Bolt's ack, made to hold the handler once the ack is sent (see the module docstring).
SITECUSTOMIZE = f"""
import asyncio
import sys

from slack_bolt.context.ack.async_ack import AsyncAck

_ack = AsyncAck.__call__


async def _ack_then_hold(self, *args, **kwargs):
    response = await _ack(self, *args, **kwargs)
    print({HELD!r}, file=sys.stderr, flush=True)
    await asyncio.Event().wait()  # never set: the test kills the process first
    return response


AsyncAck.__call__ = _ack_then_hold
"""

#: What a handler does only after its ack: redraws and replies.
AFTER_ACK = {"views.update", "views.open", "views.push", "chat.update", "chat.postEphemeral"}

Check = Callable[[Store], Awaitable[None]]


@dataclass(frozen=True)
class Click:
    """What Slack sends (an interaction payload) and what must be stored once it is acked."""

    payload: dict[str, Any]
    stored: Check
    #: chat.postMessage is after-ack work too, except for the outbox worker delivering a Post.
    posts_allowed: bool = False


Scene = Callable[[Store, SlackPlatform], Awaitable[Click]]


# -- the scenes: one per kind of click -----------------------------------------------------------------


def in_modal(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "id": "VDURABLE", "team_id": TEAM}


async def diagnosis_answer(store: Store, slack: SlackPlatform) -> Click:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL, resume=False)
    question = KB.questions[0]
    view = in_modal(
        build_question_view(
            flow_id=flow.flow_id, step=0, total=len(KB.questions), question=question, chosen=None, team=False
        )
    )
    option = question.options[1]
    payload = slack.action_payload(find_button(view["blocks"], option.label), user=ME, view=view)

    async def stored(after: Store) -> None:
        moved = await after.diagnoses.get(TEAM, flow.flow_id)
        assert moved is not None and moved.step == 1
        assert moved.answers == {question.id: option.id}

    return Click(payload, stored)


async def diagnosis_back(store: Store, slack: SlackPlatform) -> Click:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL, resume=False)
    first, second = KB.questions[0], KB.questions[1]
    assert await store.diagnoses.answer(TEAM, flow.flow_id, 0, first.id, first.options[0].id) is not None
    view = in_modal(
        build_question_view(
            flow_id=flow.flow_id, step=1, total=len(KB.questions), question=second, chosen=None, team=False
        )
    )
    payload = slack.action_payload(find_button(view["blocks"], "◀ Back"), user=ME, view=view)

    async def stored(after: Store) -> None:
        back = await after.diagnoses.get(TEAM, flow.flow_id)
        assert back is not None and back.step == 0 and back.status == "active"

    return Click(payload, stored)


async def diagnosis_restart(store: Store, slack: SlackPlatform) -> Click:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL, resume=False)
    answers = {q.id: q.options[0].id for q in KB.questions}
    for step, (question_id, option_id) in enumerate(answers.items()):
        assert await store.diagnoses.answer(TEAM, flow.flow_id, step, question_id, option_id) is not None
    assert await store.diagnoses.finish(TEAM, flow.flow_id) is not None
    view = in_modal(build_result_view(score(KB, answers), flow_id=flow.flow_id, team=False))
    payload = slack.action_payload(find_button(view["blocks"], "Start over"), user=ME, view=view)

    async def stored(after: Store) -> None:
        fresh = await after.diagnoses.active_flow(TEAM, ME, None)
        assert fresh is not None and fresh.flow_id != flow.flow_id
        assert fresh.step == 0 and fresh.answers == {}

    return Click(payload, stored)


async def diagnosis_last_team_answer(store: Store, slack: SlackPlatform) -> Click:
    session = await store.diagnoses.open_session(TEAM, CHANNEL, LEAD)
    await store.diagnoses.set_session_messages(
        TEAM, session.session_id, "1700000000.000001", "1700000000.000002"
    )
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL, session.session_id, resume=False)
    steps = steps_for(KB, team=True)
    for step, question in enumerate(steps[:-1]):
        assert await store.diagnoses.answer(TEAM, flow.flow_id, step, question.id, question.options[0].id)
    last = steps[-1]
    view = in_modal(
        build_question_view(
            flow_id=flow.flow_id, step=len(steps) - 1, total=len(steps), question=last, chosen=None, team=True
        )
    )
    option = last.options[0]
    payload = slack.action_payload(find_button(view["blocks"], option.label), user=ME, view=view)

    async def stored(after: Store) -> None:
        finished = await after.diagnoses.get(TEAM, flow.flow_id)
        assert finished is not None and finished.status == "finished"
        assert finished.answers[last.id] == option.id
        [response] = await after.diagnoses.responses(TEAM, session.session_id)
        assert response.user_id == ME and response.answers == finished.answers

    return Click(payload, stored)


async def team_close(store: Store, slack: SlackPlatform) -> Click:
    session = await store.diagnoses.open_session(TEAM, CHANNEL, LEAD)
    blocks = build_invitation(session_id=session.session_id, started_by=LEAD, answered=0)
    close = next(
        e for block in blocks for e in block.get("elements", []) if e.get("action_id") == diagnose_ids.CLOSE
    )
    # A workspace admin (not the starter): the permission check asks users.info before the ack.
    payload = slack.action_payload(
        close, user=WORKSPACE_ADMIN, channel=CHANNEL, message={"ts": "1700000000.1"}
    )

    async def stored(after: Store) -> None:
        closed = await after.diagnoses.get_session(TEAM, session.session_id)
        assert closed is not None and closed.status == "closed"

    return Click(payload, stored)


async def config_saved(store: Store, slack: SlackPlatform) -> Click:
    modal = build_config_modal(await store.workspaces.get(TEAM), channel_id=CHANNEL)
    payload = config_submission(modal, user=ADMIN, channels=(LEAD_CHANNEL,), weekday="2", min_group="5")

    async def stored(after: Store) -> None:
        config = await after.workspaces.get(TEAM)
        assert config.leadership_channels == (LEAD_CHANNEL,)
        assert config.digest_weekday == 2 and config.min_group == 5

    return Click(payload, stored)


async def vote(store: Store, slack: SlackPlatform) -> Click:
    answer_id = await store.questions.record(
        TEAM, "why do our researchers never ship?", kind="free", answered=True
    )
    payload = slack.action_payload(
        {"action_id": ask_ids.UNHELPFUL, "value": answer_id, "type": "button"}, user=ME, channel=CHANNEL
    )

    async def stored(after: Store) -> None:
        assert await after.questions.vote(TEAM, answer_id, ME, helpful=True) == "repeat"

    return Click(payload, stored)


async def held_preview(store: Store) -> str:
    key = f"summary:{PREVIEW}"
    await store.outbox.enqueue(
        TEAM,
        key,
        kind="summary",
        channel_id=LEAD_CHANNEL,
        payload={"text": "This week in ML teams", "blocks": []},
        requested_by=ADMIN,
        held=True,
    )
    return key


async def summary_post(store: Store, slack: SlackPlatform) -> Click:
    key = await held_preview(store)
    button = {"action_id": summary_ids.POST, "value": PREVIEW, "type": "button"}
    payload = slack.action_payload(button, user=ADMIN, channel=CHANNEL)

    async def stored(after: Store) -> None:
        [item] = [
            i
            for i in await after.outbox.items(("held", "pending", "delivering", "delivered"))
            if i.dedupe_key == key
        ]
        assert item.status != "held"  # released: the outbox delivers it, whoever runs next

    return Click(payload, stored, posts_allowed=True)


async def summary_discard(store: Store, slack: SlackPlatform) -> Click:
    key = await held_preview(store)
    button = {"action_id": summary_ids.DISCARD, "value": PREVIEW, "type": "button"}
    payload = slack.action_payload(button, user=ADMIN, channel=CHANNEL)

    async def stored(after: Store) -> None:
        assert not await after.outbox.exists(TEAM, key)

    return Click(payload, stored)


async def running_quiz(store: Store) -> tuple[str, list[dict[str, Any]]]:
    items = [snapshot(item) for item in QuestionBank(KB).about("rnd")[:2]]
    quiz, created = await store.quizzes.create(TEAM, CHANNEL, HOST, items)
    assert created
    await store.quizzes.set_parent(TEAM, quiz.quiz_id, "1700000000.000010")
    await store.quizzes.set_question(TEAM, quiz.quiz_id, 0, "1700000000.000011", None)
    shown = await store.quizzes.get(TEAM, quiz.quiz_id)
    assert shown is not None
    return quiz.quiz_id, build_question(shown, 0, 0)


async def quiz_next(store: Store, slack: SlackPlatform) -> Click:
    quiz_id, blocks = await running_quiz(store)
    payload = slack.action_payload(
        find_button(blocks, "Next ▶"), user=HOST, message={"ts": "1700000000.000011"}
    )

    async def stored(after: Store) -> None:
        moved = await after.quizzes.get(TEAM, quiz_id)
        assert moved is not None and moved.current == 1 and moved.status == "running"

    return Click(payload, stored)


async def quiz_end(store: Store, slack: SlackPlatform) -> Click:
    quiz_id, blocks = await running_quiz(store)
    payload = slack.action_payload(
        find_button(blocks, "End quiz"), user=HOST, message={"ts": "1700000000.000011"}
    )

    async def stored(after: Store) -> None:
        ended = await after.quizzes.get(TEAM, quiz_id)
        assert ended is not None and ended.status == "ended"

    return Click(payload, stored)


SCENES: dict[str, Scene] = {
    "diagnosis answer": diagnosis_answer,
    "diagnosis back": diagnosis_back,
    "diagnosis start over": diagnosis_restart,
    "diagnosis last answer finishes a team response": diagnosis_last_team_answer,
    "team diagnosis closed by an admin": team_close,
    "settings saved": config_saved,
    "vote on an answer": vote,
    "summary post": summary_post,
    "summary discard": summary_discard,
    "quiz next": quiz_next,
    "quiz end": quiz_end,
}


# -- the test --------------------------------------------------------------------------------------------


def holding_env(fake: FakeSlack, database_url: str, tmp_path: Path) -> dict[str, str]:
    shim = tmp_path / "hold-after-ack"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = serve_env(fake, database_url, MLORG_ADMINS=ADMIN)
    env["PYTHONPATH"] = os.pathsep.join([str(shim), env["PYTHONPATH"]])
    return env


@pytest.mark.parametrize("kind", list(SCENES))
async def test_a_click_acked_just_before_a_kill_9_is_stored(
    kind: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mlorg.sqlite3'}"
    fake_slack.admins.add(WORKSPACE_ADMIN)
    port = free_port()
    slack = SlackPlatform(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, fake_slack.response_url())
    async with Store.open(url) as store:
        await store.migrate()
        click = await SCENES[kind](store, slack)

    process = ServeProcess(serve_command(port=port), holding_env(fake_slack, url, tmp_path), tmp_path)
    try:
        process.start()
        await process.wait_healthy(f"http://127.0.0.1:{port}")
        async with slack:
            acked = await process.while_running(slack.interact(click.payload))
        assert acked.status == 200, acked
        await process.wait_for_output(HELD)
        process.kill()  # SIGKILL: nothing after the ack runs, nothing is flushed
        assert process.returncode == -9
    finally:
        process.kill()
    assert "Traceback" not in process.output, process.describe()

    # The after-ack work (redraws, replies) never ran: the state below is the ack's alone.
    after_ack = [
        c.method
        for c in fake_slack.calls
        if c.method in AFTER_ACK
        or c.method.startswith("response_url")
        or (c.method == "chat.postMessage" and not click.posts_allowed)
    ]
    assert after_ack == []

    async with Store.open(url) as restarted:
        await click.stored(restarted)
