"""The App Home tab: the framework at a glance, a modal per topic.

Ephemeral messages fade; the Home tab is where a person can always find the
framework again.
"""

from __future__ import annotations

from bot.features.home.listeners import register

__all__ = ["register"]
