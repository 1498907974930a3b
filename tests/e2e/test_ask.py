"""Questions in plain words, end to end: a mention, a thread follow-up, a DM, ``/mlorg ask``,
votes, and the questions mlorg could not answer reaching the admins."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.operator import list_questions
from knowledge import load_knowledge
from knowledge.models import Archetype
from tests.e2e.fake_slack import Call, FakeSlack
from tests.e2e.harness import RunningApp, make_settings, sqlite_url
from tests.e2e.slack_client import SlackPlatform, find_button

KB = load_knowledge()
CHANNEL = "C0001"
DM = "D0ASK"
ASKER = "U0ASK"
ADMIN = "U0ADMIN"
REPLY = "response_url:r1"


def archetype(topic_id: str) -> Archetype:
    topic = KB.get(topic_id)
    assert isinstance(topic, Archetype)
    return topic


@pytest.fixture
async def app(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    running = await RunningApp(make_settings(fake_slack, sqlite_url(tmp_path), mlorg_admins=ADMIN)).start()
    yield running
    await running.stop()


async def eventually(check: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


_ts = iter(range(100, 10_000))


async def mention(
    slack: SlackPlatform, fake: FakeSlack, text: str, *, thread_ts: str | None = None
) -> tuple[Call, str]:
    """``@mlorg text`` in the channel (or in a thread); returns mlorg's reply and the event's ts."""
    ts = f"1700000000.{next(_ts):06d}"
    before = len(fake.calls_to("chat.postMessage"))
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": ASKER,
        "text": f"<@UBOT> {text}",
        "channel": CHANNEL,
        "ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    assert (await slack.event(event)).status == 200
    posts = await fake.wait_for("chat.postMessage", before + 1)
    return posts[before], ts


def facts_of(topic: Archetype, aspect: str) -> tuple[str, ...]:
    return tuple(getattr(topic, aspect))


async def test_the_app_builds_its_answer_index_by_itself_right_after_start_up(app: RunningApp) -> None:
    assert app.mlorg is not None
    deadline = time.monotonic() + 30
    while not app.mlorg.answerer.indexed:
        assert time.monotonic() < deadline, "the answer index was not built after start-up"
        await asyncio.sleep(0.05)


async def test_a_mention_is_answered_in_its_thread_and_a_follow_up_keeps_the_subject(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    rnd = archetype("rnd")
    first, ts = await mention(slack, fake_slack, "what goes wrong when ML sits in the R&amp;D lab?")

    assert first.args["thread_ts"] == ts
    assert any(challenge in first.text for challenge in rnd.challenges), first.text

    follow, _ = await mention(slack, fake_slack, "and what is it good at?", thread_ts=ts)
    assert follow.args["thread_ts"] == ts
    assert any(strength in follow.text for strength in rnd.strengths), follow.text

    # The subject lives in the store: it survives a restart.
    await app.restart()
    again, _ = await mention(slack, fake_slack, "and its downsides?", thread_ts=ts)
    assert any(challenge in again.text for challenge in rnd.challenges), again.text

    # A different thread starts without a subject.
    other, _ = await mention(slack, fake_slack, "and its downsides?")
    assert not any(challenge in other.text for challenge in rnd.challenges), other.text


async def test_a_direct_message_is_answered_in_the_dm_and_mlorgs_own_posts_are_ignored(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    nascent, ml_first = archetype("nascent"), archetype("ml_first")
    dm = {"type": "message", "channel_type": "im", "channel": DM, "user": ASKER, "ts": "1700000001.000001"}

    await slack.event({**dm, "text": "how does nascent compare with ML-first?"})
    [reply] = await fake_slack.wait_for("chat.postMessage")

    assert reply.args["channel"] == DM and not reply.args.get("thread_ts")
    assert nascent.short_name in reply.text and ml_first.short_name in reply.text
    assert find_button(reply.blocks, f"Compare {nascent.short_name} and {ml_first.short_name}")

    await slack.event({**dm, "ts": "1700000001.000002", "bot_id": "B0MLORG", "text": "an answer"})
    await slack.event({**dm, "ts": "1700000001.000003", "subtype": "message_changed", "text": "edited"})
    await fake_slack.settle(0.2)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1, "mlorg answered itself or an edit"


async def test_slash_ask_answers_privately_and_without_a_question_says_how(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    empty = await slack.command("ask")
    assert empty.json["response_type"] == "ephemeral" and "/mlorg ask" in empty.text

    assert (await slack.command("ask how many design dimensions are there?")).status == 200
    [reply] = await fake_slack.wait_for(REPLY)

    assert reply.args.get("response_type") == "ephemeral"
    assert all(d.short_name in reply.text or d.name in reply.text for d in KB.dimensions), reply.text
    assert fake_slack.posts() == []


async def test_a_described_situation_offers_the_diagnosis(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    reply, _ = await mention(
        slack,
        fake_slack,
        "our only ML person sits in finance and builds forecasts when she has time, what are we?",
    )

    assert archetype("nascent").short_name in reply.text, reply.text
    assert find_button(reply.blocks, "Run the diagnosis")["action_id"] == "mlorg_diag_start"


async def test_a_vote_twice_counts_once_and_a_card_opens_privately(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    reply, _ = await mention(slack, fake_slack, "what are the strengths of product-embedded ML?")
    down = find_button(reply.blocks, "👎")

    for _ in range(2):
        assert (await slack.click(down, user=ASKER, message={"ts": reply.args.get("ts", "")})).status == 200
    replies = await fake_slack.wait_for(REPLY, 2)
    assert "Thanks" in replies[0].text and "already voted" in replies[1].text
    assert app.mlorg is not None
    [asked] = await app.mlorg.store.questions.asked_since("T0001", _epoch())
    assert (asked.up, asked.down) == (0, 1)

    card = find_button(reply.blocks, f"Open the {archetype('embedded').short_name} card")
    await slack.click(card, user=ASKER)
    [shown] = (await fake_slack.wait_for(REPLY, 3))[2:]
    assert shown.args.get("response_type") == "ephemeral" and shown.args.get("replace_original") in (
        False,
        "false",
    )
    assert archetype("embedded").name in shown.text


async def test_an_unanswerable_question_is_said_plainly_and_reaches_the_admins_list(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    reply, _ = await mention(slack, fake_slack, "what's the weather in Paris tomorrow? &lt;!channel&gt;")

    assert "doesn't cover that" in reply.text and "won't guess" in reply.text
    assert "•" not in reply.text, "a declined question gets no facts dressed up as an answer"
    assert "&lt;!channel&gt;" in reply.text and "<!channel>" not in reply.text
    assert app.mlorg is not None
    lines = await list_questions(app.mlorg.store)
    assert any("weather in Paris" in line and "no answer" in line for line in lines), lines
    assert not any(ASKER in line for line in lines), "the list names who asked"

    assert (await slack.command("summary <#C0LEAD|leadership>", user=ADMIN)).status == 200
    [preview] = await fake_slack.wait_for(REPLY)
    assert "Questions people asked that mlorg could not answer" in preview.text
    assert "weather in Paris" in preview.text


@pytest.mark.parametrize("text", ["x" * 10_000, "\x00\x01\x1b[31m\u202e" * 50, "<@" * 20_000])
async def test_huge_or_hostile_questions_get_a_polite_answer(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp, text: str
) -> None:
    reply, _ = await mention(slack, fake_slack, text)

    assert reply.text
    assert len(reply.text) < 5000


def _epoch() -> Any:
    from datetime import UTC, datetime

    return datetime(1970, 1, 1, tzinfo=UTC)


async def test_typed_entities_are_decoded_exactly_once(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    # Someone types "&lt;b&gt;" literally; Slack sends it as "&amp;lt;b&amp;gt;".
    assert (await slack.command("ask is &amp;lt;b&amp;gt; an archetype?")).status == 200
    await fake_slack.wait_for(REPLY)
    assert app.mlorg is not None
    [asked] = await app.mlorg.store.questions.asked_since("T0001", _epoch())
    assert asked.question == "is &lt;b&gt; an archetype?"
