"""Quizzes: the questions, how a quiz is picked, how it is scored, and what the answers say.

Teams learn the framework by playing with it. The package is split by job:

* :mod:`~knowledge.quiz.items`: one playable question (:class:`QuizItem`), a quiz's
  :class:`Selection`, and the parsing of ``quiz N topic``;
* :mod:`~knowledge.quiz.generator`: questions derived from the content itself, never
  with two right answers;
* :mod:`~knowledge.quiz.bank`: the :class:`QuestionBank` (authored questions from
  ``content/quiz.yaml`` plus generated ones) and :meth:`QuestionBank.select`;
* :mod:`~knowledge.quiz.scoring`: the thread's :func:`scoreboard`, ties shown as ties;
* :mod:`~knowledge.quiz.stats`: :func:`question_stats`, the leadership summary's figures.
"""

from __future__ import annotations

from knowledge.quiz.bank import QuestionBank
from knowledge.quiz.generator import NEAR_IDENTICAL, THEMES, generated_questions
from knowledge.quiz.items import (
    DEFAULT_COUNT,
    MAX_COUNT,
    MAX_OPTION_ID,
    QuizItem,
    Selection,
    item_from_authored,
    parse_quiz_request,
)
from knowledge.quiz.scoring import ScoreLine, scoreboard
from knowledge.quiz.stats import (
    MIN_ANSWERS_FOR_MISSED,
    AnswerRecord,
    QuestionTally,
    QuizStats,
    TopicTally,
    question_stats,
    released_answers,
    round_section,
)

__all__ = [
    "DEFAULT_COUNT",
    "MAX_COUNT",
    "MAX_OPTION_ID",
    "MIN_ANSWERS_FOR_MISSED",
    "NEAR_IDENTICAL",
    "THEMES",
    "AnswerRecord",
    "QuestionBank",
    "QuestionTally",
    "QuizItem",
    "QuizStats",
    "ScoreLine",
    "Selection",
    "TopicTally",
    "generated_questions",
    "item_from_authored",
    "parse_quiz_request",
    "question_stats",
    "released_answers",
    "round_section",
    "scoreboard",
]
