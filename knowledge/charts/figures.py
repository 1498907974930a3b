"""Drawing a :class:`~knowledge.charts.spec.Picture`: labelled bars, 0-1 scales, stacked columns.

Imported by :mod:`knowledge.charts.render` only when it first draws, because it brings
in matplotlib (through :mod:`knowledge.charts.canvas`, which holds the page, the fonts
and the rules that keep the output deterministic).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle

from knowledge.charts.canvas import HEADING, INNER, MARGIN, SMALL, TEXT, WIDTH, Sheet, drawing, font, png
from knowledge.charts.palette import BACKGROUND, GRID, INK, MUTED
from knowledge.charts.spec import Bar, Bars, Picture, Scales, Stacks

__all__ = ["figure_of", "png_of"]


def figure_of(picture: Picture) -> Figure:
    """The drawn figure (tests inspect its texts); :func:`png_of` is what callers want."""
    with drawing():
        sheet = Sheet()
        sheet.paragraph(picture.heading, font(HEADING, bold=True))
        for part in picture.parts:
            sheet.y += 0.25
            if isinstance(part, Bars):
                _bars(sheet, part)
            elif isinstance(part, Scales):
                _scales(sheet, part)
            else:
                _stacks(sheet, part)
        return sheet.finish()


def png_of(picture: Picture) -> bytes:
    with drawing():
        return png(figure_of(picture))


# --- Bars --------------------------------------------------------------------------------------

_LABEL_W, _VALUE_W, _PITCH, _THICK = 2.3, 1.9, 0.62, 0.38


def _label(sheet: Sheet, bar: Bar, face: FontProperties) -> list[str]:
    """The archetype's (or topic's) name; its short name when only that fits whole; else the name, cut."""
    full, cut = sheet.wrap(bar.label, _LABEL_W, face)
    if not cut:
        return full
    short, short_cut = sheet.wrap(bar.short, _LABEL_W, face)
    return full if short_cut else short


def _bars(sheet: Sheet, part: Bars) -> None:
    sheet.paragraph(part.caption, font(SMALL), MUTED)
    sheet.y += 0.12
    x0 = MARGIN + _LABEL_W + 0.15
    span = WIDTH - MARGIN - _VALUE_W - x0
    first = sheet.y
    for bar in part.bars:
        mid = sheet.y + _PITCH / 2
        face = font(TEXT, bold=bar.strong)
        sheet.write(MARGIN + _LABEL_W, mid, _label(sheet, bar, face), face, ha="right", va="center")
        length = span * min(bar.value / part.top, 1.0) if part.top > 0 else 0.0
        sheet.ax.add_patch(
            Rectangle((x0, mid - _THICK / 2), length, _THICK, facecolor=bar.colour, edgecolor="none")
        )
        start = x0 + length + 0.1
        value = sheet.wrap(bar.text, WIDTH - MARGIN - start, face)[0]
        sheet.write(start, mid, value, face, va="center")
        sheet.y += _PITCH
    sheet.ax.plot([x0, x0], [first, sheet.y], color=MUTED, linewidth=1.2)


# --- Scales ------------------------------------------------------------------------------------


def _marker(sheet: Sheet, index: int, shape: str, colour: str, filled: bool, x: float, y: float) -> None:
    # The first series is drawn smaller and on top, so two markers at one place both show.
    sheet.ax.plot(
        [x],
        [y],
        marker=shape,
        markersize=11 if index == 0 else 15,
        markerfacecolor=colour if filled else BACKGROUND,
        markeredgecolor=colour if index == 0 or not filled else INK,
        markeredgewidth=1.5 if filled else 2.5,
        linestyle="none",
        zorder=10 - index,
    )


def _scales(sheet: Sheet, part: Scales) -> None:
    sheet.paragraph(part.caption, font(SMALL), MUTED)
    sheet.y += 0.1
    for index, marker in enumerate(part.markers):
        _marker(sheet, index, marker.shape, marker.colour, marker.filled, MARGIN + 0.15, sheet.y + 0.15)
        lines = sheet.wrap(marker.label, INNER - 0.45, font(TEXT))[0]
        sheet.y += max(sheet.write(MARGIN + 0.45, sheet.y + 0.15, lines, font(TEXT), va="center"), 0.3) + 0.06
    x0, x1 = MARGIN + 0.2, WIDTH - MARGIN - 0.2
    for scale in part.scales:
        sheet.y += 0.25
        sheet.y += sheet.write(
            MARGIN,
            sheet.y,
            sheet.wrap(scale.name, INNER, font(TEXT, bold=True), 1)[0],
            font(TEXT, bold=True),
        )
        line = sheet.y + 0.3
        sheet.ax.plot([x0, x1], [line, line], color=GRID, linewidth=3, solid_capstyle="round", zorder=1)
        for tick in (0.0, 0.5, 1.0):
            x = x0 + (x1 - x0) * tick
            sheet.ax.plot([x, x], [line - 0.07, line + 0.07], color=MUTED, linewidth=1.2, zorder=2)
        for index in reversed(range(len(part.markers))):
            value = scale.values[index] if index < len(scale.values) else None
            if value is not None:
                marker = part.markers[index]
                x = x0 + (x1 - x0) * value
                _marker(sheet, index, marker.shape, marker.colour, marker.filled, x, line)
        sheet.y = line + 0.2
        half = (x1 - x0) / 2 - 0.2
        low = sheet.write(x0, sheet.y, sheet.wrap(scale.low, half, font(SMALL))[0], font(SMALL), colour=MUTED)
        high_lines = sheet.wrap(scale.high, half, font(SMALL))[0]
        high = sheet.write(x1, sheet.y, high_lines, font(SMALL), colour=MUTED, ha="right")
        sheet.y += max(low, high)
        if scale.note:
            note = sheet.wrap(scale.note, x1 - x0, font(SMALL, italic=True))[0]
            sheet.y += 0.08 + sheet.write(
                (x0 + x1) / 2, sheet.y + 0.08, note, font(SMALL, italic=True), ha="center"
            )


# --- Stacked columns ---------------------------------------------------------------------------

_PLOT_H, _AXIS_W, _LEGEND_COLUMNS = 3.2, 0.6, 2


def _ink_on(colour: str) -> str:
    """Dark text on light colours, white on dark ones (relative luminance, WCAG's formula)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return INK if luminance > 0.35 else BACKGROUND


def _stacks(sheet: Sheet, part: Stacks) -> None:
    sheet.paragraph(part.caption, font(SMALL), MUTED)
    top = sheet.y + 0.3
    bottom = top + _PLOT_H
    x0, x1 = MARGIN + _AXIS_W, WIDTH - MARGIN
    for percent in (0, 50, 100):
        y = bottom - _PLOT_H * percent / 100
        sheet.ax.plot([x0, x1], [y, y], color=GRID, linewidth=1, zorder=0)
        sheet.write(x0 - 0.1, y, [f"{percent}%"], font(SMALL), colour=MUTED, ha="right", va="center")
    pitch = (x1 - x0) / max(len(part.columns), 1)
    width = pitch * 0.7
    below = 0.0
    for i, column in enumerate(part.columns):
        centre = x0 + pitch * (i + 0.5)
        if column.segments:
            _stack(sheet, column.segments, centre, width, bottom)
        else:
            # A period with too few people: an empty frame that says so, never a bar.
            frame = Rectangle((centre - width / 2, top), width, _PLOT_H, facecolor="#F5F5F5", edgecolor=GRID)
            frame.set_linestyle("--")
            sheet.ax.add_patch(frame)
            note = sheet.wrap(column.note, _PLOT_H - 0.2, font(SMALL, italic=True), most=1)[0]
            middle = top + _PLOT_H / 2
            italic = font(SMALL, italic=True)
            sheet.write(centre, middle, note, italic, colour=MUTED, ha="center", va="center", rotation=90)
        label = sheet.wrap(column.label, pitch - 0.06, font(SMALL))[0]
        below = max(below, sheet.write(centre, bottom + 0.1, label, font(SMALL), ha="center"))
    sheet.y = bottom + 0.1 + below + 0.25
    _legend(sheet, part.legend)


def _stack(
    sheet: Sheet, segments: Sequence[tuple[str, int]], centre: float, width: float, bottom: float
) -> None:
    stacked = 0.0
    for colour, percent in segments:
        height = _PLOT_H * percent / 100
        y = bottom - stacked - height
        sheet.ax.add_patch(
            Rectangle((centre - width / 2, y), width, height, facecolor=colour, edgecolor=BACKGROUND)
        )
        number = [str(percent)]
        if height >= 0.25 and sheet.width(number[0], font(SMALL, bold=True)) < width - 0.04:
            ink = _ink_on(colour)
            sheet.write(
                centre, y + height / 2, number, font(SMALL, bold=True), colour=ink, ha="center", va="center"
            )
        stacked += height


def _legend(sheet: Sheet, entries: Sequence[tuple[str, str]]) -> None:
    """Colour squares with names, in rows of two below the plot, where long names have room."""
    column_width = INNER / _LEGEND_COLUMNS
    for row in range(0, len(entries), _LEGEND_COLUMNS):
        height = 0.24
        for i, (colour, name) in enumerate(entries[row : row + _LEGEND_COLUMNS]):
            left = MARGIN + i * column_width
            sheet.ax.add_patch(
                Rectangle((left, sheet.y + 0.02), 0.2, 0.2, facecolor=colour, edgecolor="none")
            )
            lines = sheet.wrap(name, column_width - 0.45, font(SMALL))[0]
            height = max(height, sheet.write(left + 0.3, sheet.y, lines, font(SMALL)))
        sheet.y += height + 0.12
