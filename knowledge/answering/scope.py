"""Whether the framework speaks to a question at all, decided before anything is searched.

A passage search always finds *something*: "how many GPUs should we buy?" shares words
with "access to data and compute can lag", and a confident list of archetype facts is the
worst possible answer to it. So the answerer asks this module first, and a question the
framework does not cover is declined without a single fact.

The test has two parts, both readable and both measured on the frozen question sets:

1. **Asks for something the framework never gives** (:data:`OUTSIDE`): numbers and sizes
   (GPUs, headcounts, ratios, salaries, budgets), a tool or library to pick, code to write,
   how to train or tune a model, career and HR matters, and small talk. A clause that
   matches is out of scope whatever else it mentions.
2. **Speaks the framework's language**: the share of the question's content words that the
   framework's vocabulary (every word of the content, every topic name, and the cue words
   of the kinds of question) knows. Below :data:`MIN_COVERAGE`, with no topic named and no
   cue of a kind of question, the question is about something else.

A question is split into clauses first, so "we're a bank with a 40-person central ML team,
how many GPUs should we buy?" keeps its in-scope clause (a described situation) and
declines the other by name, rather than declining the whole or answering the whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from knowledge.answering.text import STOPWORDS, stem, words

__all__ = ["MIN_COVERAGE", "OUTSIDE", "Scope", "ScopeTest", "outside_words"]

#: The share of content words the framework must know for a question naming no topic and
#: no kind cue to count as in scope. Calibrated on the development half of the blind set.
MIN_COVERAGE = 0.5

_TECH = (
    r"pytorch|tensorflow|keras|jax|scikit(?: learn)?|sklearn|xgboost|lightgbm|catboost|hugging ?face|"
    r"langchain|llama ?index|mlflow|kubeflow|airflow|dagster|prefect|dbt|snowflake|databricks|bigquery|"
    r"redshift|sagemaker|vertex(?: ai)?|spark|pyspark|kafka|kubernetes|k8s|docker|terraform|aws|azure|"
    r"gcp|google cloud|openai|chatgpt|gpt ?\d?|llms?|claude|gemini|copilot|jupyter|notebooks?|"
    r"postgres|mysql|mongodb|pinecone|weaviate|tableau|power ?bi|looker|excel|jira|github|gitlab"
)
#: Clauses asking for what the framework never gives. Matched against normalized words.
OUTSIDE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # Hardware, cloud, vendors, tools and libraries.
        r"\b(?:how many|which|what|buy|buying|purchase|order|rent|renting|budget for|need|spend on)\b"
        r"(?: \w+){0,3} (?:gpus?|tpus?|a100s?|h100s?|graphics cards?|servers?)\b",
        r"\b(?:gpus?|tpus?|a100s?|h100s?) (?:should|do we need|to buy|per)\b",
        rf"\b(?:{_TECH})\b",
        r"\b(?:vendors?|librar(?:y|ies)|packages?|frameworks? should|programming languages?|"
        r"feature stores?|vector (?:db|dbs|database|databases|stores?)|data warehouse (?:product|vendor|tool)|"
        r"cloud (?:costs?|bills?|providers?|spend|credits)|(?:which|what|best) (?:cloud|database|warehouse))\b",
        r"\b(?:buy|buying|purchase|purchasing|procure|procurement)\b(?! in\b| into\b)",
        r"\b(?:game engines?|inference|on device|edge devices?|data catalog\w*|going rate|market rate|pay band|"
        r"salary band|accuracy|acurracy|threshold|benchmark scores?|confusion matrix)\b",
        r"\b(?:which|what|best|recommend(?:ed)?|good) (?:\w+ ){0,3}(?:tools?|platforms?|stack|"
        r"programming language|ide|editor|laptop|orchestrator)\b",
        r"\b(?:drift|monitoring|observability|alerting|four day week|4 day week|working hours|perks|overtime|"
        r"sick leave|holiday|holidays|hr is asking|benefits package|on call rotation|rota|pagerduty|pager|runbooks?|"
        r"dags?|retraining jobs?)\b",
        # Numbers the framework gives none of.
        r"\bhow many (?!archetypes?\b|dimensions?\b|types?\b|kinds?\b|categor|ways?\b|options?\b|"
        r"different\b|design\b|of (?:the|these|them)\b)\w+",
        r"\bhow (?:much|big|large|small) (?:should|would|do|does|is|are|budget|money|data do|data should|"
        r"data is enough|data we need|compute)\b",
        r"\bhow much (?:\w+ )?data\b(?=.*\b(?:need|needs|enough|train|require|requires)\b)",
        r"\b(?:data lakes?|lakehouses?|data mesh|etl tools?)\b",
        r"\b(?:ratio|ratios|headcount|head count|fte|ftes|team size|size of (?:the|a|our) team|"
        r"(?:ideal|right|optimal|perfect|good) (?:size|number|ratio|team size))\b",
        r"\bper (?:data scientist|engineer|ml engineer|researcher|team|head)\b",
        r"\b(?:salary|salaries|pay (?:them|an?|our)|paid|compensation|comp bands?|equity|bonus|bonuses|"
        r"stock options|day rate|hourly rate|wages?|raise)\b",
        r"\b(?:cost|costs|price|pricing|dollars?|euros?|usd|eur|k a year|per year|per month)\b(?!.*\bvalue\b)",
        # Writing code, training and tuning models, ML technique.
        r"\b(?:write|code|implement|generate|give|show|make)(?: me| us)?(?: a| an| the| some)? "
        r"(?:python|sql|java|scala|bash|r|code|script|function|class|query|regex|program|snippet|notebook|"
        r"pipeline in)\b",
        r"\b(?:function|script|snippet|code) (?:that|to|which) (?:train|trains|parse|parses|load|loads|"
        r"fit|fits|compute|computes|clean|cleans)\b",
        r"\b(?:random forests?|transformers?|neural net(?:work)?s?|cnns?|rnns?|lstms?|bert|gradient boost\w*|"
        r"regression|classifier|clustering|embeddings? model|fine ?tun\w*|hyper ?parameters?|"
        r"learning rate|epochs?|batch size|overfit\w*|loss function|prompt engineering|prompts?|rag|"
        r"a b test\w*|ab test\w*|accuracy of|f1|auc|precision and recall|drift detection)\b",
        r"\b(?:ci|ci cd|cicd|continuous integration|unit tests?|training code|inference code|serving code|"
        r"pickle|scp\w*|code reviews?|linting|git|version control)\b",
        r"\bhow (?:do|can|should) (?:i|we|you) (?:train|tune|fine|label|clean|deploy a|serve|scale|"
        r"monitor|version|containeri[sz]e|optimi[sz]e|speed up|debug)\b",
        # Career, HR and workplace matters.
        r"\b(?:promot\w*|interview\w*|resumes?|cv|cvs|performance reviews?|layoffs?|lay off|fire|firing|"
        r"visa|visas|parental leave|vacation|pto|remote work|work from home|wfh|onboarding checklist|"
        r"job titles?|job descriptions?|offer letter|negotiat\w*|okrs?|kpis?)\b",
        # Managing people one to one.
        r"\b(?:give|giving) (?:\w+ ){0,2}feedback\b|\b(?:deadlines?|1 ?on ?1s?|1 1s|one on ones?|motivat\w*|demotivat\w*|"
        r"morale|burn ?out|tips on being|better leader|good leader|better manager|good manager|"
        r"leadership (?:tips|advice|style))\b",
        # Small talk and the rest of the world.
        r"\b(?:weather|capital of|recipe|pizza|lunch|football|soccer|movie|song|poem|joke|jokes|stock price|"
        r"bitcoin|crypto|translate|horoscope|birthday|traffic|flight|hotel)\b",
    )
)
#: Words that ask about the framework's own subject, without naming a topic.
_IN_SCOPE_CUES = re.compile(
    r"\b(?:archetypes?|framework|dimensions?|org (?:design|chart|structure)|team (?:design|structure|setup)|"
    r"structur\w*|organi[sz]\w*|report(?:s|ing|ed)? (?:\w+ )?(?:to|into|up)|centrali[sz]\w*|decentrali[sz]\w*|"
    r"embedded|research lab|r and d|ml (?:team|teams|org|orgs|division|group|groups|unit|department|people|"
    r"engineers|folks|function)|data scientists?|researchers|"
    r"diagnos\w*)\b"
)
#: Words the framework uses that any workplace question uses too: they never make a question
#: the framework's ("what's a good team offsite?" shares "good" and "team" with the content).
_EVERYDAY = frozenset(
    [
        "good",
        "bad",
        "best",
        "better",
        "team",
        "teams",
        "people",
        "person",
        "company",
        "work",
        "working",
        "job",
        "fix",
        "make",
        "get",
        "need",
        "want",
        "help",
        "time",
        "way",
        "new",
        "big",
        "small",
        "thing",
        "things",
        "engineers",
        "engineer",
        "manager",
        "managers",
        "meeting",
        "meetings",
    ]
)
#: An ask that says nothing of its own ("thoughts?"): the clauses before it are the question.
_GENERIC_ASK = re.compile(
    r"(?:any )?(?:thoughts|ideas|advice|help|opinions?|suggestions?|what do you think|wdyt|pls|please)\b"
)
_WHAT_ARE_WE = re.compile(
    r"\bwhat (?:are|am) (?:we|i)\b|\bwhich (?:one|archetype|type) (?:are|am|is)\b|\bwhat archetype\b"
)
_ASKING = re.compile(r"(?:how|what|which|who|why|where|when|should|do|does|is|are|can|could|would)\b")
_CLAUSE = re.compile(
    r"(?<=[?.!;])\s+|\s*[,;:]\s+(?=(?:and |but |also |so |plus )?(?:how|what|which|should|do|can|could|would|is|are|any|and|but|also|plus)\b)|\s+(?:and|but|also|plus) (?=(?:how|what|which|should|do|can|could|would|also)\b)",
    re.I,
)


def outside_words() -> set[str]:
    """Words of the out-of-scope cues a typo may hide ("promted"), for mending typos against."""
    return set(re.findall(r"[a-z]{4,}", _TECH)) | set(_OUTSIDE_WORDS.split())


_OUTSIDE_WORDS = (
    "promoted promotion promote salary salaries interview interviews resume compensation bonus "
    "equity hardware kubernetes library libraries vendor vendors weather recipe pytorch tensorflow "
    "python script function transformer regression hyperparameter notebook notebooks accuracy threshold "
    "inference catalog"
)


@dataclass(frozen=True)
class Scope:
    """The verdict on a question: what part of it to answer, and what part to decline."""

    #: The text to answer (the in-scope clauses), empty when nothing is in scope.
    kept: str
    #: The clauses the framework does not cover, as the asker wrote them, or None.
    declined: str | None
    #: The share of content words the framework's vocabulary knows (for the report).
    coverage: float

    @property
    def outside(self) -> bool:
        return not self.kept


class ScopeTest:
    """The framework's vocabulary, built once per knowledge base, and the test against it."""

    def __init__(self, vocabulary: Iterable[str], topics_in: Callable[[list[str]], Sequence[object]]) -> None:
        self.vocabulary = frozenset(vocabulary)
        #: The topics a list of normalized words names (the answerer's name matcher).
        self._topics_in = topics_in

    def coverage(self, text: str) -> float:
        """The share of the text's content words (stemmed) that the framework's vocabulary knows."""
        content = [w for w in words(text) if w not in STOPWORDS and not w.isdigit() and len(w) > 1]
        if not content:
            return 0.0
        known = sum(1 for w in content if stem(w) in self.vocabulary and w not in _EVERYDAY)
        return known / len(content)

    def asks_outside(self, text: str) -> bool:
        normalized = " ".join(words(text))
        return any(p.search(normalized) for p in OUTSIDE)

    def judge(self, question: str, *, names_topic: bool, cued: bool) -> Scope:
        """Which clauses to answer and which to decline.

        ``names_topic``: the question names an archetype or dimension; ``cued``: a kind of
        question the answerer knows is recognised (an overview, a described situation, a
        follow-up) on the whole text.
        """
        coverage = self.coverage(question)
        clauses = [c.strip(" ,;") for c in _CLAUSE.split(question) if c and c.strip(" ,;")]
        outside = [c for c in clauses if self.asks_outside(c)]
        # Only a clause that *asks* for what the framework lacks is declined; a tool or a number
        # in the context ("an analyst hacks a forecast together in Excel") is just context.
        asking = [c for c in clauses if _asks(c) and not _GENERIC_ASK.match(" ".join(words(c)))]
        declined = [c for c in outside if c in asking] if asking else outside
        if outside and not declined and not any(self._names_framework(c) for c in asking):
            declined = clauses  # "SageMaker vs Vertex AI, which should we pick?": the ask points back
        if not declined:
            in_scope = names_topic or cued or bool(_IN_SCOPE_CUES.search(" ".join(words(question))))
            return Scope(question if in_scope or coverage >= MIN_COVERAGE else "", None, coverage)
        kept = [c for c in clauses if c not in declined]
        # The rest is answered when it asks something the framework covers, or names one of its
        # topics; its other clauses come along as context ("we're a retail bank; …; what are we?").
        # A statement naming nothing ("I inherited five ML engineers") is only the context of
        # the question that was declined.
        if not any(self._topics_in(words(c)) or (_asks(c) and self._speaks_framework(c)) for c in kept):
            return Scope("", question, coverage)
        return Scope(" ".join(kept), " ".join(declined), coverage)

    def _names_framework(self, clause: str) -> bool:
        """A clause that names a topic or the framework's subject (a stricter test than its words)."""
        tokens = words(clause)
        normalized = " ".join(tokens)
        return bool(
            _IN_SCOPE_CUES.search(normalized) or self._topics_in(tokens) or _WHAT_ARE_WE.search(normalized)
        )

    def _speaks_framework(self, clause: str) -> bool:
        """A clause worth answering: it names a topic or the framework's subject, or asks in its words.

        A statement in framework-ish words that names nothing ("I inherited a team of five ML
        engineers") is context for the question it came with, not a question of its own.
        """
        tokens = words(clause)
        if (
            _IN_SCOPE_CUES.search(" ".join(tokens))
            or self._topics_in(tokens)
            or _WHAT_ARE_WE.search(" ".join(tokens))
        ):
            return True
        return _asks(clause) and len(tokens) >= 4 and self.coverage(clause) >= MIN_COVERAGE


def _asks(clause: str) -> bool:
    """A clause that asks something, rather than telling the context."""
    return clause.rstrip().endswith("?") or bool(_ASKING.match(_LEADING.sub("", " ".join(words(clause)))))


#: Words that open a clause before what it asks ("and can you write…").
_LEADING = re.compile(r"^(?:(?:and|but|also|so|plus|ok|okay|oh|then) )+")
