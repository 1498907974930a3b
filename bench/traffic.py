"""The bench's traffic: requests signed exactly as Slack sends them, and a timed load of them."""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from servers import PHASE_DEADLINE_S, SIGNING_SECRET  # noqa: E402

from tests.e2e.slack_client import sign  # noqa: E402

# -- load -------------------------------------------------------------------------------------------
_trigger_ids = iter(range(1, 10**9))


_event_ids = iter(range(1, 10**9))


def signed(body: str, content_type: str) -> tuple[bytes, dict[str, str]]:
    """A request body with the headers Slack sends: its type, a timestamp and the v0 signature."""
    timestamp = int(time.time())
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(SIGNING_SECRET, body, timestamp),
    }
    return body.encode(), headers


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
    return signed(body, "application/json")


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
    return signed(body, "application/x-www-form-urlencoded")


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
