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
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import aiohttp

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.fake_slack import FakeSlack  # noqa: E402
from tests.e2e.slack_client import sign  # noqa: E402

HOST = "127.0.0.1"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-bot-token"
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
RESULTS_DIR = BENCH_DIR / "results"

#: Scenario name -> the text after ``/mlorg``.
SCENARIOS: dict[str, str] = {
    "explain": "explain rnd",
    "help": "help",
    # Not a command: an @mlorg question, sent as the signed app_mention event Slack sends.
    "mention": "what goes wrong when ML sits in the R&D lab?",
}
#: (ratio, comparison, target) from DESIGN.md "Performance expectations".
TARGETS: dict[str, tuple[str, float]] = {
    "explain.throughput": (">=", 0.9),
    "explain.p99": ("<=", 1.2),
    "rss": ("<=", 1.5),
    "startup": ("<=", 1.5),
}

STARTUP_DEADLINE_S = 60.0
HEALTH_POLL_INTERVAL_S = 0.005
REQUEST_TIMEOUT_S = 10.0
STOP_GRACE_S = 15.0
#: Slack rejects signatures older than five minutes; a phase must finish well before that.
PHASE_DEADLINE_S = 240.0
#: Above this many cores used by other processes during a phase, the report warns.
NOISY_OTHER_CPU = 0.1
#: "Quiet" for wait_for_quiet: the whole machine busy for less than this many cores.
QUIET_CPU = 0.15


# -- the fake Slack, on its own thread and loop ------------------------------------------------------
class FakeSlackThread:
    """A :class:`FakeSlack` served from a daemon thread with its own event loop."""

    def __init__(self) -> None:
        self.fake: FakeSlack | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fake-slack", daemon=True)

    def start(self, timeout: float = 10.0) -> FakeSlackThread:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the fake Slack did not start")
        if self._error is not None:
            raise RuntimeError(f"the fake Slack did not start: {self._error!r}")
        return self

    @property
    def api_url(self) -> str:
        assert self.fake is not None
        return self.fake.api_url

    def count(self, method: str) -> int:
        return 0 if self.fake is None else len(self.fake.calls_to(method))

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # reported by start()
            self._error = error
            self._ready.set()

    async def _main(self) -> None:
        self.fake = await FakeSlack().start()
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await self.fake.stop()


# -- databases for mlorg ----------------------------------------------------------------------------
class Databases:
    """A fresh database for every mlorg process: a temp SQLite file, or a new PostgreSQL database."""

    def __init__(self, postgres_url: str | None, workdir: Path) -> None:
        self.postgres_url = postgres_url
        self.workdir = workdir
        self._created: list[str] = []
        if postgres_url is not None:
            parts = urlsplit(postgres_url)
            if not parts.scheme.startswith("postgres"):
                raise SystemExit("--database-url must be a postgresql:// URL (SQLite is the default)")
            if parts.hostname not in LOCAL_HOSTS:
                raise SystemExit("--database-url must point at 127.0.0.1: the bench stays on this machine")

    @property
    def kind(self) -> str:
        return "sqlite" if self.postgres_url is None else "postgresql"

    async def fresh(self) -> str:
        if self.postgres_url is None:
            path = self.workdir / f"mlorg-{uuid.uuid4().hex[:8]}.sqlite3"
            return f"sqlite:///{path}"
        name = f"mlorg_bench_{uuid.uuid4().hex[:8]}"
        connection = await self._admin()
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        self._created.append(name)
        return urlunsplit(urlsplit(self.postgres_url)._replace(path=f"/{name}"))

    async def drop_all(self) -> None:
        if not self._created:
            return
        connection = await self._admin()
        try:
            for name in self._created:
                await connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid()",
                    name,
                )
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            await connection.close()
        self._created.clear()

    async def _admin(self) -> Any:
        import asyncpg  # only needed with --database-url

        assert self.postgres_url is not None
        parts = urlsplit(self.postgres_url)
        return await asyncpg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            database=parts.path.lstrip("/") or "postgres",
            timeout=5,
        )


async def wait_for_quiet(max_wait_s: float, window_s: float = 0.5) -> float:
    """Wait (at most ``max_wait_s``) until the machine is idle for one ``window_s``; return the wait.

    On a shared machine other work comes in bursts; measuring between them makes rounds comparable.
    """
    if max_wait_s <= 0:
        return 0.0
    started = time.perf_counter()
    for _window in range(max(1, int(max_wait_s / window_s))):
        before = machine_busy_seconds()
        await asyncio.sleep(window_s)
        if (machine_busy_seconds() - before) / window_s < QUIET_CPU:
            break
    return round(time.perf_counter() - started, 2)


# -- server processes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ServerSpec:
    name: str
    argv: Callable[[int], list[str]]
    needs_database: bool


SERVERS: tuple[ServerSpec, ...] = (
    ServerSpec(
        "floor",
        lambda port: [sys.executable, str(BENCH_DIR / "floor_app.py"), "--host", HOST, "--port", str(port)],
        needs_database=False,
    ),
    ServerSpec(
        "mlorg",
        # The interpreter directly, not the `mlorg` console script: a pyenv shim is a shell
        # script and would add its own start-up time to the app's.
        lambda port: [
            sys.executable,
            "-m",
            "bot.cli",
            "serve",
            "--http",
            "--host",
            HOST,
            "--port",
            str(port),
        ],
        needs_database=True,
    ),
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _server_env(api_url: str, database_url: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MLORG_")) and key not in {"DATABASE_URL", "PORT"}
    }
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=api_url)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time used by every process on the machine so far (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    guest = sum(fields[8:10]) if len(fields) > 9 else 0  # already counted in user/nice
    return (sum(fields) - idle - guest) / _CLOCK_TICKS


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    startup_s: float = 0.0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{EVENTS_PATH}"

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS

    def memory_kb(self) -> dict[str, int]:
        """VmRSS (now) and VmHWM (peak), in kB, from /proc/<pid>/status."""
        found: dict[str, int] = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
        return found

    def log_tail(self, lines: int = 20) -> str:
        with suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> int | None:
        """SIGTERM, wait for a graceful exit, SIGKILL if it does not come."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode


async def start_server(
    spec: ServerSpec,
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    live: list[Server],
    cpus: set[int] | None = None,
) -> Server:
    """Spawn ``spec`` and wait for ``/healthz`` to answer 200; ``startup_s`` is spawn -> that answer."""
    port = _free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        started = time.perf_counter()
        # A plain Popen, not asyncio's: it returns at once, and the handle must be stoppable
        # from the synchronous cleanup that runs in finally blocks.
        process = subprocess.Popen(  # noqa: ASYNC220
            spec.argv(port), env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    server = Server(spec.name, process, port, log_path)
    live.append(server)
    if cpus is not None:
        os.sched_setaffinity(process.pid, cpus)
    health = f"http://{HOST}:{port}{HEALTH_PATH}"
    deadline = started + STARTUP_DEADLINE_S
    timeout = aiohttp.ClientTimeout(total=2)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for _attempt in range(int(STARTUP_DEADLINE_S / HEALTH_POLL_INTERVAL_S)):
            if process.poll() is not None:
                raise RuntimeError(f"{spec.name} exited with {process.returncode}:\n{server.log_tail()}")
            with suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(health) as response:
                    if response.status == 200:
                        server.startup_s = time.perf_counter() - started
                        return server
            if time.perf_counter() > deadline:
                break
            await asyncio.sleep(HEALTH_POLL_INTERVAL_S)
    raise RuntimeError(f"{spec.name} was not healthy within {STARTUP_DEADLINE_S:.0f}s:\n{server.log_tail()}")


# -- load -------------------------------------------------------------------------------------------
_trigger_ids = iter(range(1, 10**9))


_event_ids = iter(range(1, 10**9))


def mention_request(text: str) -> tuple[bytes, dict[str, str]]:
    """An ``app_mention`` event, JSON and signed as Slack sends it, with a fresh event id each."""
    n = next(_event_ids)
    body = json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": f"EvBench{n:010d}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                "user": "U0001",
                "text": f"<@UBOT> {text}",
                "channel": "C0001",
                "ts": f"1700000000.{n:06d}",
            },
            "authorizations": [{"team_id": "T0001", "user_id": "UBOT", "is_bot": True}],
        }
    )
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(SIGNING_SECRET, body, timestamp),
    }
    return body.encode(), headers


def scenario_request(scenario: str, response_url: str) -> tuple[bytes, dict[str, str]]:
    if scenario == "mention":
        return mention_request(SCENARIOS[scenario])
    return command_request(SCENARIOS[scenario], response_url)


def command_request(text: str, response_url: str) -> tuple[bytes, dict[str, str]]:
    """A ``/mlorg`` slash command, form-encoded and signed exactly as Slack sends it."""
    body = urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": "T0001",
            "team_domain": "fake",
            "channel_id": "C0001",
            "channel_name": "general",
            "user_id": "U0001",
            "user_name": "u0001",
            "command": "/mlorg",
            "text": text,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{next(_trigger_ids)}.1.trigger",
        }
    )
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(SIGNING_SECRET, body, timestamp),
    }
    return body.encode(), headers


@dataclass
class LoadResult:
    ok: int
    failed: int
    statuses: dict[str, int]
    wall_s: float
    latencies_s: list[float] = field(repr=False)

    @property
    def throughput(self) -> float:
        return self.ok / self.wall_s if self.wall_s > 0 else 0.0

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies, in milliseconds."""
        if not self.latencies_s:
            return float("nan")
        ordered = sorted(self.latencies_s)
        rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
        return ordered[rank - 1] * 1000


async def run_load(
    session: aiohttp.ClientSession,
    url: str,
    requests: Sequence[tuple[bytes, dict[str, str]]],
    concurrency: int,
    *,
    expect_blocks: bool = True,
) -> LoadResult:
    """Send ``requests`` with ``concurrency`` workers on keep-alive connections; time each ack.

    A request counts as ok when the answer is 200 with Block Kit blocks in its body (an event's
    ack is an empty 200: with ``expect_blocks=False`` any 200 counts).
    """
    pending = iter(requests)
    latencies: list[float] = []
    statuses: Counter[str] = Counter()

    async def worker() -> None:
        for body, headers in pending:  # shared iterator: each request is sent once
            sent = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    payload = await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                statuses[type(error).__name__] += 1
                continue
            elapsed = time.perf_counter() - sent
            if status == 200 and (b'"blocks"' in payload or not expect_blocks):
                latencies.append(elapsed)
                statuses["200"] += 1
            else:
                statuses[f"{status} (no blocks)" if status == 200 else str(status)] += 1

    started = time.perf_counter()
    async with asyncio.timeout(PHASE_DEADLINE_S):
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    ok = len(latencies)
    return LoadResult(ok, sum(statuses.values()) - ok, dict(statuses), wall, latencies)


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
                f"  round {round_no} {server.name:<6} {scenario:<8} {run.throughput:8.1f} req/s  "
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
        print(f"  round {round_no} {server.name:<6} start-up {server.startup_s:6.3f} s ({kind})", flush=True)

    def stop_all(self) -> None:
        for server in list(self.live):
            with suppress(Exception):
                server.stop()
            self.live.remove(server)


# -- summary ----------------------------------------------------------------------------------------
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
    if not floor or not app:
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
    if first in floor and first in app:
        found["rss"] = app[first]["rss_mb"] / floor[first]["rss_mb"]
    found["startup"] = app["startup_s"] / floor["startup_s"]
    if not math.isnan(app["startup_fresh_s"]) and not math.isnan(floor["startup_fresh_s"]):
        found["startup_fresh_database"] = app["startup_fresh_s"] / floor["startup_fresh_s"]
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
        f"{'server':<7} {'scenario':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>10} "
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
                f"{name:<7} {scenario:<9} {row['throughput']:8.1f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} "
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
    print("mlorg / floor")
    for key, item in found.items():
        verdict = ""
        if "target" in item:
            verdict = f"  target {item['target']:<7} {'ok' if item['met'] else 'MISSED'}"
        print(f"  {key:<24} {item['ratio']:6.2f}{verdict}")


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
    parser.add_argument("--servers", default="floor,mlorg", help="comma-separated, from floor, mlorg")
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
