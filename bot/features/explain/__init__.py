"""``/mlorg explain`` and ``/mlorg compare``: cards for archetypes and dimensions."""

from __future__ import annotations

from bot.features.explain.listeners import ExplainRenderer, register

__all__ = ["ExplainRenderer", "register"]
