"""A quiz's scoreboard: players ranked by right answers, ties shown as ties."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["ScoreLine", "scoreboard"]


@dataclass(frozen=True)
class ScoreLine:
    """One place on a scoreboard: everyone with this score shares the rank ("ties shown as ties")."""

    rank: int
    users: tuple[str, ...]
    score: int
    out_of: int


def scoreboard(answers: Iterable[tuple[str, str, bool]], asked: Sequence[str]) -> tuple[ScoreLine, ...]:
    """Rank the players of one quiz: ``answers`` are ``(user, question id, correct)``.

    Only answers to ``asked`` questions count, and only a player's first answer to each
    (a double click or a replayed request must not score twice). Players with the same
    score share a line and a rank, and the next rank skips accordingly: 1, 1, 3.
    """
    asked_ids = set(asked)
    first: dict[tuple[str, str], bool] = {}
    for user, question_id, correct in answers:
        if question_id in asked_ids:
            first.setdefault((user, question_id), bool(correct))
    scores: dict[str, int] = defaultdict(int)
    for (user, _), correct in first.items():
        scores[user] += int(correct)
    by_score: dict[int, list[str]] = defaultdict(list)
    for user, score in scores.items():
        by_score[score].append(user)
    lines: list[ScoreLine] = []
    rank = 1
    for score in sorted(by_score, reverse=True):
        users = tuple(sorted(by_score[score]))
        lines.append(ScoreLine(rank, users, score, len(asked_ids)))
        rank += len(users)
    return tuple(lines)
