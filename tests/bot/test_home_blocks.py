"""The Home tab is where people learn what mlorg's chart colours mean."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.features.home.blocks import build_home, chart_legend
from bot.sandbox.mrkdwn import Names, mrkdwn_to_html
from knowledge import KnowledgeBase, load_knowledge, overview
from knowledge.charts.palette import swatch

KB: KnowledgeBase = load_knowledge()


def legend_of(home: dict[str, Any]) -> dict[str, Any]:
    (block,) = [
        b
        for b in home["blocks"]
        if b["type"] == "context" and "Colours in mlorg's charts" in b["elements"][0]["text"]
    ]
    return block


def test_the_home_tab_pairs_each_archetype_with_its_chart_colour_square() -> None:
    home = build_home(overview(KB))

    text = legend_of(home)["elements"][0]["text"]

    for archetype in KB.archetypes:
        assert f"{swatch(archetype).emoji} {archetype.short_name.replace('&', '&amp;')}" in text
    squares = [swatch(a).emoji for a in KB.archetypes]
    assert len(set(squares)) == len(KB.archetypes) == 5
    assert [text.index(s) for s in squares] == sorted(text.index(s) for s in squares)  # in framework order


def test_the_legend_sits_above_the_archetypes_it_explains() -> None:
    blocks = build_home(overview(KB))["blocks"]

    legend = blocks.index(legend_of({"blocks": blocks}))
    first_archetype = next(i for i, b in enumerate(blocks) if KB.archetypes[0].name in str(b.get("text")))

    assert legend < first_archetype


def test_an_overlay_name_in_the_legend_cannot_become_markup() -> None:
    renamed = KB.archetypes[0].model_copy(update={"short_name": "<!channel> & co"})
    view = dataclasses.replace(overview(KB), archetypes=(renamed, *KB.archetypes[1:]))

    text = chart_legend(view.archetypes)

    assert "&lt;!channel&gt; &amp; co" in text and "<!channel>" not in text


def test_the_sandbox_draws_the_legend_as_coloured_squares() -> None:
    drawn = mrkdwn_to_html(chart_legend(KB.archetypes), Names(lambda _: None, lambda _: None))

    assert ":large_" not in drawn
    assert all(square in drawn for square in "🟨🟪🟦🟩🟧")
