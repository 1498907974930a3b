"""Block Kit for leadership summaries, their preview, and the configuration modal (pure).

The summary's text stays complete without pictures (screen readers, notifications, a
failed upload): the sections a chart belongs to carry stable block ids, and
:data:`CHART_ANCHORS` says which chart goes after which, so the charts are added to the
blocks rather than replacing any of them.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from bot.blocks import actions, bullets, button, context, divider, header, section, to_dicts
from bot.features.summary import ids
from bot.slack_text import quote_user_text
from bot.store import WorkspaceConfig
from knowledge.anonymity import MAX_GROUP, MIN_GROUP
from knowledge.summary import Summary, summary_headline, topic_accuracy_text, trend_line

__all__ = [
    "CHART_ANCHORS",
    "WEEKDAYS",
    "build_config_modal",
    "build_preview",
    "build_summary_blocks",
    "build_summary_message",
    "summary_text",
]

#: Chart key -> the block_id of the section that chart is shown after. A section is only
#: there when it has something to say (the mix only when visible, the quiz only with
#: answers), so a chart whose anchor is missing from the blocks is left out.
CHART_ANCHORS: dict[str, str] = {
    "summary-mix": ids.MIX_BLOCK,
    "summary-trend": ids.TREND_BLOCK,
    "summary-quiz": ids.QUIZ_BLOCK,
}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_BAR = 10


def _bar(fraction: float) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * _BAR)
    return "█" * filled + "░" * (_BAR - filled)


def summary_text(summary: Summary) -> str:
    return f"mlorg summary: {summary_headline(summary)}"


def build_summary_blocks(summary: Summary) -> list[Block]:
    """The digest itself: readable in a minute, anonymous below the minimum group size."""
    blocks: list[Block] = [
        header(f":bar_chart: mlorg summary · {summary.period.label}"),
        section(summary_headline(summary)),
    ]
    if summary.empty:
        blocks.append(
            section(
                "Nobody has taken a diagnosis or played a quiz yet. To start:\n"
                + bullets(summary.suggestions)
            )
        )
        # Earlier weeks may still have something to show: a quiet week keeps its trend.
        trend = _trend(summary) if any(p.visible for p in summary.trend) else []
        return blocks + trend + _unanswered(summary)
    team = summary.team
    if summary.visible and team.leading is not None:
        rows = "\n".join(
            f"`{_bar(t.best_fit / team.placed)}` {t.best_fit}  {t.archetype.short_name}"
            for t in team.distribution
            if t.best_fit
        )
        blocks.append(
            section(
                f"*Where the organization stands* ({team.placed} people placed)\n{rows}",
                block_id=ids.MIX_BLOCK,
            )
        )
        readings = [
            f"• *{r.dimension.name}*: {r.disagreement}"
            + (f", {r.gap:+.1f} vs the suggested position" if r.gap is not None else "")
            for r in team.readings
            if r.mean is not None and r.disagreement is not None
        ]
        if readings:
            blocks.append(section("*Where people disagree*\n" + "\n".join(readings)))
    if summary.change is not None:
        change = summary.change
        moved = ", ".join(f"{s.archetype.short_name} {s.points:+.0f} pts" for s in change.shifts[:3])
        lead = (
            f"The leading archetype moved from *{change.previous_leading.short_name}* to *{change.leading.short_name}*."
            if change.leader_changed
            else f"*{change.leading.short_name}* still leads."
        )
        blocks.append(
            section(f"*Since the previous period*\n{lead}" + (f" Shifts: {moved}." if moved else ""))
        )
    blocks += _trend(summary)
    if summary.quiz_answers:
        learning = f"*Learning*: {summary.quiz_answers} quiz answers from {summary.quiz_participants} people"
        if summary.quiz is not None:
            learning += f", {round(summary.quiz.accuracy * 100)}% right"
        if summary.most_missed_topics:
            missed = "; ".join(
                f"{m.topic.short_name} ({m.miss_rate}% missed)" for m in summary.most_missed_topics
            )
            learning += f".\nMost missed: {missed}"
        if summary.topic_accuracy:
            learning += f"\nRight by topic: {topic_accuracy_text(summary.topic_accuracy)}"
        blocks.append(section(learning, block_id=ids.QUIZ_BLOCK))
    if summary.focus:
        steps = "\n".join(f"{n}. {item}" for n, item in enumerate(summary.focus, 1))
        blocks.append(section(f"*Recommended focus*\n{steps}"))
    blocks += _unanswered(summary)
    notes = list(summary.notes)
    if summary.suggestions:
        notes += list(summary.suggestions)
    if notes:
        blocks.append(context(" · ".join(notes)))
    blocks.append(
        context(
            f"Anonymous: nothing is broken down for fewer than {summary.min_group} people. "
            "The diagnosis is mlorg's own model built from the ML team-structure framework."
        )
    )
    return blocks


def build_summary_message(summary: Summary) -> list[dict[str, Any]]:
    return to_dicts(build_summary_blocks(summary))


def build_preview(
    summary: Summary, *, channel_id: str, channel_name: str | None, value: str
) -> list[dict[str, Any]]:
    """The private preview, with the button that posts it to the leadership channel."""
    blocks: list[Block] = [
        context(f":eyes: Preview, only you can see this. Posting sends it to <#{channel_id}>."),
        *build_summary_blocks(summary),
        divider(),
        actions(
            button(
                f"Post to #{channel_name}" if channel_name else "Post to the leadership channel",
                ids.POST,
                value,
                style="primary",
            ),
            button("Discard", ids.DISCARD, value),
            block_id="summary_preview",
        ),
    ]
    return to_dicts(blocks)


def build_config_modal(config: WorkspaceConfig, *, channel_id: str) -> dict[str, Any]:
    """``/mlorg config``: leadership channels, the weekly digest and the anonymity threshold."""
    weekday_options = [{"text": {"type": "plain_text", "text": "No weekly digest"}, "value": "none"}] + [
        {"text": {"type": "plain_text", "text": day}, "value": str(i)} for i, day in enumerate(WEEKDAYS)
    ]
    initial_weekday = (
        weekday_options[config.digest_weekday + 1]
        if config.digest_weekday is not None
        else weekday_options[0]
    )
    channels: dict[str, Any] = {
        "type": "multi_conversations_select",
        "action_id": "channels",
        "placeholder": {"type": "plain_text", "text": "Pick channels"},
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if config.leadership_channels:
        channels["initial_conversations"] = list(config.leadership_channels)
    blocks = [
        {
            "type": "input",
            "block_id": "channels",
            "optional": True,
            "label": {"type": "plain_text", "text": "Leadership channels"},
            "hint": {"type": "plain_text", "text": "Summaries and the weekly digest are posted here."},
            "element": channels,
        },
        {
            "type": "input",
            "block_id": "weekday",
            "label": {"type": "plain_text", "text": "Weekly digest"},
            "element": {
                "type": "static_select",
                "action_id": "weekday",
                "options": weekday_options,
                "initial_option": initial_weekday,
            },
        },
        {
            "type": "input",
            "block_id": "time",
            "label": {"type": "plain_text", "text": "At"},
            "element": {
                "type": "timepicker",
                "action_id": "time",
                "initial_time": config.digest_time or "09:00",
            },
        },
        {
            "type": "input",
            "block_id": "timezone",
            "label": {"type": "plain_text", "text": "Time zone"},
            "hint": {
                "type": "plain_text",
                "text": "An IANA name, such as Europe/Berlin or America/New_York.",
            },
            "element": {
                "type": "plain_text_input",
                "action_id": "timezone",
                "initial_value": config.digest_timezone,
            },
        },
        {
            "type": "input",
            "block_id": "min_group",
            "label": {"type": "plain_text", "text": "Minimum group size"},
            "hint": {
                "type": "plain_text",
                "text": f"No breakdown is shown for fewer people than this: from {MIN_GROUP} to {MAX_GROUP}.",
            },
            "element": {
                "type": "number_input",
                "action_id": "min_group",
                "is_decimal_allowed": False,
                "min_value": str(MIN_GROUP),
                "max_value": str(MAX_GROUP),
                "initial_value": str(config.min_group),
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": ids.CONFIG_VIEW,
        "private_metadata": channel_id,
        "title": {"type": "plain_text", "text": "mlorg settings"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _trend(summary: Summary) -> list[Block]:
    """The words the trend chart goes after: how the leading archetype's share moved."""
    line = trend_line(summary)
    return [] if line is None else [section(f"*Week by week*\n{line}", block_id=ids.TREND_BLOCK)]


def _unanswered(summary: Summary) -> list[Block]:
    """Questions nobody got help with: quoted escaped, never with who asked."""
    if not summary.unanswered:
        return []
    total = sum(count for _, count in summary.unanswered)
    quoted = "\n".join(
        f"• “{quote_user_text(question, 80)}” ({count}x)" for question, count in summary.unanswered[:3]
    )
    return [section(f"*Questions people asked that mlorg could not answer*: {total}\n{quoted}")]
