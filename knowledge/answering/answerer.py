"""Answer a free-text question from the content: kind first, then the shape for that kind.

The reading layer (``kinds.py``) decides what is asked; the passage search
(``index.py``) finds which facts say it when no topic is named. Every fact in an
answer is a fact from the content. When neither the names nor the search find
anything the framework speaks to, the answer is ``unknown``: nothing is invented.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict

from knowledge.answering.index import Hit, PassageIndex, facts_of, position_text
from knowledge.answering.kinds import Reading, TopicNames, read
from knowledge.answering.model import MAX_FACTS, Answer, Fact
from knowledge.answering.text import clean, query_tokens, stem
from knowledge.base import KnowledgeBase
from knowledge.lookup import Topic
from knowledge.models import Archetype, Dimension

__all__ = ["Answerer"]

ASPECT_TITLES = {
    "strengths": "strengths",
    "challenges": "challenges",
    "looks_like": "what it looks like",
    "typical_organizations": "typical organizations",
    "position": "position on the design dimensions",
    "summary": "in short",
    "covers": "what it covers",
    "questions": "the questions it asks",
}
#: Field weights for a described situation: what a team looks like says most about it.
_SITUATION_WEIGHTS = {
    "looks_like": 1.3,
    "summary": 1.2,
    "position": 1.0,
    "challenges": 0.8,
    "strengths": 0.6,
    "typical_organizations": 0.6,
}
#: Query tokens that say how, not what ("best", "most"): they alone never make a match.
_GENERIC = frozenset(
    stem(w)
    for w in (
        "best",
        "most",
        "least",
        "worst",
        "good",
        "bad",
        "hard",
        "easy",
        "easiest",
        "quick",
        "big",
        "small",
        "large",
        "slow",
        "well",
        "work",
        "make",
        "take",
        "need",
        "long",
        "often",
        "time",
        "people",
        "person",
        "challenge",
        "strength",
        "typical",
        "company",
        "industry",
        "sector",
        "difficult",
        "train",
        "model",
        "models",
        "build",
        "more",
        "less",
        "new",
        "use",
        "help",
    )
)
#: Words that ask across archetypes ("where does each archetype sit on model ownership?").
_ACROSS = re.compile(r"\b(?:each|every|all|which|who|archetypes|where)\b")
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


class Answerer:
    """One per knowledge base; its passage index is built once, and answering builds nothing."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._index: PassageIndex | None = None
        self._building = threading.Lock()
        self._names = TopicNames(kb)

    @property
    def index(self) -> PassageIndex:
        """The passage index, built on first use or by :meth:`warm`, whichever comes first.

        Building it loads numpy and bm25s, about a quarter of a server's start-up time; a
        server calls :meth:`warm` in a thread once it is up, so it is ready to answer sooner
        and a question asked in the first moments waits for the build instead of repeating it.
        """
        if self._index is None:
            with self._building:
                if self._index is None:
                    self._index = PassageIndex(self.kb)
        return self._index

    @property
    def indexed(self) -> bool:
        return self._index is not None

    def warm(self) -> None:
        """Build the index now (for a background thread at start-up)."""
        _ = self.index

    def answer(self, question: str, *, subject: str | None = None) -> Answer:
        """The answer to ``question``; ``subject`` is the topic id a follow-up refers back to."""
        text = clean(question)
        reading = read(self.kb, self._names, text)
        previous = self.kb.get(subject) if subject else None
        if not reading.text:
            return self._unknown(question)
        arch = list(reading.archetypes)
        named_dims = list(reading.dimensions)
        follow_up = (
            previous is not None
            and not arch
            and not named_dims
            and not (reading.which and not reading.anaphora)
            and (reading.anaphora or len(reading.text.split()) <= 6)
        )
        if isinstance(previous, Archetype) and len(arch) == 1 and reading.comparing and previous != arch[0]:
            arch.insert(0, previous)
        if len(arch) >= 2:
            return self._compare(question, reading, tuple(arch))
        if reading.framework and not arch and not named_dims and not follow_up:
            return self._framework(question, reading)
        if reading.situation and (reading.identity or not arch) and not follow_up:
            return self._situation(question, text)
        subject_topic: Topic | None = arch[0] if arch else (named_dims[0] if named_dims else None)
        if subject_topic is None and follow_up:
            subject_topic = previous
        if isinstance(subject_topic, Archetype):
            dimension = named_dims[0] if named_dims else None
            if dimension is None and (
                (reading.ownership and reading.aspect not in ("strengths", "challenges", "looks_like"))
                or reading.dimension_cues >= 2
            ):
                dimension = reading.cued_dimension
            if dimension is not None:
                return self._dimension(question, dimension, subject_topic)
            return self._aspect(question, subject_topic, reading.aspect)
        if isinstance(subject_topic, Dimension):
            if reading.aspect in ("covers", "questions", "looks_like") or not (
                reading.ownership or _ACROSS.search(reading.text) or reading.aspect == "position"
            ):
                return self._aspect(question, subject_topic, reading.aspect)
            return self._dimension(question, subject_topic, None)
        if reading.which:
            return self._which(question, text, reading)
        if reading.cued_dimension is not None and reading.ownership:
            return self._dimension(question, reading.cued_dimension, None)
        if reading.situation:
            return self._situation(question, text)
        return self._which(question, text, reading)

    # -- shapes -----------------------------------------------------------------------------

    def _unknown(self, question: str) -> Answer:
        return Answer(question, "unknown", "Not something the framework covers", (), (), False)

    def _aspect(self, question: str, topic: Topic, aspect: str | None) -> Answer:
        facts = list(facts_of(self.kb, topic))
        if isinstance(topic, Archetype):
            aspect = (
                aspect if aspect in ASPECT_TITLES and aspect not in ("covers", "questions") else "summary"
            )
            chosen = [f for f in facts if f.aspect == aspect]
            if aspect == "summary":
                chosen = [f for f in facts if f.aspect in ("summary", "looks_like")]
            if aspect == "position" and not chosen:
                chosen = [f for f in facts if f.aspect == "summary"]
        else:
            aspect = aspect if aspect in ("covers", "questions") else "summary"
            chosen = [f for f in facts if f.aspect == aspect]
            if aspect == "summary":
                chosen = [f for f in facts if f.aspect in ("summary", "questions")]
        headline = f"{topic.short_name}: {ASPECT_TITLES[aspect]}"
        return Answer(question, "aspect", headline, tuple(chosen[:MAX_FACTS]), (topic,), True)

    def _compare(self, question: str, reading: Reading, topics: tuple[Archetype, ...]) -> Answer:
        topics = topics[:MAX_FACTS]
        aspect = (
            reading.aspect
            if reading.aspect in ("strengths", "challenges", "looks_like", "typical_organizations")
            else None
        )
        dimension = (
            reading.dimensions[0]
            if reading.dimensions
            else (
                reading.cued_dimension
                if aspect is None
                and reading.cued_dimension is not None
                and (reading.ownership or reading.which)
                else None
            )
        )
        columns: list[list[Fact]] = []
        for topic in topics:
            facts = list(facts_of(self.kb, topic))
            if aspect is not None:
                column = [f for f in facts if f.aspect == aspect]
            elif dimension is not None:
                text = position_text(self.kb, topic, dimension.id)
                column = (
                    [Fact(topic, "position", text)] if text else [f for f in facts if f.aspect == "summary"]
                )
            else:
                column = [f for f in facts if f.aspect == "position"] or [
                    f for f in facts if f.aspect in ("summary", "looks_like")
                ]
            columns.append(column)
        chosen = _round_robin(columns)
        names = " vs ".join(t.short_name for t in topics)
        what = ASPECT_TITLES[aspect] if aspect else (dimension.name if dimension else "the design dimensions")
        return Answer(question, "compare", f"{names}: {what}", chosen, topics, True)

    def _dimension(self, question: str, dimension: Dimension, archetype: Archetype | None) -> Answer:
        summary = Fact(dimension, "summary", dimension.summary)
        if archetype is not None:
            text = position_text(self.kb, archetype, dimension.id)
            if text is None:
                facts = (Fact(archetype, "summary", archetype.summary), summary)
            else:
                facts = (Fact(archetype, "position", text), summary)
            headline = f"{archetype.short_name} on {dimension.name}"
            return Answer(question, "dimension", headline, facts, (archetype, dimension), True)
        placed: list[Fact] = []
        for candidate in self.kb.archetypes:
            text = position_text(self.kb, candidate, dimension.id)
            if text is not None:
                placed.append(Fact(candidate, "position", text))
        chosen = (summary, *placed[: MAX_FACTS - 1])
        topics = (dimension, *(f.topic for f in placed[: MAX_FACTS - 1]))
        return Answer(
            question, "dimension", f"{dimension.name}: where each archetype sits", chosen, topics, True
        )

    def _framework(self, question: str, reading: Reading) -> Answer:
        archetypes, dimensions = self.kb.archetypes, self.kb.dimensions
        about_dimensions = (
            "dimension" in reading.text or "categor" in reading.text or "design" in reading.text
        )
        about_archetypes = "archetype" in reading.text or "types" in reading.text
        count_a, count_d = _WORDS.get(len(archetypes), str(len(archetypes))), _WORDS.get(len(dimensions), "")
        if about_dimensions and not about_archetypes:
            headline = f"{count_d.capitalize()} design dimensions: " + ", ".join(d.name for d in dimensions)
            facts = tuple(Fact(d, "summary", d.summary) for d in dimensions)
            return Answer(question, "framework", headline, facts[:MAX_FACTS], tuple(dimensions), True)
        headline = f"{count_a.capitalize()} archetypes: " + ", ".join(a.short_name for a in archetypes)
        if not about_archetypes:
            headline = f"{count_a.capitalize()} archetypes and {count_d} design dimensions"
        facts = tuple(Fact(a, "summary", a.summary) for a in archetypes)
        return Answer(question, "framework", headline, facts[:MAX_FACTS], (*archetypes, *dimensions), True)

    def _which(self, question: str, text: str, reading: Reading) -> Answer:
        weights = {"position": 1.0}
        if reading.aspect in ("strengths", "challenges", "typical_organizations"):
            weights[reading.aspect] = 1.6
        hits = self._relevant(self.index.search(query_tokens(text), weights=weights, archetypes_only=True))
        if not hits:
            return self._unknown(question)
        ranked = _by_archetype(hits, keep=0.55, limit=4)
        facts = tuple(hit.fact for hit in (best[0] for best in ranked))
        topics = tuple(f.topic for f in facts)
        headline = "Archetypes that match: " + ", ".join(t.short_name for t in topics)
        return Answer(question, "which", headline, facts, topics, True)

    def _situation(self, question: str, text: str) -> Answer:
        hits = self._relevant(
            self.index.search(query_tokens(text), weights=_SITUATION_WEIGHTS, archetypes_only=True)
        )
        if not hits:
            return Answer(question, "unknown", "Not something the framework covers", (), (), False, True)
        ranked = _by_archetype(hits, keep=0.5, limit=3)
        facts: list[Fact] = [hit.fact for hit in ranked[0][:2]]
        facts += [best[0].fact for best in ranked[1:]]
        topics = tuple({f.topic.id: f.topic for f in facts}.values())
        headline = f"Sounds most like {topics[0].short_name}" + (
            " (or " + ", ".join(t.short_name for t in topics[1:]) + ")" if len(topics) > 1 else ""
        )
        return Answer(question, "situation", headline, tuple(facts[:MAX_FACTS]), topics, True, True)

    @staticmethod
    def _relevant(hits: list[Hit]) -> list[Hit]:
        """Hits that share a meaningful word with the question; "best" alone is no match."""
        return [hit for hit in hits if hit.matched - _GENERIC]


def _by_archetype(hits: list[Hit], *, keep: float, limit: int) -> list[list[Hit]]:
    """Hits grouped by archetype, groups ranked by their best hit, weak groups dropped."""
    groups: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        groups[hit.fact.topic.id].append(hit)
    ranked = sorted(groups.values(), key=lambda group: group[0].score, reverse=True)
    top = ranked[0][0].score
    return [group for group in ranked if group[0].score >= keep * top][:limit]


def _round_robin(columns: list[list[Fact]]) -> tuple[Fact, ...]:
    """Facts taken in turns from each column, so every topic is heard before the cap."""
    chosen: list[Fact] = []
    for row in range(max((len(c) for c in columns), default=0)):
        for column in columns:
            if row < len(column) and len(chosen) < MAX_FACTS:
                chosen.append(column[row])
    return tuple(chosen)
