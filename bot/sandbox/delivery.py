"""Delivering what people do to the app, signed and shaped exactly as Slack sends it.

Slash commands and interactions go form-encoded (interactions as one ``payload``
field of JSON), events as JSON. Every request carries ``X-Slack-Request-Timestamp``
and ``X-Slack-Signature`` (``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the
generated signing secret). The app has 3 seconds to answer; if it does not, the
page shows what Slack shows (``/mlorg failed with the error "operation_timeout"``,
or a warning on a click). What the ack carries is applied as Slack applies it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.sandbox.blockkit import check_blocks, parse_blocks
from bot.sandbox.interactions import (
    build_action,
    find_element,
    format_user_text,
    state_values,
)
from bot.sandbox.manifest import Manifest
from bot.sandbox.modals import ModalActions
from bot.sandbox.responses import ResponseUrls
from bot.sandbox.surfaces import ApiError, Triggers, Views
from bot.sandbox.web_api import with_block_ids
from bot.sandbox.wire import VERIFICATION_TOKEN, Outcome, form_for_log, maybe_json, sign, team_of, user_of
from bot.sandbox.workspace import APP_ID, BOT, Channel, Message, Workspace

__all__ = ["ACK_SECONDS", "Delivery", "Outcome", "sign"]

log = logging.getLogger("mlorg.sandbox")

ACK_SECONDS = 3.0
#: Slack retries a failed event nearly at once, then after a minute, then after five.
EVENT_RETRY_DELAYS: tuple[float, ...] = (1.0, 60.0, 300.0)


class Delivery(ModalActions):
    def __init__(
        self,
        ws: Workspace,
        views: Views,
        triggers: Triggers,
        responses: ResponseUrls,
        manifest: Manifest,
        *,
        app_url: str,
        signing_secret: str,
        ack_seconds: float = ACK_SECONDS,
        retry_delays: Sequence[float] = EVENT_RETRY_DELAYS,
    ) -> None:
        self.ws, self.views, self.triggers, self.responses, self.manifest = (
            ws,
            views,
            triggers,
            responses,
            manifest,
        )
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.ack_seconds = ack_seconds
        self.retry_delays = tuple(retry_delays)
        self._session: aiohttp.ClientSession | None = None
        self._events = itertools.count(1)
        self._retries: set[asyncio.Task[None]] = set()

    async def shutdown(self) -> None:
        """Stop pending event retries and close the connection pool."""
        for task in self._retries:
            task.cancel()
        if self._session is not None:
            await self._session.close()

    # -- the wire ---------------------------------------------------------------------------------
    async def _send(
        self, kind: str, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> Outcome:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        timestamp = int(time.time())
        all_headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": sign(self.signing_secret, body, timestamp),
            **(headers or {}),
        }
        shown: Any = json.loads(body) if content_type == "application/json" else form_for_log(body)
        entry = self.ws.record("to app", kind, shown)
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.ack_seconds):
                async with self._session.post(
                    self.app_url, data=body.encode(), headers=all_headers
                ) as response:
                    text = await response.text()
                    outcome = Outcome(
                        response.status == 200,
                        None if response.status == 200 else "dispatch_failed",
                        response.status,
                        text,
                    )
        except TimeoutError:
            outcome = Outcome(False, "operation_timeout")
        except aiohttp.ClientError as error:
            outcome = Outcome(False, "dispatch_failed", body=type(error).__name__)
        entry.ms = (time.monotonic() - started) * 1000
        entry.status = outcome.status if outcome.status is not None else str(outcome.error)
        entry.response = maybe_json(outcome.body)
        self.ws.changed()
        return outcome

    def _slackbot(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> None:
        self.ws.add(
            Message(
                self.ws.next_ts(),
                channel,
                "USLACKBOT",
                text,
                thread_ts=thread_ts,
                visible_to=user,
                from_slackbot=True,
            )
        )

    def _format(self, text: str) -> str:
        def user_id(name: str) -> str | None:
            person = self.ws.person_by_name(name)
            return person.id if person else None

        def channel_id(name: str) -> str | None:
            channel = self.ws.channel_by_name(name)
            return channel.id if channel else None

        return format_user_text(text, user_id, channel_id)

    def _channel_for(self, user: str, channel_id: str) -> Channel:
        channel = self.ws.channels.get(channel_id)
        if channel is None or user not in channel.members:
            raise ApiError("channel_not_found")
        return channel

    # -- slash commands -----------------------------------------------------------------------------
    async def command(self, user: str, channel_id: str, line: str) -> Outcome:
        """``/mlorg explain rnd`` typed by ``user`` in ``channel_id``."""
        channel = self._channel_for(user, channel_id)
        name, _, text = line.strip().partition(" ")
        command = self.manifest.command(name)
        if command is None:
            self._slackbot(
                user,
                channel.id,
                f'`{name}` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.',
            )
            return Outcome(False, "unknown_command")
        text = text.strip()
        text = (
            self._format(text)
            if command.should_escape
            else text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        )
        person = self.ws.person(user)
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.ws.team_id,
            "team_domain": self.ws.domain,
            "channel_id": channel.id,
            "channel_name": "directmessage" if channel.is_im else channel.name,
            "user_id": user,
            "user_name": person.name if person else user,
            "command": command.command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.responses.issue(user, channel.id),
            "trigger_id": self.triggers.issue(user),
        }
        outcome = await self._send(
            f"slash command {command.command}", urlencode(form), "application/x-www-form-urlencoded"
        )
        if not outcome.ok:
            self._slackbot(user, channel.id, f'{command.command} failed with the error "{outcome.error}"')
            return outcome
        self._apply_command_ack(user, channel, line.strip(), outcome.body)
        return outcome

    def _apply_command_ack(self, user: str, channel: Channel, line: str, body: str) -> None:
        if not body.strip():
            return
        reply = maybe_json(body)
        if not isinstance(reply, dict):
            reply = {"text": body}
        blocks, shape = parse_blocks(reply.get("blocks"))
        problems = shape + check_blocks(blocks)
        if problems:
            for problem in problems:
                self.ws.warn("slash command response", problem)
            self._slackbot(user, channel.id, f'{line.split(" ")[0]} failed with the error "invalid_blocks"')
            return
        public = reply.get("response_type") == "in_channel"
        if public:
            self.ws.add(
                Message(
                    self.ws.next_ts(),
                    channel.id,
                    user,
                    line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                )
            )
        self.ws.add(
            Message(
                self.ws.next_ts(),
                channel.id,
                BOT.id,
                str(reply.get("text") or ""),
                with_block_ids(blocks),
                visible_to=None if public else user,
            )
        )

    # -- messages and events --------------------------------------------------------------------------
    async def say(self, user: str, channel_id: str, text: str, thread_ts: str | None = None) -> Outcome:
        """A person types a message (not a command): it is posted, and subscribed events go out."""
        channel = self._channel_for(user, channel_id)
        if channel.is_im and self.manifest.messages_read_only and not self.manifest.subscribes("message.im"):
            self._slackbot(user, channel.id, "Sending messages to this app has been turned off.", thread_ts)
            return Outcome(False, "messages_tab_read_only")
        message = self.ws.add(
            Message(self.ws.next_ts(), channel.id, user, self._format(text), thread_ts=thread_ts)
        )
        event: dict[str, Any] = {
            "user": user,
            "text": message.text,
            "ts": message.ts,
            "channel": channel.id,
            "event_ts": message.ts,
            "team": self.ws.team_id,
            "client_msg_id": self.ws.next_id("msg-"),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        outcome = Outcome(True)
        kind = (
            "message.im"
            if channel.is_im
            else ("message.groups" if channel.is_private else "message.channels")
        )
        if self.manifest.subscribes(kind):
            outcome = await self.event(
                {"type": "message", "channel_type": "im" if channel.is_im else "channel", **event}
            )
        if f"<@{BOT.id}>" in message.text and self.manifest.subscribes("app_mention"):
            outcome = await self.event({"type": "app_mention", **event})
        return outcome

    async def open_app(self, user: str, tab: str = "home") -> Outcome:
        """A person opens mlorg's Home (or Messages) tab: ``app_home_opened``."""
        if not self.manifest.subscribes("app_home_opened"):
            return Outcome(True)
        dm = self.ws.dm_of(user)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": dm.id if dm else "",
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        }
        home = self.ws.homes.get(user)
        if home is not None:
            event["view"] = Views.public(home)
        return await self.event(event)

    async def event(self, event: dict[str, Any]) -> Outcome:
        event_id = f"Ev0SANDBOX{next(self._events):06d}"
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.ws.team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.ws.team_id,
                    "user_id": BOT.id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"sandbox-{event_id}",
        }
        body = json.dumps(envelope)
        kind = f"event {event['type']}"
        outcome = await self._send(kind, body, "application/json")
        if not outcome.ok and self.retry_delays:
            task = asyncio.create_task(self._retry(kind, body, outcome))
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)
        return outcome

    async def _retry(self, kind: str, body: str, first: Outcome) -> None:
        """Slack retries an event it thinks failed, saying so in ``X-Slack-Retry-Num``."""
        outcome = first
        for number, delay in enumerate(self.retry_delays, start=1):
            await asyncio.sleep(delay)
            reason = "http_timeout" if outcome.error == "operation_timeout" else "http_error"
            headers = {"X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": reason}
            outcome = await self._send(f"{kind} (retry {number})", body, "application/json", headers)
            if outcome.ok:
                return

    # -- clicks ------------------------------------------------------------------------------------------
    async def click_message(
        self, user: str, channel_id: str, ts: str, block_id: str, action_id: str, value: Any = None
    ) -> Outcome:
        channel = self._channel_for(user, channel_id)
        message = self.ws.find(channel.id, ts)
        if message is None or (message.visible_to is not None and message.visible_to != user):
            return Outcome(False, "message_not_found")
        element = find_element(message.blocks, block_id, action_id)
        if element is None:
            return Outcome(False, "element_not_found")
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": channel.id,
            "is_ephemeral": message.visible_to is not None,
        }
        if message.thread_ts:
            container["thread_ts"] = message.thread_ts
        payload = self._action_payload(user, element, block_id, value, container=container)
        payload["channel"] = {"id": channel.id, "name": "directmessage" if channel.is_im else channel.name}
        payload["response_url"] = self.responses.issue(user, channel.id, message.ts, message.thread_ts)
        payload["state"] = {"values": state_values(message.blocks, {})}
        if message.visible_to is None:
            payload["message"] = message.as_api()
        payload["trigger_id"] = self.triggers.issue(user)
        return await self._interact(payload, where=f"a click in {channel.label}")

    async def click_view(
        self,
        user: str,
        view_id: str,
        block_id: str,
        action_id: str,
        value: Any = None,
        state: dict[str, Any] | None = None,
    ) -> Outcome:
        view = self.views.find(view_id)
        if view is None or view.get("user") != user:
            return Outcome(False, "view_not_found")
        blocks = list(view.get("blocks") or [])
        if state is not None:
            view["state"] = {"values": state_values(blocks, state)}
        element = find_element(blocks, block_id, action_id)
        if element is None:
            return Outcome(False, "element_not_found")
        payload = self._action_payload(
            user, element, block_id, value, container={"type": "view", "view_id": view["id"]}
        )
        payload["view"] = Views.public(view)
        payload["trigger_id"] = self.triggers.issue(
            user, view_id=view["id"] if view.get("type") == "modal" else None
        )
        return await self._interact(
            payload, where="a click in a modal" if view.get("type") == "modal" else "a click in the Home tab"
        )

    def _action_payload(
        self, user: str, element: dict[str, Any], block_id: str, value: Any, *, container: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "team": team_of(self.ws),
            "user": user_of(self.ws, user),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "container": container,
            "actions": [build_action(element, block_id, value)],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    async def _interact(self, payload: dict[str, Any], *, where: str) -> Outcome:
        body = urlencode({"payload": json.dumps(payload)})
        outcome = await self._send(str(payload["type"]), body, "application/x-www-form-urlencoded")
        if not outcome.ok:
            self.ws.warn(
                where,
                f"mlorg did not acknowledge within {self.ack_seconds:g} s ({outcome.error}); Slack shows a warning and drops the ack",
            )
        return outcome
