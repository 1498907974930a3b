"""The Web API methods mlorg calls, answered with Slack's argument rules and errors.

The app talks to this exactly as it talks to Slack (``SLACK_API_URL``), with the
generated bot token. Where Slack would refuse a call (``channel_not_found``,
``not_in_channel``, ``invalid_blocks``, ``expired_trigger_id``, ``msg_too_long``, …)
this refuses it too, so a mistake fails here first; a refusal caused by broken
blocks is also shown in the page. Every call is recorded for the traffic panel.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.sandbox.arguments import Args, json_arg, request_args
from bot.sandbox.blockkit import MAX_TEXT, check_blocks, check_view, parse_blocks
from bot.sandbox.files import Files
from bot.sandbox.surfaces import ApiError, Triggers, Views
from bot.sandbox.workspace import APP_ID, BOT, BOT_ID, Channel, Message, Workspace

__all__ = ["BOT_METHODS", "METHODS", "WebApi", "bearer_token", "with_block_ids"]

Method = Callable[[Args], Awaitable[dict[str, Any]]]

#: The methods a bot token calls, answered by the workspace the token belongs to.
BOT_METHODS = (
    "auth.test",
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "chat.delete",
    "views.open",
    "views.push",
    "views.update",
    "views.publish",
    "users.info",
    "conversations.info",
    "conversations.history",
    "conversations.replies",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
)
#: Every method the stand-in answers; the contract test checks the app calls nothing else.
#: ``oauth.v2.access`` is the app's own call, authenticated by its client id and secret
#: (:mod:`~bot.sandbox.oauth`), not by a bot token.
METHODS = (*BOT_METHODS, "oauth.v2.access")


def bearer_token(request: web.Request, args: Args) -> str:
    """The token a call carries, as slack_sdk sends it (``Authorization: Bearer``) or as a ``token`` argument."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip()
    return str(args.get("token") or "")


def with_block_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Slack fills in a ``block_id`` the app left out (and sends it back in payloads); so do we."""
    out = []
    for index, block in enumerate(blocks):
        if block.get("block_id"):
            out.append(block)
            continue
        digest = hashlib.sha1(json.dumps(block, sort_keys=True).encode()).hexdigest()[:4]
        out.append({**block, "block_id": f"{digest}{index}"})
    return out


class WebApi:
    def __init__(
        self,
        ws: Workspace,
        views: Views,
        triggers: Triggers,
        token: str | None,
        *,
        scopes: frozenset[str],
        files: Files | None = None,
    ) -> None:
        self.ws = ws
        self.files = files or Files(ws=ws)
        self.views = views
        self.triggers = triggers
        #: The bot token this workspace answers to; None until the app is installed through OAuth.
        self.token = token
        #: What the app may do here: the manifest's scopes, or those granted when it was installed.
        self.scopes = scopes
        self._methods: dict[str, Method] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "users.info": self.users_info,
            "conversations.info": self.conversations_info,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
            "files.getUploadURLExternal": self._needs("files:write", self.files.get_upload_url),
            "files.completeUploadExternal": self._needs("files:write", self.files.complete_upload),
        }
        assert set(self._methods) == set(BOT_METHODS)

    # -- HTTP ------------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await request_args(request)
        try:
            self._authenticate(request, args)
        except ApiError as error:
            return web.json_response(error.body())
        return web.json_response(await self.handle_args(method, args))

    async def handle_args(self, method: str, args: Args) -> dict[str, Any]:
        """One authenticated call, recorded for the traffic panel."""
        entry = self.ws.record("from app", method, {k: v for k, v in args.items() if k != "token"})
        started = time.monotonic()
        try:
            handler = self._methods.get(method)
            if handler is None:
                raise ApiError("unknown_method")
            body = await handler(args)
        except ApiError as error:
            body = error.body()
        entry.status = "ok" if body.get("ok") else str(body.get("error"))
        entry.response = body
        entry.ms = (time.monotonic() - started) * 1000
        self.ws.changed()
        return body

    def _authenticate(self, request: web.Request, args: Args) -> None:
        token = bearer_token(request, args)
        if not token:
            raise ApiError("not_authed")
        if self.token is None or token != self.token:
            raise ApiError("invalid_auth")

    def install(self, token: str, scopes: frozenset[str]) -> None:
        """The app was installed here (OAuth): this token now speaks for it, with these scopes."""
        self.token, self.scopes = token, scopes

    def _needs(self, scope: str, method: Method) -> Method:
        """Slack answers ``missing_scope`` when the app was not granted what the method needs."""

        async def call(args: Args) -> dict[str, Any]:
            if scope not in self.scopes:
                raise ApiError("missing_scope", f"[ERROR] needed: {scope}")
            return await method(args)

        return call

    # -- helpers -----------------------------------------------------------------------------------
    def _channel(self, args: Args, *, posting: bool) -> Channel:
        ref = str(args.get("channel") or "")
        if not ref:
            raise ApiError("channel_not_found")
        channel = self.ws.channel(ref)
        if channel is None or (channel.is_private and BOT.id not in channel.members):
            raise ApiError("channel_not_found")
        if BOT.id not in channel.members and not (posting and "chat:write.public" in self.scopes):
            raise ApiError("not_in_channel")
        return channel

    def _content(self, args: Args, where: str, *, required: bool = True) -> tuple[str, list[dict[str, Any]]]:
        text = str(args.get("text") or "")
        blocks, shape = parse_blocks(args.get("blocks"))
        if len(text) > MAX_TEXT:
            raise ApiError("msg_too_long")
        problems = shape + check_blocks(blocks) + self.files.problems(blocks)
        if problems:
            for problem in problems:
                self.ws.warn(where, problem)
            raise ApiError("invalid_blocks", *(f"[ERROR] {p}" for p in problems), errors=problems)
        if required and not text and not blocks:
            raise ApiError("no_text")
        return text, with_block_ids(blocks)

    def _thread(self, channel: Channel, thread_ts: Any) -> str | None:
        if not thread_ts:
            return None
        parent = self.ws.find(channel.id, str(thread_ts))
        if parent is None:
            self.ws.warn(f"{channel.label}", f"thread_ts {thread_ts} names no message in {channel.label}")
            return None
        return parent.thread_ts if parent.is_reply else parent.ts

    def _message(self, args: Args) -> tuple[Channel, Message]:
        channel = self._channel(args, posting=False) if args.get("channel") else None
        if channel is None:
            raise ApiError("channel_not_found")
        message = self.ws.find(channel.id, str(args.get("ts") or ""))
        if message is None or message.visible_to is not None:
            raise ApiError("message_not_found")
        return channel, message

    # -- methods ----------------------------------------------------------------------------------
    async def auth_test(self, _args: Args) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"http://{self.ws.domain}.slack.test/",
            "team": self.ws.team_name,
            "user": BOT.name,
            "team_id": self.ws.team_id,
            "user_id": BOT.id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "is_enterprise_install": False,
        }

    async def chat_post_message(self, args: Args) -> dict[str, Any]:
        channel = self._channel(args, posting=True)
        metadata = json_arg(args.get("metadata"))
        message = self._post(
            channel, args, "chat.postMessage", metadata=metadata if isinstance(metadata, dict) else None
        )
        return {"ok": True, "channel": channel.id, "ts": message.ts, "message": message.as_api()}

    async def chat_post_ephemeral(self, args: Args) -> dict[str, Any]:
        channel = self._channel(args, posting=True)
        user = str(args.get("user") or "")
        if self.ws.person(user) is None:
            raise ApiError("user_not_found")
        if user not in channel.members:
            raise ApiError("user_not_in_channel")
        message = self._post(channel, args, "chat.postEphemeral", visible_to=user)
        return {"ok": True, "message_ts": message.ts}

    def _post(self, channel: Channel, args: Args, method: str, **extra: Any) -> Message:
        """The bot's new message (public or ephemeral) once its content passed Slack's checks."""
        text, blocks = self._content(args, f"{method} to {channel.label}")
        message = Message(
            ts=self.ws.next_ts(),
            channel=channel.id,
            user=BOT.id,
            text=text,
            blocks=blocks,
            thread_ts=self._thread(channel, args.get("thread_ts")),
            **extra,
        )
        self.ws.add(message)
        return message

    async def chat_update(self, args: Args) -> dict[str, Any]:
        channel, message = self._message(args)
        if message.user != BOT.id:
            raise ApiError("cant_update_message")
        text, blocks = self._content(args, f"chat.update in {channel.label}", required=False)
        if "text" in args:
            message.text = text
        if "blocks" in args:
            message.blocks = blocks
        if not message.text and not message.blocks:
            raise ApiError("no_text")
        self.ws.changed()
        return {
            "ok": True,
            "channel": channel.id,
            "ts": message.ts,
            "text": message.text,
            "message": message.as_api(),
        }

    async def chat_delete(self, args: Args) -> dict[str, Any]:
        channel, message = self._message(args)
        if message.user != BOT.id:
            raise ApiError("cant_delete_message")
        self.ws.remove(message)
        return {"ok": True, "channel": channel.id, "ts": message.ts}

    def _view_arg(self, args: Args, where: str) -> dict[str, Any]:
        view = json_arg(args.get("view"))
        if not isinstance(view, dict):
            raise ApiError("invalid_arguments", "[ERROR] missing required field: view")
        problems = check_view(view)
        if not problems:
            problems = self.files.problems(list(view.get("blocks") or []), "/view/blocks")
        if problems:
            for problem in problems:
                self.ws.warn(where, problem)
            raise ApiError("invalid_arguments", *(f"[ERROR] {p}" for p in problems))
        view["blocks"] = with_block_ids(list(view.get("blocks") or []))
        return view

    async def views_open(self, args: Args) -> dict[str, Any]:
        trigger_id = str(args.get("trigger_id") or "")
        if not trigger_id:
            raise ApiError("invalid_arguments", "[ERROR] missing required field: trigger_id")
        view = self._view_arg(args, "views.open")
        if view.get("type") != "modal":
            raise ApiError("invalid_arguments", "[ERROR] views.open opens modals only")
        trigger = self.triggers.take(trigger_id)
        return {"ok": True, "view": Views.public(self.views.open(trigger.user, view))}

    async def views_push(self, args: Args) -> dict[str, Any]:
        trigger_id = str(args.get("trigger_id") or "")
        if not trigger_id:
            raise ApiError("invalid_arguments", "[ERROR] missing required field: trigger_id")
        view = self._view_arg(args, "views.push")
        trigger = self.triggers.take(trigger_id)
        if trigger.view_id is None or not any(
            v["id"] == trigger.view_id for v in self.views.stack(trigger.user)
        ):
            raise ApiError("not_found", "[ERROR] views.push needs a trigger from an open modal")
        return {"ok": True, "view": Views.public(self.views.push(trigger.user, view))}

    async def views_update(self, args: Args) -> dict[str, Any]:
        view_id = str(args.get("view_id") or args.get("external_id") or "")
        if not view_id:
            raise ApiError("invalid_arguments", "[ERROR] view_id or external_id is required")
        view = self._view_arg(args, "views.update")
        hash_ = str(args.get("hash") or "") or None
        return {"ok": True, "view": Views.public(self.views.update(view_id, view, hash_))}

    async def views_publish(self, args: Args) -> dict[str, Any]:
        user = str(args.get("user_id") or "")
        if self.ws.person(user) is None:
            raise ApiError("user_not_found")
        view = self._view_arg(args, "views.publish")
        if view.get("type") != "home":
            raise ApiError("invalid_arguments", "[ERROR] views.publish publishes Home tabs (type home)")
        return {"ok": True, "view": Views.public(self.views.publish(user, view))}

    async def users_info(self, args: Args) -> dict[str, Any]:
        person = self.ws.person(str(args.get("user") or ""))
        if person is None:
            raise ApiError("user_not_found")
        return {
            "ok": True,
            "user": {
                "id": person.id,
                "team_id": self.ws.team_id,
                "name": person.name,
                "real_name": person.real_name,
                "is_admin": person.is_admin,
                "is_owner": person.is_admin,
                "is_primary_owner": False,
                "is_bot": person.is_bot,
                "deleted": False,
                "tz": "Europe/London",
                "profile": {
                    "real_name": person.real_name,
                    "display_name": person.name,
                    "title": person.title,
                },
            },
        }

    async def conversations_info(self, args: Args) -> dict[str, Any]:
        channel = self._channel(args, posting=True)
        return {"ok": True, "channel": _channel_api(channel)}

    async def conversations_history(self, args: Args) -> dict[str, Any]:
        channel = self._channel(args, posting=False)
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or time.time() + 1)
        limit = max(1, min(int(args.get("limit") or 100), 999))
        metadata = str(args.get("include_all_metadata", "")).lower() in {"1", "true"}
        found = [
            m
            for m in reversed(self.ws.messages.get(channel.id, []))
            if not m.is_reply and m.visible_to is None and oldest <= float(m.ts) <= latest
        ]
        messages = []
        for m in found[:limit]:
            item = m.as_api()
            if not metadata:
                item.pop("metadata", None)
            messages.append(item)
        return {"ok": True, "messages": messages, "has_more": len(found) > limit}

    async def conversations_replies(self, args: Args) -> dict[str, Any]:
        channel = self._channel(args, posting=False)
        parent = self.ws.find(channel.id, str(args.get("ts") or ""))
        if parent is None:
            raise ApiError("thread_not_found")
        replies = [m.as_api() for m in self.ws.replies(channel.id, parent.ts) if m.visible_to is None]
        return {"ok": True, "messages": [parent.as_api(), *replies], "has_more": False}


def _channel_api(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "is_channel": not channel.is_im and not channel.is_private,
        "is_group": channel.is_private and not channel.is_im,
        "is_im": channel.is_im,
        "is_private": channel.is_private,
        "is_member": BOT.id in channel.members,
        "user": channel.user,
        "topic": {"value": channel.topic},
        "num_members": len(channel.members),
    }
