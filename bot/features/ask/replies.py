"""Answering a mention or a DM after its ack, exactly once, whatever happens to the process.

Slack gives an event 3 seconds; a burst of questions must not queue its acks behind answers.
So the ack waits only for the claim of the event id, which stores the question beside it
(:func:`pending_question`, :mod:`bot.store.pending_answers`); the :class:`Replier` then reads
the conversation's subject, answers, logs the answer (under the id the claim chose, so a
second log of it changes nothing) and posts the reply tagged with the event id in message
metadata, and only then forgets the question. A process killed anywhere in between leaves the
question behind with a lease; when the lease runs out another process (or the restarted one)
takes it over, looks in the thread for a reply carrying the event id, and posts only if there
is none. The question is answered once, never lost.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.features.ask.blocks import answer_text, build_answer
from bot.slack_text import api_error, unescape
from bot.store import Store
from bot.store.pending_answers import PendingAnswer
from knowledge.answering import Answerer

__all__ = ["MAX_QUESTION", "METADATA_EVENT", "Replier", "pending_question", "question_of"]

log = logging.getLogger(__name__)

#: The metadata event type of mlorg's answers: a taken-over question looks for it before posting.
METADATA_EVENT = "mlorg_answer"
#: A user, channel or special mention. ``[^<>]`` keeps the scan linear: with ``[^>]`` a message
#: of 40,000 ``<@`` would rescan to the end from every one of them and block the event loop.
_MENTION = re.compile(r"<[@!#][^<>]*>")
#: A question needs far less than Slack's 40,000 characters; the rest is cut before any parsing.
MAX_QUESTION = 2000


def question_of(text: str, *, escaped: bool = True) -> str:
    """What a person asked: cut first, mentions removed, Slack's escaping undone once.

    Event text arrives escaped; a command's text was already decoded by the router
    (``escaped=False``), and decoding it twice would turn a typed ``&lt;`` into ``<``.
    """
    question = _MENTION.sub(" ", text[:MAX_QUESTION])
    return (unescape(question) if escaped else question).strip()


def pending_question(body: dict[str, Any]) -> PendingAnswer | None:
    """The question an event asks, where to answer it, and in which conversation; None if none.

    A mention is answered in its thread (a top-level mention starts one, with no subject yet);
    a DM to mlorg is a question, but not an edit, a bot's post or mlorg's own.
    """
    event = body.get("event") or {}
    if not isinstance(event, dict) or body.get("type") != "event_callback":
        return None
    team_id = str(body.get("team_id") or "")
    event_id = str(body.get("event_id") or "")
    channel = str(event.get("channel") or "")
    if not (team_id and event_id and channel):
        return None
    if event.get("type") == "app_mention":
        thread = str(event.get("thread_ts") or event.get("ts") or "")
        return PendingAnswer.of(
            team_id,
            event_id,
            channel_id=channel,
            thread_ts=thread or None,
            conversation_key=f"{channel}:{thread}",
            question=question_of(str(event.get("text", ""))),
            new=not event.get("thread_ts"),
        )
    if event.get("type") != "message":
        return None
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return None
    question = question_of(str(event.get("text", "")))
    if not question:
        return None
    thread = str(event.get("thread_ts") or "")
    return PendingAnswer.of(
        team_id,
        event_id,
        channel_id=channel,
        thread_ts=thread or None,
        conversation_key=f"{channel}:{thread}" if thread else channel,
        question=question,
        new=False,
    )


class Replier:
    """Answers a claimed question and posts the reply once (see the module docstring)."""

    def __init__(self, answerer: Answerer, store: Store) -> None:
        self._answerer = answerer
        self._questions = store.questions
        self._pending = store.pending_answers

    async def reply(self, pending: PendingAnswer, client: AsyncWebClient, *, durable: bool = True) -> None:
        """Answer ``pending`` in its conversation; with ``durable``, forget it once posted.

        ``durable=False`` is a question whose claim could not be stored (the database was down
        at the ack): it is answered as well as possible, and there is nothing to forget.
        """
        team_id, key = pending.team_id, pending.conversation_key
        subject = None if pending.new else await self._questions.subject(team_id, key)
        result = self._answerer.answer(pending.question, subject=subject)
        answer_id = await self._questions.record(
            team_id,
            pending.question,
            kind=result.kind,
            answered=result.answered,
            conversation_key=key,
            subject=result.topics[0].id if result.topics else None,
            answer_id=pending.answer_id or None,
        )
        if pending.resumed and await self._already_posted(client, pending):
            log.info("answer to event %s was posted before a restart; not posting again", pending.event_id)
        else:
            try:
                await client.chat_postMessage(
                    channel=pending.channel_id,
                    thread_ts=pending.thread_ts,
                    blocks=build_answer(result, answer_id=answer_id),
                    text=answer_text(result),
                    metadata={"event_type": METADATA_EVENT, "event_payload": {"event_id": pending.event_id}},
                )
            except SlackApiError:
                # Slack answered, with a refusal its own retries did not cure (a channel gone, a
                # token revoked): posting again later would be refused again, so the question is
                # done with, and the failure goes to the error handler (logged and counted).
                if durable:
                    await self._pending.done(pending.team_id, pending.event_id)
                raise
            except (aiohttp.ClientError, TimeoutError, OSError):
                # Slack never answered: the reply may or may not be in the thread. The question's
                # lease runs out and it is taken over, the thread checked first.
                log.warning("no answer from Slack for event %s; it will be resumed", pending.event_id)
                return
        if durable:
            await self._pending.done(pending.team_id, pending.event_id)

    async def _already_posted(self, client: AsyncWebClient, pending: PendingAnswer) -> bool:
        """Whether the conversation holds a reply tagged with this event id."""
        try:
            if pending.thread_ts:
                found = await client.conversations_replies(
                    channel=pending.channel_id, ts=pending.thread_ts, limit=200, include_all_metadata=True
                )
            else:
                found = await client.conversations_history(
                    channel=pending.channel_id, limit=200, include_all_metadata=True
                )
        except SlackApiError as error:
            # Without the history we cannot tell; answering twice beats never answering.
            log.warning("cannot check for the answer to %s (%s); posting", pending.event_id, api_error(error))
            return False
        for message in found.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload.get("event_id") == pending.event_id:
                return True
        return False
