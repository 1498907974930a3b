"""State-changing clicks: 500 distinct players answer a quiz question, mlorg against two floors.

For mlorg a real quiz is started with a signed ``/mlorg quiz 1`` and the answer
button is taken from the question the app posted; every click is a signed
``block_actions`` payload from a different player. The durable floor
(``durable_floor.py``) stores each answer with one insert on the same unique key, on
the same kind of database, before it acks: that is the fair comparison, and the
target (DESIGN.md: at least 0.8x its throughput). The bare floor (``floor_app.py``)
acks without storing anything; its figure shows what durability itself costs. After
the load mlorg's database must hold exactly one answer per player, and replaying
clicks must add none; the durable floor's must hold one row per player too.

    python bench/quiz_clicks.py                       # SQLite
    python bench/quiz_clicks.py --database-url postgresql://root@127.0.0.1:5432/postgres

Reports throughput and p50/p99 of the acks, and the ratios of mlorg to each floor.
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
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import (
    RESULTS_DIR,
    SERVERS,
    Databases,
    FakeSlackThread,
    Server,
    _server_env,
    start_server,
)
from traffic import command_request, signed

TEAM = "T0001"
CHANNEL = "C0001"
DEADLINE_S = 120.0
#: The servers measured, in the order of the first round; the first is the target's floor.
SERVER_NAMES = ("floor-durable", "mlorg", "floor")
TARGET_FLOOR = "floor-durable"
TARGET_THROUGHPUT = 0.8


def click_request(element: dict[str, Any], user: str, response_url: str) -> tuple[bytes, dict[str, str]]:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "trigger_id": f"{user}.trigger",
        "container": {"type": "message", "message_ts": "1700000000.000002", "channel_id": CHANNEL},
        "channel": {"id": CHANNEL, "name": "general"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": element["action_id"],
                "block_id": "q:0",
                "type": "button",
                "value": element["value"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)})
    return signed(body, "application/x-www-form-urlencoded")


async def load(
    session: aiohttp.ClientSession,
    url: str,
    requests: Sequence[tuple[bytes, dict[str, str]]],
    concurrency: int,
) -> dict[str, Any]:
    pending = iter(requests)
    latencies: list[float] = []
    failures = 0

    async def worker() -> None:
        nonlocal failures
        for body, headers in pending:
            sent = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            if ok:
                latencies.append(time.perf_counter() - sent)
            else:
                failures += 1

    started = time.perf_counter()
    async with asyncio.timeout(DEADLINE_S):
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))] * 1000

    return {
        "ok": len(latencies),
        "failed": failures,
        "wall_s": round(wall, 3),
        "throughput": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(pct(50), 2) if ordered else None,
        "p99_ms": round(pct(99), 2) if ordered else None,
    }


async def answer_button(
    fake: FakeSlackThread, server: Server, session: aiohttp.ClientSession
) -> dict[str, Any]:
    """Start a one-question quiz on mlorg and take the first answer button it posted."""
    assert fake.fake is not None
    before = fake.count("chat.postMessage")
    body, headers = command_request("quiz 1", fake.fake.response_url())
    async with session.post(server.url, data=body, headers=headers) as response:
        assert response.status == 200, response.status
    for _ in range(400):
        if fake.count("chat.postMessage") >= before + 2:
            break
        await asyncio.sleep(0.025)
    question = fake.fake.calls_to("chat.postMessage")[before + 1]
    for block in question.blocks:
        for element in block.get("elements") or []:
            if str(element.get("action_id", "")).startswith("mlorg_quiz_answer:"):
                return dict(element)
    raise RuntimeError("mlorg posted no answer button")


async def stored_answers(database_url: str, quiz_value: str) -> int:
    from bot.store import Store, normalize_database_url

    quiz_id = quiz_value.split("|", 1)[0]
    store = Store.open(normalize_database_url(database_url))
    try:
        return await store.quizzes.count(TEAM, quiz_id, 0)
    finally:
        await store.close()


async def floor_stored_answers(database_url: str) -> int:
    from durable_floor import stored_answers as count_rows

    return await count_rows(database_url)


async def measure(
    server_name: str, args: argparse.Namespace, workdir: Path, fake: FakeSlackThread
) -> dict[str, Any]:
    spec = next(s for s in SERVERS if s.name == server_name)
    databases = Databases(args.database_url, workdir)
    database_url = await databases.fresh() if spec.needs_database else None
    live: list[Server] = []
    try:
        server = await start_server(
            spec, _server_env(fake.api_url, database_url), workdir, workdir / f"{server_name}.log", live
        )
        assert fake.fake is not None
        response_url = fake.fake.response_url()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            if server_name == "mlorg":
                element = await answer_button(fake, server, session)
            else:
                element = {"action_id": "mlorg_quiz_answer:a", "value": "floor|0|a"}
            warmup = [click_request(element, f"UWARM{n:04d}", response_url) for n in range(args.warmup)]
            clicks = [click_request(element, f"UP{n:05d}", response_url) for n in range(args.players)]
            await load(session, server.url, warmup, args.concurrency)
            result = await load(session, server.url, clicks, args.concurrency)
            if server_name == TARGET_FLOOR and database_url is not None:
                await asyncio.sleep(0.2)
                result["stored"] = await floor_stored_answers(database_url)
                result["expected"] = args.players + args.warmup
            if server_name == "mlorg" and database_url is not None:
                await asyncio.sleep(1.5)  # feedback and count redraws finish after the acks
                result["stored"] = await stored_answers(database_url, str(element["value"]))
                replay = await load(session, server.url, clicks[:50], args.concurrency)
                result["replayed_ok"] = replay["ok"]
                result["stored_after_replay"] = await stored_answers(database_url, str(element["value"]))
                result["expected"] = args.players + args.warmup
        return result
    finally:
        for server in live:
            server.stop()
        await databases.drop_all()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    fake = FakeSlackThread().start()
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in SERVER_NAMES}
    try:
        with tempfile.TemporaryDirectory(prefix="mlorg-quiz-bench-") as tmp:
            for number in range(args.rounds):
                order = SERVER_NAMES if number % 2 == 0 else tuple(reversed(SERVER_NAMES))
                for name in order:
                    result = await measure(name, args, Path(tmp), fake)
                    rounds[name].append(result)
                    print(f"round {number + 1} {name}: {result}", flush=True)
    finally:
        fake.stop()

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in rounds[name])

    summary = {
        name: {key: median(name, key) for key in ("throughput", "p50_ms", "p99_ms")} for name in rounds
    }
    exact = all(r.get("stored") == r.get("expected") == r.get("stored_after_replay") for r in rounds["mlorg"])
    floor_exact = all(r.get("stored") == r.get("expected") for r in rounds[TARGET_FLOOR])
    ratios = {
        floor: {
            "throughput": round(summary["mlorg"]["throughput"] / summary[floor]["throughput"], 3),
            "p99": round(summary["mlorg"]["p99_ms"] / summary[floor]["p99_ms"], 3),
        }
        for floor in ("floor-durable", "floor")
    }
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if args.database_url else "sqlite",
        "players": args.players,
        "concurrency": args.concurrency,
        "rounds": rounds,
        "summary": summary,
        "ratios": ratios,
        "recorded_exactly_once": exact,
        "floor_recorded_one_per_player": floor_exact,
        "target": {"floor": TARGET_FLOOR, "throughput": f">= {TARGET_THROUGHPUT}"},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--players", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="postgresql://… on 127.0.0.1 (default: SQLite)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    report = asyncio.run(main_async(args))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    output = args.output or RESULTS_DIR / f"quiz-{report['database']}.json"
    output.write_text(json.dumps(report, indent=2), encoding="utf-8")
    s, r = report["summary"], report["ratios"]
    print(
        f"\nquiz answer clicks, {args.players} players, concurrency {args.concurrency}, {report['database']}"
    )
    print(f"{'':15}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name in SERVER_NAMES:
        print(f"{name:15}{s[name]['throughput']:>10.1f}{s[name]['p50_ms']:>10.2f}{s[name]['p99_ms']:>10.2f}")
    target = r[TARGET_FLOOR]["throughput"]
    verdict = "ok" if target >= TARGET_THROUGHPUT else "MISSED"
    print(
        f"mlorg / {TARGET_FLOOR}: throughput {target} (target >= {TARGET_THROUGHPUT}: {verdict}), "
        f"p99 {r[TARGET_FLOOR]['p99']}"
    )
    print(f"mlorg / floor (stores nothing): throughput {r['floor']['throughput']}, p99 {r['floor']['p99']}")
    print(f"every answer recorded exactly once: {report['recorded_exactly_once']}")
    print(f"the durable floor stored one row per player: {report['floor_recorded_one_per_player']}")
    return 0 if report["recorded_exactly_once"] and report["floor_recorded_one_per_player"] else 1


if __name__ == "__main__":
    sys.exit(main())
