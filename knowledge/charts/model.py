"""What a chart is once drawn: PNG bytes with the words that stand in for them.

A chart never travels alone: Slack shows ``alt`` to screen readers and in
notifications, so it carries the numbers the picture shows, and ``title`` is the
short caption above the image. ``key`` names the chart's kind, stable across
releases, so an outbox item, a file name and a test can all refer to it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALT_LIMIT", "TITLE_LIMIT", "Chart"]

#: Slack's limits for an image block's ``alt_text`` and ``title``.
ALT_LIMIT = 2000
TITLE_LIMIT = 2000


@dataclass(frozen=True)
class Chart:
    """One drawn chart: ``png`` is a complete PNG file, the same bytes for the same result."""

    #: Stable kind, e.g. ``diagnosis``, ``team-mix``, ``summary-trend``; also the file name's stem.
    key: str
    #: The caption shown above the image (plain text).
    title: str
    #: The numbers in words, for screen readers and notifications (at most ALT_LIMIT characters).
    alt: str
    png: bytes

    @property
    def filename(self) -> str:
        return f"mlorg-{self.key}.png"
