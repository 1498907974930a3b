"""A period's diagnoses as the store hands them over, scored and ready to aggregate.

The summary and its trend both start from the same entries (one per person: answers and
the role they gave), so they score them in one place and skip malformed ones alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from knowledge.base import KnowledgeBase
from knowledge.diagnosis import Diagnosis, score
from knowledge.models import Role

__all__ = ["Entry", "scored"]

#: One person's latest finished diagnosis in a period: answers (question id -> option id), role.
Entry = tuple[Mapping[str, str], str | None]


def scored(
    kb: KnowledgeBase,
    entries: Sequence[Entry] | None,
    members: Sequence[str] | None,
) -> tuple[list[tuple[Diagnosis, Role | None]], list[str] | None]:
    """Scored entries (malformed ones skipped), each with its member token when there are any.

    Input comes from the store and from people's clicks, so nothing here raises: a
    malformed entry is left out, and so is its token, keeping the two lists aligned.
    """
    results: list[tuple[Diagnosis, Role | None]] = []
    tokens: list[str] = []
    for index, entry in enumerate(entries or ()):
        try:
            answers, role = entry
        except (TypeError, ValueError):
            continue
        clean = (
            {k: v for k, v in answers.items() if isinstance(k, str)} if isinstance(answers, Mapping) else {}
        )
        results.append((score(kb, clean), _role(role)))
        tokens.append(members[index] if members is not None and index < len(members) else f"#{index}")
    return results, tokens if members is not None else None


def _role(role: object) -> Role | None:
    if role == "leader":
        return "leader"
    if role == "contributor":
        return "contributor"
    return None
