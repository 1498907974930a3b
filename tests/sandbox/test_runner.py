"""``mlorg try`` as a person runs it: one command, one line with the address, data that survives restarts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.sandbox.runner import default_data_dir


@contextmanager
def mlorg_try(data_dir: Path, *extra: str) -> Iterator[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "try",
            "--no-browser",
            "--port",
            "0",
            "--data-dir",
            str(data_dir),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("mlorg is running in a local workspace: http://127.0.0.1:"), line
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def call(url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read().decode()
    return json.loads(raw) if raw.startswith("{") else raw


def test_the_page_and_the_app_run_from_one_command_and_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "try"
    with mlorg_try(data) as url:
        page = call(url, "/")
        assert 'data-testid="person-switcher"' in page and "/static/app.js" in page
        assert call(url, "/control/post", {"user": "U0MIA", "channel": "general", "text": "/mlorg quiz 2"})[
            "ok"
        ]
        assert call(url, "/control/settle")["ok"]
        posted = call(url, "/control/messages?channel=general")["messages"]
        assert any("quiz" in m["text"] for m in posted)
    assert (data / "mlorg.sqlite3").exists() and (data / "workspace.json").exists()
    with mlorg_try(data) as url:
        again = call(url, "/control/messages?channel=general")["messages"]
        assert [m["ts"] for m in again] == [m["ts"] for m in posted]
        # The app's database survived too: the quiz is still running in this channel.
        call(url, "/control/post", {"user": "U0MAX", "channel": "general", "text": "/mlorg quiz"})
        call(url, "/control/settle")
        assert "already running" in call(url, "/control/messages?channel=general")["messages"][-1]["text"]
    with mlorg_try(data, "--reset") as url:
        assert call(url, "/control/messages?channel=general")["messages"] == []


def test_a_busy_port_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "try",
                "--no-browser",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert "cannot listen on 127.0.0.1" in result.stderr and "Traceback" not in result.stderr


def test_the_data_lives_where_xdg_says() -> None:
    assert default_data_dir({"XDG_DATA_HOME": "/data"}) == Path("/data/mlorg-try")
    assert default_data_dir({}).parts[-3:] == (".local", "share", "mlorg-try")
