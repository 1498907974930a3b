"""The loaded framework: topics by id, and lookup by whatever a person types."""

from __future__ import annotations

import re

from knowledge.lookup import Lookup, LookupIndex, Topic
from knowledge.models import Archetype, Dimension, Question, QuizQuestion

__all__ = ["KnowledgeBase"]

#: Explicit separators between two topics: "rnd vs embedded", "rnd, embedded", "rnd and embedded".
_PAIR_SEPARATOR = re.compile(r"\s+(?:vs\.?|versus|v\.?|with|to|and)\s+|\s*[,/|]\s*", re.IGNORECASE)
#: Two topic names never need more; the separator pattern backtracks quadratically on long
#: runs of whitespace, so hostile input is cut first (a 20k-space message took ~17 s).
_MAX_PAIR_TEXT = 250


class KnowledgeBase:
    """Validated, immutable content plus the indexes built from it once.

    Build it with :func:`knowledge.load_knowledge`; constructing it directly
    skips the cross-reference checks the loader performs.
    """

    def __init__(
        self,
        archetypes: tuple[Archetype, ...],
        dimensions: tuple[Dimension, ...],
        questions: tuple[Question, ...] = (),
        role_question: Question | None = None,
        quiz: tuple[QuizQuestion, ...] = (),
    ) -> None:
        self.archetypes = archetypes
        self.dimensions = dimensions
        #: The diagnosis's scored questions, in file order (mlorg's own model, not the framework's).
        self.questions = questions
        #: The optional question that sorts answers into leaders and contributors.
        self.role_question = role_question
        #: The authored quiz questions, in file order. :class:`knowledge.quiz.QuestionBank` adds
        #: the questions generated from the content and does the selecting.
        self.quiz = quiz
        self._quiz: dict[str, QuizQuestion] = {q.id: q for q in quiz}
        self._questions: dict[str, Question] = {q.id: q for q in questions}
        if role_question is not None:
            self._questions[role_question.id] = role_question
        topics: tuple[Topic, ...] = (*archetypes, *dimensions)
        self._by_id: dict[str, Topic] = {t.id: t for t in topics}
        self._index = LookupIndex(archetypes, dimensions)

    @property
    def topics(self) -> tuple[Topic, ...]:
        return (*self.archetypes, *self.dimensions)

    def get(self, topic_id: str) -> Topic | None:
        """The topic with this exact id, or None (ids come from our own buttons)."""
        return self._by_id.get(topic_id)

    def archetype(self, archetype_id: str) -> Archetype:
        topic = self._by_id.get(archetype_id)
        if not isinstance(topic, Archetype):
            raise KeyError(archetype_id)
        return topic

    def dimension(self, dimension_id: str) -> Dimension:
        topic = self._by_id.get(dimension_id)
        if not isinstance(topic, Dimension):
            raise KeyError(dimension_id)
        return topic

    def question(self, question_id: str) -> Question | None:
        """The scored or role question with this id, or None (ids arrive in button values)."""
        return self._questions.get(question_id)

    def quiz_question(self, question_id: str) -> QuizQuestion | None:
        """The authored quiz question with this id, or None (ids arrive in button values)."""
        return self._quiz.get(question_id)

    def find(self, query: str) -> Lookup:
        """Resolve free text to a topic, or suggestions; never raises."""
        return self._index.find(query)

    def find_pair(self, text: str) -> tuple[Lookup, Lookup]:
        """Split "A vs B" (or "A B" with multi-word names) into two lookups.

        An explicit separator wins; otherwise every split point between words is
        tried and the first where both halves resolve is taken, so
        "product embedded r&d" works without quotes. When nothing resolves, the
        halves of the most plausible split come back with their suggestions.
        """
        text = text.strip()[:_MAX_PAIR_TEXT]
        splits: list[tuple[str, str]] = []
        parts = [p for p in _PAIR_SEPARATOR.split(text, maxsplit=1) if p.strip()]
        if len(parts) == 2:
            splits.append((parts[0], parts[1]))
        words = text.split()
        splits += [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, min(len(words), 12))]
        # Resolved lazily: a half that is not a name costs a fuzzy match (milliseconds), and
        # the usual "rnd vs independent" is settled by the first split.
        candidates: list[tuple[Lookup, Lookup]] = []
        for left_text, right_text in splits:
            left, right = self.find(left_text), self.find(right_text)
            if left.found and right.found:
                return left, right
            candidates.append((left, right))
        for left, right in candidates:
            if left.found or right.found:
                return left, right
        return candidates[0] if candidates else (self.find(text), Lookup(""))
