"""``/mlorg summary``, ``/mlorg config`` and ``/mlorg forget me``.

Posting a summary never calls ``chat.postMessage`` from the handler: it writes to
the outbox, whose worker delivers it exactly once even across crashes and
replicas. The Post button carries a preview id, so a double click (or the same
click on two replicas) enqueues one item.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import payloads
from bot.commands import CommandContext
from bot.deps import Deps
from bot.features.summary import ids
from bot.features.summary.blocks import (
    WEEKDAYS,
    build_config_modal,
    build_preview,
    build_summary_message,
    summary_text,
)
from bot.features.summary.service import period_ending, summarize
from bot.permissions import Admins
from bot.slack_text import quote_user_text
from bot.store import MIN_GROUP_FLOOR, WorkspaceConfig
from bot.store.events import utc_now

__all__ = ["parse_channel", "register"]

log = logging.getLogger(__name__)

_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$")
_REFUSED = "Only workspace admins and owners, and the people in MLORG_ADMINS, can {what}. Nothing was changed or posted."


def parse_channel(text: str) -> tuple[str, str | None] | None:
    """``<#C123|leads>`` -> ("C123", "leads"); None when the text is not a channel reference."""
    match = _CHANNEL.match(text.strip())
    if match is None:
        return None
    return match.group(1), (match.group(2) or None)


def register(app: AsyncApp, deps: Deps, admins: Admins) -> None:
    store, kb = deps.store, deps.kb

    async def handle_summary_command(ctx: CommandContext) -> None:
        await ctx.ack()
        if not await admins.allows(ctx.client, ctx.team_id, ctx.user_id):
            await ctx.respond(
                response_type="ephemeral", text=_REFUSED.format(what="post leadership summaries")
            )
            return
        config = await store.workspaces.get(ctx.team_id)
        target: tuple[str, str | None] | None
        if ctx.text.strip():
            target = parse_channel(ctx.text)
            if target is None:
                await ctx.respond(
                    response_type="ephemeral",
                    text=(
                        f"I couldn't read “{quote_user_text(ctx.text, 40)}” as a channel. "
                        "Pick one with # so Slack links it, e.g. `/mlorg summary #leadership`."
                    ),
                )
                return
        elif config.leadership_channels:
            target = (config.leadership_channels[0], None)
        else:
            await ctx.respond(
                response_type="ephemeral",
                text="No leadership channel is set. Name one (`/mlorg summary #leadership`) or set one with `/mlorg config`.",
            )
            return
        channel_id, channel_name = target
        end = utc_now()
        summary = await summarize(store, kb, ctx.team_id, period_ending(end), config.min_group)
        value = "|".join([channel_id, end.isoformat(), secrets.token_hex(6), channel_name or ""])
        await ctx.respond(
            response_type="ephemeral",
            blocks=build_preview(summary, channel_id=channel_id, channel_name=channel_name, value=value),
            text=summary_text(summary),
        )

    @deps.actions.on(ids.POST)
    async def handle_post(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        team_id, user_id = payloads.team_id(body), payloads.user_id(body)
        if not await admins.allows(client, team_id, user_id):
            await respond(
                response_type="ephemeral", replace_original=False, text=_REFUSED.format(what="post summaries")
            )
            return
        channel_id, end_iso, preview_id, _name = ([*payloads.action_value(body).split("|"), "", "", ""])[:4]
        try:
            end = datetime.fromisoformat(end_iso)
        except ValueError:
            await respond(
                response_type="ephemeral", replace_original=False, text="That preview is out of date."
            )
            return
        if end.tzinfo is None or not channel_id:
            await respond(
                response_type="ephemeral", replace_original=False, text="That preview is out of date."
            )
            return
        config = await store.workspaces.get(team_id)
        summary = await summarize(store, kb, team_id, period_ending(end), config.min_group)
        item, created = await store.outbox.enqueue(
            team_id,
            f"summary:{preview_id}",
            kind="summary",
            channel_id=channel_id,
            payload={"blocks": build_summary_message(summary), "text": summary_text(summary)},
            requested_by=user_id,
        )
        note = "is on its way" if created else "was already sent"
        await respond(
            replace_original=True,
            text=f":outbox_tray: The summary {note} to <#{item.channel_id}>. If it can't be delivered I'll tell you.",
        )

    @deps.actions.on(ids.DISCARD)
    async def handle_discard(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(delete_original=True)

    async def handle_config_command(ctx: CommandContext) -> None:
        await ctx.ack()
        if not await admins.allows(ctx.client, ctx.team_id, ctx.user_id):
            await ctx.respond(response_type="ephemeral", text=_REFUSED.format(what="configure mlorg"))
            return
        config = await store.workspaces.get(ctx.team_id)
        await ctx.client.views_open(
            trigger_id=ctx.trigger_id, view=build_config_modal(config, channel_id=ctx.channel_id)
        )

    @app.view(ids.CONFIG_VIEW)
    async def handle_config_submission(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        team_id, user_id = payloads.team_id(body), payloads.user_id(body)
        if not await admins.allows(client, team_id, user_id):
            await ack(response_action="errors", errors={"channels": "Only admins can change these settings."})
            return
        view = body.get("view") or {}
        config, errors = _read_config(team_id, (view.get("state") or {}).get("values") or {})
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        saved = await store.workspaces.save(config, updated_by=user_id)
        channel = str(view.get("private_metadata") or "")
        if channel:
            await client.chat_postEphemeral(channel=channel, user=user_id, text=_describe(saved))

    async def handle_forget_command(ctx: CommandContext) -> None:
        if ctx.text.strip().lower() not in {"me", "my data", "myself"}:
            await ctx.ack(
                response_type="ephemeral",
                text="To delete what mlorg stored about you, type `/mlorg forget me`.",
            )
            return
        flows, responses = await store.diagnoses.forget_user(ctx.team_id, ctx.user_id)
        answers = await store.quizzes.forget_user(ctx.team_id, ctx.user_id)
        mentions = await store.forget_mentions(ctx.team_id, ctx.user_id)
        if not (flows or responses or answers or mentions):
            text = "mlorg had nothing stored about you, so there was nothing to delete."
        else:
            text = (
                ":wastebasket: Deleted what mlorg stored about you: "
                f"{_count(flows, 'diagnosis', 'diagnoses')} (including unfinished ones), "
                f"{_count(responses, 'team diagnosis answer', 'team diagnosis answers')} and "
                f"{_count(answers, 'quiz answer', 'quiz answers')}; your name was removed from "
                f"{_count(mentions, 'finished quiz, team diagnosis or setting', 'finished quizzes, team diagnoses and settings')} "
                "you ran or changed. A quiz or team diagnosis you are still running keeps it until it ends. "
                "Summaries already posted never named you and are not changed."
            )
        await ctx.ack(response_type="ephemeral", text=text)

    deps.commands.add(
        "summary",
        handle_summary_command,
        summary="(admins) Preview a leadership summary, then post it to a leadership channel.",
        example="/mlorg summary #leadership",
        aliases=("digest", "report"),
    )
    deps.commands.add(
        "config",
        handle_config_command,
        summary="(admins) Leadership channels, the weekly digest and the anonymity threshold.",
        example="/mlorg config",
        aliases=("settings", "configure"),
    )
    deps.commands.add(
        "forget",
        handle_forget_command,
        summary="Delete everything mlorg stored about you.",
        example="/mlorg forget me",
    )


def _read_config(team_id: str, values: dict[str, Any]) -> tuple[WorkspaceConfig, dict[str, str]]:
    """The modal's state as settings, plus per-block errors Slack shows under the fields."""
    errors: dict[str, str] = {}
    channels = tuple((values.get("channels") or {}).get("channels", {}).get("selected_conversations") or ())
    weekday_value = (((values.get("weekday") or {}).get("weekday") or {}).get("selected_option") or {}).get(
        "value", "none"
    )
    weekday = int(weekday_value) if str(weekday_value).isdigit() and 0 <= int(weekday_value) <= 6 else None
    time_value = ((values.get("time") or {}).get("time") or {}).get("selected_time") or "09:00"
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(time_value)):
        errors["time"] = "Pick a time such as 09:00."
    zone = str(((values.get("timezone") or {}).get("timezone") or {}).get("value") or "UTC").strip()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = "Use an IANA time zone name, such as Europe/Berlin or UTC."
    raw_group = str(((values.get("min_group") or {}).get("min_group") or {}).get("value") or MIN_GROUP_FLOOR)
    if not raw_group.isdigit() or int(raw_group) < MIN_GROUP_FLOOR:
        errors["min_group"] = f"The minimum group size is at least {MIN_GROUP_FLOOR}."
        min_group = MIN_GROUP_FLOOR
    else:
        min_group = int(raw_group)
    if weekday is not None and not channels:
        errors["channels"] = "A weekly digest needs at least one leadership channel."
    config = WorkspaceConfig(
        team_id=team_id,
        leadership_channels=channels,
        digest_weekday=weekday,
        digest_time=str(time_value) if weekday is not None else None,
        digest_timezone=zone,
        min_group=min_group,
    )
    return config, errors


def _describe(config: WorkspaceConfig) -> str:
    channels = ", ".join(f"<#{c}>" for c in config.leadership_channels) or "none"
    if config.digest_weekday is not None and config.digest_time:
        digest = f"every {WEEKDAYS[config.digest_weekday]} at {config.digest_time} ({config.digest_timezone})"
    else:
        digest = "off"
    return (
        f":gear: mlorg settings saved. Leadership channels: {channels}. Weekly digest: {digest}. "
        f"Minimum group size: {config.min_group}."
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
