"""Micro-benchmark of the charts: what drawing costs, and what it does to the event loop.

Run it as a plain script (``python bench/chart_bench.py``); it asserts nothing. It prints,
for each chart of the built-in examples, the median and p95 milliseconds to draw it (after
one warm-up drawing), the process's resident memory of the server's stack (``bot.app`` imported, the answer
index built) before the first chart and after all of them (matplotlib is imported on the first one, never at start-up), and how late an
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
from knowledge import Answerer, load_knowledge
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


async def _on_the_chart_thread(draws: int) -> tuple[float, float, float, float]:
    """Draw as the server does (on its chart thread) while a 1 ms timer runs.

    Returns how late the timer fired (median, p99, max, in ms), and the RSS afterwards (MiB).
    """
    kb = load_knowledge()
    diagnosis, summary = example_diagnosis(kb), example_summary(kb)
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
        await renderer.render("bench", render_summary, summary)
    stop.set()
    await ticker
    await renderer.aclose()
    lags.sort()
    return statistics.median(lags), lags[int(len(lags) * 0.99)], lags[-1], _rss_mib()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="drawings per chart (default 20)")
    args = parser.parse_args()
    import bot.app  # noqa: F401  (the server's own imports: memory is measured on top of them)

    kb = load_knowledge()
    Answerer(kb).warm()  # as the server does once it serves (numpy, bm25s)
    diagnosis, team, summary = example_diagnosis(kb), example_team(kb), example_summary(kb)
    before = _rss_mib()
    loaded = "matplotlib" in sys.modules
    kinds: list[tuple[str, Callable[[], object]]] = [
        ("diagnosis", lambda: render_diagnosis(diagnosis)),
        ("team (mix + perception)", lambda: render_team(team)),
        ("summary (mix + trend + quiz)", lambda: render_summary(summary)),
    ]
    print(f"matplotlib loaded before the first chart: {loaded}")
    # First as the server draws (on its chart thread), so the memory figure is the server's.
    first = time.perf_counter()
    median, p99, worst, after = asyncio.run(_on_the_chart_thread(args.runs))
    print(
        f"{2 * args.runs} charts on the chart thread (the first imports matplotlib): {time.perf_counter() - first:.1f} s"
    )
    print(
        f"RSS of the app's stack: {before:.0f} MiB before the first chart, {after:.0f} MiB after "
        f"{2 * args.runs} drawn on the chart thread ({after - before:+.0f} MiB)"
    )
    print(
        f"event-loop lag while drawing on the chart thread: median {median:.1f} ms, p99 {p99:.1f} ms, "
        f"max {worst:.1f} ms"
    )
    print(f"{'chart':32} {'median ms':>10} {'p95 ms':>8}")
    for name, draw in kinds:
        median, p95 = _timed(draw, args.runs)
        print(f"{name:32} {median:10.1f} {p95:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
