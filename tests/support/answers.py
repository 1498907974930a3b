"""Judging an answer against what a question set says a right answer must contain.

The question sets in ``tests/knowledge/`` pin, per question, the kind of answer and what
it must hold (see the header of each file). :func:`problems_with` turns one answer and one
case into the list of what is wrong with it, so a test can fail on one question and a
report can count right answers per kind without either re-stating the rules.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge import Answer

__all__ = ["Scored", "load_cases", "problems_with", "report", "score", "wanted_kinds"]

KNOWLEDGE_TESTS = Path(__file__).resolve().parents[1] / "knowledge"


def load_cases(name: str) -> list[dict[str, Any]]:
    """The questions of one frozen set in ``tests/knowledge/``."""
    data = yaml.safe_load((KNOWLEDGE_TESTS / name).read_text(encoding="utf-8"))
    return list(data["questions"])


def wanted_kinds(case: dict[str, Any]) -> list[str]:
    kind = case["kind"]
    return [kind] if isinstance(kind, str) else list(kind)


def problems_with(result: Answer, case: dict[str, Any]) -> list[str]:
    """What the answer lacks against the case's expectations (empty: a right answer)."""
    problems: list[str] = []
    kinds = wanted_kinds(case)
    if result.kind not in kinds:
        problems.append(f"kind {result.kind!r}, wanted {kinds}")
    if (result.kind == "outside") == result.answered:
        problems.append("answered must be False exactly when the question is outside the framework")
    if "outside" in kinds:
        if result.facts or result.topics:
            problems.append(f"declined with facts of {[t.id for t in result.topics]}")
        return problems
    ids = [t.id for t in result.topics]
    wanted = case.get("topics", [])
    if case.get("ordered") and ids[: len(wanted)] != wanted:
        problems.append(f"topics {ids}, wanted {wanted} first")
    missing = [w for w in wanted if w not in ids]
    if missing:
        problems.append(f"topics {ids} lack {missing}")
    if "first" in case and (not ids or ids[0] != case["first"]):
        problems.append(f"topics {ids}, wanted {case['first']} first")
    aspects = [f.aspect for f in result.facts]
    if "aspect" in case and (not aspects or any(a != case["aspect"] for a in aspects)):
        problems.append(f"aspects {aspects}, wanted only {case['aspect']}")
    problems += [f"no {a} fact (aspects {aspects})" for a in case.get("asks", []) if a not in aspects]
    text = " ".join([result.headline, *(f.text for f in result.facts)])
    folded = text.casefold()
    problems += [
        f"no fact contains {s!r}" for s in case.get("must_contain", []) if s.casefold() not in folded
    ]
    problems += [
        f"nothing matches /{pattern}/"
        for pattern in case.get("mention", [])
        if not re.search(pattern, text, re.I)
    ]
    if "headline_contains" in case and case["headline_contains"].casefold() not in result.headline.casefold():
        problems.append(f"headline {result.headline!r} lacks {case['headline_contains']!r}")
    if case.get("declines") and not result.declined:
        problems.append("answers without saying which part the framework does not cover")
    if not case.get("declines") and result.declined:
        problems.append(f"declines {result.declined!r} though all of it is in scope")
    return problems


@dataclass
class Scored:
    """Right answers per kind, the kinds confused, and the out-of-scope precision and recall."""

    right: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, case: dict[str, Any], result: Answer, problems: Sequence[str]) -> None:
        wanted = wanted_kinds(case)
        kind = wanted[0]
        for group in (kind, "all"):
            self.right[group].append(not problems)
        self.confusion[(kind, kind if result.kind in wanted else result.kind)] += 1
        if problems:
            self.failures.append(f"{case['q'][:90]!r}: {'; '.join(problems)}")

    def share(self, group: str) -> float:
        marks = self.right[group]
        return sum(marks) / len(marks) if marks else 1.0

    def declines(self) -> tuple[int, int, int]:
        """(declined and outside, declined in all, outside in all)."""
        true_pos = self.confusion[("outside", "outside")]
        declined = sum(n for (_, got), n in self.confusion.items() if got == "outside")
        outside = sum(n for (wanted, _), n in self.confusion.items() if wanted == "outside")
        return true_pos, declined, outside


def report(title: str, scored: Scored) -> str:
    """The figure per kind, the out-of-scope precision and recall, and a confusion table."""
    lines = [f"== {title}"]
    for group in sorted(scored.right, key=lambda g: (g == "all", g)):
        marks = scored.right[group]
        lines.append(f"  {group:>10}: {sum(marks):3}/{len(marks):3} = {scored.share(group):.0%}")
    true_pos, declined, outside = scored.declines()
    precision = true_pos / declined if declined else 1.0
    recall = true_pos / outside if outside else 1.0
    lines.append(
        f"  outside precision {true_pos}/{declined} = {precision:.0%}, recall {true_pos}/{outside} = {recall:.0%}"
    )
    kinds = sorted({k for pair in scored.confusion for k in pair})
    lines.append("  confusion (row: wanted, column: given)")
    lines.append("  " + " " * 11 + "".join(f"{k[:9]:>10}" for k in kinds))
    for wanted in kinds:
        row = "".join(f"{scored.confusion[(wanted, got)] or '.':>10}" for got in kinds)
        lines.append(f"  {wanted:>10} {row}")
    return "\n".join(lines)


def score(answer: Any, cases: Iterable[dict[str, Any]]) -> Scored:
    """Every case answered by ``answer(question, subject=...)`` and judged."""
    scored = Scored()
    for case in cases:
        result = answer(case["q"], subject=case.get("subject"))
        scored.add(case, result, problems_with(result, case))
    return scored
