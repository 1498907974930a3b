"""Log set-up: every line carries the id of the request it belongs to; text or JSON lines.

The request id lives in a :class:`~contextvars.ContextVar` set when a request arrives. Bolt
runs the rest of a listener (the work after the ack) in an asyncio task created inside that
context, so lines written after the ack carry the same id; background jobs write ``-``.
``MLORG_LOG_FORMAT=json`` gives one JSON object per line for log shippers.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "REQUEST_FIELDS",
    "JsonFormatter",
    "LogFormat",
    "RequestContextFilter",
    "RequestInfo",
    "configure_logging",
    "current_request",
]

LogFormat = Literal["text", "json"]


@dataclass
class RequestInfo:
    """One Slack request, as the log lines and metrics written on its behalf see it."""

    request_id: str
    kind: str
    team: str
    #: Set by the global error handler, so a failure is counted once however it surfaces.
    failed: bool = False


current_request: ContextVar[RequestInfo | None] = ContextVar("mlorg_request", default=None)

#: Fields the per-request line sets through ``extra=``; the JSON formatter copies them out.
REQUEST_FIELDS = ("kind", "team", "status", "outcome", "duration_ms")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request). Installed on handlers, so
    it also covers records from libraries' loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            info = current_request.get()
            record.request_id = info.request_id if info is not None else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and request fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(log_format: LogFormat = "text", *, level: int = logging.INFO) -> None:
    """Replace the root handlers with one stderr handler in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(_TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
