"""The shape of an answer for each kind of question: which facts answer it, and only those.

The answerer decides the kind (``answerer.py``); this module picks the facts for it:
an aspect of one topic, two archetypes side by side on what was asked, archetypes ranked by
a property, a described situation with what it asked for, the dimension's positions, or the
overview of the whole framework. Every fact is the content's own text.
"""

from __future__ import annotations

from collections import defaultdict

from knowledge.answering.index import Hit, PassageIndex, facts_of, next_steps_of, position_text
from knowledge.answering.kinds import Reading
from knowledge.answering.model import MAX_FACTS, MAX_OVERVIEW_FACTS, Answer, AnswerKind, Fact
from knowledge.answering.properties import Ranking
from knowledge.answering.text import content_tokens, query_tokens, stem
from knowledge.base import KnowledgeBase
from knowledge.lookup import Topic
from knowledge.models import Archetype, Dimension

__all__ = ["ASPECT_TITLES", "GENERIC", "Shapes"]

ASPECT_TITLES = {
    "strengths": "strengths",
    "challenges": "challenges",
    "looks_like": "what it looks like",
    "typical_organizations": "typical organizations",
    "position": "position on the design dimensions",
    "summary": "in short",
    "covers": "what it covers",
    "questions": "the questions it asks",
    "next_steps": "where to start (mlorg's advice)",
    "both_sides": "strengths and challenges",
}
#: Field weights for a described situation: what a team looks like says most about it.
SITUATION_WEIGHTS = {
    "looks_like": 1.3,
    "summary": 1.2,
    "position": 1.0,
    "challenges": 0.8,
    "strengths": 0.6,
    "typical_organizations": 0.6,
}
#: Query tokens that say how, not what ("best", "most"): they alone never make a match.
GENERIC = frozenset(
    stem(w)
    for w in [
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
    ]
)
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


class Shapes:
    """Builds each kind of answer from one knowledge base, its index and its property rankings."""

    def __init__(self, kb: KnowledgeBase, rankings: tuple[Ranking, ...]) -> None:
        self.kb = kb
        self.rankings = rankings

    # -- one topic ----------------------------------------------------------------------------

    def aspect(self, question: str, topic: Topic, aspect: str | None) -> Answer:
        facts = list(facts_of(self.kb, topic))
        if isinstance(topic, Archetype):
            if aspect == "next_steps" and topic.next_steps:
                chosen = list(next_steps_of(topic))
            elif aspect == "both_sides":
                chosen = list(
                    _round_robin(
                        [
                            [f for f in facts if f.aspect == "strengths"],
                            [f for f in facts if f.aspect == "challenges"],
                        ]
                    )
                )
            else:
                aspect = (
                    aspect
                    if aspect in ASPECT_TITLES
                    and aspect not in ("covers", "questions", "next_steps", "both_sides")
                    else "summary"
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
        # Anything about a dimension, or about where an archetype sits on them, is a dimension question.
        kind: AnswerKind = "dimension" if isinstance(topic, Dimension) or aspect == "position" else "aspect"
        return Answer(question, kind, headline, tuple(chosen[:MAX_FACTS]), (topic,), True)

    def dimensions(self, question: str, dimensions: tuple[Dimension, ...]) -> Answer:
        """Two or more dimensions side by side: what each asks and what it covers."""
        columns = [[f for f in facts_of(self.kb, d) if f.aspect in ("summary", "covers")] for d in dimensions]
        headline = " vs ".join(d.name for d in dimensions) + ": what each is about"
        return Answer(question, "dimension", headline, _round_robin(columns), dimensions, True)

    # -- several archetypes -------------------------------------------------------------------

    def compare(
        self, question: str, reading: Reading, topics: tuple[Archetype, ...], ranking: Ranking | None
    ) -> Answer:
        """Side by side on what was asked: a property, an aspect, a dimension, or every dimension."""
        topics = topics[:MAX_FACTS]
        aspect = (
            reading.aspect
            if reading.aspect in ("strengths", "challenges", "looks_like", "typical_organizations")
            and not reading.aspect_weak
            else None
        )
        dimension = reading.dimensions[0] if reading.dimensions else None
        if ranking is not None and aspect is None and dimension is None:
            return self._compare_on(question, topics, ranking)
        if (
            dimension is None
            and aspect is None
            and reading.cued_dimension is not None
            and (reading.ownership or reading.which)
        ):
            dimension = reading.cued_dimension
        if dimension is not None:
            aspect = None  # a named dimension is what the comparison is about ("model ownership differ")
        if reading.both_sides and dimension is None:
            return self._compare_both_sides(question, topics)
        columns: list[list[Fact]] = []
        for topic in topics:
            facts = list(facts_of(self.kb, topic))
            if aspect is not None:
                column = [f for f in facts if f.aspect == aspect]
            elif dimension is not None:
                column = self._position_or_summary(topic, dimension.id)
            else:
                column = [f for f in facts if f.aspect == "position"] or [
                    f for f in facts if f.aspect in ("summary", "looks_like")
                ]
            columns.append(column)
        names = " vs ".join(t.short_name for t in topics)
        what = ASPECT_TITLES[aspect] if aspect else (dimension.name if dimension else "the design dimensions")
        return Answer(question, "compare", f"{names}: {what}", _round_robin(columns), topics, True)

    def _compare_both_sides(self, question: str, topics: tuple[Archetype, ...]) -> Answer:
        """Pros and cons side by side: each archetype's strengths and challenges in turn."""
        columns = []
        for topic in topics:
            facts = list(facts_of(self.kb, topic))
            good = [f for f in facts if f.aspect == "strengths"]
            bad = [f for f in facts if f.aspect == "challenges"]
            columns.append(
                [f for pair in zip(good, bad, strict=False) for f in pair]
                + good[len(bad) :]
                + bad[len(good) :]
            )
        names = " vs ".join(t.short_name for t in topics)
        return Answer(
            question, "compare", f"{names}: strengths and challenges", _round_robin(columns), topics, True
        )

    def _compare_on(self, question: str, topics: tuple[Archetype, ...], ranking: Ranking) -> Answer:
        columns: list[list[Fact]] = []
        for topic in topics:
            column = list(ranking.facts_for(topic.id))
            if not column and ranking.property.dimension:
                column = self._position_or_summary(topic, ranking.property.dimension)
            columns.append(column or [Fact(topic, "summary", topic.summary)])
        names = " vs ".join(t.short_name for t in topics)
        headline = f"{names} on {ranking.property.name}"
        favoured = ranking.favoured([t.id for t in topics])
        if favoured is not None:
            headline += f": the framework favours {self.kb.get(favoured).short_name}"  # type: ignore[union-attr]
        return Answer(question, "compare", headline, _round_robin(columns), topics, True)

    def _position_or_summary(self, topic: Archetype, dimension_id: str) -> list[Fact]:
        text = position_text(self.kb, topic, dimension_id)
        return [Fact(topic, "position", text)] if text else [Fact(topic, "summary", topic.summary)]

    def ranked(self, question: str, text: str, ranking: Ranking, *, worst: bool) -> Answer | None:
        """Archetypes ranked by a property, the most (or least) favoured first; None if none is.

        Within a side, an archetype whose facts share the question's own words comes first:
        "where does investment stay smallest?" is R&D's fact, though Nascent's lack of
        support sits on the same side of the same property.
        """
        side = ranking.worst if worst else ranking.best
        if not side:
            return None
        asked = set(content_tokens(text)) - GENERIC - ranking.cue_stems
        placed = sorted(
            side, key=lambda p: -len(asked & {t for f in p.facts for t in content_tokens(f.text)})
        )[:2]
        facts = tuple(f for p in placed for f in p.facts[:2])[:MAX_FACTS]
        topics = tuple(p.archetype for p in placed)
        lead = topics[0].short_name
        word = "least" if worst else "most"
        headline = f"{lead} is the archetype the framework favours {word} on {ranking.property.name}"
        if len(topics) > 1:
            headline += f" (then {topics[1].short_name})"
        return Answer(question, "which", headline, facts, topics, True)

    def which(self, question: str, text: str, reading: Reading, index: PassageIndex) -> Answer | None:
        """Archetypes the passage search finds for a "which one…" question; None if nothing matched."""
        weights = {"position": 1.0}
        if reading.aspect in ("strengths", "challenges", "typical_organizations"):
            weights[reading.aspect] = 1.6
        hits = relevant(index.search(query_tokens(text), weights=weights, archetypes_only=True))
        if not hits:
            return None
        ranked = by_archetype(hits, keep=0.55, limit=4)
        facts = tuple(hit.fact for hit in (best[0] for best in ranked))
        topics = tuple(f.topic for f in facts)
        headline = "Archetypes that match: " + ", ".join(t.short_name for t in topics)
        return Answer(question, "which", headline, facts, topics, True)

    # -- a described situation ----------------------------------------------------------------

    def situation(
        self,
        question: str,
        text: str,
        reading: Reading,
        index: PassageIndex,
        *,
        prefer: tuple[Archetype, ...] = (),
    ) -> Answer | None:
        """The archetype the description resembles, the facts that matched, and what was asked.

        ``prefer``: archetypes the description itself points at ("a central ML unit"); the
        first one the search also finds leads, whatever its rank.
        """
        weights = SITUATION_WEIGHTS
        if {"why", "challenges"} & set(reading.asks):
            weights = {**weights, "challenges": 1.2}  # the symptom described is a challenge's
        hits = relevant(index.search(query_tokens(text), weights=weights, archetypes_only=True))
        if not hits and not prefer:
            return None
        ranked = by_archetype(hits, keep=0.5, limit=3) if hits else []
        preferred = [a.id for a in prefer]
        ranked.sort(
            key=lambda group: (
                preferred.index(group[0].fact.topic.id)
                if group[0].fact.topic.id in preferred
                else len(preferred)
            )
        )
        lead: Topic = ranked[0][0].fact.topic if ranked else prefer[0]
        if prefer and lead.id not in preferred:
            lead = prefer[0]
            ranked.insert(0, [h for h in hits if h.fact.topic.id == lead.id])
        lead_hits = ranked[0] if ranked else []
        matched = [hit.fact for hit in lead_hits[:2] if hit.fact.aspect not in ("challenges", "strengths")]
        if not matched:
            matched = [f for f in facts_of(self.kb, lead) if f.aspect == "looks_like"][:1]
        asked = self._asked(lead, reading, lead_hits)
        others = [best[0].fact for best in ranked[1:] if best]
        facts = _unique([*matched[: 1 if asked else 2], *asked, *others])[:MAX_FACTS]
        topics = (lead, *{f.topic.id: f.topic for f in facts if f.topic.id != lead.id}.values())
        headline = f"Sounds most like {lead.short_name}"
        if len(topics) > 1:
            headline += " (or " + ", ".join(t.short_name for t in topics[1:]) + ")"
        if asked:
            headline += f"; {_asked_title(asked)}"
        return Answer(question, "situation", headline, tuple(facts), topics, True, True)

    def move(self, question: str, source: Archetype, destination: Archetype | None) -> Answer:
        """A move between setups: what the current one gives (and would be lost), what the next brings and risks."""
        facts = list(facts_of(self.kb, source))
        chosen = [f for f in facts if f.aspect == "strengths"][:2]
        if destination is None:
            chosen += [f for f in facts if f.aspect == "challenges"][:2]
            headline = f"Moving away from {source.short_name}: what it gives you, and what holds it back"
            return Answer(question, "situation", headline, tuple(chosen), (source,), True, True)
        ahead = list(facts_of(self.kb, destination))
        chosen += [f for f in ahead if f.aspect == "strengths"][:2] + [
            f for f in ahead if f.aspect == "challenges"
        ][:2]
        headline = (
            f"From {source.short_name} to {destination.short_name}: what you would give up, "
            f"what you would gain, and the risks"
        )
        return Answer(
            question, "situation", headline, tuple(chosen[:MAX_FACTS]), (source, destination), True, True
        )

    def _asked(self, lead: Topic, reading: Reading, hits: list[Hit]) -> list[Fact]:
        """The facts for what a situation asks: its risks, where to start, or what explains a symptom."""
        facts = list(facts_of(self.kb, lead))
        asked: list[Fact] = []
        if "why" in reading.asks:
            # A symptom is explained by a challenge, or by where the setup sits ("researchers and
            # engineers collaborate very little" is R&D's position, not one of its challenges).
            challenge = [h for h in hits if h.fact.aspect == "challenges"][:1]
            position = [h for h in hits if h.fact.aspect == "position"][:1]
            asked += [h.fact for h in challenge] or [f for f in facts if f.aspect == "challenges"][:1]
            if position and (not challenge or position[0].score > challenge[0].score):
                asked.append(position[0].fact)
        if "challenges" in reading.asks:
            asked += [f for f in facts if f.aspect == "challenges"]
        if "strengths" in reading.asks:
            asked += [f for f in facts if f.aspect == "strengths"]
        if "next_steps" in reading.asks:
            if lead.id == "nascent":
                asked += [f for f in facts if f.aspect == "strengths"][:1]
            asked += list(next_steps_of(lead))[:2]
        return _unique(asked)[:4]

    # -- dimensions and the whole framework ---------------------------------------------------

    def dimension(self, question: str, dimension: Dimension, archetype: Archetype | None) -> Answer:
        summary = Fact(dimension, "summary", dimension.summary)
        if archetype is not None:
            text = position_text(self.kb, archetype, dimension.id)
            # The position answers the question; the dimension's own summary would only pad it.
            facts = (
                (Fact(archetype, "position", text),)
                if text is not None
                else (Fact(archetype, "summary", archetype.summary), summary)
            )
            headline = f"{archetype.short_name} on {dimension.name}"
            return Answer(question, "dimension", headline, facts, (archetype, dimension), True)
        placed = [
            Fact(candidate, "position", text)
            for candidate in self.kb.archetypes
            if (text := position_text(self.kb, candidate, dimension.id)) is not None
        ][: MAX_FACTS - 1]
        topics = (dimension, *(f.topic for f in placed))
        headline = f"{dimension.name}: where each archetype sits"
        return Answer(question, "dimension", headline, (summary, *placed), topics, True)

    def framework(self, question: str, reading: Reading) -> Answer:
        """The archetypes, the dimensions, or (for an overview) both, each named once."""
        archetypes, dimensions = self.kb.archetypes, self.kb.dimensions
        text = reading.text
        about_dimensions = any(
            w in text for w in ("dimension", "categor", "design", "axes", "factors", "think")
        )
        about_archetypes = "archetype" in text or "types" in text or "ways" in text
        count_a = _WORDS.get(len(archetypes), str(len(archetypes)))
        count_d = _WORDS.get(len(dimensions), str(len(dimensions)))
        dims = ", ".join(d.name for d in dimensions)
        if (about_dimensions and not about_archetypes and not reading.overview) or (
            about_dimensions and not about_archetypes and "design" in text
        ):
            headline = f"{count_d.capitalize()} design dimensions: {dims}"
            facts = tuple(Fact(d, "summary", d.summary) for d in dimensions)
            return Answer(question, "framework", headline, facts[:MAX_FACTS], tuple(dimensions), True)
        arch_facts = tuple(Fact(a, "summary", a.summary) for a in archetypes)
        names = ", ".join(a.short_name for a in archetypes)
        if about_archetypes and not reading.overview:
            headline = f"{count_a.capitalize()} archetypes: {names}"
            return Answer(
                question, "framework", headline, arch_facts[:MAX_FACTS], (*archetypes, *dimensions), True
            )
        headline = f"{count_a.capitalize()} archetypes ({names}) and {count_d} design dimensions ({dims})"
        facts = (*arch_facts, *(Fact(d, "summary", d.summary) for d in dimensions))
        return Answer(
            question, "framework", headline, facts[:MAX_OVERVIEW_FACTS], (*archetypes, *dimensions), True
        )


def _unique(facts: list[Fact]) -> list[Fact]:
    """Facts in order, each once (facts hold unhashable topics, so by topic, field and text)."""
    seen: set[tuple[str, str, str]] = set()
    kept: list[Fact] = []
    for fact in facts:
        key = (fact.topic.id, fact.aspect, fact.text)
        if key not in seen:
            seen.add(key)
            kept.append(fact)
    return kept


def _asked_title(asked: list[Fact]) -> str:
    aspects = list(dict.fromkeys(f.aspect for f in asked))
    return " and ".join(ASPECT_TITLES[a] if a != "next_steps" else "where to start" for a in aspects)


def relevant(hits: list[Hit]) -> list[Hit]:
    """Hits that share a meaningful word with the question; "best" alone is no match."""
    return [hit for hit in hits if hit.matched - GENERIC]


def by_archetype(hits: list[Hit], *, keep: float, limit: int) -> list[list[Hit]]:
    """Hits grouped by archetype, groups ranked by their best hit, weak groups dropped."""
    groups: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        groups[hit.fact.topic.id].append(hit)
    ranked = sorted(groups.values(), key=_weight, reverse=True)
    top = _weight(ranked[0])
    return [group for group in ranked if _weight(group) >= keep * top][:limit]


def _weight(group: list[Hit]) -> float:
    """An archetype's evidence: its best passage, and half its second (two facts beat one)."""
    return group[0].score + (0.5 * group[1].score if len(group) > 1 else 0.0)


def _round_robin(columns: list[list[Fact]]) -> tuple[Fact, ...]:
    """Facts taken in turns from each column, so every topic is heard before the cap."""
    chosen: list[Fact] = []
    for row in range(max((len(c) for c in columns), default=0)):
        for column in columns:
            if row < len(column) and len(chosen) < MAX_FACTS:
                chosen.append(column[row])
    return tuple(chosen)
