"""Answer free-text questions about the framework from its content (no Slack here).

Build one :class:`Answerer` per knowledge base (it indexes every passage once) and call
:meth:`Answerer.answer` per question. See ``answerer.py`` for the kinds of question.
"""

from __future__ import annotations

from knowledge.answering.answerer import Answerer
from knowledge.answering.model import Answer, AnswerKind, Fact

__all__ = ["Answer", "AnswerKind", "Answerer", "Fact"]
