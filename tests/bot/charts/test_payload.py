"""Charts in an outbox payload survive the JSON round trip, outcome included."""

from __future__ import annotations

import json

from bot.charts import chart_payload, charts_of, placements
from tests.support.charts import chart


def test_charts_come_back_from_the_payload_byte_for_byte_with_their_anchor() -> None:
    mix, trend = chart("summary-mix", 1), chart("summary-trend", 2)

    stored = json.loads(json.dumps({"charts": chart_payload([mix, trend], {"summary-mix": "mix-block"})}))
    back = charts_of(stored)

    assert [(c.chart, c.anchor, c.settled) for c in back] == [(mix, "mix-block", False), (trend, None, False)]


def test_a_recorded_upload_becomes_an_image_block_and_a_dropped_one_does_not() -> None:
    uploaded = charts_of({"charts": chart_payload([chart("a")], {"a": "x"})})[0]
    entries = [
        {**uploaded.entry(), "file_id": "F0000000001"},
        {**chart_payload([chart("b")], {})[0], "dropped": "upload_failed"},
    ]

    back = charts_of(json.loads(json.dumps({"charts": entries})))

    assert all(c.settled for c in back)
    ((anchor, block),) = placements(back)
    assert (anchor, block["slack_file"]["id"]) == ("x", "F0000000001")


def test_a_malformed_chart_entry_is_skipped_rather_than_failing_the_delivery() -> None:
    good = chart_payload([chart("a")], {})[0]

    back = charts_of({"charts": ["nonsense", {"key": "b", "png": "not base64!"}, {"png": good["png"]}, good]})

    assert [c.chart.key for c in back] == ["a"]
