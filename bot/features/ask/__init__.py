"""``@mlorg what's the downside of an R&D org?``: answers in the thread from the content."""

from __future__ import annotations

from bot.features.ask.listeners import register

__all__ = ["register"]
