"""Questions in plain words: ``@mlorg …``, a direct message, and ``/mlorg ask …``.

One path for all three: read the question as typed (Slack's entities decoded once), look
up what the conversation was about (so "and its downsides?" follows on), answer from the
framework, remember the new subject, and log the answer without who asked. Mentions and
DMs are events, which the de-duplication middleware in ``bot.app`` lets through once.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import payloads
from bot.commands import CommandContext
from bot.deps import Deps
from bot.features.ask import ids
from bot.features.ask.blocks import answer_text, build_answer
from bot.features.explain.blocks import card_text
from bot.features.explain.listeners import ExplainRenderer
from bot.slack_text import unescape
from knowledge.answering import Answer
from knowledge.models import Archetype

__all__ = ["MAX_QUESTION", "register"]

#: A user, channel or special mention. ``[^<>]`` keeps the scan linear: with ``[^>]`` a message
#: of 40,000 ``<@`` would rescan to the end from every one of them and block the event loop.
_MENTION = re.compile(r"<[@!#][^<>]*>")
#: A question needs far less than Slack's 40,000 characters; the rest is cut before any parsing.
MAX_QUESTION = 2000
_STALE = "That button is from an older answer. Ask again, or try `/mlorg help`."
_USAGE = "Ask anything about how to structure ML teams, e.g. `/mlorg ask what goes wrong in an R&D lab?`"


def question_of(text: str, *, escaped: bool = True) -> str:
    """What a person asked: cut first, mentions removed, Slack's escaping undone once.

    Event text arrives escaped; a command's text was already decoded by the router
    (``escaped=False``), and decoding it twice would turn a typed ``&lt;`` into ``<``.
    """
    question = _MENTION.sub(" ", text[:MAX_QUESTION])
    return (unescape(question) if escaped else question).strip()


def register(app: AsyncApp, deps: Deps) -> None:
    kb, questions = deps.kb, deps.store.questions
    renderer = ExplainRenderer(kb)

    async def reply(
        team_id: str, conversation: str, question: str, *, new: bool = False
    ) -> tuple[Answer, list[dict[str, Any]]]:
        """Answer in a conversation; ``new``: it has just begun, so it has no subject to read."""
        subject = None if new else await questions.subject(team_id, conversation)
        result = deps.answerer.answer(question, subject=subject)
        answer_id = await questions.record(
            team_id,
            question,
            kind=result.kind,
            answered=result.answered,
            conversation_key=conversation,
            subject=result.topics[0].id if result.topics else None,
        )
        return result, build_answer(result, kb, answer_id=answer_id)

    @app.event("app_mention")
    async def handle_mention(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        channel = str(event.get("channel", ""))
        thread = str(event.get("thread_ts") or event.get("ts") or "")
        result, blocks = await reply(
            str(body.get("team_id", "")),
            f"{channel}:{thread}",
            question_of(str(event.get("text", ""))),
            new=not event.get("thread_ts"),  # a top-level mention starts its own thread
        )
        await client.chat_postMessage(
            channel=channel, thread_ts=thread or None, blocks=blocks, text=answer_text(result)
        )

    @app.event("message")
    async def handle_direct_message(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A DM to mlorg is a question; anything else (edits, bots, mlorg's own posts) is not."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        channel = str(event.get("channel", ""))
        thread = str(event.get("thread_ts") or "")
        question = question_of(str(event.get("text", "")))
        if not question:
            return
        result, blocks = await reply(
            str(body.get("team_id", "")), f"{channel}:{thread}" if thread else channel, question
        )
        await client.chat_postMessage(
            channel=channel, thread_ts=thread or None, blocks=blocks, text=answer_text(result)
        )

    async def handle_ask_command(ctx: CommandContext) -> None:
        question = question_of(ctx.text, escaped=False)
        if not question:
            await ctx.ack(response_type="ephemeral", text=_USAGE)
            return
        await ctx.ack()
        result, blocks = await reply(ctx.team_id, f"ask:{ctx.channel_id}:{ctx.user_id}", question)
        await ctx.respond(response_type="ephemeral", blocks=blocks, text=answer_text(result))

    deps.commands.add(
        "ask",
        handle_ask_command,
        summary="A question in your own words, answered privately from the framework.",
        example="/mlorg ask which setup gets models into production fastest?",
        aliases=("question", "q"),
    )

    @deps.actions.on(f"{ids.CARD}:", prefix=True)
    async def handle_card(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """The full card, privately: the answer in the channel stays as it is."""
        await ack()
        topic = kb.get(payloads.action_value(body))
        if topic is None:
            await respond(response_type="ephemeral", replace_original=False, text=_STALE)
            return
        await respond(
            response_type="ephemeral",
            replace_original=False,
            blocks=renderer.card(topic),
            text=card_text(topic),
        )

    @deps.actions.on(ids.COMPARE)
    async def handle_compare(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        a, _, b = payloads.action_value(body).partition(":")
        left, right = kb.get(a), kb.get(b)
        if not (isinstance(left, Archetype) and isinstance(right, Archetype)):
            await respond(response_type="ephemeral", replace_original=False, text=_STALE)
            return
        await respond(
            response_type="ephemeral",
            replace_original=False,
            blocks=renderer.comparison(left, right),
            text=f"{left.name} vs {right.name}",
        )

    async def vote(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, *, helpful: bool) -> None:
        outcome = await questions.vote(
            payloads.team_id(body), payloads.action_value(body)[:64], payloads.user_id(body), helpful=helpful
        )
        await ack()  # only now: the vote is stored
        text = {
            "counted": "Thanks: noted. Admins see which questions mlorg couldn't answer well, never who asked.",
            "repeat": "You already voted on this answer; your first vote counts.",
            "unknown": "That answer is too old to vote on.",
        }[outcome]
        await respond(response_type="ephemeral", replace_original=False, text=text)

    @deps.actions.on(ids.HELPFUL)
    async def handle_helpful(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await vote(ack, body, respond, helpful=True)

    @deps.actions.on(ids.UNHELPFUL)
    async def handle_unhelpful(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await vote(ack, body, respond, helpful=False)
