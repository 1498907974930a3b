"""What the fake Slack records: one :class:`Call` per request the app made."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.e2e.slack_client import texts_of

__all__ = ["Call"]


@dataclass(frozen=True)
class Call:
    """One request the app made: the Web API method (or ``response_url:<id>``) and its arguments."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]

    @property
    def token(self) -> str | None:
        """The token the call was made with (``Authorization: Bearer``, or a ``token`` argument)."""
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header[len("Bearer ") :]
        token = self.args.get("token")
        return str(token) if token else None

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.args.get("blocks") or (self.args.get("view") or {}).get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else list(blocks)

    @property
    def text(self) -> str:
        """Everything a reader would see: the text plus every text inside the blocks."""
        return " ".join([str(self.args.get("text", "")), *texts_of(self.blocks)])
