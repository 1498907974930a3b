"""Small valid charts for tests of delivery, which care about the bytes, not the picture."""

from __future__ import annotations

import struct
import zlib

from knowledge.charts.model import Chart

__all__ = ["RecordingCounters", "chart", "tiny_png"]


def tiny_png(shade: int = 0) -> bytes:
    """A complete 1x1 grey PNG; ``shade`` makes different charts' bytes differ."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(bytes([0, shade % 256]))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def chart(key: str = "summary-mix", shade: int = 0) -> Chart:
    return Chart(
        key=key,
        title=f"The {key} chart",
        alt=f"{key}: embedded 40%, centralized 35%, ML-first 25%",
        png=tiny_png(shade),
    )


class RecordingCounters:
    """A ChartCounters that remembers what it was told."""

    def __init__(self) -> None:
        self.uploads: list[str] = []
        self.dropped: list[tuple[str, int]] = []

    def chart_upload(self, outcome: str) -> None:
        self.uploads.append(outcome)

    def chart_dropped(self, reason: str, count: int = 1) -> None:
        self.dropped.append((reason, count))
