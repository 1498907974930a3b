"""What mlorg does while its database cannot be reached.

Nothing is wrong with the person's request, so they get a short, friendly "try again in a
minute" (never Slack's ``dispatch_failed``, never an error reference to report), in the
place Slack offers for that kind of request:

* a slash command: the ack itself carries an ephemeral answer;
* a click: an empty ack, then an ephemeral message through the ``response_url``;
* a modal submission: the ack shows the sentence under the first field, so the modal and
  what the person typed stay open for another try;
* an event (a mention, a DM): Slack already has its 200; a best-effort reply.

Background loops log the outage once when it starts and once when it ends, not every tick.
The store raises :class:`~bot.store.StoreUnavailable` for this case only; other store errors
are bugs or data problems and go to the general error handler.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.store import StoreUnavailable

__all__ = [
    "UNAVAILABLE_TEXT",
    "OutageLog",
    "log_unavailable",
    "notify_unavailable",
    "notify_unavailable_soon",
    "request_kind",
    "unavailable_ack",
    "usable_response_url",
]

log = logging.getLogger(__name__)

UNAVAILABLE_TEXT: Final = "mlorg can't reach its database right now; try again in a minute."
#: Best-effort follow-ups must not hold a task for long while Slack is slow too.
_NOTIFY_TIMEOUT_SECONDS: Final = 5


def usable_response_url(body: dict[str, Any]) -> str | None:
    """The request's ``response_url`` if it is one we may post to (Slack's, or a local stand-in's)."""
    url = body.get("response_url")
    if isinstance(url, str) and url.startswith(("https://", "http://127.0.0.1")):
        return url
    return None


def unavailable_ack(body: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments for ``ack()`` that tell this kind of request about the outage.

    Empty for clicks and events: their ack cannot carry a message, so
    :func:`notify_unavailable` tells the person afterwards.
    """
    if "command" in body:
        return {"response_type": "ephemeral", "text": f":hourglass: {UNAVAILABLE_TEXT}"}
    if body.get("type") == "view_submission":
        view = body.get("view") or {}
        field = next(
            (
                str(block["block_id"])
                for block in view.get("blocks") or []
                if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id")
            ),
            None,
        )
        if field is not None:
            return {"response_action": "errors", "errors": {field: UNAVAILABLE_TEXT}}
        return {"response_action": "update", "view": _unavailable_modal()}
    return {}


def _unavailable_modal() -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "mlorg"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f":hourglass: {UNAVAILABLE_TEXT}"}}
        ],
    }


async def notify_unavailable(body: dict[str, Any], client: AsyncWebClient | None) -> None:
    """Tell the person after the ack, where Slack lets us; never raises (it is best effort)."""
    try:
        url = usable_response_url(body)
        if url is not None:
            await AsyncWebhookClient(url, timeout=_NOTIFY_TIMEOUT_SECONDS).send(
                text=f":hourglass: {UNAVAILABLE_TEXT}", response_type="ephemeral", replace_original=False
            )
            return
        if client is None:
            return
        event = body.get("event") or {}
        if body.get("type") == "event_callback" and isinstance(event, dict):
            channel, user = str(event.get("channel") or ""), str(event.get("user") or "")
            if not channel or not user or event.get("bot_id"):
                return
            if event.get("channel_type") == "im":
                await client.chat_postMessage(channel=channel, text=f":hourglass: {UNAVAILABLE_TEXT}")
            else:
                await client.chat_postEphemeral(
                    channel=channel, user=user, text=f":hourglass: {UNAVAILABLE_TEXT}"
                )
            return
        view = body.get("view") or {}
        trigger_id = str(body.get("trigger_id") or "")
        if body.get("type") == "block_actions" and view.get("type") == "modal" and trigger_id:
            # A small modal on top of theirs: closing it returns them to where they were.
            await client.views_push(trigger_id=trigger_id, view=_unavailable_modal())
            return
        # A click in the Home tab, or a submission already acked: no response_url, so a DM.
        user = str((body.get("user") or {}).get("id") or "")
        if user and body.get("type") in ("block_actions", "view_submission"):
            await client.chat_postMessage(channel=user, text=f":hourglass: {UNAVAILABLE_TEXT}")
    except Exception as error:  # best effort: the person can still try again
        log.warning("could not tell the user the database is unavailable: %s", type(error).__name__)


_pending: set[asyncio.Task[None]] = set()


def notify_unavailable_soon(body: dict[str, Any], client: AsyncWebClient | None) -> None:
    """:func:`notify_unavailable` in a task of its own, for callers whose return is the ack."""
    task = asyncio.create_task(notify_unavailable(body, client))
    _pending.add(task)  # the loop keeps only weak references to tasks
    task.add_done_callback(_pending.discard)


def request_kind(body: dict[str, Any]) -> str:
    """A short name for the kind of request, for log lines (never its content)."""
    if "command" in body:
        return "command"
    if body.get("type") == "event_callback":
        return f"event ({(body.get('event') or {}).get('type', '?')})"
    return str(body.get("type") or "request")


def log_unavailable(body: dict[str, Any], error: StoreUnavailable) -> None:
    log.warning("database unavailable; told the user to try again (%s): %s", request_kind(body), error)


class OutageLog:
    """For a background loop: one warning when the database goes away, one line when it is back.

    A loop ticking every second through a ten-minute outage would otherwise write six hundred
    tracebacks, drowning whatever else happened. Errors other than an outage are still logged
    every time, with their traceback: those are bugs to fix.
    """

    def __init__(self, logger: logging.Logger, job: str) -> None:
        self._log = logger
        self._job = job
        self.down = False

    def failed(self, error: BaseException) -> None:
        if isinstance(error, StoreUnavailable):
            if not self.down:
                self.down = True
                self._log.warning(
                    "%s: the database is unavailable (%s); retrying quietly until it is back",
                    self._job,
                    error,
                )
            return
        self._log.warning("%s: pass failed; retrying", self._job, exc_info=error)

    def succeeded(self) -> None:
        if self.down:
            self.down = False
            self._log.warning("%s: the database is reachable again; resumed", self._job)
