"""Leadership summaries (``/mlorg summary``), settings (``/mlorg config``) and ``/mlorg forget me``."""

from __future__ import annotations

from bot.features.summary.listeners import register

__all__ = ["register"]
