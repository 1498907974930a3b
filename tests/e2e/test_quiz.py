"""``/mlorg quiz`` end to end: signed commands and clicks in, what the channel and each player see out.

A quiz is a public parent message in the channel and questions in its thread; every click gets
private feedback on the interaction's ``response_url``. Each player here clicks with a
``response_url`` of their own (``response_url:<user>`` in the fake), so the tests read each
person's private feedback the way that person would. The right option of a question is read
from the quiz snapshot the app stored, so the tests know what "right" is without guessing.

The helpers at the top are shared with ``test_quiz_restart.py``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import update

from bot.features.quiz import ids
from bot.features.quiz.engine import COUNT_REFRESH_SECONDS
from bot.store import Quiz, QuizAnswer, Store
from bot.store.tables import QuizRow
from knowledge import load_knowledge
from knowledge.quiz import QuestionBank
from tests.e2e.fake_slack import Call, FakeSlack, Scripted
from tests.e2e.harness import SIGNING_SECRET, RunningApp, make_settings, sqlite_url
from tests.e2e.slack_client import AppResponse, SlackPlatform, find_button

KB = load_knowledge()
BANK = QuestionBank(KB)
TEAM = "T0001"
CHANNEL = "C0001"
HOST = "UHOST"
WAIT = 5.0
T = TypeVar("T")


# -- helpers: reading the channel and the store --------------------------------------------------------


async def eventually(
    check: Callable[[], Awaitable[T | None] | T | None], what: str, timeout: float = WAIT
) -> T:
    """Poll ``check`` (sync or async) until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if inspect.isawaitable(found):
            found = await found
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


def store_of(app: RunningApp) -> Store:
    assert app.mlorg is not None, "the app is not running"
    return app.mlorg.store


async def running_quiz(store: Store, channel: str = CHANNEL) -> Quiz:
    quiz = await store.quizzes.running_in(TEAM, channel)
    assert quiz is not None, f"no quiz is running in {channel}"
    return quiz


async def stored_quiz(store: Store, quiz_id: str) -> Quiz:
    quiz = await store.quizzes.get(TEAM, quiz_id)
    assert quiz is not None
    return quiz


async def answers_of(store: Store, quiz_id: str) -> list[QuizAnswer]:
    return await store.quizzes.answers(TEAM, quiz_id)


def thread_posts(fake: FakeSlack, parent_ts: str | None) -> list[Call]:
    return [c for c in fake.posts(CHANNEL) if parent_ts and c.args.get("thread_ts") == parent_ts]


def question_posts(fake: FakeSlack, parent_ts: str | None) -> list[Call]:
    return [c for c in thread_posts(fake, parent_ts) if str(c.args.get("text", "")).startswith("Question ")]


def scoreboards(fake: FakeSlack, parent_ts: str | None) -> list[Call]:
    return [c for c in thread_posts(fake, parent_ts) if "Quiz scoreboard" in c.text]


def updates_of(fake: FakeSlack, ts: str | None) -> list[Call]:
    return [c for c in fake.calls_to("chat.update") if ts and c.args.get("ts") == ts]


async def open_question(store: Store, fake: FakeSlack, quiz_id: str, number: int) -> tuple[Quiz, Call]:
    """Wait until question ``number`` (1-based) is posted in the thread and stored as open."""

    async def check() -> tuple[Quiz, Call] | None:
        quiz = await stored_quiz(store, quiz_id)
        if quiz.status != "running" or quiz.current != number - 1 or not quiz.question_ts:
            return None
        posted = [c for c in question_posts(fake, quiz.parent_ts) if f"Question {number} of" in c.text]
        return (quiz, posted[-1]) if posted else None

    return await eventually(check, f"question {number} to be posted and open")


async def quiz_has_ended(store: Store, quiz_id: str) -> bool:
    return (await stored_quiz(store, quiz_id)).status == "ended"


def right_option(quiz: Quiz, position: int) -> str:
    return str(quiz.items[position]["answer"])


def wrong_option(quiz: Quiz, position: int) -> str:
    item = quiz.items[position]
    return next(str(oid) for oid, _ in item["options"] if oid != item["answer"])


def option_text(quiz: Quiz, position: int, option_id: str) -> str:
    return next(str(text) for oid, text in quiz.items[position]["options"] if oid == option_id)


def answer_button(question: Call, option_id: str) -> dict[str, Any]:
    """The answer button for ``option_id`` in a posted question, ready to click."""
    for block in question.blocks:
        for element in block.get("elements") or []:
            if element.get("action_id") == f"{ids.ANSWER}:{option_id}":
                return {**element, "block_id": block.get("block_id", "b1")}
    raise AssertionError(f"no answer button for option {option_id!r}")


async def click_as(
    slack: SlackPlatform, fake: FakeSlack, element: dict[str, Any], user: str, message_ts: str | None
) -> AppResponse:
    """``user`` clicks ``element`` on the message ``message_ts``; their feedback goes to their own URL."""
    payload = slack.action_payload(element, user=user, channel=CHANNEL, message={"ts": message_ts or ""})
    payload["response_url"] = fake.response_url(user)
    response = await slack.interact(payload)
    assert response.status == 200, response
    return response


def feedback(fake: FakeSlack, user: str) -> list[str]:
    return [c.text for c in fake.calls_to(f"response_url:{user}")]


async def wait_feedback(fake: FakeSlack, user: str, count: int = 1) -> list[str]:
    await fake.wait_for(f"response_url:{user}", count, timeout=WAIT)
    return feedback(fake, user)


async def click_for_feedback(
    slack: SlackPlatform, fake: FakeSlack, element: dict[str, Any], user: str, message_ts: str | None
) -> str:
    """``user`` clicks and reads the private reply the click got."""
    before = len(feedback(fake, user))
    await click_as(slack, fake, element, user, message_ts)
    return (await wait_feedback(fake, user, before + 1))[-1]


async def answer(
    slack: SlackPlatform, fake: FakeSlack, quiz: Quiz, question: Call, user: str, right: bool
) -> str:
    """``user`` answers the open question right or wrong; returns their private feedback."""
    position = quiz.current
    option = right_option(quiz, position) if right else wrong_option(quiz, position)
    return await click_for_feedback(slack, fake, answer_button(question, option), user, quiz.question_ts)


async def start_quiz(
    slack: SlackPlatform, fake: FakeSlack, store: Store, text: str, user: str = HOST
) -> tuple[Call, Quiz, Call]:
    """``/mlorg quiz …``: returns the parent message, the stored quiz, and the first question."""
    before = len(fake.posts(CHANNEL))
    ack = await slack.command(f"quiz {text}".strip(), user=user, channel=CHANNEL)
    assert ack.status == 200 and ack.body == "", ack  # a plain ack: the quiz itself is public
    await fake.wait_for("chat.postMessage", before + 2, timeout=WAIT)
    quiz = await running_quiz(store)
    parents = [c for c in fake.posts(CHANNEL)[before:] if "thread_ts" not in c.args]
    assert len(parents) == 1, [c.text for c in fake.posts(CHANNEL)[before:]]
    quiz, question = await open_question(store, fake, quiz.quiz_id, 1)
    return parents[0], quiz, question


async def press(
    slack: SlackPlatform, fake: FakeSlack, question: Call, label: str, user: str, quiz: Quiz
) -> AppResponse:
    return await click_as(slack, fake, find_button(question.blocks, label), user, quiz.question_ts)


async def set_deadline_in_the_past(store: Store, quiz_id: str) -> None:
    """What the clock does to a timed question, without waiting for it."""
    past = (await stored_quiz(store, quiz_id)).created_at.replace(year=2000)
    async with store.engine.begin() as connection:
        await connection.execute(
            update(QuizRow).where(QuizRow.team_id == TEAM, QuizRow.quiz_id == quiz_id).values(deadline=past)
        )


# -- a whole quiz --------------------------------------------------------------------------------------------


async def test_a_quiz_is_played_in_a_thread_with_private_feedback_and_ends_with_a_scoreboard(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    parent, quiz, q1 = await start_quiz(slack, fake_slack, store, "3")

    # The parent is public, in the channel, says who started it and how many questions.
    assert parent.args["channel"] == CHANNEL
    assert f"<@{HOST}>" in parent.text and "3 questions" in parent.text
    assert quiz.total == 3 and quiz.host_id == HOST and quiz.parent_ts
    # The first question is in the parent's thread, with its options as buttons and a live count.
    assert q1.args["thread_ts"] == quiz.parent_ts
    assert "Question 1 of 3" in q1.text and quiz.items[0]["prompt"] in q1.text
    assert "0 answers so far" in q1.text
    for oid, _ in quiz.items[0]["options"]:
        assert answer_button(q1, str(oid))["value"] == f"{quiz.quiz_id}|0|{oid}"
    assert len(fake_slack.posts(CHANNEL)) == 2

    # Question 1: four players; each gets private feedback with the right answer and the explanation.
    plan = {"U1": True, "U2": False, "U3": True, "U4": False}
    item = quiz.items[0]
    right_text = option_text(quiz, 0, right_option(quiz, 0))
    for user, right in plan.items():
        said = await answer(slack, fake_slack, quiz, q1, user, right)
        assert ("Right!" in said) is right and ("Not quite" in said) is (not right), said
        assert right_text in said and item["explanation"] in said
    # The players' feedback went to each of them privately, never to the channel.
    assert len(fake_slack.posts(CHANNEL)) == 2

    # A second click by the same player counts for nothing, and says so.
    said = await answer(slack, fake_slack, quiz, q1, "U1", right=False)
    assert "already answered" in said and "only your first answer counts" in said
    stored = {a.user_id: a for a in await answers_of(store, quiz.quiz_id)}
    assert {u: a.correct for u, a in stored.items()} == plan
    assert stored["U1"].option_id == right_option(quiz, 0)

    # The live count is redrawn once the clicks have settled.
    await eventually(
        lambda: [c for c in updates_of(fake_slack, quiz.question_ts) if "4 answers so far" in c.text],
        "the question to be redrawn with 4 answers",
        timeout=COUNT_REFRESH_SECONDS + WAIT,
    )

    # A player who did not start the quiz cannot move it on: told privately, nothing moves.
    await press(slack, fake_slack, q1, "Next", "U2", quiz)
    [refusal] = [t for t in await wait_feedback(fake_slack, "U2", 2) if "Only" in t]
    assert f"<@{HOST}>" in refusal
    await fake_slack.settle()
    assert (await stored_quiz(store, quiz.quiz_id)).current == 0
    assert len(question_posts(fake_slack, quiz.parent_ts)) == 1

    # The host's Next closes question 1 for everyone to learn from, and posts question 2.
    q1_ts = quiz.question_ts
    await press(slack, fake_slack, q1, "Next", HOST, quiz)
    quiz, q2 = await open_question(store, fake_slack, quiz.quiz_id, 2)
    closed = updates_of(fake_slack, q1_ts)[-1]
    assert right_text in closed.text and item["explanation"] in closed.text
    assert "2 of 4 got it right" in closed.text
    assert not [b for b in closed.blocks if b["type"] == "actions"], "a closed question has no buttons"
    assert q2.args["thread_ts"] == quiz.parent_ts and "Question 2 of 3" in q2.text

    # A click on the closed question's button is told so, and stores nothing.
    stale = answer_button(q1, wrong_option(quiz, 0))
    assert "has closed" in await click_for_feedback(slack, fake_slack, stale, "U5", q1_ts)

    for user, right in {"U1": True, "U2": True, "U3": False}.items():
        await answer(slack, fake_slack, quiz, q2, user, right)

    # The host double-clicks Next: one advance, one question 3.
    await asyncio.gather(*(press(slack, fake_slack, q2, "Next", HOST, quiz) for _ in range(2)))
    quiz, q3 = await open_question(store, fake_slack, quiz.quiz_id, 3)
    await fake_slack.settle()
    assert [("Question 3 of 3" in c.text) for c in question_posts(fake_slack, quiz.parent_ts)] == [
        False,
        False,
        True,
    ]
    assert "See results" in q3.text

    for user in ("U1", "U2", "U3"):
        await answer(slack, fake_slack, quiz, q3, user, right=True)

    # End: the scoreboard in the thread, the parent becomes a one-line result.
    await press(slack, fake_slack, q3, "End quiz", HOST, quiz)
    [board] = await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the scoreboard to be posted")
    assert "<@U1>: *3/3*" in board.text
    assert "<@U2>, <@U3>: *2/3* (tie)" in board.text
    assert "<@U4>: *0/3*" in board.text
    assert "U5" not in board.text  # a click on a closed question is no answer
    # The most-missed question is question 1 (2 of 4 wrong), with its explanation.
    assert "Most missed* (2 of 4 got it wrong)" in board.text
    assert item["prompt"] in board.text and item["explanation"] in board.text
    result = await eventually(
        lambda: [c for c in updates_of(fake_slack, quiz.parent_ts) if "wins" in c.text],
        "the parent message to show the result",
    )
    assert "<@U1> wins with 3/3 (4 players)" in result[-1].text
    ended = await stored_quiz(store, quiz.quiz_id)
    assert ended.status == "ended" and await store.quizzes.running_in(TEAM, CHANNEL) is None

    # After the end, every button is harmless and says so.
    stale = answer_button(q3, right_option(quiz, 2))
    assert "has ended" in await click_for_feedback(slack, fake_slack, stale, "U4", quiz.question_ts)
    next_button, end_button = find_button(q3.blocks, "See results"), find_button(q3.blocks, "End quiz")
    for button in (next_button, end_button):
        assert "has ended" in await click_for_feedback(slack, fake_slack, button, HOST, quiz.question_ts)
    await fake_slack.settle()
    assert len(scoreboards(fake_slack, quiz.parent_ts)) == 1
    assert len(question_posts(fake_slack, quiz.parent_ts)) == 3
    assert len(await answers_of(store, quiz.quiz_id)) == 4 + 3 + 3


async def test_twenty_players_clicking_at_once_with_double_clicks_store_twenty_answers_and_the_count_shows_it(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "2")
    players = [f"UP{n:02d}" for n in range(20)]
    right, wrong = right_option(quiz, 0), wrong_option(quiz, 0)
    # Every player double-clicks; every third one hits a different option the second time.
    clicks = [(p, right if n % 2 else wrong) for n, p in enumerate(players)] + [
        (p, wrong if n % 3 == 0 else (right if n % 2 else wrong)) for n, p in enumerate(players)
    ]

    await asyncio.gather(
        *(click_as(slack, fake_slack, answer_button(q1, o), p, quiz.question_ts) for p, o in clicks)
    )

    stored = await answers_of(store, quiz.quiz_id)
    assert sorted(a.user_id for a in stored) == players
    for player in players:
        said = await wait_feedback(fake_slack, player, 2)
        # Exactly one of the two clicks counted; the other was told it did not.
        assert sum("already answered" in s for s in said) == 1, said
        [verdict] = [s for s in said if "already answered" not in s]
        mine = next(a for a in stored if a.user_id == player)
        assert ("Right!" in verdict) is mine.correct
    # The live count is redrawn, once the burst has passed, with all twenty.
    await eventually(
        lambda: [c for c in updates_of(fake_slack, quiz.question_ts) if "20 answers so far" in c.text],
        "the question to be redrawn with 20 answers",
        timeout=COUNT_REFRESH_SECONDS + WAIT,
    )
    await fake_slack.settle()
    # A burst costs a redraw or two, not one per click.
    assert len(updates_of(fake_slack, quiz.question_ts)) <= 3
    assert len(await answers_of(store, quiz.quiz_id)) == 20


async def test_an_answer_arriving_while_the_count_is_being_redrawn_is_shown_by_a_later_redraw(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "2")
    # Slack is busy: the first redraw is refused once and retried a second later.
    fake_slack.script(
        "chat.update", Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    )

    await answer(slack, fake_slack, quiz, q1, "U1", right=True)
    await eventually(lambda: updates_of(fake_slack, quiz.question_ts), "the first redraw", timeout=WAIT)
    await answer(slack, fake_slack, quiz, q1, "U2", right=False)  # while that redraw is still going on

    await eventually(
        lambda: [c for c in updates_of(fake_slack, quiz.question_ts) if "2 answers so far" in c.text],
        "the count to be redrawn with the second answer",
        timeout=3 * COUNT_REFRESH_SECONDS + WAIT,
    )
    await fake_slack.settle(0.5)
    assert "2 answers so far" in updates_of(fake_slack, quiz.question_ts)[-1].text


# -- who may move a quiz on -----------------------------------------------------------------------------


async def test_slash_quiz_end_is_for_the_host_and_ends_the_running_quiz(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    nothing = await slack.command("quiz end", user=HOST)
    assert nothing.status == 200
    calls = await fake_slack.wait_for("response_url:r1", 1, timeout=WAIT)
    assert "No quiz is running" in calls[-1].text

    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "2")
    await answer(slack, fake_slack, quiz, q1, "U1", right=True)

    refused = await slack.command("quiz end", user="U1")
    assert refused.status == 200
    calls = await fake_slack.wait_for("response_url:r1", 2, timeout=WAIT)
    assert "Only <@UHOST>" in calls[-1].text and calls[-1].args.get("response_type") == "ephemeral"
    await fake_slack.settle()
    assert (await stored_quiz(store, quiz.quiz_id)).status == "running"
    assert scoreboards(fake_slack, quiz.parent_ts) == []

    assert (await slack.command("quiz stop", user=HOST)).status == 200
    [board] = await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the scoreboard")
    assert "<@U1>: *1/1*" in board.text  # one question asked when the quiz was ended
    closed = updates_of(fake_slack, quiz.question_ts)
    assert closed and "Closed · 1 answer; how many got it right shows from 3 answers" in closed[-1].text
    assert (await stored_quiz(store, quiz.quiz_id)).status == "ended"

    # A new quiz may start in the channel now.
    _, again, _ = await start_quiz(slack, fake_slack, store, "1")
    assert again.quiz_id != quiz.quiz_id


async def test_an_admin_may_move_on_and_end_someone_elses_quiz(fake_slack: FakeSlack, tmp_path: Path) -> None:
    settings = make_settings(fake_slack, sqlite_url(tmp_path), mlorg_admins="UADMIN, UOTHERADMIN")
    app = await RunningApp(settings).start()
    try:
        async with SlackPlatform(app.url, SIGNING_SECRET, fake_slack.response_url()) as slack:
            store = store_of(app)
            _, quiz, q1 = await start_quiz(slack, fake_slack, store, "3")

            await press(slack, fake_slack, q1, "Next", "UADMIN", quiz)
            quiz, q2 = await open_question(store, fake_slack, quiz.quiz_id, 2)
            await press(slack, fake_slack, q2, "End quiz", "UADMIN", quiz)
            await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the scoreboard")

            assert feedback(fake_slack, "UADMIN") == []  # never refused
            assert (await stored_quiz(store, quiz.quiz_id)).status == "ended"
    finally:
        await app.stop()


async def test_the_host_pressing_next_and_end_at_once_ends_the_quiz_once(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "3")
    await answer(slack, fake_slack, quiz, q1, "U1", right=True)

    await asyncio.gather(
        press(slack, fake_slack, q1, "Next", HOST, quiz), press(slack, fake_slack, q1, "End quiz", HOST, quiz)
    )

    await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the scoreboard")
    await fake_slack.settle(0.5)
    posts = thread_posts(fake_slack, quiz.parent_ts)
    assert len(scoreboards(fake_slack, quiz.parent_ts)) == 1
    assert "Quiz scoreboard" in posts[-1].text, "nothing is posted in the thread after the scoreboard"
    ended = await stored_quiz(store, quiz.quiz_id)
    assert ended.status == "ended"


async def test_end_pressed_while_next_is_still_closing_the_question_asks_nothing_more(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "3")
    await answer(slack, fake_slack, quiz, q1, "U1", right=True)
    await eventually(lambda: updates_of(fake_slack, quiz.question_ts), "the live count's redraw")
    # Slack is busy: closing question 1 (chat.update) is refused once and retried a second later.
    fake_slack.script(
        "chat.update", Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    )
    updates_before = len(fake_slack.calls_to("chat.update"))

    await press(slack, fake_slack, q1, "Next", HOST, quiz)
    await fake_slack.wait_for("chat.update", updates_before + 1, timeout=WAIT)  # refused, to be retried
    await press(slack, fake_slack, q1, "End quiz", HOST, quiz)

    [board] = await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the scoreboard")
    await eventually(
        lambda: len([c for c in updates_of(fake_slack, quiz.question_ts) if "got it right" in c.text]) == 2,
        "question 1's close to be refused and then retried",
        timeout=WAIT,
    )
    await fake_slack.settle(0.5)
    posts = thread_posts(fake_slack, quiz.parent_ts)
    assert "Quiz scoreboard" in posts[-1].text, [c.args.get("text") for c in posts]
    assert len(question_posts(fake_slack, quiz.parent_ts)) == 1
    # One question was asked, so the score is out of one.
    assert "<@U1>: *1/1*" in board.text
    assert "wins with 1/1" in updates_of(fake_slack, quiz.parent_ts)[-1].text
    assert (
        "Closed · 1 answer; how many got it right shows from 3 answers"
        in updates_of(fake_slack, quiz.question_ts)[-1].text
    )


async def test_double_clicking_see_results_on_the_last_question_posts_one_scoreboard(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "1")
    await answer(slack, fake_slack, quiz, q1, "U1", right=False)

    await asyncio.gather(*(press(slack, fake_slack, q1, "See results", HOST, quiz) for _ in range(3)))

    [board] = await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the scoreboard")
    await fake_slack.settle()
    assert len(scoreboards(fake_slack, quiz.parent_ts)) == 1
    assert "<@U1>: *0/1*" in board.text, "scoreboards name their players"
    assert "Most missed" not in board.text, "one player's miss is not a tally anyone may see"
    assert len(question_posts(fake_slack, quiz.parent_ts)) == 1
    assert len([c for c in updates_of(fake_slack, quiz.parent_ts) if "0/1" in c.text]) == 1


# -- starting: one at a time, topics, problems ----------------------------------------------------------


async def test_a_second_quiz_in_the_channel_is_refused_privately_while_one_runs(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    _, quiz, _ = await start_quiz(slack, fake_slack, store, "2")
    posts_before = len(fake_slack.posts())

    ack = await slack.command("quiz", user="U2")

    assert ack.status == 200
    [said] = await fake_slack.wait_for("response_url:r1", 1, timeout=WAIT)
    assert "already running" in said.text and f"<@{HOST}>" in said.text
    assert said.args.get("response_type") == "ephemeral"
    await fake_slack.settle()
    assert len(fake_slack.posts()) == posts_before
    assert (await running_quiz(store)).quiz_id == quiz.quiz_id


async def test_a_quiz_on_a_topic_asks_only_about_that_topic(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    parent, quiz, q1 = await start_quiz(slack, fake_slack, store, "2 data ownership")

    assert quiz.total == 2 and quiz.topic_id == "data_ownership"
    assert "2 questions" in parent.text and "Data ownership" in parent.text
    for item in quiz.items:
        source = BANK.by_id(str(item["id"]))
        assert source is not None and source.is_about("data_ownership"), item
    assert quiz.items[0]["prompt"] in q1.text


async def test_an_unknown_topic_gets_a_friendly_private_answer_with_suggestions_and_posts_nothing(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    ack = await slack.command("quiz 3 xyzzy", user=HOST)

    assert ack.status == 200 and ack.json["response_type"] == "ephemeral"
    assert "xyzzy" in ack.text and "data_ownership" in ack.text and "embedded" in ack.text
    await fake_slack.settle()
    assert fake_slack.posts() == []
    assert await store_of(app).quizzes.running_in(TEAM, CHANNEL) is None


async def test_hostile_topic_text_is_escaped_when_echoed(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    hostile = "<!channel> <@U0BOSS> & <https://evil.example|your bank>"

    ack = await slack.command(f"quiz 3 {hostile}", user=HOST)

    assert ack.status == 200 and ack.json["response_type"] == "ephemeral"
    said = ack.json["text"]
    assert "&lt;!channel&gt;" in said
    for live in ("<!channel>", "<@U0BOSS>", "<https://evil.example"):
        assert live not in said, said
    await fake_slack.settle()
    assert fake_slack.posts() == []


async def test_the_leaderboard_shows_the_channels_standings_over_quizzes_with_shared_ranks(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    empty = await slack.command("leaderboard", user="UA")
    assert "No finished quizzes" in empty.text

    for plan in ({"UA": True, "UB": True, "UC": False}, {"UA": True, "UB": True, "UC": True, "UD": False}):
        _, quiz, q1 = await start_quiz(slack, fake_slack, store, "1")
        for user, right in plan.items():
            await answer(slack, fake_slack, quiz, q1, user, right)
        await press(slack, fake_slack, q1, "See results", HOST, quiz)
        await eventually(lambda q=quiz: scoreboards(fake_slack, q.parent_ts), "the scoreboard")
        await eventually(lambda q=quiz: quiz_has_ended(store, q.quiz_id), "the quiz to end")

    board = await slack.command("leaderboard", user="UD")

    assert board.status == 200 and board.json["response_type"] == "ephemeral"
    rows = board.blocks[1]["text"]["text"].splitlines()
    assert rows == [
        "1. <@UA>: *2* right of 2 (2 quizzes)",
        "1. <@UB>: *2* right of 2 (2 quizzes)",
        "3. <@UC>: *1* right of 2 (2 quizzes)",
        "4. <@UD>: *0* right of 1 (1 quiz)",
    ]


# -- the timer ----------------------------------------------------------------------------------------------


async def test_a_timed_question_moves_on_by_itself_when_its_time_is_up(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    store = store_of(app)
    parent, quiz, q1 = await start_quiz(slack, fake_slack, store, "2 timer 10")

    assert quiz.time_limit == 10 and "closes after 10 seconds" in parent.text
    assert "closes after 10 s" in q1.text
    assert quiz.deadline is not None
    assert 8 <= (quiz.deadline - quiz.created_at).total_seconds() <= 12
    await answer(slack, fake_slack, quiz, q1, "U1", right=True)

    await set_deadline_in_the_past(store, quiz.quiz_id)  # ten seconds pass
    moved, q2 = await open_question(store, fake_slack, quiz.quiz_id, 2)

    assert "Question 2 of 2" in q2.text
    assert feedback(fake_slack, HOST) == []  # nobody pressed anything
    assert (
        "Closed · 1 answer; how many got it right shows from 3 answers"
        in updates_of(fake_slack, quiz.question_ts)[-1].text
    )
    assert moved.deadline is not None and moved.deadline > quiz.deadline

    await set_deadline_in_the_past(store, quiz.quiz_id)  # and the last question's time is up
    [board] = await eventually(lambda: scoreboards(fake_slack, quiz.parent_ts), "the scoreboard")
    assert "<@U1>: *1/2*" in board.text
    await fake_slack.settle()
    assert len(question_posts(fake_slack, quiz.parent_ts)) == 2
    ended = await stored_quiz(store, quiz.quiz_id)
    assert ended.status == "ended" and ended.deadline is None
    assert Counter(c.args.get("ts") for c in fake_slack.calls_to("chat.update"))[quiz.parent_ts] == 1


@pytest.mark.parametrize("position", ["²", "٣", "1" * 30])
async def test_an_answer_button_with_a_garbled_position_gets_a_friendly_reply_and_stores_nothing(
    app: RunningApp,
    slack: SlackPlatform,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    position: str,
) -> None:
    """``"²".isdigit()`` is true and ``int("²")`` raises; a 30-digit position fits no column.
    Both reached the error handler (found by tests/e2e/test_fuzz.py)."""
    store = store_of(app)
    _, quiz, q1 = await start_quiz(slack, fake_slack, store, "2")
    button = answer_button(q1, right_option(quiz, 0))
    garbled = {**button, "value": f"{quiz.quiz_id}|{position}|{right_option(quiz, 0)}"}

    reply = await click_for_feedback(slack, fake_slack, garbled, "UPLAYER", quiz.question_ts)

    assert "closed" in reply or "out of date" in reply
    assert await answers_of(store, quiz.quiz_id) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
