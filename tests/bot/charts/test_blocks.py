"""Image blocks and where they go: next to the words they illustrate, never at the text's expense."""

from __future__ import annotations

from typing import Any

from bot.charts import MESSAGE_BLOCK_LIMIT, Placement, image_block, is_image_block, with_images
from knowledge.charts.model import ALT_LIMIT, Chart
from tests.support.charts import chart


def section(block_id: str) -> dict[str, Any]:
    return {"type": "section", "block_id": block_id, "text": {"type": "mrkdwn", "text": block_id}}


def test_an_image_block_shows_the_file_with_the_charts_numbers_as_alt_text_and_its_caption() -> None:
    drawn = chart("team-mix")

    assert image_block("F0123456789", drawn) == {
        "type": "image",
        "slack_file": {"id": "F0123456789"},
        "alt_text": drawn.alt,
        "title": {"type": "plain_text", "text": drawn.title},
    }


def test_an_overlong_alt_text_is_cut_to_slacks_limit_and_an_empty_one_falls_back_to_the_title() -> None:
    long = Chart(key="k", title="Mix", alt="x" * (ALT_LIMIT + 50), png=b"png")
    bare = Chart(key="k", title="Mix", alt="  ", png=b"png")

    assert len(image_block("F1", long)["alt_text"]) == ALT_LIMIT
    assert image_block("F1", long)["alt_text"].endswith("…")
    assert image_block("F1", bare)["alt_text"] == "Mix"
    assert "title" not in image_block("F1", Chart(key="k", title="", alt="a", png=b"png"))


def test_images_go_right_after_their_anchor_in_the_order_given() -> None:
    blocks = [section("intro"), section("mix"), section("trend")]
    first, second, third = (image_block(f"F{n}", chart()) for n in range(3))

    placed = with_images(
        blocks, [Placement("mix", first), Placement("trend", second), Placement("mix", third)]
    )

    assert [b.get("block_id") or b["slack_file"]["id"] for b in placed] == [
        "intro",
        "mix",
        "F0",
        "F2",
        "trend",
        "F1",
    ]


def test_an_image_whose_anchor_is_missing_goes_at_the_end() -> None:
    blocks = [section("intro")]

    placed = with_images(
        blocks, [Placement("gone", image_block("F9", chart())), Placement(None, image_block("F8", chart()))]
    )

    assert [b.get("block_id") or b["slack_file"]["id"] for b in placed] == ["intro", "F9", "F8"]


def test_images_that_would_pass_fifty_blocks_are_left_out_and_the_text_blocks_all_stay() -> None:
    blocks = [section(f"b{n}") for n in range(MESSAGE_BLOCK_LIMIT - 1)]
    images = [Placement("b0", image_block("F1", chart())), Placement("b1", image_block("F2", chart()))]

    placed = with_images(blocks, images)

    assert len(placed) == MESSAGE_BLOCK_LIMIT
    assert [b["slack_file"]["id"] for b in placed if is_image_block(b)] == ["F1"]
    assert [b for b in placed if not is_image_block(b)] == blocks


def test_placing_images_leaves_the_callers_blocks_untouched() -> None:
    blocks = [section("mix")]

    with_images(blocks, [Placement("mix", image_block("F1", chart()))])

    assert blocks == [section("mix")]
