"""Sending a message or view that shows uploaded charts, and sending it without them if need be.

Slack processes an uploaded file asynchronously: for a moment after
``files.completeUploadExternal`` a block referencing it is refused with
``invalid_blocks`` and an error pointing at ``slack_file``. So that refusal is tried
again a few times after short waits (0.5 s, 1 s, 2 s); if Slack still refuses, the
same message goes out without its image blocks, text intact, and the operator sees
why in the log and metrics. Any other error is the caller's, unchanged, exactly as if
there had been no images.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook import WebhookResponse

from bot.charts.blocks import MESSAGE_BLOCK_LIMIT, Placement, with_images
from bot.charts.counters import NO_COUNTERS, ChartCounters
from bot.slack_text import api_error

__all__ = ["NOT_READY_DELAYS", "VIEW_BLOCK_LIMIT", "ChartPoster", "rejects_slack_file"]

log = logging.getLogger(__name__)

#: Waits before each new try while Slack is still processing an uploaded file.
NOT_READY_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0)
#: Slack's limit for a modal or the Home tab.
VIEW_BLOCK_LIMIT = 100

Blocks = Sequence[Mapping[str, Any]]
Send = Callable[[list[dict[str, Any]]], Awaitable[AsyncSlackResponse]]
Sleep = Callable[[float], Awaitable[None]]


def rejects_slack_file(error: SlackApiError) -> bool:
    """True when Slack refused the blocks because of a ``slack_file`` (not processed yet, or unknown)."""
    if api_error(error) != "invalid_blocks":
        return False
    data = getattr(error.response, "data", None)
    if not isinstance(data, dict):
        return False
    metadata = data.get("response_metadata")
    messages = metadata.get("messages") if isinstance(metadata, dict) else None
    reasons = [*(data.get("errors") or []), *(messages or [])]
    return any("slack_file" in str(reason) for reason in reasons)


class ChartPoster:
    """Sends blocks with image blocks inserted, falling back to the blocks alone."""

    def __init__(
        self,
        counters: ChartCounters = NO_COUNTERS,
        *,
        delays: Sequence[float] = NOT_READY_DELAYS,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.counters = counters
        self.delays = tuple(delays)
        self._sleep = sleep

    async def send(
        self,
        send: Send,
        blocks: Blocks,
        images: Sequence[Placement],
        *,
        what: str,
        limit: int = MESSAGE_BLOCK_LIMIT,
    ) -> AsyncSlackResponse:
        """``send(blocks with images)``, retried while Slack is still processing the files, then
        ``send(blocks)``. ``what`` names the message in the log (``summary to C123``)."""
        full = with_images(blocks, images, limit=limit)
        shown = len(full) - len(blocks)
        if shown < len(images):
            self.counters.chart_dropped("no_room", len(images) - shown)
            log.warning(
                "charts: %d chart(s) left out of the %s: no room within %d blocks",
                len(images) - shown,
                what,
                limit,
            )
        if not shown:
            return await send(full)
        for delay in (*self.delays, None):
            try:
                return await send(full)
            except SlackApiError as error:
                if not rejects_slack_file(error):
                    raise
                if delay is None:
                    break
                log.info(
                    "charts: Slack is still processing the images for the %s; trying again in %gs",
                    what,
                    delay,
                )
                await self._sleep(delay)
        self.counters.chart_dropped("not_ready", shown)
        log.warning(
            "charts: Slack still refused the image(s) in the %s after %d tries (slack_file not ready or "
            "unknown); sent without them",
            what,
            len(self.delays) + 1,
        )
        return await send([dict(b) for b in blocks])

    async def post_message(
        self,
        client: AsyncWebClient,
        *,
        channel: str,
        text: str,
        blocks: Blocks,
        images: Sequence[Placement] = (),
        **kwargs: Any,
    ) -> AsyncSlackResponse:
        """``chat.postMessage`` with the images; other arguments (``metadata``, ``thread_ts``) pass through."""

        async def send(sent: list[dict[str, Any]]) -> AsyncSlackResponse:
            return await client.chat_postMessage(channel=channel, text=text, blocks=sent or None, **kwargs)

        return await self.send(send, blocks, images, what=f"message to {channel}")

    async def update_message(
        self,
        client: AsyncWebClient,
        *,
        channel: str,
        ts: str,
        text: str,
        blocks: Blocks,
        images: Sequence[Placement] = (),
        **kwargs: Any,
    ) -> AsyncSlackResponse:
        """``chat.update`` with the images."""

        async def send(sent: list[dict[str, Any]]) -> AsyncSlackResponse:
            return await client.chat_update(channel=channel, ts=ts, text=text, blocks=sent, **kwargs)

        return await self.send(send, blocks, images, what=f"update of {ts} in {channel}")

    async def update_view(
        self,
        client: AsyncWebClient,
        *,
        view: Mapping[str, Any],
        images: Sequence[Placement] = (),
        view_id: str | None = None,
        external_id: str | None = None,
        hash: str | None = None,
    ) -> AsyncSlackResponse | None:
        """``views.update`` with the images; None when ``hash`` is stale (someone updated the view
        since): a newer view is showing and this one is dropped, as Slack intends."""

        async def send(sent: list[dict[str, Any]]) -> AsyncSlackResponse:
            return await client.views_update(
                view={**view, "blocks": sent}, view_id=view_id, external_id=external_id, hash=hash
            )

        try:
            return await self.send(
                send,
                view.get("blocks") or [],
                images,
                what=f"view {view_id or external_id}",
                limit=VIEW_BLOCK_LIMIT,
            )
        except SlackApiError as error:
            if api_error(error) == "hash_conflict":
                log.debug("charts: view %s changed meanwhile; this update is dropped", view_id or external_id)
                return None
            raise

    async def publish_view(
        self,
        client: AsyncWebClient,
        *,
        user_id: str,
        view: Mapping[str, Any],
        images: Sequence[Placement] = (),
        hash: str | None = None,
    ) -> AsyncSlackResponse | None:
        """``views.publish`` (the Home tab) with the images; None on a stale ``hash``."""

        async def send(sent: list[dict[str, Any]]) -> AsyncSlackResponse:
            return await client.views_publish(user_id=user_id, view={**view, "blocks": sent}, hash=hash)

        try:
            return await self.send(
                send, view.get("blocks") or [], images, what=f"Home tab of {user_id}", limit=VIEW_BLOCK_LIMIT
            )
        except SlackApiError as error:
            if api_error(error) == "hash_conflict":
                log.debug("charts: the Home tab of %s changed meanwhile; this update is dropped", user_id)
                return None
            raise

    async def respond(
        self,
        respond: AsyncRespond,
        *,
        text: str,
        blocks: Blocks,
        images: Sequence[Placement] = (),
        **kwargs: Any,
    ) -> WebhookResponse:
        """Answer through a ``response_url`` with the images, like :meth:`send` does for the Web API.

        A ``response_url`` does not raise: a refusal is a non-200 status. While images are
        in the message, a refusal is taken for Slack still processing them (the words alone
        were built within every limit): waited on and tried again, then the words are sent
        alone. A ``response_url`` is good for five uses, and this makes at most five.
        """
        full = with_images(blocks, images)
        if len(full) == len(blocks):
            return await respond(text=text, blocks=full, **kwargs)
        for delay in self.delays[:3]:
            response = await respond(text=text, blocks=full, **kwargs)
            if response.status_code == 200:
                return response
            log.info(
                "charts: Slack refused the images in a reply (%s); trying again in %gs", response.body, delay
            )
            await self._sleep(delay)
        response = await respond(text=text, blocks=full, **kwargs)
        if response.status_code == 200:
            return response
        self.counters.chart_dropped("not_ready", len(full) - len(blocks))
        log.warning(
            "charts: Slack still refused the image(s) in a reply (%s); sent without them", response.body
        )
        return await respond(text=text, blocks=[dict(b) for b in blocks], **kwargs)
