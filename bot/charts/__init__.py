"""Getting charts into Slack: drawn off the event loop, uploaded once, shown in image blocks.

A chart only ever adds to text that already says everything, so every step here
degrades to "no picture" (logged with why, counted in metrics) and never to an
error for the person or a lost message.

- :class:`ChartRenderer` runs a drawing function on one dedicated thread.
- :class:`ChartUploader` uploads with ``files_upload_v2`` and returns the file id or None.
- :func:`image_block` / :func:`with_images` place the images in blocks (pure).
- :class:`ChartPoster` posts or updates with the images, waiting briefly while Slack
  processes the files, else without them.
- :func:`chart_payload` carries charts in an outbox item.
- :class:`ChartKit` bundles them for features (``Deps.charts``).
"""

from __future__ import annotations

from bot.charts.blocks import MESSAGE_BLOCK_LIMIT, Placement, image_block, is_image_block, with_images
from bot.charts.counters import NO_COUNTERS, ChartCounters
from bot.charts.kit import ChartKit
from bot.charts.payload import PayloadChart, chart_payload, charts_of, placements
from bot.charts.post import ChartPoster, rejects_slack_file
from bot.charts.render import ChartRenderer
from bot.charts.upload import ChartUploader

__all__ = [
    "MESSAGE_BLOCK_LIMIT",
    "NO_COUNTERS",
    "ChartCounters",
    "ChartKit",
    "ChartPoster",
    "ChartRenderer",
    "ChartUploader",
    "PayloadChart",
    "Placement",
    "chart_payload",
    "charts_of",
    "image_block",
    "is_image_block",
    "placements",
    "rejects_slack_file",
    "with_images",
]
