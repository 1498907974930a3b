"""What the chart tests share: personas, a trend builder, and a look at the texts a figure drew."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from itertools import combinations

from matplotlib.figure import Figure
from matplotlib.text import Text

from knowledge import KnowledgeBase
from knowledge.charts.examples import PERIOD
from knowledge.charts.spec import Bars, Picture, Scales, Stacks
from knowledge.summary import Period, Summary, TrendPoint
from tests.knowledge.test_summary import RND  # the R&D persona, as every summary test uses it

DONT_KNOW = dict.fromkeys(RND, "dont_know")


def texts_of(figure: Figure) -> list[Text]:
    """Every text drawn on the figure (the charts draw only their own texts, on hidden axes)."""
    return [t for ax in figure.axes for t in ax.texts if t.get_visible() and t.get_text().strip()] + [
        t for t in figure.texts if t.get_text().strip()
    ]


def words_of(figure: Figure) -> str:
    return " ".join(t.get_text().replace("\n", " ") for t in texts_of(figure))


def assert_texts_apart(figure: Figure) -> None:
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts_of(figure)]
    page = figure.bbox
    for text, box in boxes:
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, (
            f"{text!r} runs off the image"
        )
    collisions = [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]
    assert not collisions, f"texts overlap: {collisions}"


def parts_of(picture: Picture) -> tuple[Bars | Scales | Stacks, ...]:
    return picture.parts


def trend(kb: KnowledgeBase, visible: tuple[bool, ...]) -> tuple[TrendPoint, ...]:
    """Weekly points ending with PERIOD; visible ones split 50/30/20 between three archetypes."""
    points = []
    for back, shown in zip(range(len(visible) - 1, -1, -1), visible, strict=True):
        period = Period(PERIOD.start - timedelta(weeks=back), PERIOD.end - timedelta(weeks=back))
        split = {"embedded": 50, "independent": 30, kb.archetypes[-1].id: 20}
        mix = tuple((a, split.get(a.id, 0)) for a in kb.archetypes) if shown else ()
        points.append(TrendPoint(period, 5 if shown else 2, shown, mix))
    return tuple(points)


def summary_with(summary: Summary, **changes: object) -> Summary:
    return dataclasses.replace(summary, **changes)  # type: ignore[arg-type]
