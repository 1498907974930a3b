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

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest

__all__ = ["SlackRequestReader", "signature_is_valid"]

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
        if not isinstance(bolt_request.body, dict):
            return _unreadable()
        return bolt_request


def _unreadable() -> web.Response:
    return web.json_response({"error": "unreadable request body"}, status=400)
