"""Find a topic from whatever a person types.

People write "R&D", "r and d", "Research & Development", "type 2", "embeded" or
"the ML-first org". Lookup folds case, punctuation and filler words, accepts the
seed's 1-5 numbering, and tolerates typos; when the input is unknown or could
mean two topics it returns suggestions rather than a guess. It never raises: the
input is arbitrary user text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from knowledge.models import Archetype, Dimension

__all__ = ["Lookup", "LookupIndex", "Topic", "core", "normalize"]

Topic = Archetype | Dimension

#: Words that carry no meaning for telling topics apart ("the ML-first organization").
_FILLER = frozenset(
    [
        "the",
        "a",
        "an",
        "ml",
        "machine",
        "learning",
        "ai",
        "organization",
        "organisation",
        "org",
        "orgs",
        "team",
        "teams",
        "archetype",
        "archetypes",
        "dimension",
        "dimensions",
        "type",
        "kind",
        "of",
        "our",
    ]
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
#: Longer text is not a topic name; cutting it keeps fuzzy matching cheap on hostile input.
_MAX_QUERY = 120
#: How similar (0..1) a typo must be to be taken as a match, and how clearly it must win.
_ACCEPT = 0.78
_MARGIN = 0.08
_SUGGEST = 0.45


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: ``"R&D"`` -> ``"r and d"``."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", folded).split())


def core(text: str) -> str:
    """:func:`normalize` without filler words: ``"The ML-first org"`` -> ``"first"``."""
    return " ".join(word for word in normalize(text).split() if word not in _FILLER)


def _similarity(typed: str, key: str) -> float:
    """``SequenceMatcher.ratio``, or 0.0 when its cheap upper bounds show it is below
    :data:`_SUGGEST` (such a score can neither win nor be suggested). The full ratio is
    quadratic; skipping it keeps a long or garbage query from costing hundreds of ms.
    """
    matcher = SequenceMatcher(None, typed, key, autojunk=False)
    if matcher.real_quick_ratio() < _SUGGEST or matcher.quick_ratio() < _SUGGEST:
        return 0.0
    return matcher.ratio()


@dataclass(frozen=True)
class Lookup:
    """The outcome of a lookup: a topic, or suggestions to offer instead."""

    query: str
    topic: Topic | None = None
    suggestions: tuple[Topic, ...] = ()
    #: True when the topic was found by typo tolerance rather than an exact name.
    corrected: bool = False
    #: True when the words fit several topics equally ("ownership"); False when the
    #: suggestions are merely the nearest guesses for an unknown word.
    ambiguous: bool = False

    @property
    def found(self) -> bool:
        return self.topic is not None


class LookupIndex:
    """Every name a topic answers to, prepared once when the content loads."""

    def __init__(self, archetypes: Iterable[Archetype], dimensions: Iterable[Dimension]) -> None:
        self._topics: tuple[Topic, ...] = (*archetypes, *dimensions)
        self._exact: dict[str, Topic] = {}
        self._keys: list[tuple[str, tuple[str, ...], Topic]] = []
        for topic in self._topics:
            names = [topic.id.replace("_", " "), topic.name, topic.short_name, *topic.aliases]
            if isinstance(topic, Archetype):
                names.append(str(topic.number))
            for name in names:
                for key in {normalize(name), core(name)}:
                    if key:
                        self._exact.setdefault(key, topic)
                        self._keys.append((key, tuple(key.split()), topic))

    def find(self, query: str) -> Lookup:
        """Resolve ``query``; see the module docstring for what is accepted."""
        text = query[:_MAX_QUERY]
        full, stripped = normalize(text), core(text)
        if not full:
            return Lookup(query)
        for key in (full, stripped):
            if key in self._exact:
                return Lookup(query, self._exact[key])
        words = tuple(stripped.split()) or tuple(full.split())
        partial = self._by_prefix(words)
        if len(partial) == 1:
            return Lookup(query, partial[0])
        if partial:
            return Lookup(query, suggestions=tuple(partial[:3]), ambiguous=True)
        return self._fuzzy(query, full, stripped)

    def _by_prefix(self, words: tuple[str, ...]) -> list[Topic]:
        """Topics with a name whose words start with every word typed ("indep div")."""
        if not words or sum(map(len, words)) < 3:
            return []
        matches: list[Topic] = []
        for _, key_words, topic in self._keys:
            if topic not in matches and all(any(kw.startswith(word) for kw in key_words) for word in words):
                matches.append(topic)
        return matches

    def _fuzzy(self, query: str, full: str, stripped: str) -> Lookup:
        best: dict[str, tuple[float, Topic]] = {}
        for key, _, topic in self._keys:
            score = max(_similarity(full, key), _similarity(stripped, key) if stripped else 0.0)
            if score > best.get(topic.id, (0.0, topic))[0]:
                best[topic.id] = (score, topic)
        ranked = sorted(best.values(), key=lambda pair: pair[0], reverse=True)
        if not ranked:
            return Lookup(query)
        top_score, top = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        if top_score >= _ACCEPT and top_score - runner_up >= _MARGIN:
            return Lookup(query, top, corrected=True)
        return Lookup(query, suggestions=tuple(t for s, t in ranked[:3] if s >= _SUGGEST))
