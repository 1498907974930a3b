"""Properties people rank archetypes by, and the facts that place each archetype on them.

"Which setup gets models into production fastest?" and "R&D or embedded, which gets
better data?" are questions about one *property* (getting to production, data) across
archetypes. The framework states these as facts scattered over strengths, challenges and
positions ("the easiest deployment", "models seldom make it into production"); this table
is mlorg's own reading layer that gathers them per property, in the order the facts put
the archetypes, so a superlative can rank and a comparison can say which side the
framework favours. It adds no claim of its own: every entry points at a fact of the
content by its archetype, its field and a phrase of its text, and an entry whose fact an
overlay removed is simply left out.

``best`` runs from the archetype the facts favour most; ``worst`` from the one they
favour least. A property with an empty side has no archetype the facts place there.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.answering.index import facts_of
from knowledge.answering.model import Fact
from knowledge.answering.text import stem
from knowledge.base import KnowledgeBase
from knowledge.models import Archetype

__all__ = ["PROPERTIES", "Placed", "Property", "Ranking", "rankings"]

#: (archetype id, field, phrase of the fact's text)
Ref = tuple[str, str, str]


@dataclass(frozen=True)
class Property:
    """One thing archetypes differ on, the words that name it, and where the facts place them."""

    id: str
    #: How the headline names it: "get models into production".
    name: str
    #: Cue words (unstemmed); one is enough to name the property.
    cues: tuple[str, ...]
    best: tuple[tuple[str, tuple[Ref, ...]], ...]
    worst: tuple[tuple[str, tuple[Ref, ...]], ...]
    #: A dimension whose positions also speak to it, for an archetype the refs leave silent.
    dimension: str | None = None
    #: Cue phrases (several words, normalized) that name it where single words are too common.
    phrases: tuple[str, ...] = ()


def _p(
    id: str,
    name: str,
    cues: str,
    best: list[tuple[str, list[Ref]]],
    worst: list[tuple[str, list[Ref]]],
    *,
    dimension: str | None = None,
    phrases: tuple[str, ...] = (),
) -> Property:
    return Property(
        id,
        name,
        tuple(cues.split()),
        tuple((a, tuple(r)) for a, r in best),
        tuple((a, tuple(r)) for a, r in worst),
        dimension,
        phrases,
    )


PROPERTIES: tuple[Property, ...] = (
    _p(
        "production",
        "getting models into production",
        "production prod deploy deploys deployed deploying deployment deployments ship ships shipped "
        "shipping live launch launched productionize productionise productionizing operationalize "
        "operationalise rollout",
        best=[
            ("ml_first", [("ml_first", "strengths", "easiest deployment")]),
            ("embedded", [("embedded", "position", "full ownership of the models they deploy")]),
        ],
        worst=[
            ("rnd", [("rnd", "position", "seldom make it into production")]),
            ("independent", [("independent", "challenges", "handoff of a model")]),
        ],
        dimension="model_ownership",
        phrases=("into production", "to production", "in production", "reach users", "reach customers"),
    ),
    _p(
        "data",
        "access to data",
        "data dataset datasets",
        best=[
            (
                "ml_first",
                [
                    ("ml_first", "strengths", "best data access"),
                    ("ml_first", "position", "company-wide data"),
                ],
            ),
            (
                "independent",
                [("independent", "strengths", "marshal the data"), ("independent", "position", "governance")],
            ),
        ],
        worst=[
            (
                "rnd",
                [("rnd", "challenges", "quality data"), ("rnd", "position", "controls none of the data")],
            ),
            (
                "embedded",
                [("embedded", "challenges", "access to data"), ("embedded", "position", "pipelines")],
            ),
        ],
        dimension="data_ownership",
    ),
    _p(
        "hiring",
        "hiring and keeping talent",
        "hire hires hiring hired recruit recruits recruiting recruitment recruiter talent talented "
        "retain retaining retention attract attracting attractive candidates practitioners staff "
        "funnel",
        best=[
            ("ml_first", [("ml_first", "strengths", "recruiting funnel")]),
            ("independent", [("independent", "strengths", "talent density")]),
            ("rnd", [("rnd", "strengths", "experienced researchers")]),
        ],
        worst=[
            ("nascent", [("nascent", "challenges", "hire good ml talent")]),
            ("embedded", [("embedded", "challenges", "hire and develop top talent")]),
        ],
    ),
    _p(
        "feedback",
        "fast feedback",
        "feedback iterate iterating iteration iterations loop loops cycle cycles turnaround",
        best=[
            ("embedded", [("embedded", "strengths", "feedback loop")]),
            ("ml_first", [("ml_first", "looks_like", "quick wins")]),
        ],
        worst=[("independent", [("independent", "challenges", "feedback cycles")])],
    ),
    _p(
        "value",
        "turning ML into business value",
        "value roi impact revenue payoff profit profitable worth valuable return returns",
        best=[
            ("embedded", [("embedded", "strengths", "business value")]),
            ("ml_first", [("ml_first", "looks_like", "quick wins")]),
        ],
        worst=[("rnd", [("rnd", "challenges", "business value")])],
        phrases=("business value", "pay off", "pays off"),
    ),
    _p(
        "support",
        "support from leadership and the organization",
        "support supported supporting sponsor sponsors sponsorship backing backed buyin champion champions "
        "championed championing",
        best=[
            ("ml_first", [("ml_first", "looks_like", "ceo invests")]),
            ("independent", [("independent", "strengths", "senior leaders")]),
        ],
        worst=[("nascent", [("nascent", "challenges", "little support")])],
        phrases=("buy in", "bought in"),
    ),
    _p(
        "investment",
        "investment in ML",
        "invest invests investment investing funding funded budget budgets money spend spending",
        best=[
            ("ml_first", [("ml_first", "looks_like", "ceo invests")]),
            ("independent", [("independent", "strengths", "invest")]),
        ],
        worst=[("rnd", [("rnd", "challenges", "investment")])],
    ),
    _p(
        "implementation",
        "being put into practice",
        "implement implementing implementation practice achieve achieving pull culture cultural "
        "culturally realistic realistically",
        best=[],
        worst=[("ml_first", [("ml_first", "challenges", "hard to implement")])],
        phrases=("make happen", "pull off", "set up", "in practice", "get right"),
    ),
    _p(
        "long_term",
        "long-term work and big bets",
        "longterm long term bets bet moonshot moonshots breakthrough breakthroughs ambitious",
        best=[
            ("rnd", [("rnd", "strengths", "long-term business priorities")]),
            ("ml_first", [("ml_first", "looks_like", "long-term projects")]),
            ("independent", [("independent", "looks_like", "long-term research")]),
        ],
        worst=[("embedded", [("embedded", "challenges", "long-term ml projects")])],
        phrases=("long term", "big wins", "big bets"),
    ),
    _p(
        "compute",
        "access to compute",
        "compute gpu gpus hardware infrastructure cluster clusters",
        best=[("independent", [("independent", "strengths", "compute")])],
        worst=[("embedded", [("embedded", "challenges", "compute")])],
    ),
    _p(
        "quick_wins",
        "quick wins",
        "quick wins win easy lowhanging",
        best=[
            ("nascent", [("nascent", "strengths", "low-hanging fruit")]),
            ("ml_first", [("ml_first", "looks_like", "quick wins")]),
        ],
        worst=[],
        phrases=("quick wins", "quick win", "low hanging", "easy wins"),
    ),
    _p(
        "collaboration",
        "researchers and engineers working together",
        "collaboration collaborate collaborating together silo silos siloed closely",
        best=[
            ("independent", [("independent", "position", "work closely")]),
            ("ml_first", [("ml_first", "position", "works closely")]),
        ],
        worst=[("rnd", [("rnd", "position", "collaborating very little")])],
        dimension="engineering_vs_research",
    ),
    _p(
        "adoption",
        "getting users to adopt the models",
        "adopt adoption adopting users user handoff handoffs handover handed educate educated lines",
        best=[("ml_first", [("ml_first", "strengths", "product teams understand ml")])],
        worst=[("independent", [("independent", "challenges", "handoff of a model")])],
        phrases=("business lines", "buy in"),
    ),
    _p(
        "research",
        "research depth",
        "research researchy academic academia papers publish publishing publications science scientific "
        "phd phds doctoral doctorate",
        best=[
            ("rnd", [("rnd", "looks_like", "publish papers"), ("rnd", "position", "research comes clearly")]),
            ("independent", [("independent", "looks_like", "publish long-term research")]),
        ],
        worst=[("embedded", [("embedded", "position", "engineering skills come first")])],
        dimension="engineering_vs_research",
    ),
    _p(
        "engineering",
        "software engineering strength",
        "engineering engineers engineer software swe productionize",
        best=[("embedded", [("embedded", "position", "engineering skills come first")])],
        worst=[("rnd", [("rnd", "position", "research comes clearly")])],
        dimension="engineering_vs_research",
    ),
    _p(
        "model_ownership",
        "owning the models after deployment",
        "maintain maintains maintaining maintenance maintained own owns owning ownership operate operates",
        best=[
            ("embedded", [("embedded", "position", "full ownership")]),
            ("independent", [("independent", "position", "remains the one that maintains")]),
        ],
        worst=[
            ("rnd", [("rnd", "position", "seldom make it into production")]),
            ("ml_first", [("ml_first", "position", "operate and maintain")]),
        ],
        dimension="model_ownership",
    ),
)


@dataclass(frozen=True)
class Placed:
    """An archetype's place on a property: the facts that put it there."""

    archetype: Archetype
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Ranking:
    """A property resolved against one knowledge base's facts."""

    property: Property
    cue_stems: frozenset[str]
    best: tuple[Placed, ...]
    worst: tuple[Placed, ...]

    def facts_for(self, archetype_id: str) -> tuple[Fact, ...]:
        """Every fact this property holds about the archetype, favourable ones first."""
        return tuple(
            f
            for placed in (*self.best, *self.worst)
            if placed.archetype.id == archetype_id
            for f in placed.facts
        )

    def favoured(self, archetype_ids: list[str]) -> str | None:
        """Of these archetypes, the one the facts favour on this property, if they favour one."""
        order = [p.archetype.id for p in self.best] + [p.archetype.id for p in reversed(self.worst)]
        placed = [a for a in order if a in archetype_ids]
        if len(placed) < 2 and not (placed and placed[0] in {p.archetype.id for p in self.best}):
            return None
        return placed[0] if placed else None


def rankings(kb: KnowledgeBase) -> tuple[Ranking, ...]:
    """Every property with its references resolved against ``kb``'s facts (built once)."""
    facts = {a.id: list(facts_of(kb, a)) for a in kb.archetypes}

    def resolve(side: tuple[tuple[str, tuple[Ref, ...]], ...]) -> tuple[Placed, ...]:
        placed: list[Placed] = []
        for archetype_id, refs in side:
            archetype = kb.get(archetype_id)
            if not isinstance(archetype, Archetype):
                continue
            found: list[Fact] = []
            for owner, aspect, phrase in refs:
                for fact in facts.get(owner, []):
                    if (
                        fact.aspect == aspect
                        and phrase.casefold() in fact.text.casefold()
                        and fact not in found
                    ):
                        found.append(fact)
                        break
            if found:
                placed.append(Placed(archetype, tuple(found)))
        return tuple(placed)

    return tuple(
        Ranking(p, frozenset(stem(c) for c in p.cues), resolve(p.best), resolve(p.worst)) for p in PROPERTIES
    )
