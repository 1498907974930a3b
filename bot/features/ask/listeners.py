"""Questions in plain words: ``@mlorg …``, a direct message, and ``/mlorg ask …``.

One path for all three: read the question as typed (Slack's entities decoded once), look
up what the conversation was about (so "and its downsides?" follows on), answer from the
framework, remember the new subject, and log the answer without who asked. Mentions and
DMs are events: the de-duplication middleware (``bot.listeners``) claims each event id, with
its question (:func:`~bot.features.ask.replies.pending_question`), before the ack, and the
:class:`~bot.features.ask.replies.Replier` answers it after the ack, once.
"""

from __future__ import annotations

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
from bot.features.ask.replies import MAX_QUESTION, Replier, pending_question, question_of
from bot.features.explain.blocks import card_text
from bot.features.explain.listeners import ExplainRenderer
from bot.listeners import PENDING_ANSWER
from bot.store.pending_answers import PendingAnswer
from knowledge.answering import Answer
from knowledge.models import Archetype

__all__ = ["MAX_QUESTION", "question_of", "register"]

_STALE = "That button is from an older answer. Ask again, or try `/mlorg help`."
_USAGE = "Ask anything about how to structure ML teams, e.g. `/mlorg ask what goes wrong in an R&D lab?`"


def register(app: AsyncApp, deps: Deps) -> Replier:
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
        return result, build_answer(result, answer_id=answer_id)

    replier = Replier(deps.answerer, deps.store)

    async def answer_event(body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]) -> None:
        """After the ack: the question the claim stored, or (claim not stored) the event's own."""
        pending = context.get(PENDING_ANSWER)
        if isinstance(pending, PendingAnswer):
            await replier.reply(pending, client)
            return
        unrecorded = pending_question(body)
        if unrecorded is not None:
            await replier.reply(unrecorded, client, durable=False)

    @app.event("app_mention")
    async def handle_mention(body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]) -> None:
        await answer_event(body, client, context)

    @app.event("message")
    async def handle_direct_message(
        body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
    ) -> None:
        """A DM to mlorg is a question; anything else (edits, bots, mlorg's own posts) is not."""
        await answer_event(body, client, context)

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

    return replier
