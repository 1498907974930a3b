"""Run ``mlorg serve`` as a real process, the way an operator (or a container) runs it.

The child gets a controlled environment: the caller's, minus every ``SLACK_*``, ``MLORG_*``,
``DATABASE_URL`` and ``PORT`` variable (and proxy settings, so all traffic stays on 127.0.0.1),
plus what the test sets. It runs in the test's temporary directory, so no ``.env`` file from
the source tree leaks in. Its stdout and stderr go to files the test reads afterwards.

The test's own event loop keeps running while a child runs (the fake Slack lives on it), so
every wait here is a non-blocking poll with a deadline, and :meth:`ServeProcess.kill` is safe
to call from ``finally`` whatever state the child is in.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aiohttp

__all__ = [
    "REPO_ROOT",
    "Exited",
    "ServeProcess",
    "child_env",
    "free_port",
    "run_to_exit",
    "serve_command",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
_DROPPED_PREFIXES = ("SLACK_", "MLORG_")
_DROPPED = {"DATABASE_URL", "PORT"}
T = TypeVar("T")
_PROXIES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "ws_proxy", "wss_proxy"}


def child_env(**settings: str) -> dict[str, str]:
    """The caller's environment without any mlorg/Slack settings, plus ``settings``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith(_DROPPED_PREFIXES)
        and key.upper() not in _DROPPED
        and key.lower() not in _PROXIES
    }
    # The child imports bot/ and knowledge/ from this checkout, whatever its working directory.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings)
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_command(*, http: bool = True, port: int | None = None) -> list[str]:
    command = [sys.executable, "-m", "bot.cli", "serve"]
    if http:
        command.append("--http")
    if port is not None:
        command += ["--host", "127.0.0.1", "--port", str(port)]
    return command


@dataclass(frozen=True)
class Exited:
    """A finished process: its exit code and everything it printed."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_to_exit(command: list[str], env: dict[str, str], cwd: Path, timeout: float = 60.0) -> Exited:
    """Run a command that is expected to stop by itself (a start-up failure) and collect it."""
    try:
        done = subprocess.run(
            command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"{command} still running after {timeout}s; stderr: {error.stderr!r}") from None
    return Exited(done.returncode, done.stdout, done.stderr)


class ServeProcess:
    """One ``mlorg serve`` child process. Use ``async with`` or call :meth:`kill` in ``finally``."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, name: str = "mlorg") -> None:
        self.command = command
        self.env = env
        self.cwd = cwd
        self.stdout_path = cwd / f"{name}.stdout.log"
        self.stderr_path = cwd / f"{name}.stderr.log"
        self._process: subprocess.Popen[bytes] | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> ServeProcess:
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            # The child holds its own copies of the descriptors; ours can close at once.
            self._process = subprocess.Popen(
                self.command, env=self.env, cwd=self.cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL
            )
        return self

    async def __aenter__(self) -> ServeProcess:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.kill()

    @property
    def process(self) -> subprocess.Popen[bytes]:
        assert self._process is not None, "start() the process first"
        return self._process

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def kill(self) -> None:
        """Make sure the child is gone (SIGKILL if it is still running); never raises."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # a SIGKILLed child always exits
            self._process.wait(timeout=10)

    # -- reading what it printed ------------------------------------------------------------------
    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def describe(self) -> str:
        return (
            f"{self.command} (exit {self.returncode})\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )

    # -- waiting -------------------------------------------------------------------------------------
    async def wait_healthy(self, base_url: str, timeout: float = 30.0) -> None:
        """Poll ``GET /healthz`` until it answers 200; fail early if the child dies."""
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while time.monotonic() < deadline:
                if self.returncode is not None:
                    raise AssertionError(f"mlorg exited during start-up: {self.describe()}")
                try:
                    async with session.get(f"{base_url}/healthz") as response:
                        if response.status == 200:
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"/healthz did not answer 200 within {timeout}s: {self.describe()}")

    async def wait_for_output(self, text: str, timeout: float = 30.0) -> None:
        """Wait until ``text`` appears in the child's output; fail early if the child dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output:
                return
            if self.returncode is not None:
                raise AssertionError(f"mlorg exited before printing {text!r}: {self.describe()}")
            await asyncio.sleep(0.05)
        raise AssertionError(f"mlorg did not print {text!r} within {timeout}s: {self.describe()}")

    async def while_running(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable``, failing at once (with the child's output) if the child exits first."""
        task = asyncio.ensure_future(awaitable)
        try:
            while not task.done():
                if self.returncode is not None:
                    raise AssertionError(f"mlorg exited unexpectedly: {self.describe()}")
                await asyncio.wait({task}, timeout=0.05)
            return task.result()
        finally:
            task.cancel()

    async def wait_exit(self, timeout: float = 15.0) -> int:
        """Wait for the child to exit by itself; return its exit code (without blocking the loop)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.returncode
            if code is not None:
                return code
            await asyncio.sleep(0.05)
        raise AssertionError(f"mlorg still running {timeout}s after it was asked to stop: {self.describe()}")

    def terminate(self) -> None:
        """Send SIGTERM, as a process manager (systemd, Kubernetes) does to stop a replica."""
        self.process.send_signal(signal.SIGTERM)

    async def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, then wait for a graceful exit; return the exit code."""
        self.terminate()
        return await self.wait_exit(timeout)
