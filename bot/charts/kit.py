"""What a feature needs to show charts, built once by the composition root.

Features receive it in ``Deps.charts``; the one drawing thread and the counters are
shared by every feature, while an uploader is made per call for the client Bolt hands
that listener.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from slack_sdk.web.async_client import AsyncWebClient

from bot.charts.blocks import Placement
from bot.charts.counters import NO_COUNTERS, ChartCounters
from bot.charts.post import ChartPoster
from bot.charts.render import ChartRenderer
from bot.charts.upload import ChartUploader
from knowledge.charts.model import Chart

__all__ = ["ChartKit"]


@dataclass
class ChartKit:
    counters: ChartCounters = NO_COUNTERS
    renderer: ChartRenderer = field(init=False)
    poster: ChartPoster = field(init=False)

    def __post_init__(self) -> None:
        self.renderer = ChartRenderer(self.counters)
        self.poster = ChartPoster(self.counters)

    def uploader(self, client: AsyncWebClient) -> ChartUploader:
        return ChartUploader(client, self.counters)

    async def images(
        self,
        client: AsyncWebClient,
        surface: str,
        draw: Callable[[], Iterable[Chart]],
        anchors: Mapping[str, str] | None = None,
    ) -> list[Placement]:
        """Draw (off the loop) and upload; the image blocks of the charts that made it, for
        :meth:`ChartPoster.post_message` and friends. Never raises for a chart's sake."""
        charts = await self.renderer.render(surface, draw)
        return await self.uploader(client).place(charts, anchors) if charts else []

    async def aclose(self) -> None:
        await self.renderer.aclose()
