"""Safe text for Slack's mrkdwn.

Anything a user typed is escaped before it is echoed, so nobody can make the bot
ping ``<!channel>``, mention a user group, or show a link that says one thing and
points at another. Slack asks for exactly three characters to be escaped.
"""

from __future__ import annotations

__all__ = ["api_error", "clip", "escape", "quote_user_text", "unescape"]


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` as Slack's formatting guide asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of what a person typed, once, as it arrives.

    Slack sends typed ``&``, ``<`` and ``>`` as entities in slash-command and event text.
    Decoding them at the door means the features read what was typed (``R&D``, not
    ``R&amp;D``) and :func:`escape` encodes it exactly once on the way out.
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis, for Block Kit's hard limits."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def quote_user_text(text: str, limit: int = 80) -> str:
    """User text made safe and short enough to repeat back inside a sentence."""
    flat = " ".join(text.split())
    return escape(clip(flat, limit))


def api_error(error: Exception) -> str:
    """The ``error`` code of a failed Web API call ("not_in_channel"), whatever the body was.

    ``SlackApiError.response`` is usually JSON, but a proxy or an outage can answer with
    text or HTML; reading it must never raise inside an error path.
    """
    response = getattr(error, "response", None)
    data = getattr(response, "data", None)
    if isinstance(data, dict):
        return str(data.get("error") or "unknown_error")
    status = getattr(response, "status_code", None)
    return f"http_{status}" if status else "unknown_error"
