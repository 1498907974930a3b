"""Small real image files for tests, made here so no test depends on a drawing library."""

from __future__ import annotations

import struct
import zlib

__all__ = ["png"]


def png(width: int = 40, height: int = 20, rgb: tuple[int, int, int] = (43, 118, 192)) -> bytes:
    """A valid PNG of one colour (8-bit RGB), ``width`` by ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
