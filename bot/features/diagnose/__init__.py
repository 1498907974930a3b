"""``/mlorg diagnose``: which archetype are we, why, and what to change, for a person or a team.

The flow runs in a modal rather than an ephemeral message: a modal can be updated
as often as the flow needs (``response_url`` allows five uses), survives a person
switching channels, and its state lives in the store, so ``/mlorg diagnose``
reopens it at the question where the person left off.
"""

from __future__ import annotations

from bot.features.diagnose.listeners import register

__all__ = ["register"]
