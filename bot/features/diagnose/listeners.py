"""Listeners for the diagnosis: the command, the question buttons, and team mode.

The ack is the receipt: a click that changes the flow (an answer, Back, Start over,
the last answer finishing a team response, a team diagnosis closed) is written
through the store's conditional updates *before* the ack, so a crash right after it
loses nothing; views and thread redraws come after, from what the store says. A
click that lost a race (double click, second replica, stale button) changes nothing
and just redraws the current state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import payloads
from bot.commands import CommandContext
from bot.deps import Deps
from bot.features.diagnose import ids
from bot.features.diagnose.blocks import (
    build_closed_view,
    build_question_view,
    build_result_view,
    build_shared_result,
    question_at,
)
from bot.features.diagnose.charts import ResultCharts
from bot.features.diagnose.team_thread import TeamThread
from bot.features.explain.blocks import build_card
from bot.features.home.blocks import build_topic_modal
from bot.slack_text import api_error
from bot.store import Flow, TeamSession
from knowledge import KnowledgeBase, Question, explain
from knowledge.anonymity import MIN_GROUP
from knowledge.diagnosis import role_of, score

__all__ = ["register"]

log = logging.getLogger(__name__)

_GONE = "This diagnosis isn't available any more. Start a new one with `/mlorg diagnose`."
_CANCELLED = "Diagnosis cancelled; nothing was kept from it. Start again any time with `/mlorg diagnose`."
_USAGE = (
    "Try `/mlorg diagnose` to see which archetype your organization resembles, or "
    "`/mlorg diagnose team` to invite this channel to an anonymous team diagnosis."
)


def steps_for(kb: KnowledgeBase, *, team: bool) -> tuple[Question, ...]:
    """The questions a flow asks: the role question only matters in team mode."""
    if team and kb.role_question is not None:
        return (*kb.questions, kb.role_question)
    return kb.questions


def _parse(value: str) -> tuple[str, int, str]:
    """``flow|step|option`` -> parts; a malformed value yields an impossible step (-1)."""
    parts = value.split("|")
    flow_id = parts[0] if parts else ""
    step = payloads.index(parts[1]) if len(parts) > 1 else -1
    option = parts[2] if len(parts) > 2 else ""
    return flow_id, step, option


@dataclass(frozen=True)
class Completion:
    """A finished flow as stored, ready to draw: the flow, its team session, and whether
    this click is the one that added the answers to the session (and so redraws its thread)."""

    flow: Flow
    session: TeamSession | None
    recorded: bool


def register(app: AsyncApp, deps: Deps) -> None:
    kb = deps.kb
    diagnoses = deps.store.diagnoses
    thread = TeamThread(deps)
    charts = ResultCharts(deps.charts)

    def steps_of(flow: Flow) -> tuple[Question, ...]:
        return steps_for(kb, team=flow.session_id is not None)

    def render(
        flow: Flow,
        *,
        shared_in: str | None = None,
        note: str | None = None,
        share_attempt: int = 0,
        min_group: int = MIN_GROUP,
    ) -> dict[str, Any]:
        team = flow.session_id is not None
        steps = steps_of(flow)
        if flow.status == "cancelled":
            return build_closed_view(_CANCELLED, flow_id=flow.flow_id)
        if flow.status == "finished" or flow.step >= len(steps):
            return build_result_view(
                score(kb, flow.answers),
                flow_id=flow.flow_id,
                team=team and note is None,
                shared_in=shared_in,
                note=note,
                share_attempt=share_attempt,
            )
        question = steps[flow.step]
        return build_question_view(
            flow_id=flow.flow_id,
            step=flow.step,
            total=len(steps),
            question=question,
            chosen=flow.answers.get(question.id),
            team=team,
            min_group=min_group,
        )

    async def redraw(client: AsyncWebClient, view_id: str, view: dict[str, Any]) -> str | None:
        """Show ``view`` in the modal the click came from; returns the shown view's ``hash``.

        Diagnosis buttons only live in a modal; a click without a view id (forged or
        malformed) has no modal to redraw, and ``views.update`` without one raises before it
        reaches Slack."""
        if not view_id:
            return None
        response = await client.views_update(view_id=view_id, view=view)
        shown = response.get("view")
        return str(shown["hash"]) if isinstance(shown, dict) and shown.get("hash") else None

    async def open_flow(client: AsyncWebClient, trigger_id: str, flow: Flow) -> None:
        group = await thread.min_group(flow.team_id) if flow.session_id else MIN_GROUP
        await client.views_open(trigger_id=trigger_id, view=render(flow, min_group=group))

    async def handle_diagnose_command(ctx: CommandContext) -> None:
        if not kb.questions:
            await ctx.ack(
                response_type="ephemeral", text="The diagnosis is not available: no questionnaire is loaded."
            )
            return
        mode = ctx.text.strip().lower()
        if mode in {"team", "channel", "us"}:
            await ctx.ack()
            await thread.post(ctx)
            return
        if mode not in {"", "me", "start", "restart", "again", "over"}:
            await ctx.ack(response_type="ephemeral", text=_USAGE)
            return
        resume = mode not in {"restart", "again", "over"}
        flow = await diagnoses.start(ctx.team_id, ctx.user_id, ctx.channel_id, resume=resume)
        await ctx.ack()  # the flow is stored; the modal opens right after
        await open_flow(ctx.client, ctx.trigger_id, flow)

    async def complete(flow: Flow) -> Completion:
        """The last answer, stored: finish the flow once and feed the team summary, in one
        transaction (before the ack)."""
        finished, recorded = await diagnoses.finish_with_response(
            flow.team_id, flow.flow_id, role=role_of(kb, flow.answers)
        )
        current = finished or await diagnoses.get(flow.team_id, flow.flow_id) or flow
        session = (
            await diagnoses.get_session(flow.team_id, flow.session_id)
            if flow.session_id is not None
            else None
        )
        return Completion(current, session, recorded)

    async def draw(client: AsyncWebClient, view_id: str, flow: Flow, *, note: str | None = None) -> None:
        """Show the flow where it is; a result gets its chart right after its words.

        The words first, then the picture: drawn off the loop, uploaded (once per flow), and
        the same view redrawn with it, unless the person has moved on (a newer hash wins).
        """
        view = render(flow, note=note)
        shown = await redraw(client, view_id, view)
        if flow.status == "cancelled" or (flow.status != "finished" and flow.step < len(steps_of(flow))):
            return
        await charts.add_to_view(
            client,
            team_id=flow.team_id,
            flow_id=flow.flow_id,
            diagnosis=score(kb, flow.answers),
            view_id=view_id,
            view=view,
            hash=shown,
        )

    async def show_completion(client: AsyncWebClient, view_id: str, done: Completion) -> None:
        """The result, drawn after the ack; the click that fed the team summary redraws its thread."""
        note = None
        if done.session is not None and done.session.status == "closed":
            note = "The team diagnosis was closed before you finished, so your answers were not added to it."
        await draw(client, view_id, done.flow, note=note)
        if done.recorded and done.session is not None:
            await thread.refresh(client, done.session)

    async def clicked_flow(body: dict[str, Any]) -> tuple[Flow, int, str] | None:
        """The clicker's own flow named by the button (with its step and option), or None when
        it is gone (unknown, someone else's, or deleted). Only reads: the caller acks, then
        draws :func:`gone` for None."""
        flow_id, step, option_id = _parse(payloads.action_value(body))
        flow = await diagnoses.get(payloads.team_id(body), flow_id)
        if flow is None or flow.user_id != payloads.user_id(body):
            return None
        return flow, step, option_id

    async def gone(client: AsyncWebClient, body: dict[str, Any]) -> None:
        await redraw(client, payloads.view_id(body), build_closed_view(_GONE))

    @deps.actions.on(f"{ids.ANSWER}:", prefix=True)
    async def handle_answer(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        clicked = await clicked_flow(body)
        if clicked is None:
            await ack()
            await gone(client, body)
            return
        flow, step, option_id = clicked
        steps = steps_for(kb, team=flow.session_id is not None)
        question = question_at(steps, step)
        moved = None
        if question is not None and question.option(option_id) is not None:
            moved = await diagnoses.answer(flow.team_id, flow.flow_id, step, question.id, option_id)
        # Lost a race, stale or malformed: the flow is wherever the store says.
        current = moved or await diagnoses.get(flow.team_id, flow.flow_id) or flow
        done = None
        if current.status == "active" and current.step >= len(steps):
            # The last answer (this one, or one whose replica went down before finishing):
            # this click finishes the flow, once, like the lost one would have.
            done = await complete(current)
        await ack()  # only now: the answer (and the finished flow, and the team response) is stored
        if done is not None:
            await show_completion(client, payloads.view_id(body), done)
            return
        await draw(client, payloads.view_id(body), current)

    @deps.actions.on(ids.BACK)
    async def handle_back(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        clicked = await clicked_flow(body)
        if clicked is None:
            await ack()
            await gone(client, body)
            return
        flow, step, _ = clicked
        moved = await diagnoses.back(flow.team_id, flow.flow_id, step)
        current = moved or await diagnoses.get(flow.team_id, flow.flow_id) or flow
        await ack()  # the step back is stored
        await draw(client, payloads.view_id(body), current)

    @deps.actions.on(ids.CANCEL)
    async def handle_cancel(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Cancel deletes the flow and its answers; a second click finds nothing left, which
        is the same outcome, so it says the same thing."""
        flow_id, _, _ = _parse(payloads.action_value(body))
        team_id, user_id = payloads.team_id(body), payloads.user_id(body)
        flow = await diagnoses.get(team_id, flow_id)
        if flow is not None and flow.user_id == user_id:
            flow = await diagnoses.cancel(team_id, flow_id) or await diagnoses.get(team_id, flow_id)
        await ack()  # the answers are gone before Slack hears back
        if flow is None or flow.status == "cancelled":
            view = build_closed_view(_CANCELLED, flow_id=flow_id)
        elif flow.user_id != user_id:
            view = build_closed_view(_GONE)
        else:
            # Finished meanwhile (a click on another replica): show the result.
            await draw(client, payloads.view_id(body), flow)
            return
        await redraw(client, payloads.view_id(body), view)

    @deps.actions.on(ids.RESTART)
    async def handle_restart(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        clicked = await clicked_flow(body)
        if clicked is None:
            await ack()
            await gone(client, body)
            return
        flow = clicked[0]
        fresh = await diagnoses.start(
            flow.team_id, flow.user_id, flow.channel_id, flow.session_id, resume=False
        )
        await ack()  # the new flow is stored
        await redraw(client, payloads.view_id(body), render(fresh))

    @deps.actions.on(ids.EXPLAIN)
    async def handle_explain(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        archetype_id = payloads.action_value(body).rpartition("|")[2]
        topic = kb.get(archetype_id)
        if topic is None:
            return
        card = build_card(explain(kb, topic), kb, interactive=False)
        await client.views_push(trigger_id=payloads.trigger_id(body), view=build_topic_modal(topic, card))

    @deps.actions.on(ids.SHARE)
    async def handle_share(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()  # a share changes nothing stored but its claim, which only guards the post
        view_id = payloads.view_id(body)
        clicked = await clicked_flow(body)
        if clicked is None:
            await gone(client, body)
            return
        flow, attempt, _ = clicked
        if flow.status != "finished":
            await redraw(client, view_id, build_closed_view(_GONE))
            return
        # A double click, a stale copy of the modal or a second replica must not post twice:
        # one post per attempt; the click that won redraws the modal.
        attempt = max(attempt, 0)
        if not await deps.store.events.claim(flow.team_id, f"diagnosis-share:{flow.flow_id}:{attempt}"):
            return
        diagnosis = score(kb, flow.answers)
        images = await charts.images(client, flow.team_id, flow.flow_id, diagnosis)
        try:
            await deps.charts.poster.post_message(
                client,
                channel=flow.channel_id,
                blocks=build_shared_result(diagnosis, flow.user_id),
                text=f"<@{flow.user_id}>'s diagnosis: closest to {diagnosis.best.name}",
                images=images,
            )
        except SlackApiError as error:
            log.info("diagnosis share failed: %s", api_error(error))
            view = render(
                flow,
                note="I couldn't post in that channel. Add me with `/invite @mlorg` first.",
                share_attempt=attempt + 1,
            )
        else:
            view = render(flow, shared_in=flow.channel_id)
        if view_id:  # the result stays whole: its chart is redrawn with it
            await deps.charts.poster.update_view(client, view_id=view_id, view=view, images=images)

    @deps.actions.on(ids.START)
    async def handle_start_button(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """The help card's "Diagnose" button: same as typing ``/mlorg diagnose``."""
        channel_id = payloads.channel_id(body)
        flow = await diagnoses.start(payloads.team_id(body), payloads.user_id(body), channel_id)
        await ack()  # the flow is stored; the modal opens right after (trigger_id lives 3 s)
        await open_flow(client, payloads.trigger_id(body), flow)

    @deps.actions.on(ids.JOIN)
    async def handle_join(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        session = await diagnoses.get_session(payloads.team_id(body), payloads.action_value(body))
        if session is None or session.status != "open":
            await ack()
            await respond(
                response_type="ephemeral",
                replace_original=False,
                text="This team diagnosis is closed. Ask for a new one with `/mlorg diagnose team`.",
            )
            return
        flow = await diagnoses.start(
            session.team_id, payloads.user_id(body), session.channel_id, session.session_id
        )
        await ack()  # the member's flow is stored
        await open_flow(client, payloads.trigger_id(body), flow)

    @deps.actions.on(ids.CLOSE)
    async def handle_close(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """The permission check (cached, bounded ``users.info``) and the close happen before the
        ack; what the person is told, and the thread's redraw, after."""
        user_id = payloads.user_id(body)
        session = await diagnoses.get_session(payloads.team_id(body), payloads.action_value(body))
        refusal = None
        if session is None:
            refusal = _GONE
        elif not (session.started_by and user_id == session.started_by) and not await deps.admins.allows(
            client, session.team_id, user_id
        ):
            who = (
                f"<@{session.started_by}>, who started this team diagnosis,"
                if session.started_by
                else "an admin"
            )
            refusal = f"Only {who} can close it."
        elif not await diagnoses.close_session(session.team_id, session.session_id):
            refusal = "It is already closed."
        await ack()  # the close is stored
        if refusal is not None or session is None:
            await respond(response_type="ephemeral", replace_original=False, text=refusal or _GONE)
            return
        await thread.refresh(client, session, closed_by=user_id)

    deps.commands.add(
        "diagnose",
        handle_diagnose_command,
        summary="Which archetype do you resemble, why, and what to change (`team` for the whole channel).",
        example="/mlorg diagnose",
        aliases=("diagnosis", "assess"),
    )
