"""Image blocks for uploaded charts, and where they go in a message (pure, no network).

A chart is uploaded once without a channel and shown through ``slack_file``, so the
same file can appear in a message, its update, a modal or the Home tab. Each chart
sits after the block it illustrates (its *anchor*, a ``block_id``) so the picture is
next to the words it stands for; a message keeps its text blocks first when the
image blocks would not all fit within Slack's 50.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from knowledge.charts.model import ALT_LIMIT, TITLE_LIMIT, Chart

__all__ = ["MESSAGE_BLOCK_LIMIT", "Placement", "image_block", "is_image_block", "with_images"]

#: Slack's limit for a message; a modal or the Home tab allows 100.
MESSAGE_BLOCK_LIMIT = 50

Block = dict[str, Any]


class Placement(NamedTuple):
    """An image block and the ``block_id`` it follows (None or unknown: at the end)."""

    anchor: str | None
    block: Block


def image_block(file_id: str, chart: Chart) -> Block:
    """The block that shows uploaded file ``file_id``; ``alt_text`` carries the chart's numbers."""
    alt = _clip(chart.alt, ALT_LIMIT) or _clip(chart.title, ALT_LIMIT) or "chart"
    block: Block = {"type": "image", "slack_file": {"id": file_id}, "alt_text": alt}
    title = _clip(chart.title, TITLE_LIMIT)
    if title:
        block["title"] = {"type": "plain_text", "text": title}
    return block


def is_image_block(block: Mapping[str, Any]) -> bool:
    """True for a block showing an uploaded file (what :func:`with_images` adds)."""
    return block.get("type") == "image" and "slack_file" in block


def with_images(
    blocks: Sequence[Mapping[str, Any]], placed: Sequence[Placement], *, limit: int = MESSAGE_BLOCK_LIMIT
) -> list[Block]:
    """``blocks`` with each image block inserted after its anchor, in the order given.

    Images whose anchor is missing go at the end. When there is no room for all of them
    within ``limit``, the first ones placed win and the rest are left out: the text blocks
    are never cut for a picture.
    """
    room = max(0, limit - len(blocks))
    kept = list(placed[:room])
    ids = {str(b.get("block_id")) for b in blocks if b.get("block_id")}
    after: dict[str, list[Block]] = {}
    at_end: list[Block] = []
    for anchor, image in kept:
        if anchor is not None and anchor in ids:
            after.setdefault(anchor, []).append(dict(image))
        else:
            at_end.append(dict(image))
    result: list[Block] = []
    for block in blocks:
        result.append(dict(block))
        block_id = block.get("block_id")
        if block_id:
            result.extend(after.pop(str(block_id), []))
    return result + at_end


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
