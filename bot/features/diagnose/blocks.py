"""Block Kit for the diagnosis: question and result modals, the team invitation and summary.

Pure functions: domain objects in, views and blocks out. Every button value says
what the click means (flow, step, option), so a click is self-describing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement

from bot.blocks import actions, bullets, button, context, divider, header, section, to_dicts
from bot.features.diagnose import ids
from bot.slack_text import clip
from knowledge import Archetype, Dimension, Question
from knowledge.anonymity import MIN_GROUP, group_size
from knowledge.diagnosis import Diagnosis, TeamAggregate

__all__ = [
    "build_closed_view",
    "build_invitation",
    "build_question_view",
    "build_result_view",
    "build_shared_result",
    "build_team_summary",
    "encode",
]

MODAL_TITLE_MAX = 24
_BAR = 12


def encode(*parts: str | int) -> str:
    """A button value: ``flow|step|option``; ``|`` never occurs in our slug ids."""
    return "|".join(str(p) for p in parts)


def _modal(title: str, blocks: list[Block], *, flow_id: str, close: str = "Close") -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ids.VIEW,
        "title": {"type": "plain_text", "text": clip(title, MODAL_TITLE_MAX)},
        "close": {"type": "plain_text", "text": close},
        "private_metadata": flow_id,
        "blocks": to_dicts(blocks),
    }


def _title(team: bool) -> str:
    return "Team diagnosis" if team else "Diagnosis"


def _progress(step: int, total: int) -> str:
    done = "▰" * step + "▱" * (total - step)
    return f"Question {step + 1} of {total}  {done}"


def build_question_view(
    *,
    flow_id: str,
    step: int,
    total: int,
    question: Question,
    chosen: str | None,
    team: bool,
    min_group: int = MIN_GROUP,
) -> dict[str, Any]:
    """One question, its options as buttons, progress, Back and Cancel."""
    blocks: list[Block] = [context(_progress(step, total)), section(f"*{question.prompt}*")]
    if question.help:
        blocks.append(context(question.help))
    options: list[ButtonElement] = []
    for option in question.options:
        picked = option.id == chosen
        label = f"✓ {option.label}" if picked else option.label
        options.append(
            button(
                label,
                f"{ids.ANSWER}:{option.id}",
                encode(flow_id, step, option.id),
                style="primary" if picked else None,
            )
        )
    blocks.append(actions(*options, block_id=f"answers:{step}"))
    nav: list[ButtonElement] = []
    if step > 0:
        nav.append(button("◀ Back", ids.BACK, encode(flow_id, step)))
    nav.append(button("Cancel", ids.CANCEL, encode(flow_id, step), style="danger"))
    blocks.append(actions(*nav, block_id=f"nav:{step}"))
    if step == 0:
        privacy = (
            "Your answers are private: the team sees only an anonymous summary, and only once "
            f"at least {group_size(min_group)} people have answered."
            if team
            else "Only you see this. Close it any time and pick up where you left off with `/mlorg diagnose`."
        )
        blocks.append(context(f"{privacy} The questions are mlorg's own, built from the framework's facts."))
    return _modal(_title(team), blocks, flow_id=flow_id)


def _bar(percent: float) -> str:
    filled = round(percent / 100 * _BAR)
    return "█" * filled + "░" * (_BAR - filled)


def _scale(dimension: Dimension, team: float | None, suggested: float | None) -> str:
    """A text track from low_end to high_end: ● the team, ◆ the framework's suggestion."""
    cells = ["─"] * 11
    if suggested is not None:
        cells[round(suggested * 10)] = "◆"
    if team is not None:
        at = round(team * 10)
        cells[at] = "◉" if cells[at] == "◆" else "●"  # ◉: right where the framework suggests
    return f"{dimension.low_end} `{''.join(cells)}` {dimension.high_end}"


def _headline(diagnosis: Diagnosis) -> str:
    best = diagnosis.best
    top = diagnosis.shares[0].percent
    line = f"{best.emoji} *Closest to: {best.name}* ({top}%)"
    if diagnosis.runner_up is not None:
        runner = diagnosis.runner_up
        line += f"\nRunner-up: {runner.name} ({diagnosis.percent(runner.id)}%)"
    if diagnosis.blend and diagnosis.runner_up is not None:
        line += (
            f"\n:left_right_arrow: *A blend*: your answers sit between {best.short_name} and "
            f"{diagnosis.runner_up.short_name}, and either could describe you."
        )
    if not diagnosis.enough:
        line += (
            f"\n:grey_question: You answered {diagnosis.answered} of {diagnosis.total} questions with "
            "something other than “don't know”, so treat this as a rough guess."
        )
    return line


def result_blocks(diagnosis: Diagnosis) -> list[Block]:
    """The body of a result: best fit, distribution, why, dimension gaps, next steps."""
    blocks: list[Block] = [section(_headline(diagnosis))]
    blocks.append(
        section(
            "\n".join(
                f"`{_bar(s.percent)}` {s.percent:>3}%  {s.archetype.short_name}" for s in diagnosis.shares
            ),
            block_id=ids.RESULT_SHARES_BLOCK,
        )
    )
    if diagnosis.why:
        blocks.append(
            section(
                f"*Why {diagnosis.best.short_name}*\n"
                + bullets(f"{e.question.prompt} You said: “{e.option.label}”" for e in diagnosis.why)
            )
        )
    readings = []
    for reading in diagnosis.readings:
        suggested = reading.suggested.scale if reading.suggested else None
        if reading.team is None and suggested is None:
            continue
        note = ""
        if reading.is_gap and reading.suggested is not None:
            note = f"\n:warning: Gap: the framework suggests *{reading.suggested.stance.lower()}* here."
        elif reading.team is None:
            note = "\n_Your answers didn't speak to this one._"
        readings.append(
            f"*{reading.dimension.name}*\n{_scale(reading.dimension, reading.team, suggested)}{note}"
        )
    if readings:
        blocks.append(
            section(
                "*Where you stand* (● you, ◆ what the framework suggests for "
                f"{diagnosis.best.short_name})\n\n" + "\n\n".join(readings)
            )
        )
    if diagnosis.next_steps:
        steps = "\n".join(f"{i}. {step}" for i, step in enumerate(diagnosis.next_steps, start=1))
        blocks.append(section(f"*What to change next*\n{steps}"))
    blocks.append(context(diagnosis.disclaimer))
    return blocks


def build_result_view(
    diagnosis: Diagnosis,
    *,
    flow_id: str,
    team: bool,
    shared_in: str | None = None,
    note: str | None = None,
    share_attempt: int = 0,
) -> dict[str, Any]:
    """The result modal. The Share button carries its attempt number: the listener posts once per
    attempt (a double click shares once), and a failed share offers the next attempt."""
    blocks: list[Block] = [header(f"Your result: {diagnosis.best.short_name}"), *result_blocks(diagnosis)]
    buttons = [
        button(f"Explain {diagnosis.best.short_name}", ids.EXPLAIN, encode(flow_id, diagnosis.best.id)),
    ]
    if shared_in is None:
        buttons.append(button("Share in channel", ids.SHARE, encode(flow_id, share_attempt), style="primary"))
    buttons.append(button("Start over", ids.RESTART, encode(flow_id)))
    blocks.append(actions(*buttons, block_id="result"))
    if shared_in is not None:
        blocks.append(context(f":white_check_mark: Shared in <#{shared_in}>."))
    if note is not None:
        blocks.append(context(f":information_source: {note}"))
    if team:
        blocks.append(
            context(
                "Your answers were added anonymously to the team summary in the invitation's thread. "
                "Retaking replaces them."
            )
        )
    return _modal(_title(team), blocks, flow_id=flow_id)


def build_closed_view(message: str, *, flow_id: str = "") -> dict[str, Any]:
    """A polite end state for a cancelled, finished-elsewhere or unknown flow."""
    return _modal("Diagnosis", [section(message)], flow_id=flow_id)


def build_shared_result(diagnosis: Diagnosis, user_id: str) -> list[dict[str, Any]]:
    """The public post when someone shares their result: the result, attributed, no buttons."""
    blocks: list[Block] = [
        section(f"<@{user_id}> took the mlorg diagnosis. {_headline(diagnosis)}"),
        *result_blocks(diagnosis)[1:],
        context("Take it yourself with `/mlorg diagnose`."),
    ]
    return to_dicts(blocks)


def build_invitation(
    *,
    session_id: str,
    started_by: str,
    answered: int,
    min_group: int = MIN_GROUP,
    closed_by: str | None = None,
    unshown: int = 0,
) -> list[dict[str, Any]]:
    """The public invitation for a team diagnosis (and its closed form).

    ``unshown``: answers that arrived after the thread's summary was last drawn, too few to
    redraw it without singling someone out; the closed form says they are not in it.
    """
    group = group_size(min_group)
    people = "1 person has" if answered == 1 else f"{answered} people have"
    blocks: list[Block] = [
        section(
            f":busts_in_silhouette: {_starter(started_by)} invites this channel to a team diagnosis: which of "
            "the five ML organization archetypes are we closest to, and what should we change?"
        )
    ]
    if closed_by is None:
        blocks.append(
            context(
                f"Answers are private. An anonymous summary appears in this thread once at least {group} "
                f"people have answered, and changes only when {group} more have. {people} answered so far."
            )
        )
        blocks.append(
            actions(
                button("Take the 2-minute diagnosis", ids.JOIN, session_id, style="primary"),
                button("Close", ids.CLOSE, session_id),
                block_id=f"team:{session_id}",
            )
        )
    else:
        closer = f"<@{closed_by}>" if closed_by else "an admin"
        late = ""
        if unshown:
            late = (
                f" The last {_answers(unshown)} came after the summary's latest update and are not in it: "
                f"fewer than {group} would single people out."
            )
        blocks.append(
            context(f":lock: Closed by {closer}. {people} answered. The summary is in the thread.{late}")
        )
    return to_dicts(blocks)


def _starter(started_by: str) -> str:
    """Who started it, unless they asked mlorg to forget them."""
    return f"<@{started_by}>" if started_by else "A teammate"


def _answers(count: int) -> str:
    return "answer" if count == 1 else f"{count} answers"


def invitation_text(started_by: str) -> str:
    return f"{_starter(started_by)} invites this channel to take the 2-minute mlorg team diagnosis"


def build_team_summary(aggregate: TeamAggregate) -> list[dict[str, Any]]:
    """The anonymous aggregate: nothing but a promise until the minimum group is placed.

    Counts are left to the invitation: redrawing this message at every answer would let
    people watch it change person by person.
    """
    group = aggregate.min_group
    if not aggregate.visible:
        return to_dicts(
            [
                section(
                    f":hourglass_flowing_sand: The team summary appears here once at least {group} people "
                    "have answered, so that nobody's answers can be singled out."
                )
            ]
        )
    blocks: list[Block] = [
        header(f"Team diagnosis: {aggregate.placed} people"),
        section(_team_headline(aggregate)),
        section(
            "*Best fit, person by person*\n"
            + "\n".join(
                f"`{_bar(100 * t.best_fit / aggregate.placed)}` {t.best_fit}  {t.archetype.short_name}"
                f"  (mean share {round(t.mean_percent)}%)"
                for t in aggregate.distribution
            ),
            block_id=ids.TEAM_MIX_BLOCK,
        ),
    ]
    lines = []
    for reading in aggregate.readings:
        if reading.mean is None:
            why = "updates once more people have answered" if reading.held else "too few answers to show"
            lines.append(f"*{reading.dimension.name}*: _{why}_")
            continue
        suggested = reading.suggested.scale if reading.suggested else None
        label = reading.disagreement or ""
        lines.append(
            f"*{reading.dimension.name}*: {label}\n{_scale(reading.dimension, reading.mean, suggested)}"
        )
    if lines:
        leading = aggregate.leading.short_name if aggregate.leading else "the leading archetype"
        blocks.append(
            section(
                f"*Where the team stands* (● team average, ◆ suggested for {leading})\n\n"
                + "\n\n".join(lines)
            )
        )
    gap = aggregate.perception_gap
    if gap is not None:
        blocks.append(divider())
        dims = "\n".join(
            f"• *{d.dimension.name}*: leaders {_fmt(d.leaders)}, contributors {_fmt(d.contributors)}"
            for d in gap.dimensions
        )
        same = (
            f"Both groups are closest to *{gap.leaders_lead.short_name}*."
            if gap.leaders_lead.id == gap.contributors_lead.id
            else f"Leaders lean *{gap.leaders_lead.short_name}*; contributors lean "
            f"*{gap.contributors_lead.short_name}*."
        )
        blocks.append(
            section(
                f"*Perception gap* ({gap.leaders} leaders, {gap.contributors} contributors)\n{same}\n{dims}",
                block_id=ids.TEAM_PERCEPTION_BLOCK,
            )
        )
    elif aggregate.perception_held:
        blocks.append(
            context(f"Leaders against contributors updates once at least {group} more of each have answered.")
        )
    blocks.append(
        context(
            f"Anonymous: shown from {group} people and redrawn only once {group} more have answered "
            "(or retaken), so nobody's answers can be singled out. " + aggregate.disclaimer
        )
    )
    return to_dicts(blocks)


def _team_headline(aggregate: TeamAggregate) -> str:
    if aggregate.leading is None:
        return "No clear leader yet."
    leading: Archetype = aggregate.leading
    extra = ""
    skipped = aggregate.respondents - aggregate.placed
    # People left out are people too: fewer than the group, and the count would say what they did.
    if skipped >= aggregate.min_group:
        extra = f"\n_{skipped} more answered mostly “don't know” and are not counted._"
    return f"{leading.emoji} Most of the team sees us as *{leading.name}*.{extra}"


def _fmt(value: float | None) -> str:
    """A mean position in tenths of the scale: finer figures would let one person's move show."""
    return "–" if value is None else f"{round(value * 10)}/10"


def question_at(questions: Sequence[Question], step: int) -> Question | None:
    return questions[step] if 0 <= step < len(questions) else None
