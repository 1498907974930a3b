"""A bounded soak: mixed traffic while ``mlorg serve`` is killed with SIGKILL again and again.

For ``MLORG_SOAK_SECONDS`` (default 120) people read cards, play a quiz with two dozen
players, answer diagnoses and post summaries to #leadership (see ``soak_traffic.py``),
while the process serving them is killed with ``kill -9`` after a random few seconds and
started again on the same SQLite file and port. Afterwards, on one last process:

* every acknowledged quiz answer is stored, exactly once, with the option that was acked;
* every acknowledged diagnosis answer is stored in its flow;
* every acknowledged summary Post reaches #leadership exactly once, and nothing is posted twice;
* every question acknowledged by mention or DM (in any of Slack's deliveries of its event) is
  answered exactly once, even when the process died between the ack and the reply;
* no quiz is stuck: the running one has its question posted and its host can end it.

The kill moments come from ``MLORG_SOAK_SEED`` (printed on failure); the traffic's own
interleaving is the machine's, which is the point of a soak.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from pathlib import Path

from bot.features.quiz import ids as quiz_ids
from bot.features.quiz.blocks import encode
from bot.store import Store
from knowledge import load_knowledge
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import SIGNING_SECRET
from tests.e2e.processes import ServeProcess, free_port, serve_command
from tests.e2e.slack_client import SlackPlatform
from tests.e2e.soak_traffic import ASK_CHANNEL, DM_CHANNEL, HOST, LEAD, QUIZ_CHANNEL, TEAM, Ledger, Traffic
from tests.e2e.test_serve_process import serve_env, sqlite_file_url

SOAK_SECONDS = float(os.environ.get("MLORG_SOAK_SECONDS", "120"))
SEED = int(os.environ.get("MLORG_SOAK_SEED", "20261202"))
#: A process lives this long (seconds, uniformly drawn) before its kill -9.
LIFETIME = (1.5, 7.0)
#: After the traffic stops: how long the last process may take to deliver what is owed.
SETTLE_SECONDS = 45.0


async def test_kill_9_at_random_moments_loses_no_acked_answer_posts_each_summary_and_question_once_and_strands_no_quiz(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    url = sqlite_file_url(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    lives: list[ServeProcess] = []

    def start(name: str) -> ServeProcess:
        process = ServeProcess(serve_command(port=port), serve_env(fake_slack, url), tmp_path, name=name)
        lives.append(process.start())
        return process

    try:
        first = start("life00")
        await first.wait_healthy(base)
        stop = asyncio.Event()
        async with (
            Store.open(url) as store,
            SlackPlatform(f"{base}/slack/events", SIGNING_SECRET, fake_slack.response_url()) as slack,
            SlackPlatform(
                f"{base}/slack/events", SIGNING_SECRET, fake_slack.response_url("summary-preview")
            ) as admin_slack,
        ):
            traffic = Traffic(
                slack, admin_slack, fake_slack, store, load_knowledge(), random.Random(SEED + 1), stop
            )
            running = asyncio.ensure_future(traffic.run())
            try:
                deadline = time.monotonic() + SOAK_SECONDS
                process = first
                while time.monotonic() < deadline:
                    await asyncio.sleep(rng.uniform(*LIFETIME))
                    assert not running.done() or running.exception() is None, running.exception()
                    process.kill()  # SIGKILL: no drain, nothing flushed
                    assert process.returncode == -9, process.describe()
                    process = start(f"life{len(lives):02d}")
                    await process.wait_healthy(base, timeout=60)
            finally:
                stop.set()
                await asyncio.wait_for(running, timeout=60)

            last = process
            ledger = traffic.ledger
            print(
                f"soak seed {SEED}: {len(lives)} processes, acks {dict(ledger.acks)}, misses {dict(ledger.misses)}"
            )
            assert len(lives) >= 3, f"the soak (seed {SEED}) was too short to kill anything"
            assert ledger.quiz_answers and ledger.diagnosis_answers and ledger.posted_previews, ledger.acks
            assert ledger.questions, ledger.acks

            await assert_every_acked_quiz_answer_is_stored_once(store, ledger)
            await assert_every_acked_diagnosis_answer_is_stored(store, ledger)
            await assert_every_posted_summary_arrives_once(store, fake_slack, ledger)
            await assert_no_quiz_is_stuck(store, slack, fake_slack, ledger)
            await assert_every_acked_question_is_answered_once(fake_slack, ledger)
            assert last.returncode is None, last.describe()

    finally:
        for life in lives:  # a failed assertion must not leave a server running
            life.kill()
    for life in lives:
        assert "unexpected error" not in life.output, life.describe()


async def assert_every_acked_quiz_answer_is_stored_once(store: Store, ledger: Ledger) -> None:
    stored: dict[tuple[str, int, str], list[str]] = {}
    for quiz_id in ledger.quizzes:
        for answer in await store.quizzes.answers(TEAM, quiz_id):
            stored.setdefault((quiz_id, answer.position, answer.user_id), []).append(answer.option_id)
    lost = sorted(key for key in ledger.quiz_answers if key not in stored)
    assert not lost, f"{len(lost)} acknowledged quiz answers were lost, e.g. {lost[:5]}"
    twice = {key: options for key, options in stored.items() if len(options) != 1}
    assert not twice, f"answers stored more than once: {twice}"
    changed = {k: (v, stored[k][0]) for k, v in ledger.quiz_answers.items() if stored[k][0] != v}
    assert not changed, f"acked option differs from the stored one: {changed}"


async def assert_every_acked_diagnosis_answer_is_stored(store: Store, ledger: Ledger) -> None:
    missing = []
    for (flow_id, question_id), option in ledger.diagnosis_answers.items():
        flow = await store.diagnoses.get(TEAM, flow_id)
        if flow is None or flow.answers.get(question_id) != option:
            missing.append((flow_id, question_id, option, flow and dict(flow.answers)))
    assert not missing, f"{len(missing)} acknowledged diagnosis answers were lost, e.g. {missing[:3]}"


async def assert_every_posted_summary_arrives_once(store: Store, fake: FakeSlack, ledger: Ledger) -> None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while await store.outbox.items(("pending", "delivering")):
        assert time.monotonic() < deadline, f"the outbox did not drain: {await store.outbox.items()}"
        await asyncio.sleep(0.2)
    delivered = {item.dedupe_key: item for item in await store.outbox.delivered_items(TEAM)}
    not_sent = sorted(p for p in ledger.posted_previews if f"summary:{p}" not in delivered)
    assert not not_sent, f"acknowledged summary posts never delivered: {not_sent}"
    arrived = Counter(
        str(((m.get("metadata") or {}).get("event_payload") or {}).get("item_id"))
        for m in fake.accepted
        if m["channel"] == LEAD
    )
    doubled = {item_id: n for item_id, n in arrived.items() if n > 1}
    assert not doubled, f"summaries posted more than once: {doubled}"
    for preview in ledger.posted_previews:
        assert arrived[delivered[f"summary:{preview}"].item_id] == 1, preview


async def assert_every_acked_question_is_answered_once(fake: FakeSlack, ledger: Ledger) -> None:
    """Each reply names its event in message metadata: count them as a reader of the channels would."""

    def answered() -> Counter[str]:
        return Counter(
            str(((m.get("metadata") or {}).get("event_payload") or {}).get("event_id"))
            for m in fake.accepted
            if m["channel"] in (ASK_CHANNEL, DM_CHANNEL)
        )

    deadline = time.monotonic() + SETTLE_SECONDS
    while missing := sorted(e for e in ledger.questions if not answered()[e]):
        assert time.monotonic() < deadline, (
            f"{len(missing)} acknowledged questions never answered: {missing[:5]}"
        )
        await asyncio.sleep(0.2)
    twice = {event_id: n for event_id, n in answered().items() if n > 1}
    assert not twice, f"questions answered more than once: {twice}"


async def assert_no_quiz_is_stuck(
    store: Store, slack: SlackPlatform, fake: FakeSlack, ledger: Ledger
) -> None:
    """Only the latest quiz may still run; its open question gets posted, and its host can end it."""
    deadline = time.monotonic() + SETTLE_SECONDS
    quiz = await store.quizzes.running_in(TEAM, QUIZ_CHANNEL)
    while quiz is not None and quiz.question_ts is None:
        assert time.monotonic() < deadline, (
            f"quiz {quiz.quiz_id} is stuck: its question {quiz.current + 1} was never posted"
        )
        await asyncio.sleep(0.2)
        quiz = await store.quizzes.running_in(TEAM, QUIZ_CHANNEL)
    others = [q for q in ledger.quizzes if quiz is None or q != quiz.quiz_id]
    for quiz_id in others:
        other = await store.quizzes.get(TEAM, quiz_id)
        assert other is not None and other.status == "ended", (quiz_id, other)
    if quiz is None:
        return
    end = {"action_id": quiz_ids.END, "value": encode(quiz.quiz_id, quiz.current), "type": "button"}
    payload = slack.action_payload(end, user=HOST, channel=QUIZ_CHANNEL, message={"ts": quiz.question_ts})
    response = await slack.interact(payload)
    assert response.status == 200
    while (ended := await store.quizzes.get(TEAM, quiz.quiz_id)) is not None and ended.status != "ended":
        assert time.monotonic() < deadline, f"quiz {quiz.quiz_id} could not be ended"
        await asyncio.sleep(0.1)
