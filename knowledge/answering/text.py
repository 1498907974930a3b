"""Words as the answerer sees them: cleaned, cut, folded, stemmed and widened by synonyms.

People ask in their own words ("struggle", "telcos", "goes wrong", "organisation"),
the content says "challenges", "telecommunications", "organization". The same
tokenizer runs over the content and over questions, so a light suffix-stripping stem
is enough to make British and American spellings and plurals meet; the synonym table
below is mlorg's own vocabulary layer that bridges casual phrasing to the content's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from knowledge.lookup import normalize

__all__ = ["MAX_QUESTION", "clean", "content_tokens", "query_tokens", "stem", "words"]

#: A question needs far less; cutting first keeps hostile input (10k characters) cheap.
MAX_QUESTION = 600

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")

_STOPWORD_TEXT = """a about above after again all also am an and any are aren as at be been being but by can
could did do does doing don down during each few for from further had has have having he her
    here hers him his how i if in into is it its itself just let me more my no nor not now of off
    on once only or other our ours out over own s same she should so some such t than that the
    their them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours ll re ve d m
    ml machine learning ai archetype archetypes org orgs organization organisation organizations
    organisations setup setups structure structures kind kinds type types one ones sort sorts
    thing things like really actually basically please tell know want wondering curious bit
    get gets got go goes going way ways lot lots much many tends tend usually often"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Query-side synonyms (unstemmed; stemmed when the tables are built). Each word a person
# might use maps to words the content uses. mlorg's own layer, not the framework's.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "downside": ("challenge", "difficult", "hard"),
    "downsides": ("challenge", "difficult", "hard"),
    "drawback": ("challenge", "difficult", "hard"),
    "drawbacks": ("challenge", "difficult", "hard"),
    "struggle": ("challenge", "difficult", "hard"),
    "struggles": ("challenge", "difficult", "hard"),
    "wrong": ("challenge", "difficult"),
    "problem": ("challenge", "difficult"),
    "problems": ("challenge", "difficult"),
    "pitfall": ("challenge", "difficult"),
    "weakness": ("challenge", "difficult"),
    "slow": ("slow", "seldom", "rarely", "lag"),
    "slowest": ("slow", "seldom", "rarely", "lag"),
    "slower": ("slow", "seldom", "rarely", "lag"),
    "prod": ("production",),
    "ship": ("production", "deploy"),
    "ships": ("production", "deploy"),
    "shipping": ("production", "deploy", "logistics"),
    "live": ("production",),
    "deploy": ("deploy", "deployment", "production"),
    "deploying": ("deploy", "deployment", "production"),
    "deployment": ("deploy", "deployment", "production"),
    "hire": ("hire", "talent", "recruiting"),
    "hiring": ("hire", "talent", "recruiting"),
    "recruit": ("hire", "talent", "recruiting"),
    "recruitment": ("hire", "talent", "recruiting"),
    "talent": ("hire", "talent", "recruiting"),
    "retain": ("retain", "talent"),
    "retention": ("retain", "talent"),
    "telecom": ("telecommunications",),
    "telecoms": ("telecommunications",),
    "telco": ("telecommunications",),
    "telcos": ("telecommunications",),
    "bank": ("financial",),
    "banks": ("financial",),
    "banking": ("financial",),
    "fintech": ("financial",),
    "insurance": ("financial",),
    "insurer": ("financial",),
    "finance": ("financial",),
    "tech": ("tech", "software"),
    "startup": ("startups",),
    "startups": ("startups",),
    "energy": ("oil", "gas"),
    "factory": ("manufacturing",),
    "factories": ("manufacturing",),
    "industrial": ("manufacturing",),
    "manufacturer": ("manufacturing",),
    "manufacturers": ("manufacturing",),
    "school": ("education",),
    "schools": ("education",),
    "university": ("education",),
    "universities": ("education",),
    "transport": ("logistics",),
    "delivery": ("logistics",),
    "sme": ("small", "medium"),
    "smes": ("small", "medium"),
    "smb": ("small", "medium"),
    "phd": ("phd", "doctoral", "researcher"),
    "phds": ("phd", "doctoral", "researcher"),
    "academic": ("phd", "publish", "researcher"),
    "academics": ("phd", "publish", "researcher"),
    "papers": ("publish", "papers"),
    "publishing": ("publish", "papers"),
    "lab": ("r", "d", "research"),
    "labs": ("r", "d", "research"),
    "boss": ("leadership", "senior"),
    "executive": ("leadership", "senior", "ceo"),
    "executives": ("leadership", "senior", "ceo"),
    "leaders": ("leadership", "senior"),
    "roi": ("value", "business"),
    "impact": ("value", "business"),
    "budget": ("investment", "invest"),
    "funding": ("investment", "invest"),
    "money": ("investment", "value"),
    "handover": ("handoff", "handed"),
    "gpu": ("compute",),
    "gpus": ("compute",),
    "infra": ("infrastructure",),
    "iterate": ("iterating", "feedback", "loop"),
    "iteration": ("iterating", "feedback", "loop"),
    "quick": ("quick", "easiest"),
    "fast": ("quick", "easiest"),
    "fastest": ("quick", "easiest"),
    "easy": ("easiest",),
    "smooth": ("easiest",),
    "hardest": ("hard", "difficult"),
    "maintenance": ("maintain", "maintains"),
    "run": ("maintain", "operate"),
    "runs": ("maintain", "operate"),
    "operate": ("maintain", "operate"),
    "controls": ("control",),
    "owns": ("own", "ownership"),
    "own": ("own", "ownership"),
    "nobody": ("nobody", "ad", "hoc"),
    "alone": ("ad", "hoc"),
    "lone": ("ad", "hoc"),
    "spare": ("ad", "hoc", "time"),
    "sideline": ("ad", "hoc"),
    "forecasts": ("ad", "hoc"),
    "ceo": ("ceo", "leadership"),
    "founder": ("ceo",),
    "culture": ("culture", "culturally"),
    "everywhere": ("everywhere", "permeates", "whole"),
    "throughout": ("everywhere", "permeates", "whole"),
    "value": ("value", "business"),
    "champion": ("invests", "backs", "ceo"),
    "champions": ("invests", "backs", "ceo"),
    "sprint": ("engineering", "management", "cycles"),
    "sprints": ("engineering", "management", "cycles"),
    "roadmap": ("cycles", "justify", "management"),
    "squad": ("product", "teams"),
    "squads": ("product", "teams"),
    "pm": ("product", "managers"),
    "pms": ("product", "managers"),
    "coo": ("senior", "leadership"),
    "cdo": ("senior", "leadership"),
    "cio": ("senior", "leadership"),
}

#: Whole phrases first (on the normalized text), for meanings that single words miss.
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\b(?:go|goes|going|went) wrong\b", " challenge difficult "),
        (
            r"\bwhen (?:he|she|they|we|i|someone|somebody) (?:has|have|had|finds|find) (?:the )?time\b",
            " ad hoc time ",
        ),
        (r"\bside (?:project|projects|gig|hustle)\b", " ad hoc "),
        (
            r"\b(?:one|single|only|lone|solo) (?:ml |data )?(?:person|people|engineer|scientist|analyst|guy|gal)\b",
            " ad hoc nobody ",
        ),
        (r"\bnobody (?:owns|owning|in charge)\b", " nobody ad hoc "),
        (r"\bgood at\b", " strengths "),
        (r"\bcost centre\b|\bcost center\b", " investment small "),
        (r"\bproduct teams?\b", " product teams "),
        (
            r"\breport(?:s|ing)? (?:straight |directly |right )?(?:to|into|up to) (?:the )?"
            r"(?:ceo|cto|coo|cdo|cio|cfo|exec|execs|executives|leadership|chief \w+ officer|c suite|board)\b",
            " reports senior leadership directly ",
        ),
        (r"\bbusiness (?:lines?|units?)\b", " business lines units "),
        (r"\bin production\b", " production "),
        (r"\bhear back\b|\bhearing back\b", " feedback slow "),
    )
)

_SUFFIXES = (
    "ational",
    "ations",
    "ation",
    "ities",
    "ity",
    "ings",
    "ing",
    "ied",
    "ies",
    "edly",
    "ed",
    "ers",
    "er",
    "est",
    "ly",
    "ness",
    "ments",
    "ment",
    "ally",
    "al",
    "es",
    "s",
)


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A deliberately light stem: strips one common suffix and folds British -ise/-our.

    It only has to be consistent (content and questions go through it alike), not good
    English; keeping at least four letters stops "data" and "gas" from collapsing.
    """
    word = word.replace("isation", "ization").replace("ise", "ize") if len(word) > 5 else word
    if word.endswith("our") and len(word) > 5:
        word = word[:-3] + "or"
    for _ in range(2):  # twice, so "businesses" and "business" meet at "busi"
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def clean(text: str) -> str:
    """The question cut to :data:`MAX_QUESTION` characters, control characters removed."""
    cut = unicodedata.normalize("NFKC", text[: MAX_QUESTION * 2])[:MAX_QUESTION]
    return " ".join(_CONTROL.sub(" ", cut).split())


def words(text: str) -> list[str]:
    """Normalized words (case, accents and punctuation folded; ``&`` becomes ``and``)."""
    return normalize(text).split()


def content_tokens(text: str) -> list[str]:
    """Tokens of a content passage: words without stopwords, stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def query_tokens(text: str) -> list[str]:
    """Tokens of a question: phrases rewritten, stopwords dropped, stemmed, synonyms added."""
    normalized = " ".join(words(text))
    for pattern, replacement in PHRASES:
        normalized = pattern.sub(replacement, normalized)
    tokens: list[str] = []
    for word in normalized.split():
        if word in STOPWORDS:
            continue
        tokens.append(stem(word))
        tokens.extend(stem(extra) for extra in SYNONYMS.get(word, ()))
    return list(dict.fromkeys(tokens))
