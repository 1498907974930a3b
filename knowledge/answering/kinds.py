"""What a question asks: which topics it names, which aspect, and which kind of answer.

This is mlorg's own reading layer in front of the passage search. It is rule-based on
purpose: the rules are few, readable and tested against ``tests/knowledge/questions.yaml``,
and a rule that does not fire falls through to the search rather than to a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches

from knowledge.answering.cues import (
    ANAPHORA,
    ASKS,
    ASPECT_CUES,
    BOTH_SIDES,
    COMPARE,
    DIMENSION_CUES,
    FIRST_PERSON,
    FRAMEWORK,
    FRAMEWORK_ABOUT,
    IDENTITY,
    OVERVIEW,
    OWNERSHIP,
    PICKS,
    SITUATION,
    SUPERLATIVE,
    WEAK_OVERVIEW,
    WEAK_SINGLE,
    WHICH,
)
from knowledge.answering.descriptions import (
    BREAK_UP,
    DESCRIBED_NASCENT,
    DESCRIPTIONS,
    DESCRIPTIVE_ALIASES,
    DIMENSION_DESCRIPTIONS,
    NEGATED,
    TOWARD,
    TRANSITION,
)
from knowledge.answering.text import stem, words
from knowledge.base import KnowledgeBase
from knowledge.lookup import Topic, core, normalize
from knowledge.models import Archetype, Dimension

__all__ = ["ASPECT_CUES", "Reading", "TopicNames", "read"]


@dataclass(frozen=True)
class Reading:
    """What the reading layer made of a question, before any search."""

    text: str
    archetypes: tuple[Archetype, ...]
    dimensions: tuple[Dimension, ...]
    aspect: str | None
    cued_dimension: Dimension | None
    comparing: bool
    anaphora: bool
    which: bool
    framework: bool
    situation: bool
    identity: bool
    ownership: bool
    #: How many of the cued dimension's words the question uses (two or more: it is about it).
    dimension_cues: int
    #: What a described situation asks for beyond its archetype ("challenges", "next_steps", "why").
    asks: tuple[str, ...] = ()
    #: An overview of the whole framework ("the nutshell version", "what should we think about").
    overview: bool = False
    #: The aspect was named only by a weak cue ("company"), which a dimension question may also use.
    aspect_weak: bool = False
    #: An overview asked in words stronger than "in this framework" (which may ask about one topic).
    strong_overview: bool = False
    #: Both the good and the bad are asked ("pros and cons", "upsides and downsides").
    both_sides: bool = False
    #: Archetypes mentioned only through words that describe a setup ("a central ML team").
    described: tuple[Archetype, ...] = ()
    #: The last sentence of the question, normalized: where the ask usually is.
    last_sentence: str = ""
    #: It picks among the archetypes ("which one…", "what setup…").
    picks: bool = False
    #: A move from one setup to another, (from, to); ``to`` may be unknown.
    move: tuple[Archetype, Archetype | None] | None = None


class TopicNames:
    """Every name a topic answers to, as word sequences, plus single words for typo matching."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._names: dict[tuple[str, ...], Topic] = {}
        self._numbers: dict[str, Archetype] = {str(a.number): a for a in kb.archetypes}
        for topic in kb.topics:
            names = {topic.id.replace("_", " "), topic.name, topic.short_name, *topic.aliases}
            keys = {normalize(n) for n in names} | {core(n) for n in names}
            for key in keys:
                parts = tuple(key.split())
                if not parts or (len(parts) == 1 and (parts[0] in WEAK_SINGLE or len(parts[0]) < 3)):
                    continue
                if isinstance(topic, Dimension) and len(parts) == 1:
                    continue  # "data", "models": a cue for the dimension, not its name
                self._names.setdefault(parts, topic)
        self._longest = max((len(k) for k in self._names), default=1)
        self._singles = sorted(k[0] for k in self._names if len(k) == 1 and len(k[0]) >= 5)
        #: "embedding" and "embedded" meet at one stem; typo matching alone would miss it.
        self._stems = {stem(k[0]): t for k, t in self._names.items() if len(k) == 1 and len(k[0]) >= 5}
        self._near_cache: dict[str, Topic | None] = {}

    def _near(self, word: str) -> Topic | None:
        """The one-word name a word stems to or is a typo of; remembered, since most words are neither."""
        if word in self._near_cache:
            return self._near_cache[word]
        topic = self._stems.get(stem(word))
        if topic is None:
            close = get_close_matches(word, self._singles, n=1, cutoff=0.8)
            topic = self._names[(close[0],)] if close else None
        if len(self._near_cache) < 8192:
            self._near_cache[word] = topic
        return topic

    def mentioned(self, tokens: list[str]) -> list[Topic]:
        """Topics named in the words, in order of first mention; typos of one-word names too."""
        found: list[Topic] = []
        for topic, _ in self.mentions(tokens):
            if topic not in found:
                found.append(topic)
        return found

    def mentions(self, tokens: list[str]) -> list[tuple[Topic, str]]:
        """Every mention of a topic, in order, with the words that named it."""
        found: list[tuple[Topic, str]] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                topic = self._names.get(tuple(tokens[i : i + n]))
                if topic is not None:
                    found.append((topic, " ".join(tokens[i : i + n])))
                    i += n
                    break
            else:
                word = tokens[i]
                if i > 0 and tokens[i - 1] in {"type", "number", "archetype", "no"} and word in self._numbers:
                    found.append((self._numbers[word], f"{tokens[i - 1]} {word}"))
                elif len(word) >= 5 and word not in WEAK_SINGLE and word.isalpha():
                    topic = self._near(word)
                    if topic is not None:
                        found.append((topic, word))
                i += 1
        return found


def aspect_of(text: str, *, weak: bool = True) -> str | None:
    """The aspect whose cue comes first in the text, as whole words, or None.

    "is there anything good about it or is it all bad news?" asks about the good first.
    """
    found = [
        (m.start(), order, aspect)
        for order, (aspect, pattern) in enumerate(_ASPECT_PATTERNS)
        if (m := pattern.search(text))
    ]
    if found:
        return min(found)[2]
    if not weak:
        return None
    return next((aspect for aspect, pattern in _WEAK_PATTERNS if pattern.search(text)), None)


#: Cue words that name an aspect only when no other does ("the typical challenges" asks challenges).
_WEAK_CUES = frozenset(
    {
        "typical",
        "typically",
        "company",
        "companies",
        "firm",
        "firms",
        "businesses",
        "found",
        "who has",
        "who does",
    }
)


def _cue_pattern(cues: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True)) + r")\b")


#: Each aspect's cues as one pattern (strong cues), and the weak ones apart.
_ASPECT_PATTERNS = [(a, _cue_pattern([c for c in cues if c not in _WEAK_CUES])) for a, cues in ASPECT_CUES]
_WEAK_PATTERNS = [
    (a, _cue_pattern(weak)) for a, cues in ASPECT_CUES if (weak := [c for c in cues if c in _WEAK_CUES])
]


def _move(
    text: str, archetypes: list[Archetype], places: dict[str, int]
) -> tuple[Archetype, Archetype | None] | None:
    """From which setup to which a question moves ("out of the R&D lab and into the product teams")."""
    if not archetypes or not TRANSITION.search(text):
        return None
    toward = [
        a
        for a in archetypes
        if places.get(a.id, -1) >= 0
        and (TOWARD.search(text[: places[a.id]]) or TOWARD.search(text[places[a.id] : places[a.id] + 12]))
    ]
    source = next((a for a in archetypes if a not in toward), None)
    if source is None or (not toward and not BREAK_UP.search(text)):
        return None
    return source, next(iter(toward), None)


def _denied(text: str, archetype: Archetype, mentions: list[tuple[Topic, str]]) -> bool:
    """An archetype described only in denial ("there's no central ML function")."""
    keys = [key for topic, key in mentions if topic == archetype]
    if not keys or any(key not in DESCRIPTIVE_ALIASES for key in keys):
        return False
    return all(NEGATED.search(text[: text.find(key)]) for key in keys)


def _sentences(question: str) -> list[str]:
    return [s for s in re.split(r"(?<=[?.!])\s+", question.strip()) if s.strip()] or [question]


def _asked_aspect(question: str, text: str) -> str | None:
    """The aspect the question itself asks for: its last asking sentence first, then the whole.

    Long questions give context first ("we report to the chief data officer…") and ask last
    ("what typically goes wrong for teams like ours?"); the context's cue words must not win.
    """
    sentences = _sentences(question)
    asking = [s for s in sentences if s.rstrip().endswith("?")] or sentences[-1:]
    for sentence in reversed(asking):
        aspect = aspect_of(" ".join(words(sentence)))
        if aspect is not None:
            return aspect
    return aspect_of(text)


def read(kb: KnowledgeBase, names: TopicNames, question: str) -> Reading:
    """Everything the kind decision needs, from one pass over the normalized words."""
    tokens = DESCRIBED_NASCENT.sub("no ml", " ".join(words(question))).split()
    text = " ".join(tokens)
    mentions = names.mentions(tokens)
    topics: list[Topic] = []
    for topic, _ in mentions:
        if topic not in topics:
            topics.append(topic)
    described = [
        t
        for t in topics
        if isinstance(t, Archetype) and all(key in DESCRIPTIVE_ALIASES for m, key in mentions if m == t)
    ]
    described = [a for a in described if not _denied(text, a, mentions)]
    topics = [t for t in topics if not (isinstance(t, Archetype) and _denied(text, t, mentions))]
    # A setup described in so many words outranks an alias met in passing: ML-first's "CEO all
    # in, experts everywhere, a central group" must not read as the central group alone.
    by_description: list[Archetype] = []
    places = {t.id: text.find(key) for t, key in reversed(mentions)}
    for pattern, archetype_id in DESCRIPTIONS:
        found = kb.get(archetype_id)
        match = pattern.search(text)
        if isinstance(found, Archetype) and match and not NEGATED.search(text[: match.start()]):
            by_description.append(found)
            places.setdefault(found.id, match.start())
    for pattern, dimension_id in DIMENSION_DESCRIPTIONS:
        dimension = kb.get(dimension_id)
        if isinstance(dimension, Dimension) and dimension not in topics and pattern.search(text):
            topics.append(dimension)
    named_ids = {t.id for t, key in mentions if key not in DESCRIPTIVE_ALIASES}
    described = [a for a in [*by_description, *described] if a.id not in named_ids]
    described = [a for i, a in enumerate(described) if a not in described[:i]]
    topics += [a for a in by_description if a not in topics]
    move = _move(text, [t for t in topics if isinstance(t, Archetype)], places)
    stems = {stem(t) for t in tokens}
    cue_counts = {d: len(stems & cues) for d, cues in DIMENSION_CUES.items()}
    best_dim = max(cue_counts, key=lambda d: cue_counts[d])
    cued = (
        kb.dimension(best_dim) if cue_counts[best_dim] and best_dim in {d.id for d in kb.dimensions} else None
    )
    aspect = _asked_aspect(question, text)
    first_person = bool(FIRST_PERSON.search(text))
    identity = bool(IDENTITY.search(text))
    asks = tuple(field for field, pattern in ASKS if pattern.search(text))
    situation = (
        (first_person and (bool(SITUATION.search(text)) or len(tokens) >= 10))
        or (identity and len(tokens) >= 8)
        or (bool(asks) and len(tokens) >= 12)
    )
    return Reading(
        text=text,
        archetypes=tuple(t for t in topics if isinstance(t, Archetype)),
        dimensions=tuple(t for t in topics if isinstance(t, Dimension)),
        aspect=aspect,
        aspect_weak=aspect is not None and aspect_of(text, weak=False) is None,
        both_sides=bool(BOTH_SIDES.search(text)),
        cued_dimension=cued,
        comparing=bool(COMPARE.search(text)),
        anaphora=bool(ANAPHORA.search(text)),
        which=bool(WHICH.search(text) or SUPERLATIVE.search(text)),
        framework=bool(FRAMEWORK.search(text) and FRAMEWORK_ABOUT.search(text)),
        situation=situation,
        identity=situation and identity,
        ownership=bool(OWNERSHIP.search(text)),
        dimension_cues=cue_counts[best_dim],
        asks=asks,
        overview=bool(OVERVIEW.search(text)),
        strong_overview=bool(OVERVIEW.search(WEAK_OVERVIEW.sub(" ", text))),
        described=tuple(described),
        picks=bool(PICKS.search(text)),
        last_sentence=" ".join(words(_sentences(question)[-1])) if question.strip() else "",
        move=move,
    )
