"""The quiz bank: authored questions, questions generated from the content, selection and scoring.

Teams learn the framework by playing with it, so the bank has two sources:

* **authored** questions (``content/quiz.yaml``), written by people, each naming
  the topic it draws on and explaining the answer;
* **generated** questions, built from the knowledge content itself (a strength,
  a challenge, a typical organization -> which archetype; a covered area -> which
  dimension; an archetype -> which suggested stance). An overlay that adds an
  archetype or a fact therefore yields new questions with no quiz authoring.

A generated question must never have two right answers. A fact is skipped when
another archetype (or dimension) states the same thing in the same or nearly the
same words, and an archetype that says something *related* (a challenge about
hiring, when the question is about a hiring challenge) is kept out of the
options, so the one correct option is the only defensible one among those shown.
What counts as related is deliberately crude and conservative: shared content
words, or a shared theme from :data:`THEMES`.

:meth:`QuestionBank.select` picks a quiz: by count and optional topic (any
spelling :meth:`KnowledgeBase.find` accepts), authored questions first, no repeats,
options shuffled, all reproducible for a given seed. It never raises on user
input: an unknown topic comes back as a :class:`Selection` with a ``problem``.

:func:`scoreboard` and :func:`question_stats` turn recorded answers into the
thread's scoreboard and the leadership summary's quiz figures.
"""

from __future__ import annotations

import functools
import hashlib
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Literal, NamedTuple, TypeVar

from knowledge.base import KnowledgeBase
from knowledge.lookup import Lookup, Topic, normalize
from knowledge.models import Archetype, Dimension, QuizQuestion

__all__ = [
    "DEFAULT_COUNT",
    "MAX_COUNT",
    "MIN_ANSWERS_FOR_MISSED",
    "NEAR_IDENTICAL",
    "THEMES",
    "AnswerRecord",
    "QuestionBank",
    "QuestionTally",
    "QuizItem",
    "QuizStats",
    "ScoreLine",
    "Selection",
    "TopicTally",
    "generated_questions",
    "item_from_authored",
    "parse_quiz_request",
    "question_stats",
    "scoreboard",
]

#: How many questions ``/mlorg quiz`` asks when no count is given, and the most it will ask.
DEFAULT_COUNT = 5
MAX_COUNT = 20
#: An option id travels in a button value; it stays this short.
MAX_OPTION_ID = 20
#: ``difflib`` ratio from which two facts count as the same fact in other words.
NEAR_IDENTICAL = 0.85
#: ``difflib`` ratio from which two facts are related enough to keep each other's owner out of the options.
_RELATED_RATIO = 0.6
#: Distractors a generated question offers at most, and needs at least (else it is not generated).
_DISTRACTORS = 3
_MIN_DISTRACTORS = 2
#: A topic must have at least this many answers before it can be called "most missed".
MIN_ANSWERS_FOR_MISSED = 3

Source = Literal["authored", "generated"]
_T = TypeVar("_T", Archetype, Dimension)
Difficulty = Literal["easy", "medium", "hard"]

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


@dataclass(frozen=True)
class QuizItem:
    """One playable question, authored or generated, ready to render.

    ``options`` are ``(option id, text)`` pairs in display order; option ids are short
    slugs (at most 20 characters) because they travel in Slack button values, and are
    stable across shuffles, so ``answer`` names the correct one whatever the order.
    ``topic`` is the archetype or dimension id the question draws on; ``also_about``
    lists further topics it speaks to (a stance question is about an archetype *and* a
    dimension), so a quiz about either topic may include it.
    """

    id: str
    prompt: str
    options: tuple[tuple[str, str], ...]
    answer: str
    explanation: str
    topic: str
    source: Source
    difficulty: Difficulty = "medium"
    also_about: tuple[str, ...] = ()

    @property
    def answer_text(self) -> str:
        return self.option_text(self.answer) or ""

    def option_text(self, option_id: str) -> str | None:
        """The text of the option with this id, or None (ids arrive in button values)."""
        return next((text for oid, text in self.options if oid == option_id), None)

    def is_correct(self, option_id: str) -> bool:
        return option_id == self.answer

    def is_about(self, topic_id: str) -> bool:
        return topic_id == self.topic or topic_id in self.also_about


@dataclass(frozen=True)
class Selection:
    """The questions picked for one quiz, or why none could be.

    ``items`` is empty exactly when ``problem`` is set. ``problem`` is a friendly
    plain-text message (it quotes what the person typed, clipped: a renderer must
    escape it); ``lookup`` carries the suggestions to offer as buttons. ``requested``
    is the count after clamping to 1..:data:`MAX_COUNT`; fewer items than that means the
    topic has fewer distinct questions.
    """

    items: tuple[QuizItem, ...]
    topic: Topic | None = None
    problem: str | None = None
    lookup: Lookup | None = None
    requested: int = DEFAULT_COUNT

    @property
    def ok(self) -> bool:
        return self.problem is None


class QuestionBank:
    """Every quiz question the content offers, built once at start-up from a knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        authored = tuple(item_from_authored(q) for q in kb.quiz)
        self.items: tuple[QuizItem, ...] = (*authored, *generated_questions(kb))
        self._by_id: dict[str, QuizItem] = {}
        for item in self.items:
            self._by_id.setdefault(item.id, item)

    @property
    def authored(self) -> tuple[QuizItem, ...]:
        return tuple(i for i in self.items if i.source == "authored")

    @property
    def generated(self) -> tuple[QuizItem, ...]:
        return tuple(i for i in self.items if i.source == "generated")

    def by_id(self, question_id: str) -> QuizItem | None:
        """The item with this id (options in canonical order), or None for a stale id."""
        return self._by_id.get(question_id)

    def about(self, topic_id: str) -> tuple[QuizItem, ...]:
        """Every item that a quiz about this topic may ask."""
        return tuple(i for i in self.items if i.is_about(topic_id))

    def select(
        self, count: int = DEFAULT_COUNT, topic: str | None = None, seed: int | None = None
    ) -> Selection:
        """Pick up to ``count`` (clamped to 1..20) distinct questions, optionally about one topic.

        Authored questions come first, spread across topics; generated ones top the quiz up.
        No two items share an id or a prompt. Options are shuffled. With a ``seed`` the
        result is reproducible; without one it varies. ``topic`` is free text resolved by
        :meth:`KnowledgeBase.find`; an unknown or ambiguous one yields a ``problem``.
        """
        requested = max(1, min(MAX_COUNT, count))
        resolved: Topic | None = None
        lookup: Lookup | None = None
        if topic is not None and topic.strip():
            lookup = self.kb.find(topic)
            if lookup.topic is None:
                return Selection((), None, _miss(lookup, self.kb), lookup, requested)
            resolved = lookup.topic
        rng = random.Random(seed)
        pool = self.items if resolved is None else self.about(resolved.id)
        ordered = [
            *_spread([i for i in pool if i.source == "authored"], rng),
            *_spread([i for i in pool if i.source == "generated"], rng),
        ]
        chosen: list[QuizItem] = []
        seen: set[str] = set()
        for item in ordered:
            keys = {f"id:{item.id}", f"prompt:{normalize(item.prompt)}"}
            if keys & seen:
                continue
            seen |= keys
            chosen.append(item)
            if len(chosen) == requested:
                break
        rng.shuffle(chosen)
        items = tuple(replace(i, options=tuple(rng.sample(i.options, len(i.options)))) for i in chosen)
        if not items:
            name = resolved.name if resolved else "any topic"
            return Selection(
                (), resolved, f"There are no quiz questions about {name} yet.", lookup, requested
            )
        return Selection(items, resolved, None, lookup, requested)


def parse_quiz_request(text: str) -> tuple[int, str | None]:
    """Split what follows ``quiz`` into (count, topic text): ``"5"``, ``"data ownership"`` or
    ``"5 data ownership"``. Only a leading number is a count, so ``"2"`` asks two questions
    while ``"type 2"`` names the second archetype; without one the count is
    :data:`DEFAULT_COUNT`. The count is not clamped here; :meth:`QuestionBank.select` does that.
    """
    words = text.split()
    count = DEFAULT_COUNT
    if words and words[0].isdecimal() and len(words[0]) <= 6:
        count = int(words.pop(0))
    return count, " ".join(words) or None


def item_from_authored(question: QuizQuestion) -> QuizItem:
    return QuizItem(
        id=question.id,
        prompt=question.prompt,
        options=_canonical(question.id, [(o.id, o.text) for o in question.options]),
        answer=question.answer,
        explanation=question.explanation,
        topic=question.topic,
        source="authored",
        difficulty=question.difficulty,
    )


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


def _digest(text: str) -> str:
    return hashlib.sha1(normalize(text).encode("utf-8"), usedforsecurity=False).hexdigest()[:8]


def _option_id(topic_id: str) -> str:
    """A topic id short enough for a button value, deterministic and readable."""
    if len(topic_id) <= MAX_OPTION_ID:
        return topic_id
    return f"{topic_id[: MAX_OPTION_ID - 5].rstrip('_')}_{_digest(topic_id)[:4]}"


def _canonical(item_id: str, options: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A fixed order that does not give the answer away: content lists the answer first, and a
    renderer that shows :meth:`QuestionBank.by_id` without a selection's shuffle must not."""
    return tuple(sorted(options, key=lambda option: _digest(f"{item_id} {option[0]}")))


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
            id=f"gen:{kind}:{topic_id}:{_digest(text)}",
            prompt=prompt,
            options=_canonical(f"{kind}:{topic_id}:{text}", options),
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
                    id=f"gen:stance:{archetype.id}:{_digest(dimension_id + ' ' + position.stance)}",
                    prompt=(
                        f"On {dimension.name.lower()}, which position does the framework suggest "
                        f"for {archetype.name}?"
                    ),
                    options=_canonical(f"stance:{archetype.id}:{dimension_id}", options),
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
                        id=f"gen:{kind}:{dimension.id}:{_digest(text)}",
                        prompt=prompt(text),
                        options=_canonical(f"{kind}:{dimension.id}:{text}", options),
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
    return sorted(candidates, key=lambda t: (t.id not in near, _digest(key + t.id)))[:_DISTRACTORS]


def generated_questions(kb: KnowledgeBase) -> tuple[QuizItem, ...]:
    """Questions built from the content; see the module docstring for what is and is not produced."""
    return _Generator(kb).all()


# --- Selection helpers -----------------------------------------------------------------------------


def _spread(items: list[QuizItem], rng: random.Random) -> list[QuizItem]:
    """Shuffle, then interleave topics so a quiz without a topic does not ask about one topic only."""
    groups: dict[str, list[QuizItem]] = defaultdict(list)
    for item in items:
        groups[item.topic].append(item)
    order = sorted(groups)
    rng.shuffle(order)
    for topic in order:
        rng.shuffle(groups[topic])
    spread: list[QuizItem] = []
    for round_ in range(max((len(g) for g in groups.values()), default=0)):
        spread += [groups[t][round_] for t in order if round_ < len(groups[t])]
    return spread


def _miss(lookup: Lookup, kb: KnowledgeBase) -> str:
    query = lookup.query.strip()
    clipped = query if len(query) <= 60 else query[:59] + "…"
    if lookup.ambiguous:
        head = f"'{clipped}' could mean several topics."
    else:
        head = f"I don't know a topic called '{clipped}'."
    if lookup.suggestions:
        names = ", ".join(f"{t.name} ({t.id})" for t in lookup.suggestions)
        return f"{head} Did you mean: {names}?"
    archetypes = ", ".join(a.id for a in kb.archetypes)
    dimensions = ", ".join(d.id for d in kb.dimensions)
    return f"{head} Try an archetype ({archetypes}) or a dimension ({dimensions})."


# --- Scores and statistics -------------------------------------------------------------------------


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


class AnswerRecord(NamedTuple):
    """One recorded answer, as the store keeps it (a plain 4-tuple works too)."""

    question_id: str
    topic: str
    user: str
    correct: bool


class _Rates:
    """Derived figures shared by the per-question and per-topic tallies."""

    answers: int
    correct: int

    @property
    def missed(self) -> int:
        return self.answers - self.correct

    @property
    def accuracy(self) -> float:
        return self.correct / self.answers if self.answers else 0.0

    @property
    def miss_rate(self) -> float:
        return self.missed / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class QuestionTally(_Rates):
    question_id: str
    topic: str
    answers: int
    correct: int


@dataclass(frozen=True)
class TopicTally(_Rates):
    topic: str
    answers: int
    correct: int
    #: Distinct questions of this topic that were answered.
    questions: int


@dataclass(frozen=True)
class QuizStats:
    """Quiz figures for a leadership summary: how many took part, and what they get wrong.

    ``most_missed_questions`` and ``most_missed_topics`` only list entries with at least
    ``min_answers`` answers and at least one miss, highest miss rate first (then more
    answers, then id), so one unlucky answer does not headline a summary.
    """

    participants: int
    answers: int
    correct: int
    questions: tuple[QuestionTally, ...]
    topics: tuple[TopicTally, ...]
    most_missed_questions: tuple[QuestionTally, ...]
    most_missed_topics: tuple[TopicTally, ...]
    min_answers: int = MIN_ANSWERS_FOR_MISSED

    @property
    def accuracy(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


def question_stats(
    records: Iterable[tuple[str, str, str, bool]],
    *,
    min_answers: int = MIN_ANSWERS_FOR_MISSED,
    top: int = 3,
) -> QuizStats:
    """Tally ``(question_id, topic, user, correct)`` records; pure, so summaries are easy to test."""
    users: set[str] = set()
    per_question: dict[str, list[int]] = {}
    topic_of: dict[str, str] = {}
    per_topic: dict[str, list[int]] = {}
    topic_questions: dict[str, set[str]] = defaultdict(set)
    total = right = 0
    for question_id, topic, user, correct in records:
        users.add(user)
        total += 1
        right += int(bool(correct))
        tally = per_question.setdefault(question_id, [0, 0])
        tally[0] += 1
        tally[1] += int(bool(correct))
        topic_of.setdefault(question_id, topic)
        topic_tally = per_topic.setdefault(topic, [0, 0])
        topic_tally[0] += 1
        topic_tally[1] += int(bool(correct))
        topic_questions[topic].add(question_id)
    questions = tuple(
        QuestionTally(qid, topic_of[qid], n, ok) for qid, (n, ok) in sorted(per_question.items())
    )
    topics = tuple(
        TopicTally(topic, n, ok, len(topic_questions[topic])) for topic, (n, ok) in sorted(per_topic.items())
    )
    missed_questions = sorted(
        (q for q in questions if q.answers >= min_answers and q.missed),
        key=lambda q: (-q.miss_rate, -q.answers, q.question_id),
    )
    missed_topics = sorted(
        (t for t in topics if t.answers >= min_answers and t.missed),
        key=lambda t: (-t.miss_rate, -t.answers, t.topic),
    )
    return QuizStats(
        participants=len(users),
        answers=total,
        correct=right,
        questions=questions,
        topics=topics,
        most_missed_questions=tuple(missed_questions[:top]),
        most_missed_topics=tuple(missed_topics[:top]),
        min_answers=min_answers,
    )
