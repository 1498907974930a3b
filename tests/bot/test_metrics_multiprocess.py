"""With ``PROMETHEUS_MULTIPROC_DIR``, ``/metrics`` adds up every worker process's counts.

prometheus-client picks its storage when it is first imported, so each "worker" is a real
child process here, as in production.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import asyncio, sys
from pathlib import Path
from bot.observability.metrics import Metrics

metrics = Metrics(multiprocess_dir=Path(sys.argv[1]))
if sys.argv[2] == "count":
    metrics.requests.labels(kind="command:explain").inc()
    metrics.ack_seconds.labels(kind="command:explain").observe(0.01)
else:
    sys.stdout.write(asyncio.run(metrics.render()).decode())
"""


def run_worker(directory: Path, what: str) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(directory), what],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_worker_process_counts_toward_the_one_page(tmp_path: Path) -> None:
    run_worker(tmp_path, "count")
    run_worker(tmp_path, "count")

    page = run_worker(tmp_path, "render")

    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }
    assert samples[("mlorg_requests_total", (("kind", "command:explain"),))] == 2
    assert samples[("mlorg_ack_seconds_count", (("kind", "command:explain"),))] == 2
    assert not [name for name, _ in samples if name.startswith("process_")]
