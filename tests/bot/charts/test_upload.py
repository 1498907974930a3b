"""Uploading a chart: the file id when it works; None, a warning that says what to do, and a count
when it does not."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import ChartUploader
from bot.observability.metrics import Metrics
from tests.e2e.fake_slack import HANG, UPLOAD, FakeSlack, Scripted
from tests.support.charts import RecordingCounters, chart


def count(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_an_upload_makes_slacks_three_calls_without_a_channel_and_returns_the_file_id(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    drawn = chart("summary-mix")

    file_id = await ChartUploader(client).upload(drawn)

    assert file_id is not None and file_id.startswith("F")
    assert [c.method for c in fake_slack.calls] == [
        "files.getUploadURLExternal",
        UPLOAD,
        "files.completeUploadExternal",
    ]
    completion = fake_slack.calls_to("files.completeUploadExternal")[0]
    assert not completion.args.get("channel_id") and not completion.args.get("channels")
    stored = fake_slack.files[file_id]
    assert (stored.content, stored.title, stored.filename) == (
        drawn.png,
        drawn.title,
        "mlorg-summary-mix.png",
    )


async def test_a_missing_scope_gives_no_file_a_warning_naming_files_write_and_a_count(
    fake_slack: FakeSlack, client: AsyncWebClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.script(
        "files.getUploadURLExternal",
        Scripted(
            body={"ok": False, "error": "missing_scope", "needed": "files:write", "provided": "chat:write"}
        ),
    )
    metrics = Metrics()

    with caplog.at_level(logging.WARNING, logger="bot.charts.upload"):
        file_id = await ChartUploader(client, metrics).upload(chart())

    assert file_id is None
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "bot.charts.upload"]
    assert "missing_scope" in warning and "files:write" in warning and "reinstall" in warning
    assert count(metrics, "mlorg_chart_uploads_total", outcome="missing_scope") == 1
    assert count(metrics, "mlorg_charts_dropped_total", reason="upload_failed") == 1
    assert fake_slack.files.uploaded() == []


async def test_a_user_token_is_reported_as_the_wrong_kind_of_token(
    fake_slack: FakeSlack, client: AsyncWebClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.script(
        "files.getUploadURLExternal", Scripted(body={"ok": False, "error": "not_allowed_token_type"})
    )
    counters = RecordingCounters()

    with caplog.at_level(logging.WARNING, logger="bot.charts.upload"):
        assert await ChartUploader(client, counters).upload(chart()) is None

    assert counters.uploads == ["not_allowed_token_type"]
    assert "xoxb-" in caplog.text, "the warning says which token to use"


async def test_an_upload_url_that_refuses_the_bytes_gives_no_file(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.script(UPLOAD, Scripted(status=500, body={"error": "boom"}))
    counters = RecordingCounters()

    assert await ChartUploader(client, counters).upload(chart()) is None

    assert counters.uploads == ["upload_refused"]
    assert fake_slack.calls_to("files.completeUploadExternal") == [], "nothing to complete"


async def test_a_slack_that_never_answers_gives_no_file_after_the_uploads_own_deadline(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.script("files.completeUploadExternal", HANG)
    counters = RecordingCounters()

    assert await ChartUploader(client, counters, timeout=0.2).upload(chart()) is None

    assert counters.uploads == ["timeout"]
    await fake_slack.wait_mark("gave up:files.completeUploadExternal")


async def test_an_unreachable_slack_gives_no_file(fake_slack: FakeSlack) -> None:
    await fake_slack.stop()
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url, timeout=5)
    counters = RecordingCounters()

    assert await ChartUploader(client, counters).upload(chart()) is None

    assert counters.uploads == ["connection_error"]


async def test_placing_charts_keeps_the_ones_that_uploaded_with_their_anchors(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    fake_slack.script("files.getUploadURLExternal", Scripted(body={"ok": False, "error": "ratelimited"}))

    placed = await ChartUploader(client).place([chart("lost"), chart("kept")], {"kept": "mix"})

    ((anchor, block),) = placed
    assert anchor == "mix"
    assert fake_slack.files[block["slack_file"]["id"]].title == chart("kept").title
