"""The words and patterns that tell what a question asks: mlorg's own reading vocabulary.

Kept apart from the reading itself (``kinds.py``) so the rules are one list to scan and
extend: which words name an aspect, ask for a comparison or a ranking, describe one's own
organization, ask for an overview, or describe a setup that points at one archetype.
"""

from __future__ import annotations

import re

from knowledge.answering.text import stem

__all__ = [
    "ANAPHORA",
    "ASKS",
    "ASPECT_CUES",
    "BOTH_SIDES",
    "COMPARE",
    "DIMENSION_CUES",
    "FIRST_PERSON",
    "FRAMEWORK",
    "FRAMEWORK_ABOUT",
    "IDENTITY",
    "OVERVIEW",
    "OWNERSHIP",
    "PICKS",
    "SITUATION",
    "SUPERLATIVE",
    "WEAK_OVERVIEW",
    "WEAK_SINGLE",
    "WHICH",
]

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
            "bite",
            "bites",
            "trip up",
            "trips up",
            "hard part",
            "tricky",
            "gotcha",
            "gotchas",
            "lose",
            "bad news",
            "worried",
            "worry",
            "worries",
            "concerned",
            "concern",
            "concerns",
            "wrong",
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
            "most common",
            "what kind of orgs",
            "typical organisations",
            "typical organizations",
            "typical companies",
            "sort of companies",
            "kinds of companies",
            "kind of companies",
            "type of companies",
            "types of companies",
            "what kinds of orgs",
            "which orgs",
            "what orgs",
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
    (
        "covers",
        ("cover", "covers", "include", "includes", "fall under", "falls under", "span", "spans", "encompass"),
    ),
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
            "hire",
            "who do they hire",
            "set up",
            "answer to",
            "answers to",
            "structured",
            "staffed",
            "who works",
            "report to",
            "reports to",
        ),
    ),
)

COMPARE = re.compile(
    r"\b(?:compare|compared|comparing|comparison|vs|versus|differ|differs|different|difference|"
    r"differences|better|worse|rather than|instead of|contrast|or)\b"
)
ANAPHORA = re.compile(r"\b(?:it|its|it s|that|this|they|their|them|those|these|there|same)\b")
WHICH = re.compile(
    r"\b(?:which|what)\b(?: \w+){0,2} (?:archetypes?|setups?|structures?|types?|orgs?|organi[sz]ations?|"
    r"ones?|models?|kinds?|options?|approach|approaches|set ups?|way|style|company|companies)\b"
    r"|\bwho (?:has|gets|have|is|struggles|does best|does worst)\b|\bwhere (?:do|does|is|are)\b"
)
SUPERLATIVE = re.compile(
    r"\b(?:best|worst|most|least|fastest|slowest|easiest|hardest|biggest|smallest|strongest|weakest|"
    r"quickest|highest|lowest|typical for|typical of|common in|suited|suits|ideal)\b"
)
FRAMEWORK = re.compile(
    r"\bhow many\b|\bwhat (?:are|re|r|were) (?:the|all the|your)\b|\btypes? 1 (?:through|to|thru) 5\b|"
    r"\blist (?:the |all |all the )?(?:types|archetypes|dimensions)\b|\ball the (?:archetypes|dimensions|types)\b|\blist\b|\bframework\b|\boverview\b|"
    r"\bname (?:the|all)\b|\bwhat (?:archetypes|dimensions|types|categories|options)\b|"
    r"\b(?:all|five|5|three|3) (?:archetypes|dimensions|types|categories)\b"
)
FRAMEWORK_ABOUT = re.compile(
    r"\b(?:archetypes|dimensions|types|categories|framework|design|overview|options|ways)\b"
)
#: A question that asks what "we" are: a described situation even when it names an archetype.
IDENTITY = re.compile(
    r"\bwhat (?:does|do) (?:that|this|it) (?:match|fit|sound like|look like)\b|"
    r"\b(?:which|what) (?:archetype|type|one|kind|category|bucket) (?:is|does) (?:that|this|it)\b|"
    r"\bwhat (?:archetype|type|kind|bucket|category) (?:does|would|do) (?:that|this|we|it|us)\b|"
    r"\b(?:what|which) (?:\w+ ){0,2}(?:are|am) (?:we|i)\b(?! (?:actually |really |even )?(?:good|bad|best|worst|doing|supposed|missing|getting|"
    r"likely|going|in for))|\bare we (?:an?|the|more|closer|basically|really|just|kind of|sort of|still)\b|"
    r"^are we\b|\bis (?:this|that) us\b|"
    r"\bsounds? like (?:us|we)\b|\bdescribes? us\b|\bwhere do we (?:fit|sit|stand|belong)\b|"
    r"\bwhat (?:type|kind|sort|archetype)(?: of \w+)? (?:is|are) (?:that|this|we|us|it)\b|"
    r"\bwhich (?:archetype|type|one) (?:is|are) (?:that|this|we|us|it)\b|\bwhat would you call (?:us|that|this)\b"
)
SITUATION = re.compile(
    r"\b(?:what|which) (?:\w+ ){0,2}(?:are|am|is) (?:we|i|us|our \w+)\b|\bare we\b|\bis (?:this|that) us\b|"
    r"\bsounds? like (?:us|we)\b|\bdescribes? us\b|\bwhere do we (?:fit|sit|stand)\b|\bwe re\b|\bwe are\b|"
    r"\bwe have\b|\bour (?:company|org|team|firm|startup|business|bank|ml|data|only|ceo|cto)\b|\bi work\b|"
    r"\bat my (?:company|job|work)\b|\bmy (?:company|team|org|employer)\b"
)
#: What a described situation asks beyond "what are we": the fields that answer it.
ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "challenges",
        re.compile(
            r"\b(?:risks?|risky|downsides?|drawbacks?|pitfalls?|dangers?|traps?|watch out|look out|"
            r"careful|concerns?|worr(?:y|ied|ies)|go(?:es)? wrong|going wrong|challenges?|problems?|"
            r"struggles?|weakness(?:es)?|what could|cons|bites?|hard part|hardest part|tricky|lose|"
            r"give up|gotchas?|wrong|worried|worry|loose)\b"
        ),
    ),
    (
        "next_steps",
        re.compile(
            r"\b(?:where (?:do|should|would|can) (?:we|i|you|they) (?:even |ever |actually |best )?(?:start|begin)|"
            r"work on first|do first|tackle first|step one|step 1|first move|"
            r"where to (?:start|begin)|how to (?:start|begin)|and how$|"
            r"start with|first steps?|"
            r"next steps?|get started|begin with|what (?:should|do|can|could) (?:we|i) (?:do|change|fix|"
            r"try|focus|prioriti[sz]e)|how (?:do|can|should|could) (?:we|i) (?:even |ever |best |possibly )?(?:improve|fix|get|move|"
            r"grow|evolve|mature|change|turn|make|start|begin|become)|advice|recommend\w*|"
            r"priorit\w*|improve|what to change|what would you change|fix (?:this|it|that)|"
            r"next move|get better|do better|get more out|level up|what now)\b"
        ),
    ),
    (
        "why",
        re.compile(
            r"\b(?:why|how come|what explains|what s causing|what causes|the reason|is that typical|"
            r"is this typical|known pattern|to be expected|is that expected|explain the gap|"
            r"is (?:this|that|it) (?:normal|common|expected)|just how it is|keeps? (?:\w+ing)|never|can t|cannot|won t|doesn t|don t|"
            r"shoots? (?:it |them )?down|takes (?:weeks|months|forever|ages)|trimmed|losing)\b"
        ),
    ),
    (
        "strengths",
        re.compile(
            r"\b(?:strengths?|upsides?|advantages?|benefits?|good at|pros|going for us|gain|gains|"
            r"anything good|what s good|win|wins|good part|good thing|best part|good side|plus side)\b"
        ),
    ),
)
#: An overview of the whole framework, asked without the words "archetypes" or "dimensions".
#: Overview cues that also frame a question about one topic ("what is type 1 in this framework").
WEAK_OVERVIEW = re.compile(
    r"\b(?:in |does |from |by )?(?:the|this|your) framework\b|\bsummar(?:y|i[sz]e)\b|\bin short\b|\bin brief\b"
)
OVERVIEW = re.compile(
    r"\b(?:nutshell|tl ?dr|overview|big picture|high level|in short|in brief|summar(?:y|i[sz]e)|"
    r"cheat ?sheet|whole (?:thing|framework|model)|the framework|this framework|main ideas?|key ideas?|"
    r"explain (?:it|this|the whole)|crash course|101|basics|primer|eli5|landscape|fit together|"
    r"fits together|relationship between|how you think about|options we have|relate|relates|related to|"
    r"connect|connected|map onto|map to|a model for thinking|how to think about)\b|"
    r"\bwhere (?:ml|ai|data science|data) (?:people|folks|teams?) should sit\b|"
    r"\bwalk me through (?:the )?(?:spectrum|archetypes|framework|options|types)\b|\bspectrum\b.*\bfrom\b.*\bto\b|"
    r"\bhow (?:should|do|can|would) (?:i|we|you|companies|orgs|one) (?:best )?(?:structure|organi[sz]e|set up|arrange) "
    r"(?:an? |our |the |their )?(?:ml|ai|data science|machine learning)\b|"
    r"\bhow should (?:an? |our |the )?(?:ml|ai|data science) (?:org|team|organi[sz]ation|function|group)s? be "
    r"(?:structured|organi[sz]ed|set up)\b|"
    r"\bways (?:\w+ ){0,2}(?:organi[sz]e|structure|set up|arrange)\b|"
    r"\b(?:things|factors|dimensions|axes|aspects|levers|questions) (?:to|you|we|i|should) "
    r"(?:\w+ ){0,3}(?:think|consider|look|design|decide|keep in mind|weigh)"
)
FIRST_PERSON = re.compile(r"\b(?:we|we re|our|us|i|my|i m|ours|ourselves)\b|^(?:\w+ ){1,4}here\b")
#: A question that picks among the archetypes ("which one…", "what setup…"), as opposed to
#: one that merely contains a superlative inside a description.
PICKS = re.compile(
    r"\b(?:which|what) (?:\w+ ){0,3}(?:archetypes?|setups?|set ups?|structures?|types?|orgs?|"
    r"organi[sz]ations?|ones?|models?|kinds?|options?|approach|approaches|style)\b|"
    r"\bwho (?:has|gets|have|is|struggles|does)\b|\bwhere (?:is it|do you get)\b|"
    r"\bwhere (?:are|is|do|does) (?:ml|the ml|teams|models|engineers|researchers|ml engineers|data scientists)\b"
)
OWNERSHIP = re.compile(
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
WEAK_SINGLE = frozenset(
    ["first", "research", "development", "division", "central", "product", "business", "no", "d", "r"]
)


BOTH_SIDES = re.compile(
    r"\b(?:pros and cons|upsides and downsides|good and bad|strengths and weaknesses|"
    r"strengths and challenges|advantages and disadvantages|benefits and drawbacks|trade ?offs?|tradeoffs)\b|"
    r"\b(?:good|upside|upsides|gain|gains)\b.*\b(?:bad|downside|downsides|lose|loose)\b"
)
