"""``/mlorg quiz``: quizzes played in a thread, with private feedback and a scoreboard."""

from __future__ import annotations

from bot.features.quiz.engine import QuizEngine
from bot.features.quiz.listeners import register

__all__ = ["QuizEngine", "register"]
