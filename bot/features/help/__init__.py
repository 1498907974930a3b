"""``/mlorg`` and ``/mlorg help``: what mlorg does, every subcommand with an example."""

from __future__ import annotations

from bot.features.help.listeners import register

__all__ = ["register"]
