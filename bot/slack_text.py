"""Safe text for Slack's mrkdwn.

Anything a user typed is escaped before it is echoed, so nobody can make the bot
ping ``<!channel>``, mention a user group, or show a link that says one thing and
points at another. Slack asks for exactly three characters to be escaped.
"""

from __future__ import annotations

__all__ = ["clip", "escape", "quote_user_text"]


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` as Slack's formatting guide asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis, for Block Kit's hard limits."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def quote_user_text(text: str, limit: int = 80) -> str:
    """User text made safe and short enough to repeat back inside a sentence."""
    flat = " ".join(text.split())
    return escape(clip(flat, limit))
