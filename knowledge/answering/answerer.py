"""Answer a free-text question from the content: scope first, then kind, then the facts for it.

1. **Scope** (``scope.py``): does the framework speak to this at all? A question it does
   not cover is declined with no facts; a question partly in scope is answered for the
   part it covers and names the part it does not.
2. **Kind** (``kinds.py``): an aspect of one topic, a comparison, a ranking ("which is
   fastest…"), a dimension, a described situation, or the whole framework.
3. **Facts** (``shapes.py``): the facts that answer that kind of question, and only those:
   a comparison on data gives both archetypes' facts on data; a superlative ranks by the
   property (``properties.py``); a situation adds its risks, where to start or what
   explains the symptom. The passage search (``index.py``) finds facts when no topic is
   named. Every fact is a fact of the content: nothing is invented.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace

from knowledge.answering.index import PassageIndex, facts_of
from knowledge.answering.kinds import ASPECT_CUES, Reading, TopicNames, read
from knowledge.answering.model import Answer
from knowledge.answering.properties import Ranking, rankings
from knowledge.answering.scope import ScopeTest, outside_words
from knowledge.answering.shapes import Shapes
from knowledge.answering.spelling import Speller
from knowledge.answering.text import STOPWORDS, SYNONYMS, clean, content_tokens, stem
from knowledge.base import KnowledgeBase
from knowledge.lookup import Topic, normalize
from knowledge.models import Archetype, Dimension

__all__ = ["OUTSIDE_HEADLINE", "Answerer"]

OUTSIDE_HEADLINE = "The framework doesn't cover that"

_WORD = re.compile(r"[A-Za-z]+")

#: Names of roles that contain a property's cue word ("data scientists" is no question about data).
_ROLES = re.compile(r"\bdata (?:scientists?|science|engineers?|engineering|analysts?|team|teams|platform)\b")
#: Words that ask across archetypes ("where does each archetype sit on model ownership?").
_ACROSS = re.compile(r"\b(?:each|every|all|which|who|archetypes|where)\b")
#: Words that ask for a ranking: superlatives, comparatives and how easy or hard something is.
_RANKS = re.compile(
    r"\b(?:\w+est|most|least|best|worst|better|worse|more|less|fewer|top|number one|struggles?|"
    r"struggling|hard|harder|easy|easier|difficult|trouble|fast|faster|slow|slower|quick|quicker|"
    r"tight|tighter|strong|stronger|weak|weaker|lags?|rarely|never|good at|bad at|fully|full|completely)\b"
)
_NOT_RANKS = frozenset({"interest", "honest", "latest", "request", "test", "suggest", "biggest"})
#: Words that put a ranking on its worst side ("slowest", "hardest", "struggles most").
_WORSE = re.compile(
    r"\b(?:painful|pain|headache|friction|hassle|worst|least|slowest|slower|slow|hardest|harder|hard|toughest|tougher|tough|weakest|weaker|"
    r"weak|lowest|poorest|worse|struggles?|struggling|difficult|difficulty|trouble|troubles|fails?|"
    r"failing|rarely|never|lags?|lagging|problems?|pain|bad|fewest|less|can t|cannot|risk\w*|"
    r"longest|biggest problem|challeng\w*|limited|poor|little|smallest|small|smaller|lowest)\b"
)
#: Words that turn the worst side back ("least trouble hiring", "fewest problems").
_NEGATED = re.compile(r"\b(?:least|fewest|less|without|no|not)\b")
#: Cue words the scope test counts as the framework's language besides the content's own.
_QUESTION_WORDS = (
    "best worst most least fastest slowest easiest hardest toughest better worse compare comparison "
    "difference differ versus vs risk risks start begin first step steps change improve fix why "
    "team teams company companies org orgs business leadership leader leaders lead ceo cto coo cdo "
    "cio vp head chief report reports reporting manager managers engineer engineers scientist "
    "scientists researcher researchers product products unit units group groups department "
    "central centralized centralised embedded ownership owner owns own control responsible "
    "archetype archetypes dimension dimensions framework structure structured organize organise "
    "we us our similar resemble sound sounds look looks fit fits belong describe type types overview "
    "summary summarise summarize nutshell landscape"
)


class Answerer:
    """One per knowledge base; its passage index is built once, and answering builds nothing."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._index: PassageIndex | None = None
        self._building = threading.Lock()
        self._names = TopicNames(kb)
        self._rankings: tuple[Ranking, ...] = rankings(kb)
        self._shapes = Shapes(kb, self._rankings)
        self._reading: tuple[ScopeTest, Speller] | None = None

    @property
    def _readers(self) -> tuple[ScopeTest, Speller]:
        """The scope test and the speller, built with the index (about 10 ms, not at start-up)."""
        if self._reading is None:
            with self._building:
                if self._reading is None:
                    self._reading = (
                        ScopeTest(self._vocabulary(), self._names.mentioned),
                        Speller(self._known_words()),
                    )
        return self._reading

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
        """Build the index, the scope test and the speller now (for a background thread at start-up)."""
        _ = self.index, self._readers

    def answer(self, question: str, *, subject: str | None = None) -> Answer:
        """The answer to ``question``; ``subject`` is the topic id a follow-up refers back to."""
        scope_test, speller = self._readers
        text = _WORD.sub(
            lambda m: speller.mend(m.group(0).lower()) if len(m.group(0)) >= 5 else m.group(0),
            clean(question),
        )
        reading = read(self.kb, self._names, text)
        if not reading.text:
            return self._outside(question)
        previous = self.kb.get(subject) if subject else None
        follow_up = self._follows_up(reading, previous)
        scope = scope_test.judge(
            text,
            names_topic=bool(reading.archetypes or reading.dimensions) or follow_up,
            cued=reading.framework or reading.overview or reading.identity or reading.picks,
        )
        if scope.outside:
            return self._outside(question)
        if scope.declined is not None:
            text = scope.kept
            reading = read(self.kb, self._names, text)
            follow_up = self._follows_up(reading, previous)
        result = self._in_scope(question, text, reading, previous, follow_up)
        if result is None:
            return self._outside(question)
        return replace(result, declined=scope.declined) if scope.declined else result

    # -- the kind of question ------------------------------------------------------------------

    @staticmethod
    def _follows_up(reading: Reading, previous: Topic | None) -> bool:
        return (
            previous is not None
            and not reading.archetypes
            and not reading.dimensions
            and not (reading.which and not reading.anaphora)
            and (
                reading.anaphora
                or len(reading.text.split()) <= 8
                or (bool(reading.aspect or reading.asks) and len(reading.text.split()) <= 12)
            )
        )

    def _in_scope(
        self, question: str, text: str, reading: Reading, previous: Topic | None, follow_up: bool
    ) -> Answer | None:
        """The kind of question, in the order that settles overlaps, and the answer for it."""
        named = [a for a in reading.archetypes if a not in reading.described]
        named_dims = list(reading.dimensions)
        ranking = self._property(reading)
        picks = reading.picks and (self._ranks(reading.text) or reading.aspect == "typical_organizations")
        if isinstance(previous, Archetype) and len(named) == 1 and reading.comparing and previous != named[0]:
            named.insert(0, previous)
        overview = (reading.framework or reading.overview) and not reading.identity and not follow_up
        named_any = bool(reading.archetypes or named_dims)
        if overview and (reading.strong_overview or not named_any) and not picks:
            return self._shapes.framework(question, reading)
        if len(named) >= 2 and not reading.identity:
            return self._shapes.compare(question, reading, tuple(named), ranking)
        if len(reading.archetypes) >= 2 and reading.comparing and not reading.situation:
            return self._shapes.compare(question, reading, reading.archetypes, ranking)
        if len(named_dims) >= 2 and not reading.archetypes:
            return self._shapes.dimensions(question, tuple(named_dims))
        if picks and not reading.archetypes and not named_dims and not reading.identity and not follow_up:
            return self._which(question, text, reading, ranking)
        if reading.move is not None and reading.situation and len(named) < 2:
            return self._shapes.move(question, *reading.move)
        if (
            isinstance(previous, Archetype)
            and named_dims
            and not reading.archetypes
            and (reading.anaphora or len(reading.text.split()) <= 8)
        ):
            return self._shapes.dimension(question, named_dims[0], previous)  # "what about data there?"
        if reading.situation and not follow_up and (reading.identity or (not named and not named_dims)):
            prefer = (*reading.described, *(a for a in reading.archetypes if a not in reading.described))
            found = self._shapes.situation(question, text, reading, self.index, prefer=prefer)
            if found is not None:
                return found
        subject: Topic | None = named[0] if named else (named_dims[0] if named_dims else None)
        if subject is None and reading.described:
            subject = reading.described[0]
        if subject is None and follow_up:
            subject = previous
        if isinstance(subject, Archetype):
            return self._about_archetype(question, reading, subject, named_dims, ranking)
        if isinstance(subject, Dimension):
            if reading.aspect in ("covers", "questions", "looks_like") or not (
                reading.ownership or _ACROSS.search(reading.text) or reading.aspect == "position"
            ):
                return self._shapes.aspect(question, subject, reading.aspect)
            return self._shapes.dimension(question, subject, None)
        if reading.cued_dimension is not None and reading.ownership and not self._ranks(reading.text):
            return self._shapes.dimension(question, reading.cued_dimension, None)
        return self._which(question, text, reading, ranking)

    def _about_archetype(
        self,
        question: str,
        reading: Reading,
        archetype: Archetype,
        named_dims: list[Dimension],
        ranking: Ranking | None = None,
    ) -> Answer:
        dimension = named_dims[0] if named_dims else None
        if (
            dimension is None
            and (reading.aspect in (None, "position") or reading.aspect_weak)
            and not reading.asks
            and (reading.ownership or reading.dimension_cues >= 2)
        ):
            dimension = reading.cued_dimension
        if dimension is not None:
            return self._shapes.dimension(question, dimension, archetype)
        if dimension is None and reading.aspect is None and not reading.asks and ranking is not None:
            wanted = ranking.property.dimension
            if (
                wanted is not None
                and wanted in archetype.positions
                and isinstance(self.kb.get(wanted), Dimension)
            ):
                return self._shapes.dimension(question, self.kb.get(wanted), archetype)  # type: ignore[arg-type]
        if reading.both_sides:
            return self._shapes.aspect(question, archetype, "both_sides")
        aspect = "next_steps" if "next_steps" in reading.asks else reading.aspect
        if aspect is None and "why" in reading.asks:
            aspect = "challenges"  # "why do R&D setups end up with so little investment?"
        return self._shapes.aspect(question, archetype, aspect)

    def _which(self, question: str, text: str, reading: Reading, ranking: Ranking | None) -> Answer | None:
        if ranking is not None and reading.aspect != "typical_organizations" and self._ranks(reading.text):
            ranked = self._shapes.ranked(question, text, ranking, worst=self._worst(reading.text))
            if ranked is not None:
                return ranked
        return self._shapes.which(question, text, reading, self.index)

    def _property(self, reading: Reading) -> Ranking | None:
        """The property the question ranks or compares by, if it names one.

        Words of the last sentence count twice (context comes first, the ask last), and the
        names of roles ("data scientists") are no cue for the property they contain ("data").
        """
        text = _ROLES.sub(" ", reading.text)
        last = _ROLES.sub(" ", reading.last_sentence)
        stems, last_stems = {stem(t) for t in text.split()}, {stem(t) for t in last.split()}
        cued = reading.cued_dimension.id if reading.cued_dimension is not None else None
        best: tuple[float, Ranking] | None = None
        for ranking in self._rankings:
            hits: float = (
                len(stems & ranking.cue_stems)
                + len(last_stems & ranking.cue_stems)
                + sum(2 for phrase in ranking.property.phrases if f" {phrase} " in f" {text} ")
            )
            if hits and ranking.property.dimension is not None and ranking.property.dimension == cued:
                hits += 0.5  # a tie goes to the property of the dimension the question is about
            if hits and (best is None or hits > best[0]):
                best = (hits, ranking)
        return best[1] if best else None

    @staticmethod
    def _ranks(text: str) -> bool:
        return any(m.group(0) not in _NOT_RANKS for m in _RANKS.finditer(text))

    @staticmethod
    def _worst(text: str) -> bool:
        worse = [m.group(0) for m in _WORSE.finditer(text)]
        if not worse:
            return False
        negated = bool(_NEGATED.search(text)) and len(worse) > 1
        return not negated

    def _outside(self, question: str) -> Answer:
        return Answer(question, "outside", OUTSIDE_HEADLINE, (), (), False)

    def _known_words(self) -> set[str]:
        """Whole words mlorg reads (content, names, every cue), for mending typos against."""
        known: set[str] = set(STOPWORDS) | set(SYNONYMS) | {w for v in SYNONYMS.values() for w in v}
        for topic in self.kb.topics:
            texts = [f.text for f in facts_of(self.kb, topic)]
            texts += [topic.name, topic.short_name, *topic.aliases]
            if isinstance(topic, Archetype):
                texts += list(topic.next_steps)
            for text in texts:
                known.update(normalize(text).split())
        for _, cues in ASPECT_CUES:
            known.update(w for cue in cues for w in cue.split())
        for ranking in self._rankings:
            known.update(ranking.property.cues)
        known.update(_QUESTION_WORDS.split())
        known.update(outside_words())
        return known

    def _vocabulary(self) -> set[str]:
        """The framework's language: every content word, every topic name, every cue word."""
        vocabulary: set[str] = set()
        for topic in self.kb.topics:
            for fact in facts_of(self.kb, topic):
                vocabulary.update(content_tokens(fact.text))
            for name in (topic.id.replace("_", " "), topic.name, topic.short_name, *topic.aliases):
                vocabulary.update(stem(w) for w in normalize(name).split())
            if isinstance(topic, Archetype):
                for text in topic.next_steps:
                    vocabulary.update(content_tokens(text))
        for _, cues in ASPECT_CUES:
            vocabulary.update(stem(w) for cue in cues for w in cue.split())
        for ranking in self._rankings:
            vocabulary.update(ranking.cue_stems)
        vocabulary.update(stem(w) for w in SYNONYMS)
        vocabulary.update(stem(w) for w in _QUESTION_WORDS.split())
        return vocabulary
