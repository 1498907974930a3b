"""The charts an outbox item carries: uploaded once per item, whatever happens to the post.

The worker calls :func:`upload_charts` after checking that the item is not in the
channel already and before posting. Every chart without an outcome is uploaded, and
the outcomes (file id, or why not) are written to the item under its claim before the
post is attempted: a post that fails and is retried, or an item resumed after a crash,
finds the file ids and posts the same images without uploading again. A chart whose
upload failed stays out of every attempt; the summary goes out with its text.
"""

from __future__ import annotations

import dataclasses

from bot.charts import ChartUploader, Placement, charts_of, placements
from bot.store import Outbox, OutboxItem

__all__ = ["upload_charts"]


async def upload_charts(outbox: Outbox, uploader: ChartUploader, item: OutboxItem) -> list[Placement] | None:
    """The item's image blocks, uploading what has not been yet; None if the claim was lost meanwhile."""
    charts = charts_of(item.payload)
    if all(chart.settled for chart in charts):
        return placements(charts)
    settled = []
    for chart in charts:
        if not chart.settled:
            file_id = await uploader.upload(chart.chart)
            chart = dataclasses.replace(chart, file_id=file_id, dropped=None if file_id else "upload_failed")
        settled.append(chart)
    if await outbox.record_charts(item, [chart.entry() for chart in settled]) is None:
        return None
    return placements(settled)
