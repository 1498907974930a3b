"""Small Block Kit helpers shared by the features' builders.

They wrap ``slack_sdk.models.blocks`` so limits are enforced in one place: text is
clipped to Slack's maxima before the SDK validates it, and ``to_dicts`` turns the
models into the JSON Slack receives.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot.slack_text import clip

__all__ = [
    "MAX_BLOCKS_MESSAGE",
    "actions",
    "bullets",
    "button",
    "context",
    "divider",
    "fields",
    "header",
    "section",
    "select",
    "to_dicts",
]

MAX_BLOCKS_MESSAGE = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=clip(text, MAX_HEADER), emoji=True))


def section(
    text: str, *, accessory: ButtonElement | StaticSelectElement | None = None, block_id: str | None = None
) -> SectionBlock:
    """A markdown section; a ``block_id`` lets other code find it (an image goes after it)."""
    return SectionBlock(
        text=MarkdownTextObject(text=clip(text, MAX_SECTION_TEXT)), accessory=accessory, block_id=block_id
    )


def fields(items: Sequence[str]) -> SectionBlock:
    """Up to ten short texts shown as two columns (Slack's section fields)."""
    return SectionBlock(fields=[MarkdownTextObject(text=clip(i, MAX_FIELD_TEXT)) for i in items[:10]])


def context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(t, MAX_SECTION_TEXT)) for t in texts[:10]])


def divider() -> DividerBlock:
    return DividerBlock()


def button(text: str, action_id: str, value: str = "", *, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=clip(text, MAX_BUTTON_TEXT), emoji=True),
        action_id=action_id,
        value=value[:MAX_BUTTON_VALUE] or None,
        style=style,
    )


def select(placeholder: str, action_id: str, options: Iterable[tuple[str, str]]) -> StaticSelectElement:
    """A static select of (label, value) pairs."""
    return StaticSelectElement(
        placeholder=PlainTextObject(text=clip(placeholder, 150)),
        action_id=action_id,
        options=[Option(text=PlainTextObject(text=clip(label, 75)), value=value) for label, value in options],
    )


def actions(*elements: ButtonElement | StaticSelectElement, block_id: str | None = None) -> ActionsBlock:
    return ActionsBlock(elements=list(elements[:25]), block_id=block_id)


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


def to_dicts(blocks: Iterable[Block]) -> list[dict[str, Any]]:
    """Validate (the SDK raises on a broken limit) and serialise for the Web API."""
    out = [block.to_dict() for block in blocks]
    if len(out) > MAX_BLOCKS_MESSAGE:
        raise ValueError(f"{len(out)} blocks exceed Slack's limit of {MAX_BLOCKS_MESSAGE} per message")
    return out
