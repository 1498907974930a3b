"""Mlorg's app-wide listeners: the one command and the one action pattern every feature shares,
the middleware that drops Slack's repeated event deliveries, and the error handler.

Features register their own listeners (``feature.register(bolt, deps)``); what is here belongs
to no feature: routing ``/mlorg`` and every ``mlorg_*`` click to the routers, and what happens
when a listener fails.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext as BoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot import payloads
from bot.actions import ActionRouter
from bot.commands import CommandRouter
from bot.ids import COMMAND
from bot.observability.requests import RequestObserver
from bot.outage import log_unavailable, notify_unavailable_soon, unavailable_ack, usable_response_url
from bot.store import Store, StoreUnavailable
from bot.store.pending_answers import PendingAnswer

__all__ = [
    "PENDING_ANSWER",
    "QuestionReader",
    "install_actions",
    "install_command",
    "install_error_handler",
    "install_middleware",
]

log = logging.getLogger("mlorg")


def install_command(bolt: AsyncApp, commands: CommandRouter) -> None:
    @bolt.command(COMMAND)
    async def handle_mlorg_command(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await commands.dispatch(body=body, ack=ack, respond=respond, client=client)


def install_actions(bolt: AsyncApp, actions: ActionRouter) -> None:
    @bolt.action(re.compile(r"^mlorg_"))
    async def handle_mlorg_action(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await actions.dispatch(ack=ack, body=body, respond=respond, client=client)


#: Reads the question an event asks (None: it asks none), to be stored with the event's claim.
QuestionReader = Callable[[dict[str, Any]], PendingAnswer | None]
#: Where a claimed question is left in Bolt's context for the listener that answers it.
PENDING_ANSWER = "mlorg_pending_answer"


def install_middleware(bolt: AsyncApp, store: Store, questions: QuestionReader | None = None) -> None:
    @bolt.middleware
    async def deduplicate_events(
        body: dict[str, Any], context: BoltContext, next: Any
    ) -> BoltResponse | None:
        """Slack retries events it thinks failed; the first delivery of an event_id wins.

        Runs after Bolt's signature check, so a forged request can never claim an id. The id is
        claimed in the workspace's name, or, for an event about an Enterprise Grid org as a whole
        (an org-wide install's ``app_uninstalled`` names no workspace), in the org's.

        The claim is all the ack waits for (Bolt acks an event after the middleware, before its
        listener). An event that asks a question stores it with the claim, in one transaction,
        so the answer given after the ack survives a crash (``bot.features.ask.replies``).
        """
        event_id = payloads.text(body.get("event_id")) if body.get("type") == "event_callback" else ""
        scope = payloads.text(body.get("team_id")) or payloads.text(body.get("enterprise_id"))
        if event_id and not scope:
            # Every row is scoped by workspace (or org); an event that names neither is not Slack's.
            log.info("an event without a team_id or enterprise_id refused")
            return BoltResponse(status=400, body="")
        if event_id:
            question = questions(body) if questions is not None else None
            try:
                first = await store.events.claim(scope, event_id, question)
            except StoreUnavailable as error:
                # Without the database we cannot tell a retry from a first delivery. Handling it
                # (the handler answers what it can, or says "try again") beats a 500: Slack would
                # redeliver into the same outage and count failures against the app.
                log.warning("could not record event %s (%s); handling it unrecorded", event_id, error)
                first = True
                question = None
            if not first:
                log.info("duplicate delivery of event %s ignored", event_id)
                return BoltResponse(status=200, body="")
            if question is not None:
                context[PENDING_ANSWER] = question
        await next()
        return None


def install_error_handler(bolt: AsyncApp, observer: RequestObserver) -> None:
    @bolt.error
    async def handle_unexpected_error(
        error: Exception,
        body: dict[str, Any],
        response: BoltResponse | None,
        client: AsyncWebClient,
        ack: AsyncAck,
    ) -> BoltResponse | None:
        """Log with a reference the user can quote; tell them briefly, without internals.

        A database outage is not unexpected and needs no reference: the person is told to try
        again, in the ack when it is still due (``response`` is None once a listener acked),
        so Slack never shows "dispatch_failed" (views and events land here; commands and
        clicks are answered by their routers).
        """
        observer.listener_failed()
        if response is None:
            _keep_the_ack(ack)
        if isinstance(error, StoreUnavailable):
            log_unavailable(body, error)
            answer = unavailable_ack(body) if response is not None else {}
            if not answer:
                notify_unavailable_soon(body, client)  # after the ack, which must not wait for it
            if response is None:
                return None
            return BoltResponse(
                status=200,
                body=json.dumps(answer) if answer else "",
                headers={"content-type": "application/json;charset=utf-8"} if answer else {},
            )
        reference = secrets.token_hex(4)
        log.exception(
            "unexpected error (ref %s) handling a %s request",
            reference,
            body.get("type", "command"),
            exc_info=error,
        )
        response_url = usable_response_url(body)
        if response_url is not None:
            try:
                await AsyncWebhookClient(response_url, timeout=5).send(
                    text=f":warning: Something went wrong on my side (ref `{reference}`). Please try again.",
                    response_type="ephemeral",
                    replace_original=False,
                )
            except Exception:  # the user message is best effort; the log line above is what matters
                log.warning("could not tell the user about error ref %s", reference)
        return None


def _keep_the_ack(ack: AsyncAck) -> None:
    """Undo Bolt's reset of an ack already given, once its error handling is done.

    When a listener acks and then fails, Bolt (1.2x) sets ``ack.response`` to None after the
    error handler returns, while the request still waits (polling every 10 ms) for an ack. A
    failure within those 10 ms, such as a refused database connection, turns the ack the
    person already got into a 404 "unhandled request" three seconds later, which Slack shows
    as an error. The callback runs after Bolt's assignment, in the next loop iteration.
    """
    given = ack.response
    if given is None:
        return

    def restore() -> None:
        if ack.response is None:
            ack.response = given

    asyncio.get_running_loop().call_soon(restore)
