"""A throwaway PostgreSQL cluster that a test may stop and start at will.

The shared server on 127.0.0.1:5432 serves every session on the machine, so a test that
needs to see mlorg ride out a database outage must never stop it. Instead it gets its own
cluster: ``initdb`` into a temporary directory, ``pg_ctl`` on a free port on 127.0.0.1
(TCP only, no Unix socket in a shared directory), trust authentication, and everything
removed at teardown, even when the test fails.

PostgreSQL refuses to run as root, so when the test runs as root the binaries run as the
``postgres`` OS user (``runuser``) and the data directory is handed to that user.

:func:`require_pg_binaries` skips when ``initdb`` is missing locally, and fails when ``CI``
is set: there, a silently skipped outage test would look like a green build.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest

__all__ = ["PgCluster", "find_pg_bin", "require_pg_binaries", "throwaway_cluster"]

HOST = "127.0.0.1"
SUPERUSER = "postgres"
DATABASE = "mlorg"
_OS_USER = "postgres"


def find_pg_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb`` and ``pg_ctl``, or PATH's."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: int(Path(path).parent.name) if Path(path).parent.name.isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def require_pg_binaries() -> Path:
    """The PostgreSQL bin directory; skip without it, or fail when ``CI`` is set."""
    found = find_pg_bin()
    if found is not None:
        return found
    message = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI is set, so the database outage tests must run", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class PgCluster:
    """One private cluster. ``with PgCluster(bin_dir) as pg:`` initialises and starts it."""

    def __init__(self, bin_dir: Path, port: int | None = None) -> None:
        self.bin_dir = bin_dir
        self.port = port or _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="mlorg-pg-"))
        self.data_dir = self.root / "data"
        self.log_file = self.root / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        self._initialised = False

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the ``mlorg`` database in this cluster (no password: trust auth)."""
        return f"postgresql+asyncpg://{SUPERUSER}@{HOST}:{self.port}/{DATABASE}"

    # -- running the binaries ----------------------------------------------------------------------
    def _run(self, program: str, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", _OS_USER, "--", *command]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.root
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{program} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{self._log_tail()}"
            )
        return done

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "--- postgres.log\n" + "\n".join(self.log_file.read_text().splitlines()[-20:])
        return ""

    # -- lifecycle ---------------------------------------------------------------------------------
    def init(self) -> None:
        if self._as_postgres:
            entry = pwd.getpwnam(_OS_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o700)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",  # a throwaway cluster: durability against an OS crash is irrelevant
        )
        self._initialised = True

    def start(self) -> None:
        """Start the server and wait until it accepts connections (``pg_ctl -w``)."""
        options = " ".join(
            [
                f"-p {self.port}",
                f"-c listen_addresses={HOST}",
                "-c unix_socket_directories=''",  # no socket in /var/run shared with the real server
                "-c fsync=off",
                "-c max_connections=40",
                "-c shared_buffers=16MB",
            ]
        )
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options, "-w", "start")

    def stop(self) -> None:
        """Stop at once (``-m fast``: existing sessions are disconnected, as in a real restart)."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_running(self) -> bool:
        if not self._initialised:
            return False
        command = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "status"]
        if self._as_postgres:
            command = ["runuser", "-u", _OS_USER, "--", *command]
        return subprocess.run(command, capture_output=True, timeout=30, check=False).returncode == 0

    def create_database(self, name: str = DATABASE) -> None:
        self._wait_accepting()
        self._run("createdb", "-h", HOST, "-p", str(self.port), "-U", SUPERUSER, name)

    def _wait_accepting(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), timeout=1):
                return
            time.sleep(0.1)
        raise RuntimeError(f"the throwaway cluster on port {self.port} does not accept connections")

    def destroy(self) -> None:
        """Stop (immediately) if running and delete every file; never raises."""
        with contextlib.suppress(Exception):
            if self.is_running():
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        try:
            self.init()
            self.start()
            self.create_database()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.destroy()


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[PgCluster]:
    """A started cluster with an empty ``mlorg`` database, removed afterwards."""
    with PgCluster(require_pg_binaries()) as cluster:
        yield cluster
