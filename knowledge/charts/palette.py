"""One colour per archetype, the same in every chart, in the sandbox and in the Home tab.

Charts colour archetypes; text surfaces cannot, so each colour is paired with the
Slack emoji square closest to it, and the Home tab and cards show that square as the
legend. Colours are keyed by the archetype's number (1-5 in the framework), which an
overlay keeps when it renames an archetype; an overlay that adds archetypes gets the
spare colours in order, then grey. The five are told apart by people with the common
colour-vision deficiencies (after Okabe and Ito's palette), and each is dark enough to
read against white.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

__all__ = ["BACKGROUND", "GRID", "INK", "MUTED", "Swatch", "swatch"]


class _Numbered(Protocol):
    @property
    def number(self) -> int: ...


class Swatch(NamedTuple):
    """An archetype's colour (``#rrggbb``) and the Slack emoji square that stands for it."""

    colour: str
    emoji: str


_BY_NUMBER: dict[int, Swatch] = {
    1: Swatch("#D9A400", ":large_yellow_square:"),
    2: Swatch("#8A5DB8", ":large_purple_square:"),
    3: Swatch("#2B76C0", ":large_blue_square:"),
    4: Swatch("#2E9960", ":large_green_square:"),
    5: Swatch("#E06A26", ":large_orange_square:"),
}
_SPARE: tuple[Swatch, ...] = (
    Swatch("#C8433A", ":large_red_square:"),
    Swatch("#8C5B3E", ":large_brown_square:"),
)
_GREY = Swatch("#7D7D7D", ":white_large_square:")

#: Text, de-emphasised text, grid lines and the page behind every chart.
INK = "#1D1C1D"
MUTED = "#616061"
GRID = "#DDDDDD"
BACKGROUND = "#FFFFFF"


def swatch(archetype: _Numbered | int) -> Swatch:
    """The colour and emoji of an archetype (or of an archetype number)."""
    number = archetype if isinstance(archetype, int) else archetype.number
    if number in _BY_NUMBER:
        return _BY_NUMBER[number]
    extra = number - len(_BY_NUMBER) - 1
    return _SPARE[extra] if 0 <= extra < len(_SPARE) else _GREY
