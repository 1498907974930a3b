"""What a question asks: which topics it names, which aspect, and which kind of answer.

This is mlorg's own reading layer in front of the passage search. It is rule-based on
purpose: the rules are few, readable and tested against ``tests/knowledge/questions.yaml``,
and a rule that does not fire falls through to the search rather than to a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches

from knowledge.answering.text import stem, words
from knowledge.base import KnowledgeBase
from knowledge.lookup import Topic, core, normalize
from knowledge.models import Archetype, Dimension

__all__ = ["Reading", "TopicNames", "read"]

#: Aspect -> cue words or phrases (normalized). Checked in order; the first aspect named wins.
ASPECT_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "challenges",
        (
            "downside",
            "downsides",
            "drawback",
            "drawbacks",
            "challenge",
            "challenges",
            "weakness",
            "weaknesses",
            "risk",
            "risks",
            "problem",
            "problems",
            "difficult",
            "difficulty",
            "difficulties",
            "con",
            "cons",
            "disadvantage",
            "disadvantages",
            "bad",
            "worst",
            "pitfall",
            "pitfalls",
            "issue",
            "issues",
            "struggle",
            "struggles",
            "struggling",
            "go wrong",
            "goes wrong",
            "going wrong",
            "went wrong",
            "trouble",
            "troubles",
            "pain",
            "pains",
            "catch",
            "limitation",
            "limitations",
            "negative",
            "negatives",
            "fail",
            "fails",
            "hard",
            "harder",
            "hardest",
            "watch out",
            "weak",
        ),
    ),
    (
        "strengths",
        (
            "upside",
            "upsides",
            "strength",
            "strengths",
            "advantage",
            "advantages",
            "benefit",
            "benefits",
            "pro",
            "pros",
            "good at",
            "good about",
            "good",
            "great",
            "positive",
            "positives",
            "plus",
            "pluses",
            "excel",
            "excels",
            "strong",
            "best",
            "win",
            "wins",
            "gain",
            "gains",
            "why choose",
            "why pick",
            "why would",
            "well",
        ),
    ),
    (
        "typical_organizations",
        (
            "who does this",
            "who does",
            "who uses",
            "what kind of companies",
            "what kind of company",
            "companies",
            "company",
            "industry",
            "industries",
            "sector",
            "sectors",
            "typical",
            "typically",
            "example",
            "examples",
            "firms",
            "firm",
            "businesses",
            "found",
            "common in",
            "who has",
        ),
    ),
    (
        "position",
        (
            "position",
            "positions",
            "stance",
            "stand",
            "sit on",
            "sits on",
            "dimensions",
            "design dimensions",
        ),
    ),
    ("covers", ("cover", "covers", "include", "includes", "fall under", "falls under")),
    ("questions", ("questions", "question", "ask", "asks")),
    (
        "looks_like",
        (
            "look like",
            "looks like",
            "describe",
            "description",
            "mean",
            "means",
            "how does it work",
            "in practice",
            "day to day",
            "characteristics",
            "recognise",
            "recognize",
            "signs",
            "feel like",
            "how is it organised",
            "how is it organized",
            "who reports",
            "report to",
            "reports to",
        ),
    ),
)

_COMPARE = re.compile(
    r"\b(?:compare|compared|comparing|comparison|vs|versus|differ|differs|different|difference|"
    r"differences|better|worse|rather than|instead of|contrast|or)\b"
)
_ANAPHORA = re.compile(r"\b(?:it|its|it s|that|this|they|their|them|those|these|there|same)\b")
_WHICH = re.compile(
    r"\b(?:which|what)\b(?: \w+){0,2} (?:archetypes?|setups?|structures?|types?|orgs?|organi[sz]ations?|"
    r"ones?|models?|kinds?|options?|approach|approaches|set ups?|way|style|company|companies)\b"
    r"|\bwho (?:has|gets|have|is|struggles|does best|does worst)\b|\bwhere (?:do|does|is|are)\b"
)
_SUPERLATIVE = re.compile(
    r"\b(?:best|worst|most|least|fastest|slowest|easiest|hardest|biggest|smallest|strongest|weakest|"
    r"quickest|highest|lowest|typical for|typical of|common in|suited|suits|ideal)\b"
)
_FRAMEWORK = re.compile(
    r"\bhow many\b|\bwhat (?:are|re) (?:the|all the|your)\b|\blist\b|\bframework\b|\boverview\b|"
    r"\bname (?:the|all)\b|\bwhat (?:archetypes|dimensions|types|categories|options)\b|"
    r"\b(?:all|five|5|three|3) (?:archetypes|dimensions|types|categories)\b"
)
_FRAMEWORK_ABOUT = re.compile(
    r"\b(?:archetypes|dimensions|types|categories|framework|design|overview|options|ways)\b"
)
#: A question that asks what "we" are: a described situation even when it names an archetype.
_IDENTITY = re.compile(
    r"\b(?:what|which) (?:\w+ ){0,2}(?:are|am) (?:we|i)\b|\bare we\b|\bis (?:this|that) us\b|"
    r"\bsounds? like (?:us|we)\b|\bdescribes? us\b|\bwhere do we (?:fit|sit|stand|belong)\b|"
    r"\bwhat (?:type|kind|sort|archetype)(?: of \w+)? (?:is|are) (?:that|this|we|us|it)\b|"
    r"\bwhich (?:archetype|type|one) (?:is|are) (?:that|this|we|us|it)\b|\bwhat would you call (?:us|that|this)\b"
)
_SITUATION = re.compile(
    r"\b(?:what|which) (?:\w+ ){0,2}(?:are|am|is) (?:we|i|us|our \w+)\b|\bare we\b|\bis (?:this|that) us\b|"
    r"\bsounds? like (?:us|we)\b|\bdescribes? us\b|\bwhere do we (?:fit|sit|stand)\b|\bwe re\b|\bwe are\b|"
    r"\bwe have\b|\bour (?:company|org|team|firm|startup|business|bank|ml|data|only|ceo|cto)\b|\bi work\b|"
    r"\bat my (?:company|job|work)\b|\bmy (?:company|team|org|employer)\b"
)
#: What a described situation asks beyond "what are we": the fields that answer it.
_ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "challenges",
        re.compile(
            r"\b(?:risks?|risky|downsides?|drawbacks?|pitfalls?|dangers?|traps?|watch out|look out|"
            r"careful|concerns?|worr(?:y|ied|ies)|go(?:es)? wrong|going wrong|challenges?|problems?|"
            r"struggles?|weakness(?:es)?|what could|cons)\b"
        ),
    ),
    (
        "next_steps",
        re.compile(
            r"\b(?:where (?:do|should|would|can) (?:we|i|you) (?:start|begin)|start with|first steps?|"
            r"next steps?|get started|begin with|what (?:should|do|can|could) (?:we|i) (?:do|change|fix|"
            r"try|focus|prioriti[sz]e)|how (?:do|can|should|could) (?:we|i) (?:improve|fix|get|move|"
            r"grow|evolve|mature|change|turn|make|start|begin|become)|advice|recommend\w*|suggest\w*|"
            r"priorit\w*|improve|what to change|what would you change|fix (?:this|it|that))\b"
        ),
    ),
    ("why", re.compile(r"\b(?:why|how come|what explains|what s causing|what causes|the reason)\b")),
    ("strengths", re.compile(r"\b(?:strengths?|upsides?|advantages?|benefits?|good at|pros|going for us)\b")),
)
#: An overview of the whole framework, asked without the words "archetypes" or "dimensions".
_OVERVIEW = re.compile(
    r"\b(?:nutshell|tl ?dr|overview|big picture|high level|in short|in brief|summar(?:y|i[sz]e)|"
    r"cheat ?sheet|whole (?:thing|framework|model)|the framework|this framework|main ideas?|key ideas?|"
    r"explain (?:it|this|the whole)|crash course|101|basics|primer|eli5)\b|"
    r"\b(?:things|factors|dimensions|axes|aspects|levers|questions) (?:to|you|we|i|should) "
    r"(?:\w+ ){0,3}(?:think|consider|look|design|decide|keep in mind|weigh)"
)
_FIRST_PERSON = re.compile(r"\b(?:we|we re|our|us|i|my|i m)\b")
_OWNERSHIP = re.compile(
    r"\b(?:own|owns|owned|owning|control|controls|controlled|responsible|responsibility|"
    r"maintain|maintains|maintained|run|runs|deploy|deploys|deployed|who|sit|sits|stand|position|"
    r"in charge|handle|handles|manage|manages|look after|looks after|hand off|hands off|handed)\b"
)
#: Cue stems for each dimension, for questions that describe a dimension without naming it.
DIMENSION_CUES: dict[str, frozenset[str]] = {
    "data_ownership": frozenset(
        stem(w)
        for w in (
            "data",
            "pipeline",
            "pipelines",
            "labeling",
            "labelling",
            "warehouse",
            "warehousing",
            "collection",
        )
    ),
    "model_ownership": frozenset(
        stem(w)
        for w in (
            "model",
            "models",
            "production",
            "deploy",
            "deploys",
            "deployment",
            "maintain",
            "maintains",
            "handoff",
            "handed",
            "operate",
        )
    ),
    "engineering_vs_research": frozenset(
        stem(w)
        for w in (
            "software",
            "engineering",
            "researchers",
            "research",
            "integrate",
            "integrating",
            "skills",
        )
    ),
}
#: Single words that are also common English; they never name a topic on their own.
_WEAK_SINGLE = frozenset(
    ["first", "research", "development", "division", "central", "product", "business", "no", "d", "r"]
)


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
                if not parts or (len(parts) == 1 and (parts[0] in _WEAK_SINGLE or len(parts[0]) < 3)):
                    continue
                if isinstance(topic, Dimension) and len(parts) == 1:
                    continue  # "data", "models": a cue for the dimension, not its name
                self._names.setdefault(parts, topic)
        self._longest = max((len(k) for k in self._names), default=1)
        self._singles = sorted(k[0] for k in self._names if len(k) == 1 and len(k[0]) >= 5)
        #: "embedding" and "embedded" meet at one stem; typo matching alone would miss it.
        self._stems = {stem(k[0]): t for k, t in self._names.items() if len(k) == 1 and len(k[0]) >= 5}

    def mentioned(self, tokens: list[str]) -> list[Topic]:
        """Topics named in the words, in order of first mention; typos of one-word names too."""
        found: list[Topic] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                topic = self._names.get(tuple(tokens[i : i + n]))
                if topic is not None:
                    if topic not in found:
                        found.append(topic)
                    i += n
                    break
            else:
                word = tokens[i]
                if i > 0 and tokens[i - 1] in {"type", "number", "archetype", "no"} and word in self._numbers:
                    found.append(self._numbers[word])
                elif len(word) >= 5 and word not in _WEAK_SINGLE and word.isalpha():
                    topic = self._stems.get(stem(word))
                    if topic is None:
                        close = get_close_matches(word, self._singles, n=1, cutoff=0.8)
                        topic = self._names[(close[0],)] if close else None
                    if topic is not None and topic not in found:
                        found.append(topic)
                i += 1
        return found


def aspect_of(text: str) -> str | None:
    """The first aspect whose cue appears as whole words, or None."""
    padded = f" {text} "
    for aspect, cues in ASPECT_CUES:
        if any(f" {cue} " in padded for cue in cues):
            return aspect
    return None


def read(kb: KnowledgeBase, names: TopicNames, question: str) -> Reading:
    """Everything the kind decision needs, from one pass over the normalized words."""
    tokens = words(question)
    text = " ".join(tokens)
    topics = names.mentioned(tokens)
    stems = {stem(t) for t in tokens}
    cue_counts = {d: len(stems & cues) for d, cues in DIMENSION_CUES.items()}
    best_dim = max(cue_counts, key=lambda d: cue_counts[d])
    cued = (
        kb.dimension(best_dim) if cue_counts[best_dim] and best_dim in {d.id for d in kb.dimensions} else None
    )
    situation = bool(_SITUATION.search(text)) and bool(_FIRST_PERSON.search(text))
    return Reading(
        text=text,
        archetypes=tuple(t for t in topics if isinstance(t, Archetype)),
        dimensions=tuple(t for t in topics if isinstance(t, Dimension)),
        aspect=aspect_of(text),
        cued_dimension=cued,
        comparing=bool(_COMPARE.search(text)),
        anaphora=bool(_ANAPHORA.search(text)),
        which=bool(_WHICH.search(text) or _SUPERLATIVE.search(text)),
        framework=bool(_FRAMEWORK.search(text) and _FRAMEWORK_ABOUT.search(text)),
        situation=situation,
        identity=situation and bool(_IDENTITY.search(text)),
        ownership=bool(_OWNERSHIP.search(text)),
        dimension_cues=cue_counts[best_dim],
        asks=tuple(field for field, pattern in _ASKS if pattern.search(text)),
        overview=bool(_OVERVIEW.search(text)),
    )
