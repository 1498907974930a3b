"""Micro-benchmark of the charts: what drawing costs, and what it does to the event loop.

Run it as a plain script (``python bench/chart_bench.py``); it asserts nothing. It prints,
for each chart of the built-in examples, the median and p95 milliseconds to draw it (after
one warm-up drawing), the process's resident memory before the first chart and after all
of them (matplotlib is imported on the first one, never at start-up), and how late an
``asyncio`` timer fires while charts are drawn on the app's chart thread: the acks of
other requests wait that long at most.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from collections.abc import Callable

from bot.charts import ChartRenderer
from knowledge import load_knowledge
from knowledge.charts import render_diagnosis, render_summary, render_team
from knowledge.charts.examples import example_diagnosis, example_summary, example_team


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(draw: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        draw()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


async def _loop_lag(draws: int) -> tuple[float, float, float]:
    """Drawing on the chart thread while a 1 ms timer runs: how late the timer fires (ms)."""
    kb = load_knowledge()
    diagnosis = example_diagnosis(kb)
    renderer = ChartRenderer()
    lags: list[float] = []
    stop = asyncio.Event()

    async def tick() -> None:
        while not stop.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append((time.perf_counter() - start - 0.001) * 1000)

    ticker = asyncio.create_task(tick())
    for _ in range(draws):
        await renderer.render("bench", lambda: (render_diagnosis(diagnosis),))
    stop.set()
    await ticker
    await renderer.aclose()
    lags.sort()
    return statistics.median(lags), lags[int(len(lags) * 0.99)], lags[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="drawings per chart (default 20)")
    args = parser.parse_args()
    kb = load_knowledge()
    diagnosis, team, summary = example_diagnosis(kb), example_team(kb), example_summary(kb)
    before = _rss_mib()
    loaded = "matplotlib" in sys.modules
    kinds: list[tuple[str, Callable[[], object]]] = [
        ("diagnosis", lambda: render_diagnosis(diagnosis)),
        ("team (mix + perception)", lambda: render_team(team)),
        ("summary (mix + trend + quiz)", lambda: render_summary(summary)),
    ]
    first = time.perf_counter()
    render_diagnosis(diagnosis)
    first_ms = (time.perf_counter() - first) * 1000
    print(f"matplotlib loaded before the first chart: {loaded}")
    print(f"first chart (imports matplotlib, loads fonts): {first_ms:.0f} ms")
    print(f"{'chart':32} {'median ms':>10} {'p95 ms':>8}")
    for name, draw in kinds:
        median, p95 = _timed(draw, args.runs)
        print(f"{name:32} {median:10.1f} {p95:8.1f}")
    after = _rss_mib()
    print(f"RSS: {before:.0f} MiB before the first chart, {after:.0f} MiB after ({after - before:+.0f} MiB)")
    median, p99, worst = asyncio.run(_loop_lag(args.runs))
    print(
        f"event-loop lag while drawing on the chart thread: median {median:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
