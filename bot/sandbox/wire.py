"""What every request from the stand-in to the app shares: the signature, the envelope, the outcome.

Kept apart from :mod:`~bot.sandbox.delivery` so the pieces that build payloads
(commands, clicks, events, modals) all sign and describe people the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from bot.sandbox.workspace import TEAM_ID, Workspace

__all__ = [
    "TEAM",
    "VERIFICATION_TOKEN",
    "Outcome",
    "form_for_log",
    "maybe_json",
    "sign",
    "team_of",
    "user_of",
]

#: The legacy verification token Slack still sends in every payload (Bolt ignores it).
VERIFICATION_TOKEN = "sandbox-verification-token"
TEAM = {"id": TEAM_ID, "domain": "sandbox"}


def team_of(ws: Workspace) -> dict[str, str]:
    """The ``team`` object of an interaction payload: the workspace the click happened in."""
    return {"id": ws.team_id, "domain": ws.domain}


def sign(secret: str, body: str, timestamp: int) -> str:
    """Slack's v0 signature: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Outcome:
    """What happened to one delivery, for the page and the control API."""

    ok: bool
    error: str | None = None
    status: int | None = None
    body: str = ""


def user_of(ws: Workspace, user: str) -> dict[str, str]:
    """The ``user`` object of an interaction payload."""
    person = ws.person(user)
    name = person.name if person else user
    return {"id": user, "username": name, "name": name, "team_id": ws.team_id}


def maybe_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def form_for_log(body: str) -> Any:
    """A form body as the traffic panel shows it (an interaction's ``payload`` as JSON)."""
    form = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in form:
        return maybe_json(form["payload"])
    return form
