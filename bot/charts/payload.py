"""Charts as they travel in an outbox item's payload (JSON), so a retry never uploads twice.

An enqueuer stores each chart beside the summary's blocks with :func:`chart_payload`:
``{"key", "title", "alt", "png" (base64), "anchor"}``. The outbox worker uploads each
entry that has no outcome yet and records it under its claim before posting:
``file_id`` once uploaded, or ``dropped`` (why) once the upload failed. A later
attempt (after a failed post, or a crash) reuses what is recorded, so each chart is
uploaded at most once per item and every attempt posts the same message.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.charts.blocks import Placement, image_block
from knowledge.charts.model import Chart

__all__ = ["PayloadChart", "chart_payload", "charts_of", "placements"]


def chart_payload(charts: Iterable[Chart], anchors: Mapping[str, str]) -> list[dict[str, Any]]:
    """The ``charts`` entry of an outbox payload; ``anchors`` maps a chart's key to the
    ``block_id`` its image follows (a chart without one goes at the end)."""
    return [
        {
            "key": chart.key,
            "title": chart.title,
            "alt": chart.alt,
            "png": base64.b64encode(chart.png).decode("ascii"),
            "anchor": anchors.get(chart.key),
        }
        for chart in charts
    ]


@dataclass(frozen=True)
class PayloadChart:
    """One entry of a payload's ``charts``: the chart, and what became of its upload so far."""

    chart: Chart
    anchor: str | None
    file_id: str | None = None
    dropped: str | None = None

    @property
    def settled(self) -> bool:
        """Uploaded or given up on: nothing more to do before posting."""
        return self.file_id is not None or self.dropped is not None

    def entry(self) -> dict[str, Any]:
        """Back to its JSON form, outcome included.

        Once uploaded, the PNG itself is dropped: Slack holds the file, and an outbox that
        keeps every digest would otherwise keep every picture twice.
        """
        (entry,) = chart_payload([self.chart], {self.chart.key: self.anchor} if self.anchor else {})
        if self.file_id is not None:
            entry["file_id"] = self.file_id
            del entry["png"]
        if self.dropped is not None:
            entry["dropped"] = self.dropped
        return entry


def charts_of(payload: Mapping[str, Any]) -> list[PayloadChart]:
    """The charts an outbox payload carries; a malformed entry is skipped, never fatal."""
    found: list[PayloadChart] = []
    for raw in payload.get("charts") or []:
        if not isinstance(raw, Mapping):
            continue
        try:
            png = base64.b64decode(str(raw.get("png") or ""), validate=True)
        except (binascii.Error, ValueError):
            continue
        key, anchor, file_id, dropped = (raw.get(name) for name in ("key", "anchor", "file_id", "dropped"))
        if not key or not (png or file_id):
            continue  # nothing to upload and nothing uploaded
        chart = Chart(key=str(key), title=str(raw.get("title") or ""), alt=str(raw.get("alt") or ""), png=png)
        found.append(
            PayloadChart(
                chart,
                str(anchor) if anchor else None,
                str(file_id) if file_id else None,
                str(dropped) if dropped else None,
            )
        )
    return found


def placements(charts: Sequence[PayloadChart]) -> list[Placement]:
    """Image blocks for the uploaded ones, each after its anchor."""
    return [Placement(c.anchor, image_block(c.file_id, c.chart)) for c in charts if c.file_id is not None]
