"""The traffic of the soak test: people using mlorg while its process keeps being killed.

Each actor is one kind of user, looping until told to stop: someone reading cards, a
quiz host and a crowd of players, people in the middle of a diagnosis, an admin posting
summaries, someone asking mlorg questions by mention and by DM (each delivery Slack did not
see acked is delivered again with the same event id, as Slack retries). Every request goes to whichever ``mlorg serve`` process is alive on the port
(there may be none for a moment); an actor writes down in the :class:`Ledger` only what
the app acknowledged (HTTP 200), because the ack is the app's receipt. The soak test
then checks the database and the fake Slack against the ledger.

Actors decide from the database what to do next (which question is open, which step a
diagnosis is at), as a person decides from what they see; a click that got no answer is
simply made again, the same click, as a person clicks again.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.features.diagnose import ids as diagnose_ids
from bot.features.quiz import ids as quiz_ids
from bot.features.quiz.blocks import encode
from bot.store import Quiz, Store
from knowledge import KnowledgeBase
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import AppResponse, SlackPlatform, find_button

__all__ = ["ADMIN", "ASK_CHANNEL", "DM_CHANNEL", "HOST", "LEAD", "QUIZ_CHANNEL", "TEAM", "Ledger", "Traffic"]

TEAM = "T0001"
QUIZ_CHANNEL = "C0QUIZ"
TALK_CHANNEL = "C0TALK"
LEAD = "C0LEAD"
ASK_CHANNEL = "C0ASK"
DM_CHANNEL = "D0SOAK"
#: Slack delivers an event once and retries it up to three times when it sees no ack.
DELIVERIES = 4
HOST = "UHOST"
ADMIN = "U0ADMIN"
PLAYERS = tuple(f"UP{n:02d}" for n in range(24))
DIAGNOSERS = tuple(f"UD{n}" for n in range(3))
TOPICS = ("rnd", "embedded", "independent", "ml-first", "nascent", "data ownership", "model ownership")


@dataclass
class Ledger:
    """What the app acknowledged, and so promised to keep."""

    #: (quiz id, position, player) -> the option of the first acknowledged answer.
    quiz_answers: dict[tuple[str, int, str], str] = field(default_factory=dict)
    #: (flow id, question id) -> the acknowledged option.
    diagnosis_answers: dict[tuple[str, str], str] = field(default_factory=dict)
    #: preview ids whose Post click was acknowledged.
    posted_previews: set[str] = field(default_factory=set)
    #: event ids of questions (mentions and DMs) of which some delivery was acknowledged.
    questions: set[str] = field(default_factory=set)
    quizzes: set[str] = field(default_factory=set)
    acks: Counter[str] = field(default_factory=Counter)
    misses: Counter[str] = field(default_factory=Counter)


@dataclass
class Traffic:
    slack: SlackPlatform
    #: The same Slack for the admin, whose previews come back on a response_url of their own.
    admin_slack: SlackPlatform
    fake: FakeSlack
    store: Store
    kb: KnowledgeBase
    rng: random.Random
    stop: asyncio.Event
    ledger: Ledger = field(default_factory=Ledger)

    async def run(self) -> None:
        actors = [
            self._reader(),
            self._quiz(),
            *(self._diagnosis(user) for user in DIAGNOSERS),
            self._summaries(),
            self._asker(),
        ]
        await asyncio.gather(*actors)

    # -- sending --------------------------------------------------------------------------------------------
    async def _send(self, kind: str, request: Any) -> AppResponse | None:
        """One request; None when no process answered (it is being killed or restarted)."""
        try:
            response: AppResponse = await request
        except (aiohttp.ClientError, TimeoutError, OSError):
            self.ledger.misses[kind] += 1
            return None
        if response.status != 200:
            raise AssertionError(f"{kind} got HTTP {response.status}: {response.body[:300]}")
        self.ledger.acks[kind] += 1
        return response

    async def _pause(self, low: float, high: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), self.rng.uniform(low, high))

    # -- someone reading cards ------------------------------------------------------------------------------
    async def _reader(self) -> None:
        while not self.stop.is_set():
            topic = self.rng.choice(TOPICS)
            response = await self._send(
                "explain", self.slack.command(f"explain {topic}", user="UREADER", channel=TALK_CHANNEL)
            )
            if response is not None:
                assert response.blocks, f"explain {topic} answered without a card: {response.body[:200]}"
            await self._pause(0.05, 0.2)

    # -- someone asking questions, in a channel and by DM -------------------------------------------------------
    async def _asker(self) -> None:
        asked = 0
        while not self.stop.is_set():
            asked += 1
            event_id, ts, topic = f"EvSoak{asked:06d}", f"1700001000.{asked:06d}", self.rng.choice(TOPICS)
            event: dict[str, Any] = (
                {"type": "app_mention", "text": f"<@UBOT> what is {topic}?", "channel": ASK_CHANNEL}
                if asked % 2
                else {
                    "type": "message",
                    "channel_type": "im",
                    "text": f"tell me about {topic}",
                    "channel": DM_CHANNEL,
                }
            )
            event.update(user="UASKER", ts=ts)
            for delivery in range(DELIVERIES):
                retry = delivery or None  # X-Slack-Retry-Num on every delivery after the first
                if await self._send("question", self.slack.event(event, event_id=event_id, retry_num=retry)):
                    self.ledger.questions.add(event_id)
                    break
                await self._pause(0.3, 0.6)
            await self._pause(0.05, 0.3)

    # -- a quiz host and the players --------------------------------------------------------------------------
    async def _quiz(self) -> None:
        while not self.stop.is_set():
            quiz = await self.store.quizzes.running_in(TEAM, QUIZ_CHANNEL)
            if quiz is None:
                await self._send("quiz start", self.slack.command("quiz 4", user=HOST, channel=QUIZ_CHANNEL))
                await self._pause(0.3, 0.6)
                continue
            self.ledger.quizzes.add(quiz.quiz_id)
            if quiz.question_ts is None:  # the question is not posted (yet): wait for it
                await self._pause(0.2, 0.4)
                continue
            await asyncio.gather(*(self._answer(quiz, player) for player in self._still_to_answer(quiz)))
            await self._pause(0.2, 0.8)
            if self.stop.is_set():
                return
            button = {
                "action_id": quiz_ids.NEXT,
                "value": encode(quiz.quiz_id, quiz.current),
                "type": "button",
            }
            await self._send("quiz next", self._click(button, HOST, QUIZ_CHANNEL, quiz.question_ts))
            await self._pause(0.2, 0.5)

    def _still_to_answer(self, quiz: Quiz) -> list[str]:
        return [p for p in PLAYERS if (quiz.quiz_id, quiz.current, p) not in self.ledger.quiz_answers]

    async def _answer(self, quiz: Quiz, player: str) -> None:
        options = [str(oid) for oid, _ in quiz.items[quiz.current]["options"]]
        option = _pick(options, quiz.quiz_id, quiz.current, player)
        button = {
            "action_id": f"{quiz_ids.ANSWER}:{option}",
            "value": encode(quiz.quiz_id, quiz.current, option),
            "type": "button",
        }
        response = await self._send(
            "quiz answer", self._click(button, player, QUIZ_CHANNEL, quiz.question_ts)
        )
        if response is not None:
            self.ledger.quiz_answers.setdefault((quiz.quiz_id, quiz.current, player), option)

    # -- people in the middle of a diagnosis -------------------------------------------------------------------
    async def _diagnosis(self, user: str) -> None:
        questions = self.kb.questions
        while not self.stop.is_set():
            flow = await self.store.diagnoses.active_flow(TEAM, user, None)
            if flow is None or flow.status != "active":
                await self._send(
                    "diagnose", self.slack.command("diagnose restart", user=user, channel=TALK_CHANNEL)
                )
                await self._pause(0.2, 0.4)
                continue
            # Every answer stored but the flow not finished (the kill fell between the two): the
            # person still sees the last question, and clicking it again finishes the flow.
            step = min(flow.step, len(questions) - 1)
            question = questions[step]
            option = _pick([o.id for o in question.options], flow.flow_id, question.id)
            button = {
                "action_id": f"{diagnose_ids.ANSWER}:{option}",
                "value": encode(flow.flow_id, step, option),
                "type": "button",
            }
            view = {"id": f"V{user}", "type": "modal", "callback_id": diagnose_ids.VIEW}
            payload = self.slack.action_payload(button, user=user, view=view)
            if await self._send("diagnosis answer", self.slack.interact(payload)) is not None:
                self.ledger.diagnosis_answers.setdefault((flow.flow_id, question.id), option)
            await self._pause(0.1, 0.4)

    # -- an admin posting summaries to #leadership --------------------------------------------------------------
    async def _summaries(self) -> None:
        self.fake.admins.add(ADMIN)
        reply_to = "summary-preview"  # admin_slack's response_url
        while not self.stop.is_set():
            await self._pause(1.0, 2.5)
            before = len(self.fake.calls_to(f"response_url:{reply_to}"))
            asked = self.admin_slack.command(
                f"summary <#{LEAD}|leadership>", user=ADMIN, channel=TALK_CHANNEL
            )
            if await self._send("summary", asked) is None:
                continue
            try:
                replies = await self.fake.wait_for(f"response_url:{reply_to}", before + 1, timeout=3)
            except AssertionError:
                continue  # killed between the ack and the preview: ask again
            shown = replies[before]
            try:
                post = find_button(shown.blocks, "Post to")
            except AssertionError:
                continue
            payload = self.slack.action_payload(post, user=ADMIN, channel=TALK_CHANNEL)
            payload["response_url"] = self.fake.response_url("summary-posted")
            if await self._send("summary post", self.slack.interact(payload)) is not None:
                self.ledger.posted_previews.add(str(post["value"]))

    def _click(self, element: dict[str, Any], user: str, channel: str, message_ts: str) -> Any:
        payload = self.slack.action_payload(element, user=user, channel=channel, message={"ts": message_ts})
        payload["response_url"] = self.fake.response_url(f"feedback-{user}")
        return self.slack.interact(payload)


def _pick(options: list[str], *key: object) -> str:
    """The same choice for the same person and question in every run (``hash`` is salted)."""
    return options[zlib.crc32(repr(key).encode()) % len(options)]
