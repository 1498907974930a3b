"""One playable quiz question, a quiz's selection, and the parsing of ``/mlorg quiz N topic``.

These are the shapes the rest of the quiz package (and the Slack adapter) trade in:
a :class:`QuizItem` is what a player sees and answers, whether a person wrote it or
the generator derived it from the content.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from knowledge.lookup import Lookup, Topic, normalize
from knowledge.models import QuizQuestion

__all__ = [
    "DEFAULT_COUNT",
    "MAX_COUNT",
    "MAX_OPTION_ID",
    "Difficulty",
    "QuizItem",
    "Selection",
    "Source",
    "canonical_options",
    "digest",
    "item_from_authored",
    "parse_quiz_request",
]

#: How many questions ``/mlorg quiz`` asks when no count is given, and the most it will ask.
DEFAULT_COUNT = 5
MAX_COUNT = 20
#: An option id travels in a button value; it stays this short.
MAX_OPTION_ID = 20

Source = Literal["authored", "generated"]
Difficulty = Literal["easy", "medium", "hard"]


@dataclass(frozen=True)
class QuizItem:
    """One playable question, authored or generated, ready to render.

    ``options`` are ``(option id, text)`` pairs in display order; option ids are short
    slugs (at most 20 characters) because they travel in Slack button values, and are
    stable across shuffles, so ``answer`` names the correct one whatever the order.
    ``topic`` is the archetype or dimension id the question draws on; ``also_about``
    lists further topics it speaks to (a stance question is about an archetype *and* a
    dimension), so a quiz about either topic may include it.
    """

    id: str
    prompt: str
    options: tuple[tuple[str, str], ...]
    answer: str
    explanation: str
    topic: str
    source: Source
    difficulty: Difficulty = "medium"
    also_about: tuple[str, ...] = ()

    @property
    def answer_text(self) -> str:
        return self.option_text(self.answer) or ""

    def option_text(self, option_id: str) -> str | None:
        """The text of the option with this id, or None (ids arrive in button values)."""
        return next((text for oid, text in self.options if oid == option_id), None)

    def is_correct(self, option_id: str) -> bool:
        return option_id == self.answer

    def is_about(self, topic_id: str) -> bool:
        return topic_id == self.topic or topic_id in self.also_about


@dataclass(frozen=True)
class Selection:
    """The questions picked for one quiz, or why none could be.

    ``items`` is empty exactly when ``problem`` is set. ``problem`` is a friendly
    plain-text message (it quotes what the person typed, clipped: a renderer must
    escape it); ``lookup`` carries the suggestions to offer as buttons. ``requested``
    is the count after clamping to 1..:data:`MAX_COUNT`; fewer items than that means the
    topic has fewer distinct questions.
    """

    items: tuple[QuizItem, ...]
    topic: Topic | None = None
    problem: str | None = None
    lookup: Lookup | None = None
    requested: int = DEFAULT_COUNT

    @property
    def ok(self) -> bool:
        return self.problem is None


def parse_quiz_request(text: str) -> tuple[int, str | None]:
    """Split what follows ``quiz`` into (count, topic text): ``"5"``, ``"data ownership"`` or
    ``"5 data ownership"``. Only a leading number is a count, so ``"2"`` asks two questions
    while ``"type 2"`` names the second archetype; without one the count is
    :data:`DEFAULT_COUNT`. The count is not clamped here; :meth:`QuestionBank.select` does that.
    """
    words = text.split()
    count = DEFAULT_COUNT
    if words and words[0].isdecimal() and len(words[0]) <= 6:
        count = int(words.pop(0))
    return count, " ".join(words) or None


def item_from_authored(question: QuizQuestion) -> QuizItem:
    return QuizItem(
        id=question.id,
        prompt=question.prompt,
        options=canonical_options(question.id, [(o.id, o.text) for o in question.options]),
        answer=question.answer,
        explanation=question.explanation,
        topic=question.topic,
        source="authored",
        difficulty=question.difficulty,
    )


def digest(text: str) -> str:
    return hashlib.sha1(normalize(text).encode("utf-8"), usedforsecurity=False).hexdigest()[:8]


def canonical_options(item_id: str, options: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A fixed order that does not give the answer away: content lists the answer first, and a
    renderer that shows :meth:`QuestionBank.by_id` without a selection's shuffle must not."""
    return tuple(sorted(options, key=lambda option: digest(f"{item_id} {option[0]}")))
