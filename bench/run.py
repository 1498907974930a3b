"""Benchmark mlorg against the floor (a bare Bolt app) under the same load of signed requests.

    python bench/run.py [--requests 3000] [--warmup 200] [--concurrency 32] [--rounds 5]
                        [--database-url postgresql://root@127.0.0.1:5432/test]

This process is the client (and hosts a fake Slack Web API on a thread with its own loop);
the servers are subprocesses on 127.0.0.1, measured one at a time, in alternating order
from round to round. For each server it measures:

* start-up: process spawn -> first ``GET /healthz`` answered 200;
* per scenario, after a warm-up: throughput (req/s) and p50/p99 latency of the ack, that is
  the time from sending a signed ``/mlorg ...`` request to having read the HTTP response;
* RSS (``VmRSS`` from ``/proc/<pid>/status``) after each scenario's load.

It prints a table and the mlorg/floor ratios against the targets of DESIGN.md and writes
everything, raw samples included, to ``bench/results/latest.json``. Every loop is bounded by
a count and a deadline; every server process is terminated before exit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import aiohttp

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from report import print_report, ratios, summarize  # noqa: E402
from servers import (  # noqa: E402
    NOISY_OTHER_CPU,
    REQUEST_TIMEOUT_S,
    RESULTS_DIR,
    SERVERS,
    Databases,
    FakeSlackThread,
    Server,
    ServerSpec,
    _server_env,
    machine_busy_seconds,
    start_server,
    wait_for_quiet,
)
from traffic import command_request, mention_request, run_load  # noqa: E402

#: Scenario name -> the text after ``/mlorg``.
SCENARIOS: dict[str, str] = {
    "explain": "explain rnd",
    "help": "help",
    # Not a command: an @mlorg question, sent as the signed app_mention event Slack sends.
    "mention": "what goes wrong when ML sits in the R&D lab?",
}


def scenario_request(scenario: str, response_url: str) -> tuple[bytes, dict[str, str]]:
    if scenario == "mention":
        return mention_request(SCENARIOS[scenario])
    return command_request(SCENARIOS[scenario], response_url)


@dataclass
class ScenarioRun:
    round: int
    server: str
    scenario: str
    requests: int
    concurrency: int
    ok: int
    failed: int
    statuses: dict[str, int]
    wall_s: float
    throughput: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    quiet_wait_s: float
    server_cpu_s: float
    server_cpu_util: float
    client_cpu_util: float
    #: CPU (in cores) used during the phase by processes other than the server and this client:
    #: anything much above 0 means the machine was shared and the figures are suspect.
    other_cpu_util: float
    rss_kb: int
    hwm_kb: int
    #: Which try this was (a disturbed phase is measured again, see ``--retries``).
    attempt: int = 1


async def measure_scenario(
    server: Server, scenario: str, round_no: int, args: argparse.Namespace, response_url: str
) -> ScenarioRun:
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    quiet_wait = await wait_for_quiet(args.quiet_wait)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        warmup = [scenario_request(scenario, response_url) for _ in range(args.warmup)]
        # One request alone first: Bolt calls auth.test on the first request and caches the
        # answer, but concurrent first requests would each call it (they all see no cache yet).
        blocks = scenario != "mention"
        first = await run_load(session, server.url, warmup[:1], 1, expect_blocks=blocks)
        warm = await run_load(session, server.url, warmup[1:], args.concurrency, expect_blocks=blocks)
        warm.failed += first.failed
        if warm.failed:
            raise RuntimeError(f"{server.name} failed {warm.failed} warm-up requests: {warm.statuses}")
        timed = [scenario_request(scenario, response_url) for _ in range(args.requests)]
        cpu_before, client_before = server.cpu_seconds(), time.process_time()
        busy_before = machine_busy_seconds()
        result = await run_load(session, server.url, timed, args.concurrency, expect_blocks=blocks)
        server_cpu = server.cpu_seconds() - cpu_before
        client_cpu = time.process_time() - client_before
        other_cpu = max(0.0, machine_busy_seconds() - busy_before - server_cpu - client_cpu)
    memory = server.memory_kb()
    latencies_ms = [s * 1000 for s in result.latencies_s]
    return ScenarioRun(
        round=round_no,
        server=server.name,
        scenario=scenario,
        requests=args.requests,
        concurrency=args.concurrency,
        ok=result.ok,
        failed=result.failed,
        statuses=result.statuses,
        wall_s=round(result.wall_s, 4),
        throughput=round(result.throughput, 1),
        p50_ms=round(result.percentile(50), 3),
        p90_ms=round(result.percentile(90), 3),
        p99_ms=round(result.percentile(99), 3),
        max_ms=round(max(latencies_ms, default=float("nan")), 3),
        mean_ms=round(statistics.fmean(latencies_ms) if latencies_ms else float("nan"), 3),
        quiet_wait_s=quiet_wait,
        server_cpu_s=round(server_cpu, 3),
        server_cpu_util=round(server_cpu / result.wall_s, 3) if result.wall_s else 0.0,
        client_cpu_util=round(client_cpu / result.wall_s, 3) if result.wall_s else 0.0,
        other_cpu_util=round(other_cpu / result.wall_s, 3) if result.wall_s else 0.0,
        rss_kb=memory.get("VmRSS", 0),
        hwm_kb=memory.get("VmHWM", 0),
    )


# -- the benchmark ----------------------------------------------------------------------------------
@dataclass
class StartupSample:
    round: int
    server: str
    #: "fresh": the first start on an empty database (mlorg applies every migration);
    #: "restart": a start on the database a previous process left (the usual deploy or restart).
    kind: str
    seconds: float
    rss_kb_idle: int


@dataclass
class Bench:
    args: argparse.Namespace
    fake: FakeSlackThread
    databases: Databases
    workdir: Path
    live: list[Server] = field(default_factory=list)
    runs: list[ScenarioRun] = field(default_factory=list)
    startups: list[StartupSample] = field(default_factory=list)
    #: auth.test calls each server process made, per server (the fake Slack counts them).
    auth_test_calls: dict[str, list[int]] = field(default_factory=dict)

    @asynccontextmanager
    async def server(
        self, spec: ServerSpec, round_no: int, tag: str, database_url: str | None
    ) -> AsyncIterator[Server]:
        await wait_for_quiet(self.args.quiet_wait)
        cwd = Path(tempfile.mkdtemp(prefix=f"{spec.name}-", dir=self.workdir))
        log_path = self.args.logs / f"{spec.name}-r{round_no}-{tag}.log"
        env = _server_env(self.fake.api_url, database_url)
        auth_tests = self.fake.count("auth.test")
        server = await start_server(spec, env, cwd, log_path, self.live, self.args.server_cpus)
        try:
            yield server
        finally:
            code = server.stop()
            self.live.remove(server)
            self.auth_test_calls.setdefault(spec.name, []).append(self.fake.count("auth.test") - auth_tests)
            if code not in (0, -signal.SIGTERM):
                print(f"  ! {spec.name} exited with {code}; see {log_path}", file=sys.stderr)

    async def run(self) -> None:
        servers = [s for s in SERVERS if s.name in self.args.servers]
        for round_no in range(1, self.args.rounds + 1):
            order = servers if round_no % 2 else list(reversed(servers))
            for spec in order:
                await self.measure_server(spec, round_no)

    async def measure_server(self, spec: ServerSpec, round_no: int) -> None:
        """Start-up samples (the first on a fresh database, then restarts on it), then the load."""
        database_url = await self.databases.fresh() if spec.needs_database else None
        try:
            for sample in range(1, self.args.startup_samples):
                async with self.server(spec, round_no, f"startup{sample}", database_url) as server:
                    self._record_startup(server, round_no, "fresh" if sample == 1 else "restart")
            kind = "fresh" if self.args.startup_samples == 1 else "restart"
            async with self.server(spec, round_no, "load", database_url) as server:
                self._record_startup(server, round_no, kind)
                for scenario in self.args.scenarios:
                    run = await self.measure_scenario(server, scenario, round_no)
                    self.runs.append(run)
        finally:
            await self.databases.drop_all()

    async def measure_scenario(self, server: Server, scenario: str, round_no: int) -> ScenarioRun:
        """One scenario's load; repeated (up to ``--retries`` times) when other work disturbed it."""
        attempts: list[ScenarioRun] = []
        for attempt in range(1 + self.args.retries):
            run = await measure_scenario(server, scenario, round_no, self.args, self.response_url)
            run.attempt = attempt + 1
            attempts.append(run)
            noisy = run.other_cpu_util > NOISY_OTHER_CPU
            print(
                f"  round {round_no} {server.name:<13} {scenario:<8} {run.throughput:8.1f} req/s  "
                f"p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:6.2f} ms  "
                f"CPU server {run.server_cpu_util:4.0%} client {run.client_cpu_util:4.0%} "
                f"other {run.other_cpu_util:4.0%}  "
                f"RSS {run.rss_kb / 1024:5.1f} MB  waited {run.quiet_wait_s:4.1f}s"
                + (f"  FAILED {run.failed}" if run.failed else "")
                + ("  (disturbed: again)" if noisy and attempt < self.args.retries else ""),
                flush=True,
            )
            if not noisy:
                break
        return min(attempts, key=lambda r: r.other_cpu_util)

    @property
    def response_url(self) -> str:
        assert self.fake.fake is not None
        return self.fake.fake.response_url("bench")

    def _record_startup(self, server: Server, round_no: int, kind: str) -> None:
        idle = server.memory_kb().get("VmRSS", 0)
        self.startups.append(StartupSample(round_no, server.name, kind, round(server.startup_s, 4), idle))
        print(f"  round {round_no} {server.name:<13} start-up {server.startup_s:6.3f} s ({kind})", flush=True)

    def stop_all(self) -> None:
        for server in list(self.live):
            with suppress(Exception):
                server.stop()
            self.live.remove(server)


# -- entry point ------------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Benchmark mlorg against a bare Bolt app (the floor).")
    parser.add_argument(
        "--requests", type=int, default=3000, help="timed requests per scenario (default 3000)"
    )
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests before each scenario")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (default 32)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, server order alternating (default 5)")
    parser.add_argument(
        "--startup-samples",
        type=int,
        default=3,
        help="start-up measurements per server per round (default 3)",
    )
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, from {', '.join(SCENARIOS)}"
    )
    parser.add_argument(
        "--servers",
        default="floor,floor-durable,mlorg",
        help="comma-separated, from floor, floor-durable, mlorg",
    )
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL URL on 127.0.0.1 (default: a temp SQLite file)"
    )
    parser.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=len(os.sched_getaffinity(0)) >= 2,
        help="pin this client to one CPU and the servers to another (default: on with 2+ CPUs)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=20.0,
        help="before each start-up and load phase, wait up to this many seconds for an idle machine",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="measure a load phase again (at most this many times) when other processes disturbed it",
    )
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json")
    parser.add_argument("--logs", type=Path, default=RESULTS_DIR / "logs", help="server logs go here")
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = _parser()
    args = parser.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    if unknown := set(args.scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    if unknown := set(args.servers) - {s.name for s in SERVERS}:
        parser.error(f"unknown server(s): {', '.join(sorted(unknown))}")
    for name in ("requests", "concurrency", "rounds", "startup_samples"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0 or args.retries < 0:
        parser.error("--warmup and --retries must not be negative")
    allowed = sorted(os.sched_getaffinity(0))
    if args.pin and len(allowed) < 2:
        parser.error("--pin needs two CPUs")
    args.client_cpus = {allowed[0]} if args.pin else None
    args.server_cpus = {allowed[1]} if args.pin else None
    return args


def _git_commit() -> str | None:
    with suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return done.stdout.strip() or None
    return None


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def _main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mlorg-bench-") as tmp:
        workdir = Path(tmp)
        machine = {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_at_start": _loadavg(),
        }
        databases = Databases(args.database_url, workdir)
        fake = FakeSlackThread().start()
        bench = Bench(args, fake, databases, workdir)
        started = time.perf_counter()
        try:
            await bench.run()
        finally:
            bench.stop_all()
            with suppress(Exception):
                await databases.drop_all()
            fake.stop()
        machine["loadavg_at_end"] = _loadavg()
        summary = summarize(bench)
        return {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "machine": machine,
            "config": {
                "requests": args.requests,
                "warmup": args.warmup,
                "concurrency": args.concurrency,
                "rounds": args.rounds,
                "startup_samples": args.startup_samples,
                "scenarios": {name: f"/mlorg {SCENARIOS[name]}" for name in args.scenarios},
                "database": databases.kind,
                "pinned": bool(args.pin),
                "quiet_wait_s": args.quiet_wait,
            },
            "duration_s": round(time.perf_counter() - started, 1),
            "auth_test_calls_per_process": bench.auth_test_calls,
            "summary": summary,
            "ratios": ratios(summary, args.scenarios),
            "startups": [asdict(s) for s in bench.startups],
            "runs": [asdict(r) for r in bench.runs],
        }


def _finite(value: Any) -> Any:
    """``value`` with NaN (a statistic of no samples) as null, so the JSON stays standard."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through the finally blocks that stop the servers


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    if args.client_cpus is not None:
        # Before any thread starts: new threads (the fake Slack's) inherit the affinity.
        os.sched_setaffinity(0, args.client_cpus)
    print(
        f"mlorg bench: {args.requests} requests (+{args.warmup} warm-up) at concurrency {args.concurrency}, "
        f"{args.rounds} round(s), database {'postgresql' if args.database_url else 'sqlite'}",
        flush=True,
    )
    try:
        report = asyncio.run(_main(args))
    except RuntimeError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    print_report(report["summary"], report["ratios"], args.scenarios)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(_finite(report), indent=2, allow_nan=False) + "\n")
    print(f"\nwrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
