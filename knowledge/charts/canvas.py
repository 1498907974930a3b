"""The page every chart is drawn on: fonts, sizes, and text that is measured before it is placed.

Only :mod:`knowledge.charts.figures` imports this module (and so matplotlib), and only
when a chart is first drawn. Choices that keep the output the same bytes for the same
result, on any machine and under concurrency:

- ``Figure`` with an Agg canvas, never pyplot: no global figure registry, no GUI backend.
- The DejaVu Sans font matplotlib ships, set in a local ``rc_context``; a lock around
  drawing, because ``rc_context`` swaps process-wide settings while it is open.
- A fixed width (1200 px: 8 inches at 150 dpi, fonts of 10-17 pt that stay legible when
  Slack scales the image down on a phone), and ``Software`` dropped from the PNG so no
  version string ends up in it (matplotlib writes no timestamp to PNGs).

A :class:`Sheet` is laid out top to bottom in inches on one axes that spans the figure,
and every text is measured before it is placed: :meth:`Sheet.wrap` fits it to its column
and cuts it with an ellipsis when it would need more lines than its place has, so no two
texts overlap, however long the names an overlay brings.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from knowledge.charts.palette import BACKGROUND, INK

__all__ = ["DPI", "HEADING", "INNER", "MARGIN", "SMALL", "TEXT", "WIDTH", "Sheet", "drawing", "font", "png"]

WIDTH = 8.0
DPI = 150
FAMILY = "DejaVu Sans"
HEADING, TEXT, SMALL = 17.0, 13.0, 11.0
MARGIN = 0.4
INNER = WIDTH - 2 * MARGIN
_LOCK = threading.RLock()
#: A word, or the part of a hyphenated word up to and including a hyphen, with the space before it.
_PIECE = re.compile(r"(\s*)(\S+?-(?=\S)|\S+)")


@contextmanager
def drawing() -> Iterator[None]:
    """Hold the drawing lock with mlorg's settings in place (re-entrant)."""
    with (
        _LOCK,
        matplotlib.rc_context(
            {"font.family": "sans-serif", "font.sans-serif": [FAMILY], "text.usetex": False}
        ),
    ):
        yield


def font(size: float, bold: bool = False, italic: bool = False) -> FontProperties:
    return FontProperties(
        family=FAMILY, size=size, weight="bold" if bold else "normal", style="italic" if italic else "normal"
    )


def png(figure: Figure) -> bytes:
    with drawing():
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI, facecolor=BACKGROUND, metadata={"Software": None})
        return out.getvalue()


class Sheet:
    """A figure being laid out from the top, in inches; ``y`` is the next free line."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(WIDTH, 1.0), dpi=DPI, facecolor=BACKGROUND)
        self.renderer = FigureCanvasAgg(self.figure).get_renderer()  # type: ignore[no-untyped-call]
        self.ax = self.figure.add_axes((0.0, 0.0, 1.0, 1.0))
        self.ax.set_axis_off()
        self.y = MARGIN

    def width(self, text: str, face: FontProperties) -> float:
        width, _, _ = self.renderer.get_text_width_height_descent(text, face, ismath=False)
        return float(width) / DPI

    def wrap(self, text: str, width: float, face: FontProperties, most: int = 2) -> tuple[list[str], bool]:
        """``text`` in lines no wider than ``width``; at most ``most`` lines, the last cut with "…".

        The flag says whether anything was cut. Lines break between words and after
        hyphens; a piece wider than a whole line is broken where it must.
        """
        lines: list[str] = []
        current = ""
        for match in _PIECE.finditer(text):
            space, piece = match.groups()
            candidate = f"{current}{' ' if space and current else ''}{piece}"
            if self.width(candidate, face) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while len(piece) > 1 and self.width(piece, face) > width:
                fits = (n for n in range(len(piece) - 1, 0, -1) if self.width(piece[:n], face) <= width)
                cut = next(fits, 1)
                lines.append(piece[:cut])
                piece = piece[cut:]
            current = piece
        if current:
            lines.append(current)
        if len(lines) <= most:
            return lines, False
        last = lines[most - 1]
        while last and self.width(last + "…", face) > width:
            last = last[:-1]
        return [*lines[: most - 1], last.rstrip() + "…"], True

    def write(
        self,
        x: float,
        y: float,
        lines: Sequence[str],
        font: FontProperties,
        *,
        colour: str = INK,
        ha: str = "left",
        va: str = "top",
        rotation: float = 0,
    ) -> float:
        """Draw ``lines`` anchored at (x, y); the height they took, in inches."""
        if not lines:
            return 0.0
        text = self.ax.text(
            x,
            y,
            "\n".join(lines),
            fontproperties=font,
            color=colour,
            ha=ha,
            va=va,
            parse_math=False,
            linespacing=1.15,
            rotation=rotation,
        )
        return float(text.get_window_extent(self.renderer).height) / DPI

    def paragraph(self, text: str, face: FontProperties, colour: str = INK, most: int = 2) -> None:
        self.y += self.write(MARGIN, self.y, self.wrap(text, INNER, face, most)[0], face, colour=colour)

    def finish(self) -> Figure:
        height = round(self.y + MARGIN, 2)
        self.figure.set_size_inches(WIDTH, height)
        self.ax.set_xlim(0, WIDTH)
        self.ax.set_ylim(height, 0)  # y grows downwards: the layout reads top to bottom
        return self.figure
