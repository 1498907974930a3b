"""The pictures of a diagnosis: a person's result chart, and the team summary's charts.

Charts come after the words, never before them: the result modal and the team thread
are drawn from text first (right after the ack), then each chart is drawn off the event
loop, uploaded, and the same surface redrawn with the image in place. A chart that
cannot be drawn or uploaded just leaves the text as it is.

A person's chart is kept per flow (bounded, per process), so that redrawing the result
after a share, and the shared post itself, show the same file instead of uploading it
again; another replica that never saw it draws and uploads its own copy.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import ChartKit, Placement
from bot.features.diagnose import ids
from bot.slack_text import api_error
from knowledge.charts import render_diagnosis, render_team
from knowledge.diagnosis import Diagnosis, TeamAggregate

__all__ = ["ResultCharts", "team_images"]

log = logging.getLogger(__name__)

#: How many people's result charts one process remembers.
_REMEMBERED = 512


class ResultCharts:
    """A person's result chart, uploaded once per flow and shown wherever the result is."""

    def __init__(self, kit: ChartKit) -> None:
        self.kit = kit
        self._placed: OrderedDict[tuple[str, str], list[Placement]] = OrderedDict()
        self._drawing: dict[tuple[str, str], asyncio.Future[list[Placement]]] = {}

    async def images(
        self, client: AsyncWebClient, team_id: str, flow_id: str, diagnosis: Diagnosis
    ) -> list[Placement]:
        """The result's image blocks: remembered for this flow, or drawn and uploaded now."""
        key = (team_id, flow_id)
        if key in self._placed:
            self._placed.move_to_end(key)
            return self._placed[key]
        # A double click on the last answer redraws the result twice: one upload serves both.
        drawing = self._drawing.get(key)
        if drawing is None:
            drawing = asyncio.ensure_future(
                self.kit.images(
                    client,
                    "diagnosis",
                    lambda: (render_diagnosis(diagnosis),),
                    {"diagnosis": ids.RESULT_SHARES_BLOCK},
                )
            )
            self._drawing[key] = drawing
            drawing.add_done_callback(lambda _: self._drawing.pop(key, None))
        placed = await asyncio.shield(drawing)
        if placed:
            self._placed[key] = placed
            while len(self._placed) > _REMEMBERED:
                self._placed.popitem(last=False)
        return placed

    def remembered(self, team_id: str, flow_id: str) -> list[Placement]:
        """What is already uploaded for this flow (nothing drawn or uploaded now)."""
        return self._placed.get((team_id, flow_id), [])

    async def add_to_view(
        self,
        client: AsyncWebClient,
        *,
        team_id: str,
        flow_id: str,
        diagnosis: Diagnosis,
        view_id: str,
        view: dict[str, Any],
        hash: str | None,
    ) -> None:
        """Redraw the result modal with its chart, unless the person moved on meanwhile
        (``hash`` is the shown result's: a newer view wins). Never raises."""
        if not view_id:
            return
        try:
            placed = await self.images(client, team_id, flow_id, diagnosis)
            if placed:
                await self.kit.poster.update_view(
                    client, view_id=view_id, view=view, images=placed, hash=hash
                )
        except SlackApiError as error:
            log.info("diagnosis chart not shown: %s", api_error(error))
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            log.info("diagnosis chart not shown: %s", type(error).__name__)


async def team_images(kit: ChartKit, client: AsyncWebClient, team: TeamAggregate) -> Sequence[Placement]:
    """The team summary's charts; none below the minimum group (``render_team`` draws nothing then)."""
    if not team.visible:
        return []
    return await kit.images(client, "team summary", lambda: render_team(team), ids.TEAM_CHART_ANCHORS)
