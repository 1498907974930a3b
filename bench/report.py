"""The bench's report: medians across rounds, the mlorg/floor ratios against DESIGN.md's
targets, and the printed table (used by ``run.py``)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from servers import NOISY_OTHER_CPU

if TYPE_CHECKING:
    from run import Bench

#: (ratio, comparison, target) from DESIGN.md "Performance expectations".
TARGETS: dict[str, tuple[str, float]] = {
    "explain.throughput": (">=", 0.9),
    "explain.p99": ("<=", 1.2),
    "rss": ("<=", 1.3),
    "startup": ("<=", 1.3),
}
#: Start-up and memory are compared with the floor that imports the same stack (Bolt, pydantic,
#: SQLAlchemy) and opens the same database; request speed with the bare floor.
STACK_FLOOR = "floor-durable"


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _spread(values: Sequence[float]) -> float:
    """(max - min) / median: how far apart the rounds were."""
    if len(values) < 2:
        return 0.0
    middle = statistics.median(values)
    return (max(values) - min(values)) / middle if middle else 0.0


def summarize(bench: Bench) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for name in sorted({r.server for r in bench.runs} | {s.server for s in bench.startups}):
        entry: dict[str, Any] = {}
        mine = [s for s in bench.startups if s.server == name]
        restarts = [s.seconds for s in mine if s.kind == "restart"] or [s.seconds for s in mine]
        entry["startup_s"] = round(_median(restarts), 4)
        entry["startup_spread"] = round(_spread(restarts), 3)
        entry["startup_fresh_s"] = round(_median([s.seconds for s in mine if s.kind == "fresh"]), 4)
        entry["rss_idle_mb"] = round(
            _median([s.rss_kb_idle for s in bench.startups if s.server == name]) / 1024, 1
        )
        for scenario in bench.args.scenarios:
            runs = [r for r in bench.runs if r.server == name and r.scenario == scenario]
            if not runs:
                continue
            entry[scenario] = {
                "throughput": round(_median([r.throughput for r in runs]), 1),
                "throughput_spread": round(_spread([r.throughput for r in runs]), 3),
                "p50_ms": round(_median([r.p50_ms for r in runs]), 3),
                "p99_ms": round(_median([r.p99_ms for r in runs]), 3),
                "p99_spread": round(_spread([r.p99_ms for r in runs]), 3),
                "server_cpu_util": round(_median([r.server_cpu_util for r in runs]), 3),
                "client_cpu_util": round(_median([r.client_cpu_util for r in runs]), 3),
                "cpu_ms_per_request": round(_median([r.server_cpu_s / max(r.ok, 1) * 1000 for r in runs]), 4),
                "rss_mb": round(_median([r.rss_kb for r in runs]) / 1024, 1),
                "other_cpu_util_max": round(max(r.other_cpu_util for r in runs), 3),
                "failed": sum(r.failed for r in runs),
            }
        summary[name] = entry
    return summary


def ratios(summary: dict[str, Any], scenarios: Sequence[str]) -> dict[str, dict[str, Any]]:
    floor, app = summary.get("floor"), summary.get("mlorg")
    stack = summary.get(STACK_FLOOR) or floor
    if not floor or not app or not stack:
        return {}
    found: dict[str, float] = {}
    for scenario in scenarios:
        if scenario in floor and scenario in app:
            found[f"{scenario}.throughput"] = app[scenario]["throughput"] / floor[scenario]["throughput"]
            found[f"{scenario}.p50"] = app[scenario]["p50_ms"] / floor[scenario]["p50_ms"]
            found[f"{scenario}.p99"] = app[scenario]["p99_ms"] / floor[scenario]["p99_ms"]
            found[f"{scenario}.cpu_per_request"] = (
                app[scenario]["cpu_ms_per_request"] / floor[scenario]["cpu_ms_per_request"]
            )
    first = scenarios[0] if scenarios else "explain"
    if first in stack and first in app:
        found["rss"] = app[first]["rss_mb"] / stack[first]["rss_mb"]
    found["startup"] = app["startup_s"] / stack["startup_s"]
    if not math.isnan(app["startup_fresh_s"]) and not math.isnan(stack["startup_fresh_s"]):
        found["startup_fresh_database"] = app["startup_fresh_s"] / stack["startup_fresh_s"]
    if stack is not floor:
        if first in floor and first in app:
            found["rss_vs_bare_floor"] = app[first]["rss_mb"] / floor[first]["rss_mb"]
        found["startup_vs_bare_floor"] = app["startup_s"] / floor["startup_s"]
    result: dict[str, dict[str, Any]] = {}
    for key, value in found.items():
        item: dict[str, Any] = {"ratio": round(value, 3)}
        if key in TARGETS:
            op, target = TARGETS[key]
            item.update(target=f"{op} {target}", met=value >= target if op == ">=" else value <= target)
        result[key] = item
    return result


def print_report(summary: dict[str, Any], found: dict[str, dict[str, Any]], scenarios: Sequence[str]) -> None:
    print()
    header = (
        f"{'server':<13} {'scenario':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>10} "
        f"{'RSS MB':>7} {'start-up s':>10} {'1st start s':>11}"
    )
    print(header)
    print("-" * len(header))
    for name, entry in summary.items():
        for scenario in scenarios:
            if scenario not in entry:
                continue
            row = entry[scenario]
            print(
                f"{name:<13} {scenario:<9} {row['throughput']:8.1f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} "
                f"{row['cpu_ms_per_request']:10.3f} {row['rss_mb']:7.1f} {entry['startup_s']:10.3f} "
                f"{entry['startup_fresh_s']:11.3f}"
            )
    noise = max(
        (
            row["other_cpu_util_max"]
            for entry in summary.values()
            for row in entry.values()
            if isinstance(row, dict)
        ),
        default=0.0,
    )
    if noise > NOISY_OTHER_CPU:
        print(
            f"\nWARNING: other processes used up to {noise:.0%} of a core during the load: throughput and "
            "latency are suspect on a shared machine (CPU ms/req holds up best); rerun when it is quiet."
        )
    if not found:
        return
    print()
    print(f"mlorg / floor (requests: the bare floor; rss and start-up: {STACK_FLOOR} where it ran)")
    for key, item in found.items():
        verdict = ""
        if "target" in item:
            verdict = f"  target {item['target']:<7} {'ok' if item['met'] else 'MISSED'}"
        print(f"  {key:<24} {item['ratio']:6.2f}{verdict}")
