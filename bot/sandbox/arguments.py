"""Web API arguments as slack_sdk sends them: a query, a form, or JSON, with JSON inside strings.

Slack accepts every method's arguments in any of these shapes, and a form field
such as ``blocks``, ``view`` or ``files`` carries JSON as a string; the stand-in's
methods read arguments through here so each accepts what Slack accepts.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

__all__ = ["Args", "json_arg", "request_args"]

Args = dict[str, Any]


def json_arg(value: Any) -> Any:
    """A JSON argument, whether it came as a string (a form) or already parsed (JSON); None if broken."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


async def request_args(request: web.Request) -> Args:
    """Arguments as slack_sdk sends them: a query (GET), a form, or JSON."""
    args: Args = dict(request.query)
    if request.method == "POST":
        raw = await request.text()
        if request.content_type == "application/json":
            loaded = json.loads(raw or "{}")
            if isinstance(loaded, dict):
                args.update(loaded)
        else:
            args.update(parse_qsl(raw, keep_blank_values=True))
    return args
