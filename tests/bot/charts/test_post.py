"""Posting with images: Slack's moment of processing is waited out, a file it never accepts is
left out and the text goes anyway, and every other error is the caller's as before."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import ChartPoster, ChartUploader, Placement, image_block, is_image_block
from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.support.charts import RecordingCounters, chart

#: No waiting between tries: these tests are about what is sent, not when.
NO_WAIT = (0.0, 0.0, 0.0)
BLOCKS = [{"type": "section", "block_id": "mix", "text": {"type": "mrkdwn", "text": "*Mix* 40% embedded"}}]


async def uploaded(client: AsyncWebClient, key: str = "summary-mix") -> list[Placement]:
    placed = await ChartUploader(client).place([chart(key)], {key: "mix"})
    assert placed, "the upload worked"
    return placed


def images_in(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["slack_file"]["id"] for b in blocks if is_image_block(b)]


async def test_a_file_still_processing_is_waited_for_and_the_message_shows_it(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.processing_delay = 0.3  # shorter than the first two waits together
    images = await uploaded(client)
    counters = RecordingCounters()

    await ChartPoster(counters).post_message(
        client, channel="C1", text="summary", blocks=BLOCKS, images=images
    )

    *refused, shown = fake_slack.posts("C1")
    assert refused, "Slack refused it while the file was processing"
    assert images_in(shown.blocks) == [images[0].block["slack_file"]["id"]]
    assert [b.get("block_id") for b in shown.blocks] == ["mix", None], "the image follows its anchor"
    assert len(fake_slack.accepted) == 1
    assert counters.dropped == []


async def test_a_file_slack_never_accepts_is_left_out_after_bounded_tries_and_the_text_goes(
    fake_slack: FakeSlack, client: AsyncWebClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.processing_delay = 3600
    images = await uploaded(client)
    counters = RecordingCounters()

    with caplog.at_level(logging.WARNING, logger="bot.charts.post"):
        response = await ChartPoster(counters, delays=NO_WAIT).post_message(
            client, channel="C1", text="summary", blocks=BLOCKS, images=images
        )

    posts = fake_slack.posts("C1")
    assert len(posts) == len(NO_WAIT) + 2, "one try, one per wait, then without the image"
    assert all(images_in(p.blocks) for p in posts[:-1])
    assert posts[-1].blocks == BLOCKS and posts[-1].args["text"] == "summary"
    assert response["ts"] == fake_slack.accepted[0]["ts"]
    assert counters.dropped == [("not_ready", 1)]
    assert "slack_file" in caplog.text and "without them" in caplog.text


async def test_other_errors_are_not_retried_and_reach_the_caller(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    images = await uploaded(client)
    fake_slack.script("chat.postMessage", Scripted(body={"ok": False, "error": "channel_not_found"}))

    with pytest.raises(SlackApiError):
        await ChartPoster(delays=NO_WAIT).post_message(
            client, channel="C1", text="t", blocks=BLOCKS, images=images
        )

    assert len(fake_slack.posts("C1")) == 1


async def test_blocks_that_are_invalid_for_another_reason_are_not_blamed_on_the_image(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    images = await uploaded(client)
    fake_slack.script(
        "chat.postMessage",
        Scripted(
            body={"ok": False, "error": "invalid_blocks", "errors": ["must be less than 3001 characters"]}
        ),
    )

    with pytest.raises(SlackApiError):
        await ChartPoster(delays=NO_WAIT).post_message(
            client, channel="C1", text="t", blocks=BLOCKS, images=images
        )

    assert len(fake_slack.posts("C1")) == 1


async def test_an_update_shows_the_image_once_slack_has_processed_it(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.processing_delay = 0.3
    images = await uploaded(client)

    await ChartPoster().update_message(
        client, channel="C1", ts="1700000000.000001", text="t", blocks=BLOCKS, images=images
    )

    assert images_in(fake_slack.calls_to("chat.update")[-1].blocks) == [images[0].block["slack_file"]["id"]]


async def test_a_view_update_with_a_stale_hash_is_dropped_quietly(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    images = await uploaded(client)
    fake_slack.script("views.update", Scripted(body={"ok": False, "error": "hash_conflict"}))
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Summary"}, "blocks": BLOCKS}

    result = await ChartPoster().update_view(client, view=view, view_id="V1", hash="h1", images=images)

    assert result is None
    (update,) = fake_slack.calls_to("views.update")
    assert update.args["hash"] == "h1"


async def test_a_view_whose_image_is_never_accepted_is_updated_without_it_keeping_its_hash(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.processing_delay = 3600
    images = await uploaded(client)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Summary"}, "blocks": BLOCKS}
    counters = RecordingCounters()

    result = await ChartPoster(counters, delays=NO_WAIT).update_view(
        client, view=view, view_id="V1", hash="h1", images=images
    )

    assert result is not None and result["ok"]
    last = fake_slack.calls_to("views.update")[-1]
    assert last.blocks == BLOCKS and last.args["hash"] == "h1"
    assert counters.dropped == [("not_ready", 1)]


async def test_a_message_without_images_is_sent_once_as_it_is(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    await ChartPoster().post_message(client, channel="C1", text="t", blocks=BLOCKS)

    (post,) = fake_slack.posts("C1")
    assert post.blocks == BLOCKS


async def test_an_image_for_a_file_nobody_uploaded_is_refused_by_the_fake_as_by_slack(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(
            channel="C1", text="t", blocks=[*BLOCKS, image_block("FNOTHING000", chart())]
        )

    assert refused.value.response["errors"] == ["invalid slack file [json-pointer:/blocks/1/slack_file]"]
    assert fake_slack.accepted == []
