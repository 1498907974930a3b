"""A quiz survives what happens to the processes that run it: a restart, a ``kill -9``, two replicas.

The state of a quiz (its questions, the open one, its deadline, every answer) lives in the
database, and a button's value says everything a click means, so a click on a message drawn
before a restart, or delivered to another replica, is handled as if nothing had happened.
The in-process tests restart the app the way a deploy does; the others run ``mlorg serve
--http`` as real processes, kill one with SIGKILL in the middle of a burst of clicks, and run
two replicas on one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import update

from bot.features.quiz.engine import snapshot
from bot.store import Quiz, Store
from bot.store.events import utc_now
from bot.store.tables import QuizRow
from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.e2e.harness import SIGNING_SECRET, RunningApp
from tests.e2e.processes import ServeProcess, free_port, serve_command
from tests.e2e.slack_client import AppResponse, SlackPlatform, find_button
from tests.e2e.test_quiz import (
    BANK,
    CHANNEL,
    HOST,
    TEAM,
    answer,
    answer_button,
    answers_of,
    click_as,
    eventually,
    feedback,
    open_question,
    press,
    question_posts,
    right_option,
    scoreboards,
    set_deadline_in_the_past,
    start_quiz,
    store_of,
    stored_quiz,
    updates_of,
    wait_feedback,
    wrong_option,
)
from tests.e2e.test_serve_process import serve_env, sqlite_file_url
from tests.support.postgres import create_pg_database, drop_pg_database, pg_database_url, require_postgres

# -- in process: a restart, as a deploy does it ------------------------------------------------------------


async def test_answers_from_before_and_after_a_restart_all_count_and_old_buttons_still_work(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    _, quiz, q1 = await start_quiz(slack, fake_slack, store_of(app), "2")
    await answer(slack, fake_slack, quiz, q1, "U1", right=True)
    await answer(slack, fake_slack, quiz, q1, "U2", right=False)

    await app.restart()
    store = store_of(app)

    # The buttons drawn before the restart still work, and still remember who answered.
    said = await answer(slack, fake_slack, quiz, q1, "U3", right=True)
    assert "Right!" in said
    again = await answer(slack, fake_slack, quiz, q1, "U1", right=False)
    assert "already answered" in again
    await press(slack, fake_slack, q1, "Next", HOST, quiz)
    quiz, q2 = await open_question(store, fake_slack, quiz.quiz_id, 2)
    await answer(slack, fake_slack, quiz, q2, "U1", right=True)
    await answer(slack, fake_slack, quiz, q2, "U2", right=True)

    await app.restart()
    store = store_of(app)

    await press(slack, fake_slack, q2, "See results", HOST, quiz)
    [board] = await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the scoreboard")
    assert "<@U1>: *2/2*" in board.text
    assert "<@U2>, <@U3>: *1/2* (tie)" in board.text
    stored = {(a.position, a.user_id): a.correct for a in await answers_of(store, quiz.quiz_id)}
    assert stored == {(0, "U1"): True, (0, "U2"): False, (0, "U3"): True, (1, "U1"): True, (1, "U2"): True}


async def test_a_timed_question_whose_time_ran_out_while_the_app_was_down_moves_on_once_after_restart(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    _, quiz, q1 = await start_quiz(slack, fake_slack, store_of(app), "2 timer 30")
    await answer(slack, fake_slack, quiz, q1, "U1", right=True)
    assert quiz.deadline is not None

    await app.stop()
    # Down for longer than the question's 30 seconds.
    async with Store.open(app.settings.database_url or "") as offline:
        await set_deadline_in_the_past(offline, quiz.quiz_id)
        assert [q.quiz_id for q in await offline.quizzes.due(quiz.deadline)] == [quiz.quiz_id]
    assert len(question_posts(fake_slack, quiz.parent_ts)) == 1
    await app.start()
    store = store_of(app)

    moved, q2 = await open_question(store, fake_slack, quiz.quiz_id, 2)
    await fake_slack.settle(1.5)  # more than one pass of the timer

    assert len(question_posts(fake_slack, quiz.parent_ts)) == 2
    assert (
        "Closed · 1 answer; how many got it right shows from 3 answers"
        in updates_of(fake_slack, quiz.question_ts)[-1].text
    )
    assert moved.current == 1 and moved.deadline is not None and moved.deadline > quiz.deadline
    assert (await stored_quiz(store, quiz.quiz_id)).current == 1
    assert "Question 2 of 2" in q2.text


# -- a step stored but its message never posted: the timer finishes the job -----------------------------------


def failing_post() -> Scripted:
    """Slack refusing one chat.postMessage, as when the replica posting it dies instead."""
    return Scripted(body={"ok": False, "error": "fatal_error"})


async def a_timer_pass_later(store: Store, quiz_id: str) -> None:
    """The posting grace runs out (as it would after 20 s), without waiting for it."""
    await set_deadline_in_the_past(store, quiz_id)
    await asyncio.sleep(1.2)  # more than one pass of the timer


async def test_a_next_question_whose_post_was_lost_is_posted_once_by_the_timer_and_can_be_answered(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "2")
    fake_slack.script("chat.postMessage", failing_post())
    await press(slack, fake_slack, q1, "Next", HOST, quiz)
    stuck = await eventually(
        lambda: _unposted(store, quiz.quiz_id), "question 2 to be stored as current but not posted"
    )
    in_thread = [m for m in fake_slack.accepted if m.get("thread_ts") == quiz.parent_ts]
    assert stuck.current == 1 and not any("Question 2" in str(m["text"]) for m in in_thread)

    await a_timer_pass_later(store, quiz.quiz_id)

    moved, q2 = await open_question(store, fake_slack, quiz.quiz_id, 2)
    accepted = [m for m in fake_slack.accepted if m.get("thread_ts") == quiz.parent_ts]
    assert sum("Question 2 of 2" in str(m["text"]) for m in accepted) == 1
    said = await answer(slack, fake_slack, moved, q2, "U1", right=True)
    assert "Right!" in said


async def test_a_question_posted_just_before_a_crash_is_found_in_the_thread_not_posted_again(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "2")
    await press(slack, fake_slack, q1, "Next", HOST, quiz)
    quiz, _ = await open_question(store, fake_slack, quiz.quiz_id, 2)
    posted_ts = quiz.question_ts
    # The crash came after Slack accepted the post and before the app stored its ts.
    async with store.engine.begin() as connection:
        await connection.execute(
            update(QuizRow).where(QuizRow.quiz_id == quiz.quiz_id).values(question_ts=None)
        )

    await a_timer_pass_later(store, quiz.quiz_id)

    resumed = await eventually(
        lambda: _posted_again(store, quiz.quiz_id), "the question's ts to be found again"
    )
    assert resumed.question_ts == posted_ts
    assert len(question_posts(fake_slack, quiz.parent_ts)) == 2  # question 1 and 2, once each
    assert fake_slack.calls_to("conversations.replies"), "the thread was not checked"


async def test_a_quiz_stored_by_a_replica_that_died_before_posting_it_is_started_by_the_timer(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    # What /mlorg quiz had stored when its replica died: the quiz, and when to check on it.
    items = [snapshot(item) for item in BANK.select(2, None).items]
    quiz, created = await store.quizzes.create(TEAM, CHANNEL, HOST, items, recheck_at=utc_now())
    assert created and quiz.parent_ts is None

    await a_timer_pass_later(store, quiz.quiz_id)

    started, q1 = await open_question(store, fake_slack, quiz.quiz_id, 1)
    parents = [m for m in fake_slack.accepted if m["channel"] == CHANNEL and not m.get("thread_ts")]
    assert len(parents) == 1 and parents[0]["ts"] == started.parent_ts
    assert "Right!" in await answer(slack, fake_slack, started, q1, "U1", right=True)


async def test_a_scoreboard_whose_post_was_lost_is_posted_once_by_the_timer(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "2")
    await answer(slack, fake_slack, quiz, q1, "U1", right=True)
    fake_slack.script("chat.postMessage", failing_post())
    await press(slack, fake_slack, q1, "End quiz", HOST, quiz)
    ended = await eventually(lambda: _ended_unannounced(store, quiz.quiz_id), "the end to be stored")
    await fake_slack.settle(0.3)
    assert not _scoreboards_accepted(fake_slack, quiz.parent_ts)

    await a_timer_pass_later(store, quiz.quiz_id)

    await eventually(lambda: _scoreboards_accepted(fake_slack, quiz.parent_ts), "the scoreboard")
    await fake_slack.settle(1.2)  # another timer pass posts nothing more
    assert len(_scoreboards_accepted(fake_slack, quiz.parent_ts)) == 1
    assert ended.status == "ended"
    assert (await stored_quiz(store, quiz.quiz_id)).deadline is None


async def test_a_scoreboard_posted_just_before_a_crash_is_found_in_the_thread_not_posted_again(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "2")
    await press(slack, fake_slack, q1, "End quiz", HOST, quiz)
    await eventually(lambda: _scoreboards_accepted(fake_slack, quiz.parent_ts), "the scoreboard")
    # The crash came after Slack took the scoreboard and before the app noted it was posted.
    await a_timer_pass_later(store, quiz.quiz_id)

    await eventually(lambda: _announced(store, quiz.quiz_id), "the scoreboard to be found again")
    assert len(_scoreboards_accepted(fake_slack, quiz.parent_ts)) == 1
    assert fake_slack.calls_to("conversations.replies"), "the thread was not checked"


def _scoreboards_accepted(fake: FakeSlack, parent_ts: str | None) -> list[dict[str, object]]:
    return [m for m in fake.accepted if m.get("thread_ts") == parent_ts and m["text"] == "Quiz scoreboard"]


async def _ended_unannounced(store: Store, quiz_id: str) -> Quiz | None:
    quiz = await stored_quiz(store, quiz_id)
    return quiz if quiz.status == "ended" and quiz.deadline is not None else None


async def _announced(store: Store, quiz_id: str) -> bool:
    return (await stored_quiz(store, quiz_id)).deadline is None


async def _unposted(store: Store, quiz_id: str) -> Quiz | None:
    quiz = await stored_quiz(store, quiz_id)
    return quiz if quiz.current == 1 and quiz.question_ts is None else None


async def _posted_again(store: Store, quiz_id: str) -> Quiz | None:
    quiz = await stored_quiz(store, quiz_id)
    return quiz if quiz.question_ts else None


# -- real processes: kill -9 mid-quiz, and two replicas -------------------------------------------------------


@asynccontextmanager
async def serving(
    fake: FakeSlack, database_url: str, tmp_path: Path, name: str
) -> AsyncIterator[SlackPlatform]:
    """``mlorg serve --http`` as a child process, and a Slack that talks to it."""
    port = free_port()
    process = ServeProcess(serve_command(port=port), serve_env(fake, database_url), tmp_path, name=name)
    try:
        process.start()
        await process.wait_healthy(f"http://127.0.0.1:{port}")
        async with SlackPlatform(
            f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, fake.response_url()
        ) as slack:
            yield slack, process
    finally:
        process.kill()
    assert "Traceback" not in process.output, process.describe()


async def click_or_fail(
    slack: SlackPlatform, fake: FakeSlack, element: dict[str, object], user: str, ts: str | None
) -> AppResponse | None:
    """A click that may meet a dead process: None when no answer came back."""
    try:
        return await click_as(slack, fake, dict(element), user, ts)
    except (aiohttp.ClientError, AssertionError):
        return None


async def test_a_kill_9_in_the_middle_of_a_burst_of_answers_loses_no_acked_answer_and_the_quiz_goes_on(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    url = sqlite_file_url(tmp_path)
    players = [f"UP{n:02d}" for n in range(30)]
    async with Store.open(url) as store:
        async with serving(fake_slack, url, tmp_path, "first") as (slack, first):
            _, quiz, q1 = await start_quiz(slack, fake_slack, store, "2")
            right, wrong = right_option(quiz, 0), wrong_option(quiz, 0)
            clicks = {
                player: asyncio.ensure_future(
                    click_or_fail(
                        slack,
                        fake_slack,
                        answer_button(q1, right if n % 2 == 0 else wrong),
                        player,
                        quiz.question_ts,
                    )
                )
                for n, player in enumerate(players)
            }
            # SIGKILL as soon as half the clicks have been acked, the rest still in flight.
            acked_before_kill = 0
            for done in asyncio.as_completed(list(clicks.values())):
                if await done is not None:
                    acked_before_kill += 1
                if acked_before_kill >= len(players) // 2:
                    break
            first.process.kill()  # SIGKILL: no shutdown, no drain, nothing flushed
            results = {player: await task for player, task in clicks.items()}
        assert first.returncode == -9

        acked = {p for p, r in results.items() if r is not None and r.status == 200}
        assert len(acked) >= len(players) // 2
        stored = {a.user_id: a for a in await answers_of(store, quiz.quiz_id)}
        assert acked <= set(stored), f"acked but lost: {sorted(acked - set(stored))}"

        async with serving(fake_slack, url, tmp_path, "second") as (slack, _):
            # Players whose click got no answer click again, on the same old message.
            for n, player in enumerate(players):
                if player not in acked:
                    option = right if n % 2 == 0 else wrong
                    await click_as(slack, fake_slack, answer_button(q1, option), player, quiz.question_ts)
            # Every player now has exactly one answer, the first that reached the database.
            stored = {a.user_id: a for a in await answers_of(store, quiz.quiz_id)}
            assert sorted(stored) == players
            assert all(stored[p].correct is (n % 2 == 0) for n, p in enumerate(players))

            # The quiz goes on: Next on the message drawn before the kill.
            q1_ts = quiz.question_ts
            await press(slack, fake_slack, q1, "Next", HOST, quiz)
            quiz, q2 = await open_question(store, fake_slack, quiz.quiz_id, 2)
            assert "15 of 30 got it right" in updates_of(fake_slack, q1_ts)[-1].text
            for player in players[:10]:
                await answer(slack, fake_slack, quiz, q2, player, right=True)
            await press(slack, fake_slack, q2, "See results", HOST, quiz)
            [board] = await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the scoreboard")

        # Scores out of 2: even players got question 1 right, the first ten got question 2 right.
        def mentions(numbers: range | list[int]) -> str:
            return ", ".join(f"<@{players[n]}>" for n in numbers)

        assert f"{mentions(range(0, 10, 2))}: *2/2* (tie)" in board.text
        assert f"{mentions([1, 3, 5, 7, 9, *range(10, 30, 2)])}: *1/2* (tie)" in board.text
        assert f"{mentions(range(11, 30, 2))}: *0/2* (tie)" in board.text
        assert len(await answers_of(store, quiz.quiz_id)) == 30 + 10


@pytest.mark.postgres
async def test_two_replicas_on_postgresql_store_each_answer_once_and_advance_once(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    require_postgres()
    database = create_pg_database()
    try:
        url = pg_database_url(database)
        plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        async with (
            Store.open(url) as store,
            serving(fake_slack, plain, tmp_path, "replica0") as (a, _),
            serving(fake_slack, plain, tmp_path, "replica1") as (b, _),
        ):
            _, quiz, q1 = await start_quiz(a, fake_slack, store, "2")
            players = [f"UR{n:02d}" for n in range(12)]
            right, wrong = right_option(quiz, 0), wrong_option(quiz, 0)

            # A load balancer hands every click to both replicas at once; some players double-click too.
            deliveries = []
            for n, player in enumerate(players):
                button = answer_button(q1, right if n % 3 else wrong)
                repeats = 2 if n % 4 == 0 else 1
                for replica in (a, b) * repeats:
                    deliveries.append(click_as(replica, fake_slack, button, player, quiz.question_ts))
            responses = await asyncio.gather(*deliveries)
            assert all(r.status == 200 for r in responses)

            stored = await answers_of(store, quiz.quiz_id)
            assert sorted(a.user_id for a in stored) == players
            for n, player in enumerate(players):
                said = await wait_feedback(fake_slack, player, 4 if n % 4 == 0 else 2)
                verdicts = [s for s in said if "already answered" not in s]
                assert len(verdicts) == 1, said
                assert ("Right!" in verdicts[0]) is bool(n % 3)

            # The host's Next reaches both replicas at once: one advance, one question 2.
            q1_ts = quiz.question_ts
            await asyncio.gather(
                press(a, fake_slack, q1, "Next", HOST, quiz), press(b, fake_slack, q1, "Next", HOST, quiz)
            )
            quiz, q2 = await open_question(store, fake_slack, quiz.quiz_id, 2)
            await fake_slack.settle(0.5)
            assert len(question_posts(fake_slack, quiz.parent_ts)) == 2
            closes = [c for c in updates_of(fake_slack, q1_ts) if "got it right" in c.text]
            assert len(closes) == 1 and "8 of 12 got it right" in closes[0].text

            # End on both replicas at once: one scoreboard.
            end = find_button(q2.blocks, "End quiz")
            await asyncio.gather(
                click_as(a, fake_slack, end, HOST, quiz.question_ts),
                click_as(b, fake_slack, end, HOST, quiz.question_ts),
            )
            [board] = await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the scoreboard")
            await fake_slack.settle(0.5)
            assert len(scoreboards(fake_slack, quiz.parent_ts)) == 1
            winners = ", ".join(f"<@{p}>" for n, p in enumerate(players) if n % 3)
            assert f"{winners}: *1/2* (tie)" in board.text
            assert feedback(fake_slack, HOST) == []
            assert (await stored_quiz(store, quiz.quiz_id)).status == "ended"
            assert await store.quizzes.running_in(TEAM, CHANNEL) is None
    finally:
        drop_pg_database(database)
