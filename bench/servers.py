"""The bench's servers: the floor and mlorg as subprocesses on 127.0.0.1, a fake Slack on a
thread, throwaway databases, and the machine's CPU accounting (used by ``run.py``)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import aiohttp

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.fake_slack import FakeSlack  # noqa: E402

HOST = "127.0.0.1"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-bot-token"
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
RESULTS_DIR = BENCH_DIR / "results"
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
        "floor-durable",
        lambda port: [
            sys.executable,
            str(BENCH_DIR / "durable_floor.py"),
            "--host",
            HOST,
            "--port",
            str(port),
        ],
        needs_database=True,
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
