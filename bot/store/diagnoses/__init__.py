"""Diagnosis conversations and team sessions, kept so they survive restarts and replicas.

Every change is conditional on the state the click was made against: an answer moves
a flow on only if the flow is still active and at the step the button was drawn for.
A double click, a replayed button, or the same click arriving at two replicas therefore
changes the flow exactly once, and the losers simply see the current state.

Split by responsibility: ``model`` (what callers get back, and how rows become it) and
``repository`` (the flows' and team sessions' conditional changes and queries).
"""

from __future__ import annotations

from bot.store.diagnoses.model import Flow, FlowStatus, TeamResponse, TeamSession
from bot.store.diagnoses.repository import Diagnoses

__all__ = ["Diagnoses", "Flow", "FlowStatus", "TeamResponse", "TeamSession"]
