"""Turning the bytes of ``POST /slack/events`` into a Bolt request, or refusing them.

Bolt parses a request's body (and reads ids out of it) while *building* its request
object, before its own signature check runs, and it assumes Slack's shapes: bytes that
are not UTF-8, truncated JSON, a JSON array, or ``"team": 5`` raise from inside that
constructor, which aiohttp answers with a 500. So the signature is checked here first,
on the raw bytes (nothing unsigned is ever parsed), and a signed body that Bolt cannot
read is a 400: bad input, not a crash. Bolt still checks the signature again itself.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest

__all__ = ["SlackRequestReader", "signature_is_valid", "well_formed"]

#: Slack's rule: a request whose timestamp is more than five minutes off is a replay.
MAX_AGE_SECONDS = 5 * 60


def signature_is_valid(
    secret: str, body: bytes, headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> bool:
    """``X-Slack-Signature`` is ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``, and fresh.

    Never raises, whatever the headers hold (slack-sdk's verifier raises on a timestamp
    that is not a number).
    """
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or abs(now() - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


class SlackRequestReader:
    """Reads one HTTP request as Slack's, refusing what must not reach Bolt."""

    def __init__(self, signing_secret: str) -> None:
        self._secret = signing_secret

    async def read(self, request: web.Request) -> AsyncBoltRequest | web.Response:
        """The Bolt request, or the response that refuses it (401 unsigned, 400 unreadable)."""
        raw = await request.read()
        if not signature_is_valid(self._secret, raw, request.headers):
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=raw.decode("utf-8"),
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            # UnicodeDecodeError and json's JSONDecodeError are ValueErrors; the others are
            # Bolt reading ids out of a body of the wrong shape.
            return _unreadable()
        if not isinstance(bolt_request.body, dict) or not well_formed(bolt_request.body):
            return _unreadable()
        return bolt_request


#: Parts Bolt indexes into as objects (``body["event"]["type"]``, ``"callback_id" in body["view"]``).
_OBJECTS = ("event", "view", "message", "container")
#: Parts Bolt and the features read an id from: an object, or the id itself as a string.
_OBJECTS_OR_IDS = ("team", "user", "channel", "enterprise")
#: Ids Bolt's listener matchers compare with a regular expression, which raises on a non-string.
_ID_FIELDS = ("action_id", "block_id", "callback_id")


def well_formed(body: dict[str, Any]) -> bool:
    """The envelope has the shapes Bolt's matchers and argument builders dereference.

    Bolt assumes Slack's shapes (``body["actions"][0]["action_id"]`` for every block action,
    a regular expression applied to it); any other shape raised inside Bolt's dispatch,
    which answered 500. What is inside those parts is the features' business, read through
    :mod:`bot.payloads`, which never raises.
    """
    if any(key in body and not isinstance(body[key], dict) for key in _OBJECTS):
        return False
    if any(not isinstance(body.get(key), (dict, str, type(None))) for key in _OBJECTS_OR_IDS):
        return False
    url = body.get("response_url")
    if url is not None and not (
        isinstance(url, str) and (not url or url.startswith(("https://", "http://")))
    ):
        # Bolt builds respond() from it: its constructor raises on a non-string, and the
        # first answer through it raises on what is not a URL ("0").
        return False
    if not _ids_are_strings(body) or not _ids_are_strings(body.get("view") or {}):
        return False
    if body.get("type") == "view_submission" and "type" not in body.get("view", {}):
        return False  # Bolt reads body["view"]["type"] to tell a workflow step from a modal
    if "actions" in body:
        actions = body["actions"]
        if not isinstance(actions, list) or not all(
            isinstance(a, dict) and _ids_are_strings(a) for a in actions
        ):
            return False
        if body.get("type") in {"block_actions", "interactive_message"} and (
            not actions or not isinstance(actions[0].get("action_id"), str)
        ):
            return False  # Bolt matches every block action on body["actions"][0]["action_id"]
    return True


def _ids_are_strings(part: dict[str, Any]) -> bool:
    return all(isinstance(part.get(key), (str, type(None))) for key in _ID_FIELDS)


def _unreadable() -> web.Response:
    return web.json_response({"error": "unreadable request body"}, status=400)
