"""Listeners for ``/mlorg quiz``, ``/mlorg leaderboard`` and the quiz buttons.

An answer is written to the store *before* the click is acked: once Slack sees our
200 the answer is durable, so a crash (even ``kill -9``) right after the ack loses
nothing. The store's key makes the first answer count; feedback follows the ack.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import payloads
from bot.commands import CommandContext
from bot.deps import Deps
from bot.features.quiz import ids
from bot.features.quiz.blocks import build_feedback, build_leaderboard
from bot.features.quiz.engine import QuizEngine, snapshot
from bot.features.quiz.parse import parse_quiz
from bot.slack_text import api_error, escape
from bot.store import Quiz
from knowledge.quiz import QuestionBank

__all__ = ["register"]

log = logging.getLogger(__name__)


def _parse(value: str) -> tuple[str, int, str]:
    parts = value.split("|")
    position = payloads.index(parts[1]) if len(parts) > 1 else -1
    return (parts[0] if parts else ""), position, (parts[2] if len(parts) > 2 else "")


def register(app: AsyncApp, deps: Deps) -> QuizEngine:
    kb = deps.kb
    # The bank (with its generated questions, ~0.1 s to derive) is built at the first quiz,
    # not at start-up, and kept: the content never changes while the app runs.
    banks: list[QuestionBank] = []
    engine = QuizEngine(kb, deps.store)
    quizzes = deps.store.quizzes

    async def may_host(client: AsyncWebClient, quiz: Quiz, user_id: str) -> bool:
        """The host, or an admin (a quiz whose host asked to be forgotten is theirs to move on)."""
        if quiz.host_id and user_id == quiz.host_id:
            return True
        return await deps.admins.allows(client, quiz.team_id, user_id)

    def only_host(quiz: Quiz, doing: str) -> str:
        who = f"<@{quiz.host_id}>, who started the quiz," if quiz.host_id else "the workspace's admins"
        return f"Only {who} can {doing}."

    async def handle_quiz_command(ctx: CommandContext) -> None:
        request = parse_quiz(ctx.text)
        if request.end:
            await ctx.ack()
            await end_running(ctx)
            return
        if not banks:
            banks.append(QuestionBank(kb))
        selection = banks[0].select(request.count, request.topic or None)
        if selection.problem is not None or not selection.items:
            # The problem quotes what the user typed: escape it before echoing.
            problem = escape(selection.problem) if selection.problem else "I have no questions on that yet."
            await ctx.ack(response_type="ephemeral", text=problem)
            return
        await ctx.ack()
        quiz, created = await quizzes.create(
            ctx.team_id,
            ctx.channel_id,
            ctx.user_id,
            [snapshot(item) for item in selection.items],
            topic_id=selection.topic.id if selection.topic else None,
            time_limit=request.time_limit,
            recheck_at=engine.recheck_at(),
        )
        if not created:
            await ctx.respond(
                response_type="ephemeral",
                text=(
                    f"A quiz is already running in this channel (started by <@{quiz.host_id}>). "
                    "Play it in its thread, or end it with `/mlorg quiz end`."
                ),
            )
            return
        try:
            await engine.start(ctx.client, quiz)
        except SlackApiError as error:
            log.info("quiz could not be posted: %s", api_error(error))
            await quizzes.end(quiz.team_id, quiz.quiz_id)
            await ctx.respond(
                response_type="ephemeral",
                text="I can't post in this channel. Add me with `/invite @mlorg` and start the quiz again.",
            )

    async def end_running(ctx: CommandContext) -> None:
        quiz = await quizzes.running_in(ctx.team_id, ctx.channel_id)
        if quiz is None:
            await ctx.respond(response_type="ephemeral", text="No quiz is running in this channel.")
            return
        if not await may_host(ctx.client, quiz, ctx.user_id):
            await ctx.respond(response_type="ephemeral", text=only_host(quiz, "end it"))
            return
        if not await engine.finish(ctx.client, quiz):
            await ctx.respond(response_type="ephemeral", text="That quiz has already ended.")

    async def handle_leaderboard_command(ctx: CommandContext) -> None:
        standings = await quizzes.standings(ctx.team_id, ctx.channel_id)
        await ctx.ack(
            response_type="ephemeral", blocks=build_leaderboard(standings), text="Channel leaderboard"
        )

    @deps.actions.on(f"{ids.ANSWER}:", prefix=True)
    async def handle_answer(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        quiz_id, position, option_id = _parse(payloads.action_value(body))
        outcome = await quizzes.answer(
            payloads.team_id(body), quiz_id, position, payloads.user_id(body), option_id
        )
        await ack()  # only now: the answer is stored
        quiz, answer = outcome.quiz, outcome.answer
        if outcome.status == "recorded" and quiz is not None and answer is not None:
            text = build_feedback(quiz.items[position], answer.option_id, answer.correct)
            engine.refresh_count_soon(client, quiz, position)
        elif outcome.status == "repeat" and quiz is not None and answer is not None:
            text = build_feedback(quiz.items[position], answer.option_id, answer.correct, repeat=True)
        elif outcome.status == "closed":
            text = "That question has closed; the quiz has moved on. Answer the latest one in the thread."
        elif outcome.status == "ended":
            text = "This quiz has ended. Thanks for playing!"
        else:
            text = "That button is out of date."
        # The hottest path in the app: feedback goes out on the shared connection pool.
        await deps.http.respond(
            payloads.response_url(body), response_type="ephemeral", replace_original=False, text=text
        )

    async def host_action(body: dict[str, Any], client: AsyncWebClient) -> tuple[Quiz, int] | str:
        """The quiz and question a host's button names, or why this click may not move it.

        Runs before the ack, so the permission check is the cached, bounded one."""
        quiz_id, position, _ = _parse(payloads.action_value(body))
        quiz = await quizzes.get(payloads.team_id(body), quiz_id)
        if quiz is None or quiz.status != "running":
            return "This quiz has ended."
        if not await may_host(client, quiz, payloads.user_id(body)):
            return only_host(quiz, "move it on or end it")
        return quiz, position

    @deps.actions.on(ids.NEXT)
    async def handle_next(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        allowed = await host_action(body, client)
        if isinstance(allowed, str):
            await ack()
            await respond(response_type="ephemeral", replace_original=False, text=allowed)
            return
        quiz, position = allowed
        moved = await engine.step(quiz, position)  # None: a double click or the timer won
        await ack()  # only now: the move is stored
        if moved is not None:
            await engine.publish_step(client, moved)

    @deps.actions.on(ids.END)
    async def handle_end(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        allowed = await host_action(body, client)
        if isinstance(allowed, str):
            await ack()
            await respond(response_type="ephemeral", replace_original=False, text=allowed)
            return
        ended = await engine.end(allowed[0])  # None: already ended (a double click, another replica)
        await ack()  # only now: the end is stored
        if ended is not None:
            await engine.publish_end(client, ended)

    deps.commands.add(
        "quiz",
        handle_quiz_command,
        summary="A quiz in a thread, with feedback for each answer and a scoreboard. "
        "Add a count, a topic or `timer`; `/mlorg quiz end` ends it.",
        example="/mlorg quiz 5 data ownership",
        aliases=("play", "trivia"),
    )
    deps.commands.add(
        "leaderboard",
        handle_leaderboard_command,
        summary="This channel's quiz standings over time.",
        example="/mlorg leaderboard",
        aliases=("scores", "standings"),
    )
    return engine
