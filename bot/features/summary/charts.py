"""The leadership summary's charts, stored with the summary so they are never uploaded twice.

A preview (``/mlorg summary``) draws the charts and uploads them at once, so the admin
sees what will be posted; the held outbox item carries each chart with its file id, and
Post delivers that message as it is. A scheduled digest has no preview: its item carries
the charts' PNGs and the outbox worker uploads them when it delivers (recording the file
ids under its claim, so a retry reuses them). Either way a chart that fails to draw or
upload leaves the summary's words to go out alone.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import ChartKit, ChartRenderer, PayloadChart, Placement, chart_payload, image_block
from bot.features.summary.blocks import CHART_ANCHORS
from knowledge.charts import render_summary
from knowledge.summary import Summary

__all__ = ["digest_charts", "preview_charts"]


async def preview_charts(
    kit: ChartKit, client: AsyncWebClient, summary: Summary
) -> tuple[list[dict[str, Any]], list[Placement]]:
    """Draw and upload now: the payload's ``charts`` (with file ids) and the preview's images.

    A chart whose upload failed stays in the payload without a file id, so the worker
    tries it once more when the summary is posted.
    """
    charts = await kit.renderer.render("summary", render_summary, summary)
    uploader = kit.uploader(client)
    entries: list[dict[str, Any]] = []
    placed: list[Placement] = []
    for chart in charts:
        anchor = CHART_ANCHORS.get(chart.key)
        file_id = await uploader.upload(chart)
        entries.append(PayloadChart(chart, anchor, file_id=file_id).entry())
        if file_id is not None:
            placed.append(Placement(anchor, image_block(file_id, chart)))
    return entries, placed


async def digest_charts(renderer: ChartRenderer, summary: Summary) -> list[dict[str, Any]]:
    """Draw only: the payload's ``charts``, uploaded by the outbox worker on delivery."""
    return chart_payload(await renderer.render("digest", render_summary, summary), CHART_ANCHORS)
