"""Block Kit for quizzes: the parent message, questions (open and closed), feedback,
scoreboard and leaderboard. Pure functions over the quiz snapshot the store keeps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement

from bot.blocks import actions, button, context, divider, header, section, to_dicts
from bot.features.quiz import ids
from bot.store import Quiz, Standing
from knowledge.anonymity import MIN_GROUP, group_size, may_show
from knowledge.quiz import ScoreLine

__all__ = [
    "build_closed_question",
    "build_feedback",
    "build_leaderboard",
    "build_parent",
    "build_question",
    "build_scoreboard",
    "encode",
]

Item = Mapping[str, Any]
_MEDALS = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}


def encode(*parts: str | int) -> str:
    return "|".join(str(p) for p in parts)


def option_text(item: Item, option_id: str) -> str:
    return next((str(text) for oid, text in item["options"] if oid == option_id), option_id)


def build_parent(quiz: Quiz, topic_name: str | None, *, result: str | None = None) -> list[dict[str, Any]]:
    """The channel message the quiz's thread hangs from; ``result`` is the one-line outcome."""
    about = f" on *{topic_name}*" if topic_name else ""
    count = f"{quiz.total} question{'s' if quiz.total != 1 else ''}"
    if result is not None:
        return to_dicts([section(f":checkered_flag: mlorg quiz{about} ({count}): {result}")])
    timer = f" Each question closes after {quiz.time_limit} seconds." if quiz.time_limit else ""
    host = _host(quiz)
    return to_dicts(
        [
            section(
                f":brain: {host} started an mlorg quiz{about}: {count}. "
                f"Play in the thread: answer with a button, and only you see whether you were right.{timer}"
            ),
            context(f"{host} moves on with *Next* and finishes with *End*."),
        ]
    )


def _host(quiz: Quiz) -> str:
    """The host by name, unless they asked mlorg to forget them (then admins host)."""
    return f"<@{quiz.host_id}>" if quiz.host_id else "A teammate"


def parent_text(quiz: Quiz) -> str:
    return f"{_host(quiz)} started an mlorg quiz ({quiz.total} questions): play in the thread"


def build_question(quiz: Quiz, position: int, answered: int) -> list[dict[str, Any]]:
    item = quiz.items[position]
    blocks: list[Block] = [
        section(f"*Question {position + 1} of {quiz.total}*\n{item['prompt']}"),
    ]
    options: list[ButtonElement] = [
        button(str(text), f"{ids.ANSWER}:{oid}", encode(quiz.quiz_id, position, str(oid)))
        for oid, text in item["options"]
    ]
    blocks.append(actions(*options, block_id=f"q:{position}"))
    timer = f" · :stopwatch: closes after {quiz.time_limit} s" if quiz.time_limit else ""
    blocks.append(context(f"{_answers(answered)} so far{timer}"))
    last = position + 1 >= quiz.total
    blocks.append(
        actions(
            button(
                "See results" if last else "Next ▶", ids.NEXT, encode(quiz.quiz_id, position), style="primary"
            ),
            button("End quiz", ids.END, encode(quiz.quiz_id, position)),
            block_id=f"host:{position}",
        )
    )
    return to_dicts(blocks)


def _answers(count: int) -> str:
    return "1 answer" if count == 1 else f"{count} answers"


def question_text(quiz: Quiz, position: int) -> str:
    return f"Question {position + 1} of {quiz.total}: {quiz.items[position]['prompt']}"


def build_closed_question(
    quiz: Quiz, position: int, answered: int, right: int, *, min_group: int = MIN_GROUP
) -> list[dict[str, Any]]:
    """A question after it closed: the answer and its explanation, for everyone to learn from.

    How many got it right is shown only from the minimum group of answers: "0 of 1" would
    tell the channel what the only player answered, which the quiz promises only they see.
    """
    item = quiz.items[position]
    if not answered:
        tally = "Nobody answered"
    elif may_show(answered, min_group):
        tally = f"{right} of {answered} got it right"
    else:
        tally = f"{_answers(answered)}; how many got it right shows from {group_size(min_group)} answers"
    return to_dicts(
        [
            section(f"*Question {position + 1} of {quiz.total}*\n{item['prompt']}"),
            section(f":white_check_mark: *{option_text(item, str(item['answer']))}*\n{item['explanation']}"),
            context(f"Closed · {tally}"),
        ]
    )


def build_feedback(item: Item, chosen: str, correct: bool, *, repeat: bool = False) -> str:
    """The private answer to a click, in mrkdwn."""
    right = option_text(item, str(item["answer"]))
    if repeat:
        verdict = "right" if correct else "not right"
        return (
            f"You already answered this one with “{option_text(item, chosen)}” ({verdict}); "
            "only your first answer counts."
        )
    if correct:
        return f":white_check_mark: *Right!* {right}.\n{item['explanation']}"
    return f":x: *Not quite.* The answer is *{right}*.\n{item['explanation']}"


def build_scoreboard(
    lines: Sequence[ScoreLine], asked: int, missed: tuple[Item, int, int] | None
) -> list[dict[str, Any]]:
    """Every player with a score out of the questions asked; ties share a rank."""
    blocks: list[Block] = [header(":trophy: Quiz scoreboard")]
    if not lines:
        blocks.append(section(f"Nobody answered any of the {asked} questions. Next time!"))
    else:
        rows = []
        for line in lines:
            medal = _MEDALS.get(line.rank, f"{line.rank}.")
            tie = " (tie)" if len(line.users) > 1 else ""
            people = ", ".join(f"<@{user}>" for user in line.users)
            rows.append(f"{medal} {people}: *{line.score}/{line.out_of}*{tie}")
        blocks.append(section("\n".join(rows)))
    if missed is not None:
        item, wrong, answered = missed  # the engine only picks questions with enough answers
        blocks.append(divider())
        blocks.append(
            section(
                f"*Most missed* ({wrong} of {answered} got it wrong): {item['prompt']}\n"
                f":white_check_mark: {option_text(item, str(item['answer']))}. {item['explanation']}"
            )
        )
    blocks.append(context("See the channel's standings with `/mlorg leaderboard`."))
    return to_dicts(blocks)


def result_line(lines: Sequence[ScoreLine], players: int) -> str:
    if not lines:
        return "nobody played this time."
    top = lines[0]
    winners = " and ".join(f"<@{u}>" for u in top.users)
    verb = "tie for first" if len(top.users) > 1 else "wins"
    plural = "player" if players == 1 else "players"
    return f"{winners} {verb} with {top.score}/{top.out_of} ({players} {plural}). Scoreboard in the thread."


def build_leaderboard(standings: Sequence[Standing]) -> list[dict[str, Any]]:
    if not standings:
        return to_dicts([section("No finished quizzes in this channel yet. Start one with `/mlorg quiz`.")])
    rows = []
    rank = 0
    previous: int | None = None
    for index, standing in enumerate(standings, start=1):
        if standing.correct != previous:
            rank, previous = index, standing.correct
        plural = "quiz" if standing.quizzes == 1 else "quizzes"
        rows.append(
            f"{rank}. <@{standing.user_id}>: *{standing.correct}* right of {standing.answered} "
            f"({standing.quizzes} {plural})"
        )
    return to_dicts([header(":bar_chart: Channel leaderboard"), section("\n".join(rows))])
