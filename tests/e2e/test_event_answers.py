"""A question asked by event is answered once: across Slack's retries, two replicas, and a crash.

The ack of a mention or DM waits only for the claim of its event id (which stores the question);
the answer comes after it. So a retry may arrive while the first delivery is still being
answered, two replicas may each receive a delivery, and a process may die between the ack and
the reply. Each time, what the channel shows is one answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.features.ask.replies import METADATA_EVENT, pending_question
from bot.store import Store
from bot.store.events import EventLog, utc_now
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import BOT_TOKEN, SIGNING_SECRET, RunningApp, make_settings, sqlite_url
from tests.e2e.slack_client import SlackPlatform
from tests.support.postgres import fresh_pg_database

CHANNEL = "C0EVENTS"
TEAM = "T0001"
QUESTION = "<@UBOT> what goes wrong when ML sits in the R&D lab?"


def mention(ts: str, text: str = QUESTION) -> dict[str, Any]:
    return {"type": "app_mention", "user": "U0ASK", "text": text, "channel": CHANNEL, "ts": ts}


def replies_in(fake: FakeSlack, thread: str) -> list[dict[str, Any]]:
    """What a person reading the thread sees of mlorg: the replies Slack accepted."""
    return [m for m in fake.accepted if m["channel"] == CHANNEL and m.get("thread_ts") == thread]


async def until(check: Any, what: str, timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
async def app(fake_slack: FakeSlack, database_url: str) -> AsyncIterator[RunningApp]:
    running = await RunningApp(make_settings(fake_slack, database_url)).start()
    yield running
    await running.stop()


def platform(app: RunningApp, fake: FakeSlack) -> SlackPlatform:
    return SlackPlatform(app.url, SIGNING_SECRET, fake.response_url())


async def test_a_retry_that_arrives_while_the_first_delivery_is_still_being_answered_is_not_answered_again(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.hold("chat.postMessage", CHANNEL)
    async with platform(app, fake_slack) as slack:
        first = await slack.event(mention("1700000100.000001"), event_id="EvRetryWhileAnswering")
        assert first.status == 200  # acked while the reply is still on its way to Slack
        await fake_slack.wait_for("chat.postMessage", 1)
        retry = await slack.event(mention("1700000100.000001"), event_id="EvRetryWhileAnswering", retry_num=1)
        assert retry.status == 200
    fake_slack.release()
    await until(lambda: replies_in(fake_slack, "1700000100.000001"), "the answer")
    await fake_slack.settle(0.5)

    assert len(replies_in(fake_slack, "1700000100.000001")) == 1
    assert app.mlorg is not None
    assert await app.mlorg.store.pending_answers.waiting(TEAM) == 0  # answered, so nothing left to resume


async def test_two_replicas_that_each_receive_a_delivery_of_one_event_answer_it_once(
    fake_slack: FakeSlack, database_url: str
) -> None:
    replicas = [await RunningApp(make_settings(fake_slack, database_url)).start() for _ in range(2)]
    try:
        async with platform(replicas[0], fake_slack) as one, platform(replicas[1], fake_slack) as two:
            acks = await asyncio.gather(
                one.event(mention("1700000200.000001"), event_id="EvTwoReplicas"),
                two.event(mention("1700000200.000001"), event_id="EvTwoReplicas", retry_num=1),
                two.event(mention("1700000200.000001"), event_id="EvTwoReplicas", retry_num=2),
            )
        assert [ack.status for ack in acks] == [200, 200, 200]
        await until(lambda: replies_in(fake_slack, "1700000200.000001"), "the answer")
        await fake_slack.settle(0.5)
    finally:
        for replica in replicas:
            await replica.stop()

    assert len(replies_in(fake_slack, "1700000200.000001")) == 1


async def claimed_by_a_process_that_died(store: Store, thread: str, event_id: str) -> None:
    """The state a kill -9 right after the ack leaves: the event claimed, its question stored,
    no reply; claimed long enough ago that the dead process's lease has run out."""
    long_ago = EventLog(store.sessions, store.dialect, clock=lambda: utc_now() - timedelta(minutes=5))
    body = {"type": "event_callback", "team_id": TEAM, "event_id": event_id, "event": mention(thread)}
    question = pending_question(body)
    assert question is not None
    assert await long_ago.claim(TEAM, event_id, question)


async def test_a_question_acked_by_a_process_that_died_before_replying_is_answered_by_the_next_once(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    assert app.mlorg is not None
    await claimed_by_a_process_that_died(app.mlorg.store, "1700000300.000001", "EvDiedBeforeReply")

    await until(lambda: replies_in(fake_slack, "1700000300.000001"), "the answer the dead process owed")
    for _ in range(200):
        if await app.mlorg.store.pending_answers.waiting(TEAM) == 0:
            break
        await asyncio.sleep(0.02)
    await fake_slack.settle(0.5)

    (reply,) = replies_in(fake_slack, "1700000300.000001")
    assert reply["metadata"]["event_payload"] == {"event_id": "EvDiedBeforeReply"}
    assert await app.mlorg.store.pending_answers.waiting(TEAM) == 0


async def test_a_question_whose_reply_was_posted_just_before_the_process_died_is_not_answered_twice(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    assert app.mlorg is not None
    thread = "1700000400.000001"
    # The dead process got as far as Slack accepting its reply, tagged with the event id.
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    await client.chat_postMessage(
        channel=CHANNEL,
        thread_ts=thread,
        text="the answer, posted before the kill",
        metadata={"event_type": METADATA_EVENT, "event_payload": {"event_id": "EvDiedAfterReply"}},
    )
    await claimed_by_a_process_that_died(app.mlorg.store, thread, "EvDiedAfterReply")

    for _ in range(1000):
        if await app.mlorg.store.pending_answers.waiting(TEAM) == 0:
            break
        await asyncio.sleep(0.02)
    await fake_slack.settle(0.5)

    assert await app.mlorg.store.pending_answers.waiting(TEAM) == 0, "the question was taken over"
    assert [m["text"] for m in replies_in(fake_slack, thread)] == ["the answer, posted before the kill"]
