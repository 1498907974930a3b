"""Questions generated from the knowledge content itself.

A strength, a challenge or a typical organization becomes "which archetype?"; a
covered area becomes "which dimension?"; an archetype's position becomes "which
stance?". An overlay that adds an archetype or a fact therefore yields new questions
with no quiz authoring.

A generated question must never have two right answers. A fact is skipped when
another archetype (or dimension) states the same thing in the same or nearly the
same words, and an archetype that says something *related* (a challenge about
hiring, when the question is about a hiring challenge) is kept out of the
options, so the one correct option is the only defensible one among those shown.
What counts as related is deliberately crude and conservative: shared content
words, or a shared theme from :data:`THEMES`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TypeVar

from knowledge.base import KnowledgeBase
from knowledge.lookup import normalize
from knowledge.models import Archetype, Dimension
from knowledge.quiz.items import MAX_OPTION_ID, QuizItem, canonical_options, digest

__all__ = ["NEAR_IDENTICAL", "THEMES", "generated_questions"]

#: ``difflib`` ratio from which two facts count as the same fact in other words.
NEAR_IDENTICAL = 0.85
#: ``difflib`` ratio from which two facts are related enough to keep each other's owner out of the options.
_RELATED_RATIO = 0.6
#: Distractors a generated question offers at most, and needs at least (else it is not generated).
_DISTRACTORS = 3
_MIN_DISTRACTORS = 2

_T = TypeVar("_T", Archetype, Dimension)

#: Themes the framework returns to in different words. Two facts of the same kind (two
#: challenges, two strengths, ...) that touch one theme are related even when they share
#: no word: "hard to hire and retain talent" and "hard to hire and develop top talent", or
#: "getting quality data is difficult" and "access to data can lag". Words are matched
#: after :func:`_stem`.
THEMES: dict[str, frozenset[str]] = {
    "talent": frozenset({"hire", "hir", "recruit", "recruiting", "talent", "retain", "practitioner"}),
    "data": frozenset({"data"}),
    "compute": frozenset({"compute"}),
    "feedback": frozenset({"feedback", "iterat", "iteration", "loop"}),
    "value": frozenset({"value", "win", "improvement"}),
    "support": frozenset({"support", "investment", "invest", "backing", "budget", "sponsor"}),
    "deployment": frozenset({"deploy", "deployment", "production", "productionize", "handoff", "hand"}),
    "research": frozenset({"research", "researcher", "publish", "paper", "phd", "doctoral"}),
    "long_term": frozenset({"long"}),
    "culture": frozenset({"culture", "cultural", "culturally", "thinking"}),
    "division": frozenset({"division"}),
    "leadership": frozenset({"ceo", "senior", "leadership", "leader", "executive"}),
    "tech": frozenset({"tech", "technology", "software"}),
    "finance": frozenset({"financial", "finance", "bank", "banking"}),
}

#: Words that say nothing about which archetype a fact belongs to.
_STOPWORD_TEXT = """
    a an the and or but nor of to in on at by for with from into onto over under about as than then
    so such that this these those it its it's they them their there here is are was were be been being
    has have had do does did can could may might will would should must not no very just also
    more most much many few little less some any all each every other another own same which who whom
    whose what when where why how up down out off once again still rather instead well enough even
    ml machine learning organization organisation organizations team teams archetype
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

#: Facts that open by pointing back at the previous one ("That backing lets ...") cannot
#: stand alone in a question, so they are not turned into one.
_DANGLING = ("that ", "this ", "these ", "those ", "such ")


# --- Generated questions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fact:
    """One statement of the content, prepared for comparison."""

    owner: str  # the topic id the statement belongs to
    group: str  # facts are only "related" within one group (challenges with challenges, ...)
    text: str
    key: str
    words: frozenset[str]
    themes: frozenset[str]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def _fact(owner: str, group: str, text: str) -> _Fact:
    key = normalize(text)
    words = frozenset(_stem(w) for w in key.split() if w not in _STOPWORDS)
    themes = frozenset(name for name, members in THEMES.items() if words & members)
    return _Fact(owner, group, text, key, words, themes)


@functools.lru_cache(maxsize=4096)
def _letters(text: str) -> Counter[str]:
    return Counter(text)


@functools.lru_cache(maxsize=16384)
def _similar(a: str, b: str, threshold: float) -> bool:
    """``difflib`` ratio of ``a`` and ``b`` is at least ``threshold``. Two cheap upper bounds
    (lengths, then shared letters) settle almost every pair before the quadratic ratio:
    generating the bank compares every fact with every other topic's facts at start-up."""
    total = len(a) + len(b)
    if not total or 2 * min(len(a), len(b)) < threshold * total:
        return a == b
    if 2 * (_letters(a) & _letters(b)).total() < threshold * total:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= threshold


def _same_fact(a: _Fact, b: _Fact) -> bool:
    """Whether ``b`` states ``a`` (or contains all of it): a question on ``a`` would fit ``b``'s owner."""
    if a.key == b.key or _similar(a.key, b.key, NEAR_IDENTICAL):
        return True
    return bool(a.words) and a.words <= b.words


def _related(a: _Fact, b: _Fact) -> bool:
    """Whether ``b`` says something close enough to ``a`` that ``b``'s owner is a defensible answer."""
    if a.group != b.group:
        return False
    shared = len(a.words & b.words)
    overlap = shared / (min(len(a.words), len(b.words)) or 1)
    if a.group.startswith("position:"):
        # Positions on one dimension share its vocabulary, theme and sentence shape by design
        # ("the ML team ... data ..."), so only a clearly shared substance relates two of them.
        return _same_fact(a, b) or _same_fact(b, a) or (shared >= 3 and overlap >= 0.5)
    if a.themes & b.themes:
        return True
    return (shared >= 2 and overlap >= 0.4) or _similar(a.key, b.key, _RELATED_RATIO)


def _archetype_facts(archetype: Archetype) -> list[_Fact]:
    facts = [_fact(archetype.id, "strengths", t) for t in archetype.strengths]
    facts += [_fact(archetype.id, "challenges", t) for t in archetype.challenges]
    facts += [_fact(archetype.id, "describes", t) for t in archetype.looks_like]
    facts += [_fact(archetype.id, "describes", t) for t in archetype.typical_organizations]
    facts += [_fact(archetype.id, "describes", archetype.summary)]
    facts += [_fact(archetype.id, "describes", t) for t in archetype.notes]
    for dimension_id, position in archetype.positions.items():
        facts.append(_fact(archetype.id, f"position:{dimension_id}", position.detail))
    return facts


def _dimension_facts(dimension: Dimension) -> list[_Fact]:
    facts = [_fact(dimension.id, "dimension", t) for t in (*dimension.covers, *dimension.questions)]
    facts += [_fact(dimension.id, "summary", dimension.summary)]
    facts += [_fact(dimension.id, "dimension", t) for t in dimension.notes]
    return facts


def _option_id(topic_id: str) -> str:
    """A topic id short enough for a button value, deterministic and readable."""
    if len(topic_id) <= MAX_OPTION_ID:
        return topic_id
    return f"{topic_id[: MAX_OPTION_ID - 5].rstrip('_')}_{digest(topic_id)[:4]}"


def _quote(text: str) -> str:
    return "“" + text.strip().rstrip(".") + "”"


class _Generator:
    """Turns the content into questions; one instance per knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.archetypes = {a.id: a for a in kb.archetypes}
        self.dimensions = {d.id: d for d in kb.dimensions}
        self.facts: dict[str, list[_Fact]] = {a.id: _archetype_facts(a) for a in kb.archetypes}
        self.facts.update({d.id: _dimension_facts(d) for d in kb.dimensions})

    def all(self) -> tuple[QuizItem, ...]:
        items: list[QuizItem] = []
        for archetype in self.kb.archetypes:
            items += self._which_archetype(archetype)
            items += self._which_stance(archetype)
        for dimension in self.kb.dimensions:
            items += self._which_dimension(dimension)
        # A fact an overlay repeats within one topic would yield the same id twice.
        unique: dict[str, QuizItem] = {}
        for item in items:
            unique.setdefault(item.id, item)
        return tuple(unique.values())

    # "Which archetype ...?" ------------------------------------------------------------------

    def _which_archetype(self, archetype: Archetype) -> list[QuizItem]:
        name = archetype.name
        kinds: list[tuple[str, str, tuple[str, ...], Callable[[str], str], str]] = [
            (
                "strength",
                "strengths",
                archetype.strengths,
                lambda t: f"Which archetype does the framework credit with this strength: {_quote(t)}?",
                f"one of the strengths the framework names for {name}",
            ),
            (
                "challenge",
                "challenges",
                archetype.challenges,
                lambda t: f"Which archetype faces this challenge: {_quote(t)}?",
                f"one of the challenges the framework names for {name}",
            ),
            (
                "looks_like",
                "describes",
                archetype.looks_like,
                lambda t: f"Which archetype does this describe: {_quote(t)}?",
                f"how the framework describes {name}",
            ),
            (
                "typical_org",
                "describes",
                archetype.typical_organizations,
                lambda t: f"Which archetype is typically found here: {_quote(t)}?",
                f"where the framework says {name} is typically found",
            ),
        ]
        items: list[QuizItem] = []
        for kind, group, texts, prompt, what in kinds:
            for text in texts:
                item = self._archetype_answer(
                    archetype, kind, group, text, prompt(text), f"{_quote(text)} is {what}."
                )
                if item is not None:
                    items.append(item)
        for dimension_id, position in archetype.positions.items():
            dimension = self.dimensions.get(dimension_id)
            if dimension is None:
                continue
            prompt_text = (
                f"On {dimension.name.lower()}, for which archetype does the framework suggest this: "
                f"{_quote(position.detail)}?"
            )
            lesson = (
                f"On {dimension.name.lower()} the framework suggests {_quote(position.stance)} for {name}: "
                f"{position.detail}"
            )
            item = self._archetype_answer(
                archetype,
                "position",
                f"position:{dimension_id}",
                position.detail,
                prompt_text,
                lesson,
                topic=dimension_id,
            )
            if item is not None:
                items.append(item)
        return items

    def _archetype_answer(
        self,
        archetype: Archetype,
        kind: str,
        group: str,
        text: str,
        prompt: str,
        lesson: str,
        *,
        topic: str | None = None,
    ) -> QuizItem | None:
        if normalize(text).startswith(_DANGLING):
            return None
        fact = _fact(archetype.id, group, text)
        others = [a for a in self.kb.archetypes if a.id != archetype.id]
        if any(_same_fact(fact, f) or _same_fact(f, fact) for a in others for f in self.facts[a.id]):
            return None  # another archetype states the same thing: two right answers
        candidates = [a for a in others if not any(_related(fact, f) for f in self.facts[a.id])]
        distractors = _pick(candidates, archetype.related, fact.key)
        if len(distractors) < _MIN_DISTRACTORS:
            return None
        options = [(_option_id(a.id), a.name) for a in (archetype, *distractors)]
        if len({oid for oid, _ in options}) != len(options):
            return None
        topic_id = topic or archetype.id
        return QuizItem(
            id=f"gen:{kind}:{topic_id}:{digest(text)}",
            prompt=prompt,
            options=canonical_options(f"{kind}:{topic_id}:{text}", options),
            answer=_option_id(archetype.id),
            explanation=f"{lesson} {archetype.short_name} in short: {archetype.summary}",
            topic=topic_id,
            source="generated",
            difficulty="easy" if kind in ("looks_like", "typical_org") else "medium",
        )

    # "Which stance ...?" ---------------------------------------------------------------------

    def _which_stance(self, archetype: Archetype) -> list[QuizItem]:
        """For each dimension the archetype has a position on: its stance among the others' stances."""
        items: list[QuizItem] = []
        for dimension_id, position in archetype.positions.items():
            dimension = self.dimensions.get(dimension_id)
            if dimension is None:
                continue
            group = f"position:{dimension_id}"
            fact = _fact(archetype.id, group, position.detail)
            rivals = [
                (a, a.positions[dimension_id])
                for a in self.kb.archetypes
                if a.id != archetype.id and dimension_id in a.positions
            ]
            usable = [
                (a, p)
                for a, p in rivals
                if normalize(p.stance) != normalize(position.stance)
                and not _related(fact, _fact(a.id, group, p.detail))
                and not _related(_fact(a.id, group, p.detail), fact)
            ]
            chosen = _pick([a for a, _ in usable], archetype.related, fact.key)
            if len(chosen) < _MIN_DISTRACTORS:
                continue
            stances = {a.id: p.stance for a, p in usable}
            options = [(_option_id(archetype.id), position.stance)]
            options += [(_option_id(a.id), stances[a.id]) for a in chosen]
            if len({oid for oid, _ in options}) != len(options):
                continue
            items.append(
                QuizItem(
                    id=f"gen:stance:{archetype.id}:{digest(dimension_id + ' ' + position.stance)}",
                    prompt=(
                        f"On {dimension.name.lower()}, which position does the framework suggest "
                        f"for {archetype.name}?"
                    ),
                    options=canonical_options(f"stance:{archetype.id}:{dimension_id}", options),
                    answer=_option_id(archetype.id),
                    explanation=f"{archetype.short_name}: {position.stance}. {position.detail}",
                    topic=archetype.id,
                    source="generated",
                    difficulty="hard",
                    also_about=(dimension_id,),
                )
            )
        return items

    # "Which dimension ...?" ------------------------------------------------------------------

    def _which_dimension(self, dimension: Dimension) -> list[QuizItem]:
        kinds: list[tuple[str, tuple[str, ...], Callable[[str], str]]] = [
            ("covers", dimension.covers, lambda t: f"Which design dimension covers {_quote(t).lower()}?"),
            ("asks", dimension.questions, lambda t: f"Which design dimension asks {_quote(t)}"),
        ]
        items: list[QuizItem] = []
        for kind, texts, prompt in kinds:
            for text in texts:
                fact = _fact(dimension.id, "dimension", text)
                others = [d for d in self.kb.dimensions if d.id != dimension.id]
                if any(_same_fact(fact, f) or _same_fact(f, fact) for d in others for f in self.facts[d.id]):
                    continue
                candidates = [d for d in others if not any(_related(fact, f) for f in self.facts[d.id])]
                distractors = _pick(candidates, (), fact.key)
                if len(distractors) < _MIN_DISTRACTORS:
                    continue
                options = [(_option_id(d.id), d.name) for d in (dimension, *distractors)]
                if len({oid for oid, _ in options}) != len(options):
                    continue
                lesson = "covers" if kind == "covers" else "asks"
                items.append(
                    QuizItem(
                        id=f"gen:{kind}:{dimension.id}:{digest(text)}",
                        prompt=prompt(text),
                        options=canonical_options(f"{kind}:{dimension.id}:{text}", options),
                        answer=_option_id(dimension.id),
                        explanation=f"{dimension.name} {lesson} {_quote(text)}. {dimension.summary}",
                        topic=dimension.id,
                        source="generated",
                        difficulty="easy",
                    )
                )
        return items


def _pick(candidates: list[_T], related: Iterable[str], key: str) -> list[_T]:
    """Up to three distractors: the topics the answer lists as related first (the plausible mix-ups),
    then the rest in an order fixed by the fact, so each fact gets its own stable set."""
    near = set(related)
    return sorted(candidates, key=lambda t: (t.id not in near, digest(key + t.id)))[:_DISTRACTORS]


def generated_questions(kb: KnowledgeBase) -> tuple[QuizItem, ...]:
    """Questions built from the content; see the module docstring for what is and is not produced."""
    return _Generator(kb).all()
