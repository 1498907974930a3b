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
from collections.abc import Callable
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
from bot.features.summary.charts import preview_charts
from bot.features.summary.service import current_week, last_week, summarize
from bot.slack_text import quote_user_text
from bot.store import Forgotten, StoreError, WorkspaceConfig
from bot.store.events import utc_now
from knowledge.anonymity import MAX_GROUP, MIN_GROUP
from knowledge.summary import Period

__all__ = ["parse_channel", "register"]

log = logging.getLogger(__name__)

_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$")
#: A preview id as the Post and Discard buttons carry it (``secrets.token_hex(6)``).
_PREVIEW = re.compile(r"[0-9a-f]{12}")
_STALE_PREVIEW = (
    "That preview is out of date (previews are kept for a day). Nothing was posted. "
    "Run `/mlorg summary` again for a fresh one."
)
_NOT_SAVED = "mlorg couldn't save these settings just now (its database is unavailable). Nothing was changed; try Save again in a minute."
_REFUSED = "Only workspace admins and owners, and the people in MLORG_ADMINS, can {what}. Nothing was changed or posted."


_LAST_WEEK = re.compile(r"^\s*last(?:\s+week)?\b", re.IGNORECASE)


def _week_asked(text: str) -> tuple[Callable[[datetime], Period], str]:
    """``last week #leads`` -> (last_week, "#leads"); otherwise this week so far.

    Either way the server picks a whole Monday-to-Monday week: people choose which of
    two fixed weeks, never where a window starts or ends.
    """
    match = _LAST_WEEK.match(text)
    if match:
        return last_week, text[match.end() :].strip()
    return current_week, text.strip()


def _preview_key(preview_id: str) -> str:
    return f"summary:{preview_id}"


def parse_channel(text: str) -> tuple[str, str | None] | None:
    """``<#C123|leads>`` -> ("C123", "leads"); None when the text is not a channel reference."""
    match = _CHANNEL.match(text.strip())
    if match is None:
        return None
    return match.group(1), (match.group(2) or None)


def register(app: AsyncApp, deps: Deps) -> None:
    store, kb, admins = deps.store, deps.kb, deps.admins

    async def handle_summary_command(ctx: CommandContext) -> None:
        await ctx.ack()
        if not await admins.allows(ctx.client, ctx.team_id, ctx.user_id):
            await ctx.respond(
                response_type="ephemeral", text=_REFUSED.format(what="post leadership summaries")
            )
            return
        config = await store.workspaces.get(ctx.team_id)
        week, rest = _week_asked(ctx.text)
        target: tuple[str, str | None] | None
        if rest:
            target = parse_channel(rest)
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
        summary = await summarize(store, kb, ctx.team_id, week(utc_now()), config.min_group)
        # The charts are uploaded now, so the preview shows them and Post reuses the files.
        charts, images = await preview_charts(deps.charts, ctx.client, summary)
        # The preview is stored as exactly what Post will post; the button only names it.
        preview_id = secrets.token_hex(6)
        await store.outbox.enqueue(
            ctx.team_id,
            _preview_key(preview_id),
            kind="summary",
            channel_id=channel_id,
            payload={
                "blocks": build_summary_message(summary),
                "text": summary_text(summary),
                "charts": charts,
            },
            requested_by=ctx.user_id,
            held=True,
        )
        await deps.charts.poster.respond(
            ctx.respond,
            response_type="ephemeral",
            blocks=build_preview(summary, channel_id=channel_id, channel_name=channel_name, value=preview_id),
            images=images,
            text=summary_text(summary),
        )

    @deps.actions.on(ids.POST)
    async def handle_post(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        team_id, user_id = payloads.team_id(body), payloads.user_id(body)
        # The permission check (cached, with a bounded users.info) and the release are done
        # before the ack: once Slack has its 200, the summary is in the outbox's hands.
        if not await admins.allows(client, team_id, user_id):
            await ack()
            await respond(
                response_type="ephemeral", replace_original=False, text=_REFUSED.format(what="post summaries")
            )
            return
        # The button only names the stored preview: nothing in a click chooses what is posted.
        preview_id = payloads.action_value(body)
        released = None
        if _PREVIEW.fullmatch(preview_id):
            released = await store.outbox.release(team_id, _preview_key(preview_id))
        await ack()  # only now: the summary is released for delivery
        if released is None:
            await respond(response_type="ephemeral", replace_original=False, text=_STALE_PREVIEW)
            return
        item, now = released
        note = "is on its way" if now else "was already sent"
        await respond(
            replace_original=True,
            text=f":outbox_tray: The summary {note} to <#{item.channel_id}>. If it can't be delivered I'll tell you.",
        )

    @deps.actions.on(ids.DISCARD)
    async def handle_discard(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        preview_id = payloads.action_value(body)
        if _PREVIEW.fullmatch(preview_id):
            await store.outbox.discard(payloads.team_id(body), _preview_key(preview_id))
        await ack()  # the preview is gone: a Post click after this finds nothing to post
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
        view = payloads.view(body)
        config, errors = _read_config(team_id, payloads.obj(payloads.obj(view.get("state")).get("values")))
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        try:
            saved = await store.workspaces.save(team_id, config, updated_by=user_id)
        except StoreError:
            # The modal stays open with the person's choices, so they can simply save again.
            log.warning("settings not saved: the database is unavailable")
            await ack(response_action="errors", errors={"channels": _NOT_SAVED})
            return
        await ack()  # only now (this closes the modal): the settings are stored
        channel = payloads.text(view.get("private_metadata"))
        if channel:
            await client.chat_postEphemeral(channel=channel, user=user_id, text=_describe(saved))

    async def handle_forget_command(ctx: CommandContext) -> None:
        if ctx.text.strip().lower() not in {"me", "my data", "myself"}:
            await ctx.ack(
                response_type="ephemeral",
                text="To delete what mlorg stored about you, type `/mlorg forget me`.",
            )
            return
        forgotten = await store.forget_user(ctx.team_id, ctx.user_id)
        text = describe_forgotten(forgotten)
        await ctx.ack(response_type="ephemeral", text=text)

    deps.commands.add(
        "summary",
        handle_summary_command,
        summary="(admins) Preview this week's leadership summary (or `last week`'s), then post it to a leadership channel.",
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
    """The modal's state as settings, plus per-block errors Slack shows under the fields.

    Slack always sends every block of the modal, so a block missing from the state is a
    malformed (or forged) submission: it is refused field by field, never read as a default,
    because saving defaults would quietly clear the leadership channels, turn the digest off
    and reset the minimum group. The minimum group in particular must be a whole number as
    text; missing, empty, null or a list says what is wrong and changes nothing.
    """
    errors: dict[str, str] = {
        block: "This field was missing from the submission, so nothing was saved. Open `/mlorg config` again."
        for block in _BLOCKS
        if not isinstance(payloads.obj(values.get(block)).get(block), dict)
    }
    picked = _field(values, "channels").get("selected_conversations")
    channels = tuple(c for c in picked if isinstance(c, str) and c) if isinstance(picked, list) else ()
    weekday_value = payloads.text(payloads.obj(_field(values, "weekday").get("selected_option")).get("value"))
    weekday = int(weekday_value) if _digits(weekday_value) and 0 <= int(weekday_value) <= 6 else None
    time_value = payloads.text(_field(values, "time").get("selected_time")) or "09:00"
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(time_value)):
        errors.setdefault("time", "Pick a time such as 09:00.")
    zone = (payloads.text(_field(values, "timezone").get("value")) or "UTC").strip()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.setdefault("timezone", "Use an IANA time zone name, such as Europe/Berlin or UTC.")
    raw = _field(values, "min_group").get("value")
    raw_group = raw.strip() if isinstance(raw, str) else ""
    min_group = MIN_GROUP
    if "min_group" in errors:
        pass
    elif not raw_group:
        errors["min_group"] = (
            f"The minimum group size is required: a whole number from {MIN_GROUP} to {MAX_GROUP}. Nothing was saved."
        )
    elif not _digits(raw_group) or not MIN_GROUP <= int(raw_group) <= MAX_GROUP:
        errors["min_group"] = f"The minimum group size is a whole number from {MIN_GROUP} to {MAX_GROUP}."
    else:
        min_group = int(raw_group)
    if weekday is not None and not channels:
        errors.setdefault("channels", "A weekly digest needs at least one leadership channel.")
    config = WorkspaceConfig(
        team_id=team_id,
        leadership_channels=channels,
        digest_weekday=weekday,
        digest_time=str(time_value) if weekday is not None else None,
        digest_timezone=zone,
        min_group=min_group,
    )
    return config, errors


#: The modal's input blocks (each block's action_id is its name), all sent with every submission.
_BLOCKS = ("channels", "weekday", "time", "timezone", "min_group")


def _field(values: dict[str, Any], block: str) -> dict[str, Any]:
    """The state of the input ``block`` (whose action_id is the block's name), or {} if malformed."""
    return payloads.obj(payloads.obj(values.get(block)).get(block))


def _digits(text: str) -> bool:
    """A short run of 0-9: ``str.isdigit`` also accepts "²", and ``int`` refuses both that and
    numbers of thousands of digits."""
    return 0 < len(text) <= 9 and text.isascii() and text.isdigit()


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


def describe_forgotten(forgotten: Forgotten) -> str:
    """What ``forget me`` did, exactly: only what was deleted or changed is named."""
    if not forgotten.anything:
        return "mlorg had nothing stored about you, so there was nothing to delete."
    done = []
    if forgotten.diagnoses:
        done.append(f"deleted {_count(forgotten.diagnoses, 'diagnosis', 'diagnoses')} (finished or not)")
    if forgotten.team_answers:
        done.append(
            f"deleted {_count(forgotten.team_answers, 'team diagnosis answer', 'team diagnosis answers')}"
        )
    if forgotten.quiz_answers:
        done.append(f"deleted {_count(forgotten.quiz_answers, 'quiz answer', 'quiz answers')}")
    running = forgotten.running_quizzes + forgotten.open_sessions
    if running:
        done.append(
            f"removed your name from {_count(running, 'quiz or team diagnosis', 'quizzes and team diagnoses')} "
            "still running; the workspace's admins can move it on or close it now"
        )
    if forgotten.mentions:
        done.append(
            f"removed your name from {_count(forgotten.mentions, 'finished quiz, team diagnosis, summary or setting', 'finished quizzes, team diagnoses, summaries and settings')}"
        )
    return (
        ":wastebasket: Done. mlorg " + "; ".join(done) + ". "
        "Summaries already posted never named you and are not changed."
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
