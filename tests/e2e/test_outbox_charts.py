"""Charts in the outbox, end to end: uploaded once per summary, shown in the channel as images,
and never the reason a summary is late or lost.

The summary's charts travel in its outbox item. The worker uploads them before the first
post and records the file ids in the item, so a post that fails and is retried, or an item
resumed after its worker died, shows the same files without uploading them again. When the
upload fails (a workspace that did not grant ``files:write``) or Slack keeps refusing the
image, the summary goes out with its text, and the operator sees why in the log and in
``/metrics``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import ChartPoster, ChartUploader, chart_payload, is_image_block
from bot.jobs.outbox import LEASE, OutboxWorker
from bot.jobs.outbox_charts import upload_charts
from bot.store import OutboxItem, Store
from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.e2e.harness import BOT_TOKEN, RunningApp, make_settings, sqlite_url
from tests.e2e.test_observability import scrape, value
from tests.e2e.test_outbox_delivery import FAST, SERVER_ERROR, rewind_to_delivering
from tests.e2e.test_summary import ADMIN, LEAD, TEAM, accepted_with, posts_to, store_of, wait_status

# The autouse fixture applies here too: no request ends in the global error handler.
from tests.e2e.test_summary import no_errors_logged as no_errors_logged
from tests.support.charts import chart

BLOCKS = [
    {"type": "header", "block_id": "head", "text": {"type": "plain_text", "text": "Weekly summary"}},
    {"type": "section", "block_id": "mix", "text": {"type": "mrkdwn", "text": "*Mix*: 40% embedded"}},
    {"type": "section", "block_id": "trend", "text": {"type": "mrkdwn", "text": "*Trend*: steady"}},
]
MIX, TREND = chart("summary-mix", 1), chart("summary-trend", 2)


@pytest.fixture
async def app(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    running = await RunningApp(make_settings(fake_slack, sqlite_url(tmp_path), mlorg_admins=ADMIN)).start()
    assert running.mlorg is not None
    worker = running.mlorg.outbox_worker
    worker.base_delay = FAST
    worker.interval = FAST
    yield running
    await running.stop()


async def enqueue_summary(store: Store, key: str = "summary:charts") -> OutboxItem:
    payload = {
        "text": "Weekly summary: 40% embedded",
        "blocks": BLOCKS,
        "charts": chart_payload([MIX, TREND], {"summary-mix": "mix", "summary-trend": "trend"}),
    }
    item, created = await store.outbox.enqueue(TEAM, key, kind="summary", channel_id=LEAD, payload=payload)
    assert created
    return item


def shown_files(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["slack_file"]["id"] for b in blocks if is_image_block(b)]


def layout(blocks: list[dict[str, Any]]) -> list[str]:
    """Block ids, and each image as the title of the file it shows."""
    return [str(b.get("block_id") or b.get("title", {}).get("text")) for b in blocks]


async def test_charts_are_uploaded_once_although_the_first_post_failed_and_the_retry_shows_them(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.script("chat.postMessage", SERVER_ERROR)
    store = store_of(app)

    item = await enqueue_summary(store)
    delivered = await wait_status(store, item.item_id, "delivered")
    await fake_slack.settle()

    assert delivered.attempts == 2
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == 2, "two charts, each uploaded once"
    assert [f.content for f in fake_slack.files.uploaded()] == [MIX.png, TREND.png]
    failed, posted = posts_to(fake_slack, LEAD)
    uploaded = list(fake_slack.files)
    assert shown_files(failed.blocks) == shown_files(posted.blocks) == uploaded
    assert layout(posted.blocks) == ["head", "mix", MIX.title, "trend", TREND.title]
    (image,) = [b for b in posted.blocks if b.get("title", {}).get("text") == MIX.title]
    assert image["alt_text"] == MIX.alt
    assert len(accepted_with(fake_slack, item.item_id)) == 1
    assert [c["file_id"] for c in delivered.payload["charts"]] == uploaded


async def test_without_files_write_the_summary_goes_out_as_text_and_the_operator_is_told_why(
    app: RunningApp, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    missing = Scripted(body={"ok": False, "error": "missing_scope", "needed": "files:write"})
    fake_slack.script("files.getUploadURLExternal", missing, missing)
    store = store_of(app)

    item = await enqueue_summary(store)
    delivered = await wait_status(store, item.item_id, "delivered")
    samples = await scrape(app.base_url)

    assert delivered.attempts == 1, "the chart did not hold the summary back"
    (posted,) = posts_to(fake_slack, LEAD)
    assert posted.blocks == BLOCKS and posted.args["text"] == "Weekly summary: 40% embedded"
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.charts.upload"]
    assert len(warnings) == 2 and all("files:write" in w and "reinstall" in w for w in warnings)
    assert value(samples, "mlorg_chart_uploads_total", outcome="missing_scope") == 2
    assert value(samples, "mlorg_charts_dropped_total", reason="upload_failed") == 2
    assert [c["dropped"] for c in delivered.payload["charts"]] == ["upload_failed"] * 2


async def test_a_chart_slack_is_still_processing_is_waited_for_and_posted_with_the_summary(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    fake_slack.processing_delay = 0.3
    store = store_of(app)

    item = await enqueue_summary(store)
    delivered = await wait_status(store, item.item_id, "delivered")

    *refused, posted = posts_to(fake_slack, LEAD)
    assert refused, "Slack refused the images while processing them"
    assert delivered.attempts == 1, "waited within the attempt, not parked or rescheduled"
    assert shown_files(posted.blocks) == list(fake_slack.files)
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == 2


async def test_an_image_slack_keeps_refusing_is_left_out_and_the_summary_is_delivered_not_parked(
    app: RunningApp, fake_slack: FakeSlack
) -> None:
    assert app.mlorg is not None
    app.mlorg.outbox_worker.poster = ChartPoster(app.mlorg.metrics, delays=(FAST, FAST, FAST))
    fake_slack.processing_delay = 3600
    store = store_of(app)

    item = await enqueue_summary(store)
    delivered = await wait_status(store, item.item_id, "delivered")
    samples = await scrape(app.base_url)

    posts = posts_to(fake_slack, LEAD)
    assert len(posts) == 5 and all(shown_files(p.blocks) for p in posts[:-1])
    assert posts[-1].blocks == BLOCKS, "the text went out"
    assert delivered.attempts == 1 and delivered.last_error is None
    assert value(samples, "mlorg_charts_dropped_total", reason="not_ready") == 2
    assert fake_slack.posts(ADMIN) == [], "nothing failed, so nobody is told"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = Store.open(sqlite_url(tmp_path))
    await opened.migrate()
    yield opened
    await opened.close()


async def test_a_resumed_item_shows_the_charts_its_dead_worker_uploaded_without_uploading_again(
    fake_slack: FakeSlack, store: Store
) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    item = await enqueue_summary(store)
    # A worker claims the item, uploads its charts as delivery does, and dies before posting.
    (dying,) = await store.outbox.claim(LEASE, worker="dying:1")
    assert await upload_charts(store.outbox, ChartUploader(client), dying) is not None
    uploaded = list(fake_slack.files)
    await rewind_to_delivering(store, item.item_id)  # its lease ran out

    assert await OutboxWorker(store.outbox, client, name="second:2").run_once() == 1
    delivered = await store.outbox.get(item.team_id, item.item_id)

    assert delivered is not None and delivered.status == "delivered"
    assert fake_slack.calls_to("conversations.history"), "a resumed item looks before posting"
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == 2, "uploaded by the dead worker only"
    (posted,) = posts_to(fake_slack, LEAD)
    assert shown_files(posted.blocks) == uploaded
    assert len(accepted_with(fake_slack, item.item_id)) == 1
