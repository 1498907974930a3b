"""PostgreSQL goes away mid-traffic and comes back: mlorg answers kindly, then recovers by itself.

A real ``mlorg serve --http`` process runs against a private PostgreSQL cluster (initdb and
pg_ctl in a temporary directory, on a free port; the shared server on 5432 is never touched)
that the test stops and starts. While the database is down every request still gets its 200
and a short "try again in a minute", ``/healthz`` says 503 and why; once it is back, without
restarting mlorg, health, commands and clicks work again, a summary queued before the outage
is delivered exactly once, and a quiz whose timer ran out during the outage moves on.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.outage import UNAVAILABLE_TEXT
from bot.store import Quiz, Store
from tests.e2e.fake_slack import Call, FakeSlack, Scripted
from tests.e2e.harness import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.processes import ServeProcess, child_env, free_port, serve_command
from tests.e2e.slack_client import SlackPlatform, find_button
from tests.e2e.test_quiz import eventually as _eventually
from tests.e2e.test_summary import accepted_with, config_submission, item_id_of, open_config
from tests.support.pg_cluster import PgCluster, throwaway_cluster

pytestmark = pytest.mark.postgres

TEAM = "T0001"
ADMIN = "U0ADMIN"
LEAD = "C0LEAD"
LEAD_REF = f"<#{LEAD}|leadership>"
QUIZ_CHANNEL = "C0QUIZ"
REPLY = "response_url:r1"
WAIT = 20.0


async def eventually(check: Any, what: str, timeout: float = WAIT) -> Any:
    """The quiz suite's poll, with this file's longer wait (a server restarts in between)."""
    return await _eventually(check, what, timeout)


@pytest.fixture
def cluster() -> Iterator[PgCluster]:
    with throwaway_cluster() as pg:
        yield pg


@pytest.fixture
async def mlorg(fake_slack: FakeSlack, cluster: PgCluster, tmp_path: Path) -> AsyncIterator[ServeProcess]:
    port = free_port()
    env = child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=cluster.url,
        MLORG_ADMINS=ADMIN,
    )
    process = ServeProcess(serve_command(port=port), env, tmp_path)
    process.base_url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    try:
        process.start()
        await process.wait_healthy(process.base_url)  # type: ignore[attr-defined]
        yield process
    finally:
        process.kill()


@pytest.fixture
async def slack(mlorg: ServeProcess, fake_slack: FakeSlack) -> AsyncIterator[SlackPlatform]:
    url = f"{mlorg.base_url}/slack/events"  # type: ignore[attr-defined]
    async with SlackPlatform(url, SIGNING_SECRET, fake_slack.response_url()) as platform:
        yield platform


# -- helpers -----------------------------------------------------------------------------------------


async def health(base_url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{base_url}/healthz") as response:
        return response.status, await response.json()


async def next_reply(fake: FakeSlack, before: int) -> Call:
    return (await fake.wait_for(REPLY, before + 1, timeout=WAIT))[before]


async def summary_preview(slack: SlackPlatform, fake: FakeSlack) -> Call:
    before = len(fake.calls_to(REPLY))
    ack = await slack.command(f"summary {LEAD_REF}", user=ADMIN)
    assert ack.status == 200, ack
    preview = await next_reply(fake, before)
    assert preview.blocks, f"no preview, only: {preview.text}"
    return preview


async def click_post(slack: SlackPlatform, fake: FakeSlack, preview: Call) -> tuple[int, Call]:
    before = len(fake.calls_to(REPLY))
    clicked = await slack.click(find_button(preview.blocks, "Post to"), user=ADMIN)
    return clicked.status, await next_reply(fake, before)


def has_button(blocks: list[dict[str, Any]]) -> bool:
    return any(element.get("type") == "button" for block in blocks for element in block.get("elements") or [])


def first_button(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return next(
        element
        for block in blocks
        for element in block.get("elements") or []
        if element.get("type") == "button"
    )


def scoreboards(fake: FakeSlack, parent_ts: str | None) -> list[Call]:
    return [
        c
        for c in fake.posts(QUIZ_CHANNEL)
        if parent_ts and c.args.get("thread_ts") == parent_ts and "Quiz scoreboard" in c.text
    ]


# -- the test ----------------------------------------------------------------------------------------


async def test_a_database_outage_gets_friendly_answers_and_mlorg_recovers_without_a_restart(
    cluster: PgCluster, mlorg: ServeProcess, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    base_url: str = mlorg.base_url  # type: ignore[attr-defined]
    store = Store.open(cluster.url)  # the test's own view of the database
    try:
        # Traffic works: a preview is stored; one is posted, but Slack asks to wait 3 s, so its
        # delivery is still pending when the database goes away.
        queued = await summary_preview(slack, fake_slack)
        spare = await summary_preview(slack, fake_slack)
        fake_slack.script(
            "chat.postMessage", Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "3"})
        )
        status, on_its_way = await click_post(slack, fake_slack, queued)
        assert status == 200 and "on its way" in on_its_way.text, on_its_way.text
        [refused] = await eventually(lambda: fake_slack.posts(LEAD), "the first delivery attempt")
        item_id = item_id_of(refused)
        assert accepted_with(fake_slack, item_id) == []

        # A one-question quiz whose 10-second timer will run out while the database is down.
        quiz_ack = await slack.command("quiz 1 timer 10", user=ADMIN, channel=QUIZ_CHANNEL)
        assert quiz_ack.status == 200, quiz_ack
        quiz = await eventually(lambda: _open_question(store), "the quiz's first question to open")
        assert scoreboards(fake_slack, quiz.parent_ts) == []

        settings_modal = await open_config(slack, fake_slack)

        cluster.stop()

        # A command whose work comes before the ack: the ack itself says so.
        forget = await slack.command("forget me", user="U0SOMEONE")
        assert forget.status == 200, forget
        assert forget.json.get("response_type") == "ephemeral"
        assert UNAVAILABLE_TEXT in forget.text

        # A command that acks first: the answer arrives on the response_url.
        before = len(fake_slack.calls_to(REPLY))
        later = await slack.command(f"summary {LEAD_REF}", user=ADMIN)
        assert later.status == 200 and later.body == "", later
        assert UNAVAILABLE_TEXT in (await next_reply(fake_slack, before)).text

        # A click: 200 with an empty ack, then a private note on the response_url.
        status, note = await click_post(slack, fake_slack, spare)
        assert status == 200
        assert UNAVAILABLE_TEXT in note.text
        assert note.args.get("response_type") == "ephemeral"
        assert note.args.get("replace_original") in (False, "false", None)

        # A quiz answer, the click that carries most traffic: acked, then told on the player's URL.
        question = [
            c
            for c in fake_slack.posts(QUIZ_CHANNEL)
            if c.args.get("thread_ts") == quiz.parent_ts and has_button(c.blocks)
        ][-1]
        player = "U0PLAYER"
        payload = slack.action_payload(
            first_button(question.blocks), user=player, channel=QUIZ_CHANNEL, message={"ts": quiz.question_ts}
        )
        payload["response_url"] = fake_slack.response_url(player)
        answered = await slack.interact(payload)
        assert answered.status == 200 and answered.body == "", answered
        [told] = await fake_slack.wait_for(f"response_url:{player}", timeout=WAIT)
        assert UNAVAILABLE_TEXT in told.text

        # A mention: Slack gets its 200 (no redelivery into the outage) and the person a note.
        mention = await slack.event(
            {
                "type": "app_mention",
                "user": "U0SOMEONE",
                "channel": "C0001",
                "text": "<@UBOT> hi",
                "ts": "1.2",
            }
        )
        assert mention.status == 200, mention
        [ephemeral] = await fake_slack.wait_for("chat.postEphemeral", timeout=WAIT)
        assert UNAVAILABLE_TEXT in ephemeral.text and ephemeral.args.get("user") == "U0SOMEONE"

        # A modal submission: the modal stays open with the sentence under a field, or, if the
        # submission was acked before its write, a direct message says it was not saved.
        submitted = await slack.interact(config_submission(settings_modal))
        assert submitted.status == 200, submitted
        if submitted.body:
            assert submitted.json["response_action"] == "errors", submitted.body
            shown = json.dumps(submitted.json["errors"])  # the feature's own wording, or ours
            assert "database" in shown and "in a minute" in shown, shown
        else:
            await eventually(
                lambda: [c for c in fake_slack.posts(ADMIN) if UNAVAILABLE_TEXT in c.text],
                "a direct message about the unsaved settings",
            )

        status, body = await health(base_url)
        assert status == 503
        assert body == {
            "ok": False,
            "database": "unavailable",
            "reason": "cannot connect: ConnectionRefusedError",
        }

        # Stay down until the quiz's time is up and the summary's Retry-After has passed.
        await eventually(lambda: datetime.now(UTC) > quiz.deadline, "the quiz deadline to pass", timeout=30)
        assert mlorg.returncode is None, mlorg.describe()

        cluster.start()

        # Back, without a restart.
        await eventually(lambda: _healthy(base_url), "/healthz to answer 200 again")
        status, on_its_way = await click_post(slack, fake_slack, spare)
        assert status == 200 and "on its way" in on_its_way.text, on_its_way.text
        again = await summary_preview(slack, fake_slack)
        assert again.blocks

        # The summary queued before the outage is delivered, once; so is the one posted after it.
        await eventually(lambda: accepted_with(fake_slack, item_id), "the queued summary")
        await eventually(
            lambda: len([m for m in fake_slack.accepted if m["channel"] == LEAD]) >= 2, "both summaries"
        )
        # The quiz's timer resumed: the quiz ended by itself, with its scoreboard.
        await eventually(lambda: _ended(store, quiz.quiz_id), "the quiz to end after its timer")
        await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the quiz's scoreboard")
        await fake_slack.settle(1.0)
        assert len(accepted_with(fake_slack, item_id)) == 1
        assert len([m for m in fake_slack.accepted if m["channel"] == LEAD]) == 2

        # The background jobs said so once each, not once per tick; no request reached the
        # generic error handler, and nothing crashed.
        output = mlorg.output
        assert output.count("outbox: the database is unavailable") == 1, output
        assert output.count("quiz timers: the database is unavailable") == 1, output
        assert "outbox: the database is reachable again" in output
        assert "unexpected error" not in output, output
        assert "Traceback" not in output, output
        assert mlorg.returncode is None
    finally:
        await store.close()


async def _healthy(base_url: str) -> bool:
    status, _ = await health(base_url)
    return status == 200


async def _open_question(store: Store) -> Quiz | None:
    quiz = await store.quizzes.running_in(TEAM, QUIZ_CHANNEL)
    return quiz if quiz is not None and quiz.deadline is not None and quiz.parent_ts else None


async def _ended(store: Store, quiz_id: str) -> bool:
    quiz = await store.quizzes.get(TEAM, quiz_id)
    return quiz is not None and quiz.status == "ended"
