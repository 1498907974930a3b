"""Quizzes and their answers.

"The first answer counts" is the primary key of ``quiz_answers`` (quiz, question
position, user) plus ``INSERT ... ON CONFLICT DO NOTHING``: a double click, two
clicks racing, or the same click on two replicas store one answer. Moving to the
next question and ending a quiz are conditional updates, so a host's click, a
timer and a second replica cannot advance a question twice.

Split by responsibility: ``model`` (what callers get back), ``answers`` (storing answers,
group-committed), ``repository`` (the quiz's life and the queries over it).
"""

from __future__ import annotations

from bot.store.quizzes.model import AnswerOutcome, Quiz, QuizAnswer, QuizStatus, Standing
from bot.store.quizzes.repository import Quizzes

__all__ = ["AnswerOutcome", "Quiz", "QuizAnswer", "QuizStatus", "Quizzes", "Standing"]
