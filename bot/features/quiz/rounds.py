"""Which quiz rounds may be counted in a view: the tallies already shown, with the same players.

A round's tally is shown once, in its thread, when the question closes. Every later view
built on quiz answers (the scoreboard's most-missed question, the leadership summary, the
export) counts a round only while its players are the ones the tally was shown with, or at
least the minimum group apart from them (see :mod:`knowledge.anonymity`): after someone asks
to be forgotten, the round drops out whole instead of one answer short. Players appear in
the workspace's ledger only as keyed tokens, so nothing of a forgotten person stays there.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Collection, Hashable, Sequence
from typing import Any

from bot.store import Quiz, QuizAnswer, Store
from knowledge.anonymity import may_show, safe_beside
from knowledge.quiz import released_answers, round_section

__all__ = ["member", "most_missed", "released_records", "round_players", "shown_rounds"]


def member(store: Store, team_id: str, unit: str, user_id: str) -> str:
    """A player's opaque token within one round: a keyed hash, never the id.

    The ledger outlives a forget me; a token only the app's key can link to a person
    leaves nothing of them in it.
    """
    message = f"{team_id}\0{unit}\0{user_id}".encode()
    return hmac.new(store.views.key, message, hashlib.sha256).hexdigest()[:24]


def _unit(quiz_id: str, position: int) -> tuple[str, int]:
    return (quiz_id, position)


def round_players(store: Store, team_id: str, answers: Sequence[QuizAnswer]) -> dict[str, list[str]]:
    """The ledger's sets for the rounds ``answers`` belong to: one keyed token per player."""
    sets: dict[str, list[str]] = {}
    for a in answers:
        unit = _unit(a.quiz_id, a.position)
        sets.setdefault(round_section(unit), []).append(
            member(store, team_id, round_section(unit), a.user_id)
        )
    return sets


async def released_records(
    store: Store, team_id: str, answers: Sequence[QuizAnswer], min_group: int
) -> list[tuple[str, str, str, bool]]:
    """``(question_id, topic, user, correct)`` of the rounds whose tally may be counted now."""
    ledger = await store.views.ledger(team_id)

    def token(unit: Hashable, user: str) -> str:
        return member(store, team_id, round_section(unit), user)

    units = [
        (_unit(a.quiz_id, a.position), (a.question_id, a.topic_id, a.user_id, a.correct)) for a in answers
    ]
    closed = {_unit(a.quiz_id, a.position) for a in answers if a.closed}
    return released_answers(units, closed, min_group, ledger=ledger.sets, token=token)


async def shown_rounds(store: Store, team_id: str, answers: Sequence[QuizAnswer], min_group: int) -> set[int]:
    """Positions of one ended quiz (``answers`` all of it) whose tally may be counted now."""
    ledger = await store.views.ledger(team_id)
    players: dict[tuple[str, int], set[str]] = defaultdict(set)
    for a in answers:
        players[_unit(a.quiz_id, a.position)].add(a.user_id)
    return {
        unit[1]
        for unit, people in players.items()
        if may_show(people, min_group)
        and safe_beside(
            {member(store, team_id, round_section(unit), p) for p in people},
            ledger.sets.get(round_section(unit), ()),
            min_group,
        )
    }


def most_missed(
    quiz: Quiz, answers: Sequence[QuizAnswer], shown: Collection[int]
) -> tuple[dict[str, Any], int, int] | None:
    """The asked question most people got wrong (by count, then rate), if anyone got one wrong.

    Only questions whose tally was shown with these very players count (``shown``, see
    :func:`shown_rounds`): after someone is forgotten, a round one
    person short of its tally would tell what they answered.
    """
    best: tuple[int, float, int] | None = None
    for position in range(quiz.asked):
        those = [a for a in answers if a.position == position]
        if position not in shown:
            continue
        wrong = sum(not a.correct for a in those)
        if wrong and (best is None or (wrong, wrong / len(those)) > (best[0], best[1])):
            best = (wrong, wrong / len(those), position)
    if best is None:
        return None
    position = best[2]
    return quiz.items[position], best[0], len([a for a in answers if a.position == position])
