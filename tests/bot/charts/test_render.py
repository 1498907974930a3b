"""Drawing happens on one thread of its own, never on the event loop; a drawing that fails means no charts."""

from __future__ import annotations

import logging
import threading

import pytest

from bot.charts import ChartRenderer
from knowledge.charts.model import Chart
from tests.support.charts import RecordingCounters, chart


async def test_charts_are_drawn_on_the_chart_thread_not_the_event_loops() -> None:
    renderer = ChartRenderer()
    threads: list[str] = []

    def draw(key: str) -> list[Chart]:
        threads.append(threading.current_thread().name)
        return [chart(key)]

    try:
        first = await renderer.render("summary", draw, "summary-mix")
        second = await renderer.render("summary", draw, key="summary-trend")
    finally:
        await renderer.aclose()

    assert [c.key for c in first + second] == ["summary-mix", "summary-trend"]
    assert threads[0] == threads[1] != threading.current_thread().name, "one thread, not the loop's"
    assert threads[0].startswith("mlorg-charts")


async def test_a_drawing_that_raises_gives_no_charts_logged_with_the_surface_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    counters = RecordingCounters()
    renderer = ChartRenderer(counters)

    def broken() -> list[Chart]:
        raise ValueError("a tie nobody expected")

    with caplog.at_level(logging.WARNING, logger="bot.charts.render"):
        charts = await renderer.render("team summary", broken)
    renderer.close()

    assert charts == []
    assert counters.dropped == [("draw_failed", 1)]
    (record,) = caplog.records
    assert "team summary" in record.getMessage() and record.exc_info is not None


async def test_a_closed_renderer_draws_again_on_a_fresh_thread() -> None:
    renderer = ChartRenderer()
    await renderer.render("diagnosis", lambda: [chart()])
    await renderer.aclose()

    again = await renderer.render("diagnosis", lambda: [chart("again")])
    renderer.close()

    assert [c.key for c in again] == ["again"]


async def test_no_thread_is_started_until_something_is_drawn() -> None:
    before = {t.name for t in threading.enumerate()}

    renderer = ChartRenderer()
    await renderer.aclose()

    assert not any(t.name.startswith("mlorg-charts") for t in threading.enumerate() if t.name not in before)
