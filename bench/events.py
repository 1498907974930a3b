"""Events: a burst of ``@mlorg`` questions, mlorg against the event floor, at 40 and 200 in flight.

Every mention is a signed ``app_mention`` event with a fresh event id, sent as Slack sends it.
The event floor (``durable_floor.py``) is the least an app that answers each event once must
do: it claims the event id with one insert on the same kind of database, with the same
settings, before Bolt acks, and then posts one fixed reply in the thread. mlorg claims, acks,
answers from the framework, logs the answer and the thread's subject, and replies.

Two figures per server and concurrency (DESIGN.md, "Performance expectations"):

* **answers/s**: mentions sent / seconds from the first send until the fake Slack holds every
  reply (each in its own thread: counted, and checked to be exactly one per mention);
* **ack p50 / p99**: how long each HTTP request took to be answered 200 (Slack's 3 s budget).

Targets: answers/s at least 0.8x the floor's, ack p99 at most 1.5x the floor's.

    python bench/events.py                                   # SQLite
    python bench/events.py --database-url postgresql://root@127.0.0.1:5432/postgres

Timing lives here, never in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import RESULTS_DIR, SERVERS, Databases, FakeSlackThread, Server, _server_env, start_server
from traffic import mention_request

QUESTION = "what goes wrong when ML sits in the R&D lab?"
SERVER_NAMES = ("floor-durable", "mlorg")
TARGET_FLOOR = "floor-durable"
TARGET_THROUGHPUT = 0.8
TARGET_P99 = 1.5
#: How long every reply may take to arrive after the last ack before the round counts as failed.
DRAIN_S = 60.0


def _thread_of(body: bytes) -> str:
    return str(json.loads(body)["event"]["ts"])


async def burst(
    fake: FakeSlackThread, server: Server, session: aiohttp.ClientSession, count: int, concurrency: int
) -> dict[str, Any]:
    """Send ``count`` mentions with ``concurrency`` in flight; wait for every reply."""
    assert fake.fake is not None
    requests = [mention_request(QUESTION) for _ in range(count)]
    threads = {_thread_of(body) for body, _ in requests}
    before = fake.count("chat.postMessage")
    pending = iter(requests)
    latencies: list[float] = []
    failures: Counter[str] = Counter()

    async def worker() -> None:
        for body, headers in pending:
            sent = time.perf_counter()
            try:
                async with session.post(server.url, data=body, headers=headers) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                failures[type(error).__name__] += 1
                continue
            if status == 200:
                latencies.append(time.perf_counter() - sent)
            else:
                failures[str(status)] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    acked = time.perf_counter()
    for _poll in range(int(DRAIN_S / 0.005)):  # the fake Slack lives on another thread: poll it
        if fake.count("chat.postMessage") >= before + count or time.perf_counter() - acked > DRAIN_S:
            break
        await asyncio.sleep(0.005)
    answered = time.perf_counter()
    await asyncio.sleep(0.3)  # anything posted twice would show up now
    replies = Counter(
        str(call.args.get("thread_ts"))
        for call in fake.fake.calls_to("chat.postMessage")[before:]
        if str(call.args.get("thread_ts")) in threads
    )
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))] * 1000

    return {
        "acked": len(latencies),
        "failed": dict(failures),
        "answers_per_s": round(count / (answered - started), 1),
        "ack_p50_ms": round(pct(50), 1) if ordered else None,
        "ack_p99_ms": round(pct(99), 1) if ordered else None,
        "answered_once": len(replies) == count and set(replies.values()) == {1},
    }


async def measure(
    server_name: str, concurrency: int, args: argparse.Namespace, workdir: Path, fake: FakeSlackThread
) -> dict[str, Any]:
    spec = next(s for s in SERVERS if s.name == server_name)
    databases = Databases(args.database_url, workdir)
    database_url = await databases.fresh()
    live: list[Server] = []
    try:
        server = await start_server(
            spec, _server_env(fake.api_url, database_url), workdir, workdir / f"{server_name}.log", live
        )
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            await burst(fake, server, session, args.warmup, concurrency)
            return await burst(fake, server, session, args.events, concurrency)
    finally:
        for server in live:
            server.stop()
        await databases.drop_all()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    fake = FakeSlackThread().start()
    rounds: dict[str, dict[str, list[dict[str, Any]]]] = {
        str(c): {name: [] for name in SERVER_NAMES} for c in args.concurrency
    }
    try:
        with tempfile.TemporaryDirectory(prefix="mlorg-events-bench-") as tmp:
            for number in range(args.rounds):
                for concurrency in args.concurrency:
                    order = SERVER_NAMES if number % 2 == 0 else tuple(reversed(SERVER_NAMES))
                    for name in order:
                        result = await measure(name, concurrency, args, Path(tmp), fake)
                        rounds[str(concurrency)][name].append(result)
                        print(f"round {number + 1} c={concurrency} {name}: {result}", flush=True)
    finally:
        fake.stop()
    summary: dict[str, Any] = {}
    for concurrency, by_server in rounds.items():
        medians = {
            name: {
                key: statistics.median(r[key] for r in results)
                for key in ("answers_per_s", "ack_p50_ms", "ack_p99_ms")
            }
            for name, results in by_server.items()
        }
        floor, mlorg = medians[TARGET_FLOOR], medians["mlorg"]
        summary[concurrency] = {
            **medians,
            "throughput_ratio": round(mlorg["answers_per_s"] / floor["answers_per_s"], 2),
            "p99_ratio": round(mlorg["ack_p99_ms"] / floor["ack_p99_ms"], 2),
            "answered_once": all(r["answered_once"] for rs in by_server.values() for r in rs),
        }
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if args.database_url else "sqlite",
        "events": args.events,
        "rounds": rounds,
        "summary": summary,
        "targets": {"throughput": f">= {TARGET_THROUGHPUT}", "p99": f"<= {TARGET_P99}"},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[40, 200])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="postgresql://… on 127.0.0.1 (default: SQLite)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    report = asyncio.run(main_async(args))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    output = args.output or RESULTS_DIR / f"events-{report['database']}.json"
    output.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\nmentions, {args.events} per burst, {report['database']}")
    print(f"{'in flight':>9} {'server':14}{'answers/s':>10}{'ack p50':>9}{'ack p99':>9}")
    ok = True
    for concurrency, s in report["summary"].items():
        for name in SERVER_NAMES:
            m = s[name]
            print(
                f"{concurrency:>9} {name:14}{m['answers_per_s']:>10.1f}"
                f"{m['ack_p50_ms']:>9.1f}{m['ack_p99_ms']:>9.1f}"
            )
        met = s["throughput_ratio"] >= TARGET_THROUGHPUT and s["p99_ratio"] <= TARGET_P99
        ok = ok and s["answered_once"]
        print(
            f"{concurrency:>9} ratio: answers/s {s['throughput_ratio']}x (>= {TARGET_THROUGHPUT}), "
            f"ack p99 {s['p99_ratio']}x (<= {TARGET_P99}): {'met' if met else 'MISSED'}; "
            f"every mention answered once: {s['answered_once']}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
