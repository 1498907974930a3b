"""What moves a quiz along: start, close a question, open the next, finish.

The host's Next button, the host's End (button or ``/mlorg quiz end``) and the
per-question timer all go through the store's conditional updates, which say
whether this caller won. Whoever loses (a double click, the timer racing the host,
another replica) does nothing.

Each move has two halves: the *transition* (:meth:`QuizEngine.step`, :meth:`end`)
writes the new state and nothing else, and *publishing* it (:meth:`publish_step`,
:meth:`publish_end`) redraws the thread. A click stores the transition, acks, then
publishes, so the ack is a receipt for a state that survives a crash right after it;
the timer and ``/mlorg quiz end`` simply do both (:meth:`advance`, :meth:`finish`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.features.quiz.blocks import (
    build_closed_question,
    build_parent,
    build_question,
    build_scoreboard,
    parent_text,
    question_text,
    result_line,
)
from bot.features.quiz.rounds import most_missed, round_players, shown_rounds
from bot.outage import OutageLog
from bot.store import Quiz, Store
from bot.store.events import Clock, utc_now
from bot.tenancy.clients import WorkspaceClients, clients_for
from knowledge import KnowledgeBase
from knowledge.anonymity import may_show
from knowledge.quiz import QuizItem, scoreboard

__all__ = ["COUNT_REFRESH_SECONDS", "METADATA_EVENT", "POSTING_GRACE", "QuizEngine", "Step", "snapshot"]

log = logging.getLogger(__name__)

#: Live answer counts are redrawn at most this often per question: chat.update is rate
#: limited, and 50 clicks in a second should cost one redraw, not 50.
COUNT_REFRESH_SECONDS = 1.0
#: A quiz's parent or question message is posted right after the step is stored; if it is
#: not stored as posted this long after (the replica posting it died, or Slack failed), the
#: timer posts it, after checking the channel for it first. Longer than a slow post takes.
POSTING_GRACE = timedelta(seconds=20)
#: A due quiz in a workspace without an installation is looked at again this much later.
NOT_INSTALLED_RETRY = timedelta(minutes=5)
#: Message metadata on the quiz's messages, so a resumed post can find an earlier attempt.
METADATA_EVENT = "mlorg_quiz"


def snapshot(item: QuizItem) -> dict[str, Any]:
    """What the store keeps of a question, so a running quiz never depends on live content."""
    return {
        "id": item.id,
        "prompt": item.prompt,
        "options": [[oid, text] for oid, text in item.options],
        "answer": item.answer,
        "explanation": item.explanation,
        "topic": item.topic,
    }


@dataclass(frozen=True)
class Step:
    """A stored move past question ``position``: the quiz as it was (whose open question's
    message is to be closed) and as it is now; ``ended`` when that was the last question."""

    before: Quiz
    position: int
    after: Quiz
    ended: bool


class QuizEngine:
    def __init__(
        self,
        kb: KnowledgeBase,
        store: Store,
        *,
        clock: Clock = utc_now,
        posting_grace: timedelta = POSTING_GRACE,
    ) -> None:
        self.kb = kb
        self.store = store
        self.quizzes = store.quizzes
        self._clock = clock
        self.posting_grace = posting_grace
        self._pending: dict[tuple[str, str, int], asyncio.Task[None]] = {}
        #: Questions that got an answer while their redraw was already under way.
        self._stale: set[tuple[str, str, int]] = set()

    def topic_name(self, quiz: Quiz) -> str | None:
        topic = self.kb.get(quiz.topic_id) if quiz.topic_id else None
        return topic.name if topic is not None else None

    def _deadline(self, quiz: Quiz) -> datetime | None:
        return self._clock() + timedelta(seconds=quiz.time_limit) if quiz.time_limit else None

    def recheck_at(self) -> datetime:
        """The deadline of a step whose message is about to be posted (see :data:`POSTING_GRACE`)."""
        return self._clock() + self.posting_grace

    async def open_question(self, client: AsyncWebClient, quiz: Quiz, position: int) -> None:
        """Post question ``position`` in the thread and start its clock."""
        latest = await self.quizzes.get(quiz.team_id, quiz.quiz_id)
        if latest is None or latest.status != "running" or latest.current != position:
            return  # ended (End pressed while the last question was being closed): ask nothing more
        posted = await client.chat_postMessage(
            channel=quiz.channel_id,
            thread_ts=quiz.parent_ts,
            blocks=build_question(quiz, position, 0),
            text=question_text(quiz, position),
            metadata=_metadata(quiz, position),
        )
        await self.quizzes.set_question(
            quiz.team_id, quiz.quiz_id, position, str(posted["ts"]), self._deadline(quiz)
        )

    async def start(self, client: AsyncWebClient, quiz: Quiz) -> None:
        posted = await client.chat_postMessage(
            channel=quiz.channel_id,
            blocks=build_parent(quiz, self.topic_name(quiz)),
            text=parent_text(quiz),
            metadata=_metadata(quiz, "parent"),
        )
        parent_ts = str(posted["ts"])
        await self.quizzes.set_parent(quiz.team_id, quiz.quiz_id, parent_ts)
        started = await self.quizzes.get(quiz.team_id, quiz.quiz_id)
        if started is not None:
            await self.open_question(client, started, 0)

    async def step(self, quiz: Quiz, position: int) -> Step | None:
        """Store the move past question ``position`` (and the end, after the last one).

        None if someone else already moved on (a double click, the timer, another replica).
        """
        before = await self.quizzes.get(quiz.team_id, quiz.quiz_id)
        if before is None or before.current != position:
            return None
        # The advance clears question_ts, so the open question's message is read first.
        moved = await self.quizzes.advance(quiz.team_id, quiz.quiz_id, position, recheck_at=self.recheck_at())
        if moved is None:
            return None
        if moved.current >= moved.total:
            ended = await self.quizzes.end(moved.team_id, moved.quiz_id, recheck_at=self.recheck_at())
            # None: End won meanwhile and posts the scoreboard; this move still closes the question.
            return Step(before, position, ended or moved, ended=ended is not None)
        return Step(before, position, moved, ended=False)

    async def publish_step(self, client: AsyncWebClient, step: Step) -> None:
        """Draw a stored move: the closed question, then the next question or the scoreboard."""
        await self._close_question(client, step.before, step.position, step.before.question_ts)
        if step.ended:
            await self.publish_end(client, step.after)
        else:
            await self.open_question(client, step.after, step.after.current)

    async def advance(self, client: AsyncWebClient, quiz: Quiz, position: int) -> bool:
        """Close question ``position``; open the next or finish. False if someone else already did."""
        moved = await self.step(quiz, position)
        if moved is None:
            return False
        await self.publish_step(client, moved)
        return True

    async def end(self, quiz: Quiz) -> Quiz | None:
        """Store the end of the quiz; None if it had already ended (only one caller publishes)."""
        return await self.quizzes.end(quiz.team_id, quiz.quiz_id, recheck_at=self.recheck_at())

    async def finish(self, client: AsyncWebClient, quiz: Quiz) -> bool:
        """End the quiz once and publish it; False if it had already ended."""
        ended = await self.end(quiz)
        if ended is None:
            return False
        await self.publish_end(client, ended)
        return True

    async def publish_end(self, client: AsyncWebClient, ended: Quiz) -> None:
        """Draw an ended quiz: close the open question, post the scoreboard, one line in the channel."""
        if ended.current < ended.total:  # ended mid-question (End, not Next past the last)
            await self._close_question(client, ended, ended.current, ended.question_ts)
        answers = await self.quizzes.answers(ended.team_id, ended.quiz_id)
        min_group = (await self.store.workspaces.get(ended.team_id)).min_group
        shown = await shown_rounds(self.store, ended.team_id, answers, min_group)
        # Ended between a Next and the posting of the next question: that one was never asked.
        unposted = ended.current < ended.total and ended.question_ts is None
        asked = [str(item["id"]) for item in ended.items[: ended.current if unposted else ended.asked]]
        lines = scoreboard(((a.user_id, a.question_id, a.correct) for a in answers), asked)
        await client.chat_postMessage(
            channel=ended.channel_id,
            thread_ts=ended.parent_ts,
            blocks=build_scoreboard(lines, len(asked), most_missed(ended, answers, shown)),
            text="Quiz scoreboard",
            metadata=_metadata(ended, "scoreboard"),
        )
        if ended.parent_ts:
            players = len({a.user_id for a in answers})
            line = result_line(lines, players)
            await client.chat_update(
                channel=ended.channel_id,
                ts=ended.parent_ts,
                blocks=build_parent(ended, self.topic_name(ended), result=line),
                text=f"mlorg quiz: {line}",
            )
        await self.quizzes.announced(ended.team_id, ended.quiz_id)

    async def _close_question(
        self, client: AsyncWebClient, quiz: Quiz, position: int, ts: str | None
    ) -> None:
        """Redraw a question as closed: the right answer, its explanation and the tally."""
        if ts is None:
            return
        answers = [
            a for a in await self.quizzes.answers(quiz.team_id, quiz.quiz_id) if a.position == position
        ]
        min_group = (await self.store.workspaces.get(quiz.team_id)).min_group
        right = sum(a.correct for a in answers)
        if may_show(answers, min_group):  # the tally is shown: every later view must keep to it
            await self.store.views.record(quiz.team_id, round_players(self.store, quiz.team_id, answers))
        await client.chat_update(
            channel=quiz.channel_id,
            ts=ts,
            blocks=build_closed_question(quiz, position, len(answers), right, min_group=min_group),
            text=question_text(quiz, position),
        )

    def refresh_count_soon(self, client: AsyncWebClient, quiz: Quiz, position: int) -> None:
        """Redraw the live answer count once the current burst of clicks has passed."""
        key = (quiz.team_id, quiz.quiz_id, position)
        task = self._pending.get(key)
        if task is not None and not task.done():
            # A redraw is waiting or under way; it may already have counted, so ask for another.
            self._stale.add(key)
            return
        self._pending[key] = asyncio.create_task(self._refresh_count(client, key))

    async def _refresh_count(self, client: AsyncWebClient, key: tuple[str, str, int]) -> None:
        team_id, quiz_id, position = key
        try:
            while True:
                await asyncio.sleep(COUNT_REFRESH_SECONDS)
                self._stale.discard(key)  # answers from here on are counted by this redraw or the next
                quiz = await self.quizzes.get(team_id, quiz_id)
                if (
                    quiz is None
                    or quiz.status != "running"
                    or quiz.current != position
                    or not quiz.question_ts
                ):
                    return  # closed meanwhile: never redraw a closed question as open
                count = await self.quizzes.count(team_id, quiz_id, position)
                await client.chat_update(
                    channel=quiz.channel_id,
                    ts=quiz.question_ts,
                    blocks=build_question(quiz, position, count),
                    text=question_text(quiz, position),
                )
                if key not in self._stale:
                    return
        except Exception:  # a cosmetic redraw must never take anything else down
            log.warning("could not refresh the answer count of quiz %s", quiz_id, exc_info=True)
        finally:
            self._pending.pop(key, None)
            self._stale.discard(key)

    async def run_timers(
        self, clients: WorkspaceClients | AsyncWebClient, stop: asyncio.Event, interval: float = 1.0
    ) -> None:
        """Advance questions whose time is up; deadlines are in the store, so they survive restarts.

        Each quiz is moved along as its own workspace's bot. A quiz in a workspace where mlorg is
        not installed (any more) waits, its deadline pushed back, so that it neither blocks the
        quizzes due after it nor is lost if the workspace reinstalls within the grace period.
        """
        outage = OutageLog(log, "quiz timers")
        workspaces = clients_for(clients)
        while not stop.is_set():
            try:
                for quiz in await self.quizzes.due(self._clock()):
                    client = await workspaces.for_team(quiz.team_id)
                    if client is None:
                        await self.quizzes.defer(quiz, self._clock() + NOT_INSTALLED_RETRY)
                    elif quiz.status == "ended":
                        await self.announce(client, quiz)
                    elif quiz.parent_ts is None or quiz.question_ts is None:
                        await self.resume(client, quiz)
                    else:
                        await self.advance(client, quiz, quiz.current)
            except Exception as error:
                outage.failed(error)
            else:
                outage.succeeded()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    async def resume(self, client: AsyncWebClient, quiz: Quiz) -> None:
        """Finish posting a step whose poster went quiet: it stored the step, then died (a
        crash, a deploy, a kill -9) or Slack failed, before the message was stored as posted.

        Without this the quiz would wait forever for a question nobody can see, and block new
        quizzes in its channel. One replica takes it over (:meth:`Quizzes.postpone`), looks in
        the channel for the message the earlier attempt may have posted after all (they carry
        the quiz id in their metadata), and only posts what is really missing.
        """
        taken = await self.quizzes.postpone(
            quiz.team_id, quiz.quiz_id, quiz.current, quiz.deadline, self.recheck_at()
        )
        if taken is None:
            return  # another replica (or the poster, just in time) has it
        log.info("quiz %s: resuming the post of step %d", taken.quiz_id, taken.current)
        if taken.current >= taken.total:
            await self.finish(client, taken)  # the last Next was stored; its scoreboard was not posted
            return
        if taken.parent_ts is None:
            parent_ts = await self._posted(client, taken, "parent")
            if parent_ts is None:
                await self.start(client, taken)
                return
            await self.quizzes.set_parent(taken.team_id, taken.quiz_id, parent_ts)
            taken = await self.quizzes.get(taken.team_id, taken.quiz_id) or taken
        question_ts = await self._posted(client, taken, taken.current)
        if question_ts is not None:
            await self.quizzes.set_question(
                taken.team_id, taken.quiz_id, taken.current, question_ts, self._deadline(taken)
            )
            return
        await self.open_question(client, taken, taken.current)

    async def announce(self, client: AsyncWebClient, quiz: Quiz) -> None:
        """Post the scoreboard of an ended quiz whose poster went quiet (see :meth:`resume`):
        the end was stored, then the replica died or Slack failed before the scoreboard was."""
        if quiz.deadline is None:
            return  # announced meanwhile
        taken = await self.quizzes.postpone_scoreboard(
            quiz.team_id, quiz.quiz_id, quiz.deadline, self.recheck_at()
        )
        if taken is None:
            return
        if await self._posted(client, taken, "scoreboard") is not None:
            await self.quizzes.announced(taken.team_id, taken.quiz_id)
            return
        log.info("quiz %s: posting the scoreboard its end never got", taken.quiz_id)
        await self.publish_end(client, taken)

    async def _posted(self, client: AsyncWebClient, quiz: Quiz, part: int | str) -> str | None:
        """The ts of the quiz's ``part`` (a position, "parent" or "scoreboard") if an earlier
        attempt posted it: in the quiz's thread, or in the channel when it has none."""
        if part == "parent" or quiz.parent_ts is None:
            found = await client.conversations_history(
                channel=quiz.channel_id,
                oldest=f"{quiz.created_at.timestamp() - 60:.6f}",
                limit=200,
                include_all_metadata=True,
            )
        else:
            found = await client.conversations_replies(
                channel=quiz.channel_id, ts=quiz.parent_ts or "", limit=200, include_all_metadata=True
            )
        wanted = _metadata(quiz, part)
        for message in found.get("messages") or []:
            if message.get("metadata") == wanted:
                return str(message.get("ts") or "") or None
        return None


def _metadata(quiz: Quiz, part: int | str) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"quiz_id": quiz.quiz_id, "part": str(part)}}
