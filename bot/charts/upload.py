"""Uploading a chart to Slack, and turning every way that can fail into "no image".

``files_upload_v2`` makes three calls: ``files.getUploadURLExternal`` (needs the
``files:write`` scope and a bot token), a POST of the bytes to the ``upload_url`` it
returns, and ``files.completeUploadExternal``. No channel is given: the file is shared
by the image block that references it. A chart is a nicety next to text that already
says everything, so a failure never reaches the person: it returns None, and the log
tells the operator what went wrong and what to do about it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts.blocks import Placement, image_block
from bot.charts.counters import NO_COUNTERS, ChartCounters
from bot.slack_text import api_error
from knowledge.charts.model import Chart

__all__ = ["UPLOAD_TIMEOUT_SECONDS", "ChartUploader", "advice_for"]

log = logging.getLogger(__name__)

#: The three calls together; the message waits at most this long for its picture.
UPLOAD_TIMEOUT_SECONDS = 20.0

#: Slack error codes counted under their own name; any other is ``slack_error``.
_KNOWN = frozenset(
    {
        "missing_scope",
        "not_allowed_token_type",
        "invalid_auth",
        "token_revoked",
        "account_inactive",
        "ratelimited",
        "file_upload_size_restricted",
        "file_uploads_disabled",
    }
)

_ADVICE: Mapping[str, str] = {
    "missing_scope": "add the files:write bot scope (app_manifest.yml or OAuth & Permissions) and "
    "reinstall the app to the workspace",
    "not_allowed_token_type": "SLACK_BOT_TOKEN must be the bot token (xoxb-), not a user or app token",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid: reinstall the app and use its bot token",
    "token_revoked": "the bot token was revoked: reinstall the app and use its new bot token",
    "account_inactive": "the bot token belongs to a deactivated app or workspace: reinstall the app",
    "ratelimited": "Slack is limiting file uploads; charts come back by themselves when the rate drops",
    "file_uploads_disabled": "a workspace admin has turned file uploads off; charts stay off until "
    "they are allowed again",
    "file_upload_size_restricted": "the workspace limits file sizes below a chart's size",
    "timeout": "Slack did not answer in time: check the network path to slack.com and files.slack.com",
    "connection_error": "Slack could not be reached: check the network path (and any proxy) to "
    "slack.com and files.slack.com",
    "upload_refused": "the upload URL refused the bytes: check that files.slack.com is reachable",
}


def advice_for(outcome: str) -> str:
    """What the operator can do about an upload that ended with ``outcome``."""
    return _ADVICE.get(outcome, "see Slack's error code above; charts are skipped until it is fixed")


class ChartUploader:
    """Uploads charts with ``client``; every failure is logged, counted, and returned as None."""

    def __init__(
        self,
        client: AsyncWebClient,
        counters: ChartCounters = NO_COUNTERS,
        *,
        timeout: float = UPLOAD_TIMEOUT_SECONDS,
    ) -> None:
        self.client = client
        self.counters = counters
        self.timeout = timeout

    async def upload(self, chart: Chart) -> str | None:
        """The Slack file id of the uploaded chart, or None (logged and counted) if it failed."""
        outcome, detail = "ok", ""
        try:
            response = await asyncio.wait_for(
                self.client.files_upload_v2(content=chart.png, filename=chart.filename, title=chart.title),
                self.timeout,
            )
        except SlackApiError as error:
            detail = api_error(error)
            outcome = detail if detail in _KNOWN else "slack_error"
        except SlackRequestError as error:  # the POST to upload_url answered other than 200
            outcome, detail = "upload_refused", str(error)[:200]
        except TimeoutError:
            outcome, detail = "timeout", f"no answer within {self.timeout:g}s"
        except (aiohttp.ClientError, OSError) as error:
            outcome, detail = "connection_error", type(error).__name__
        else:
            file_id = _file_id(response.get("file"), response.get("files"))
            if file_id is not None:
                self.counters.chart_upload("ok")
                return file_id
            outcome, detail = "slack_error", "Slack answered ok without a file id"
        self._failed(chart, outcome, detail)
        return None

    async def place(
        self, charts: Sequence[Chart], anchors: Mapping[str, str] | None = None
    ) -> list[Placement]:
        """Upload each chart and give the image blocks of those that made it, anchored by key."""
        anchors = anchors or {}
        placed: list[Placement] = []
        for chart in charts:
            file_id = await self.upload(chart)
            if file_id is not None:
                placed.append(Placement(anchors.get(chart.key), image_block(file_id, chart)))
        return placed

    def _failed(self, chart: Chart, outcome: str, detail: str) -> None:
        self.counters.chart_upload(outcome)
        self.counters.chart_dropped("upload_failed")
        log.warning(
            "charts: uploading %s failed (%s); the message goes out without it. To fix: %s",
            chart.filename,
            detail,
            advice_for(outcome),
        )


def _file_id(file: object, files: object) -> str | None:
    if not isinstance(file, dict) and isinstance(files, list) and files:
        file = files[0]
    if isinstance(file, dict) and file.get("id"):
        return str(file["id"])
    return None
