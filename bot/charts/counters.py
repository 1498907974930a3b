"""What chart delivery reports to the operator's metrics, without importing them.

``bot/observability`` watches the app and nothing in the app imports it (the
composition root wires it in), so chart delivery names the two things it counts
here and :class:`bot.observability.metrics.Metrics` implements them. Tests and
tools that do not care pass nothing and get :data:`NO_COUNTERS`.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["NO_COUNTERS", "ChartCounters"]


class ChartCounters(Protocol):
    def chart_upload(self, outcome: str) -> None:
        """One upload attempt ended: ``ok`` or why not (``missing_scope``, ``timeout``, ...)."""

    def chart_dropped(self, reason: str, count: int = 1) -> None:
        """``count`` charts were left out of a message that went out without them, and why."""


class _NoCounters:
    def chart_upload(self, outcome: str) -> None:
        pass

    def chart_dropped(self, reason: str, count: int = 1) -> None:
        pass


#: Counts nothing: for callers without metrics.
NO_COUNTERS: ChartCounters = _NoCounters()
