"""Answer free-text questions about the framework from its content (no Slack here).

Build one :class:`Answerer` per knowledge base (it indexes every passage once) and call
:meth:`Answerer.answer` per question. See ``answerer.py`` for the kinds of question.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from knowledge.answering.answerer import Answerer
from knowledge.answering.model import Answer, AnswerKind, Fact
from knowledge.base import KnowledgeBase

__all__ = ["Answer", "AnswerKind", "Answerer", "Fact", "answer"]

#: One answerer per knowledge base, so the convenience function indexes the content once;
#: weak keys let a knowledge base (and its index) go when nothing else holds it.
_ANSWERERS: WeakKeyDictionary[KnowledgeBase, Answerer] = WeakKeyDictionary()


def answer(kb: KnowledgeBase, question: str, subject: str | None = None) -> Answer:
    """Answer with a cached :class:`Answerer` for ``kb``; for callers that hold no answerer."""
    answerer = _ANSWERERS.get(kb)
    if answerer is None:
        answerer = _ANSWERERS[kb] = Answerer(kb)
    return answerer.answer(question, subject=subject)
