"""How charts are drawn: cheap to import, the same bytes every time, and no text on another.

The 60-character names come from an overlay (tests/knowledge/charts/overlay.py), as an
organization would add them; every text's drawn extent is checked against every other's.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from knowledge import KnowledgeBase, aggregate, score
from knowledge.charts import render_diagnosis
from knowledge.charts.examples import (
    PERIOD,
    YOU,
    example_charts,
    example_diagnosis,
    example_summary,
    example_team,
)
from knowledge.charts.figures import figure_of
from knowledge.charts.render import diagnosis_picture, summary_pictures, team_pictures
from knowledge.charts.spec import Picture
from knowledge.diagnosis import Share
from knowledge.models import Archetype
from knowledge.summary import TopicAccuracy, build_summary
from tests.knowledge.charts.drawn import RND, assert_texts_apart, summary_with, trend, words_of
from tests.knowledge.charts.overlay import LONG_NAME, NEW_NAME

# --- Cost and determinism ----------------------------------------------------------------------


def test_importing_the_charts_package_does_not_import_matplotlib() -> None:
    code = (
        "import sys, knowledge, knowledge.charts, knowledge.charts.render, knowledge.charts.examples\n"
        "assert not [m for m in sys.modules if m.startswith('matplotlib')], 'matplotlib was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_same_result_gives_the_same_bytes_without_a_version_or_time(kb: KnowledgeBase) -> None:
    first = render_diagnosis(example_diagnosis(kb))
    again = render_diagnosis(example_diagnosis(kb))
    assert first.png == again.png
    assert first.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"tIME" not in first.png and b"matplotlib" not in first.png.lower()


def test_every_example_chart_is_1200_pixels_wide_with_its_own_key(kb: KnowledgeBase) -> None:
    charts = example_charts(kb)
    assert [c.key for c in charts] == [
        "diagnosis",
        "team-mix",
        "team-perception",
        "summary-mix",
        "summary-trend",
        "summary-quiz",
    ]
    for chart in charts:
        width = int.from_bytes(chart.png[16:20], "big")
        assert width == 1200, chart.key
        assert chart.title and len(chart.title) <= 60


# --- Long names --------------------------------------------------------------------------------


def even_mix(kb: KnowledgeBase) -> tuple[tuple[Archetype, int], ...]:
    """Every archetype in the mix (so every long name is in the legend), summing to 100."""
    share, rest = divmod(100, len(kb.archetypes))
    return tuple((a, share + (rest if i == 0 else 0)) for i, a in enumerate(kb.archetypes))


def long_pictures(kb: KnowledgeBase) -> tuple[Picture, ...]:
    """Every chart, with the overlay's long names in headings, labels, legends and topics."""
    team = aggregate(kb, [(score(kb, RND), "leader")] * 3 + [(score(kb, YOU), "contributor")] * 3)
    summary = build_summary(kb, period=PERIOD, diagnoses=[(RND, None)] * 3)
    topics = (
        TopicAccuracy(kb.archetype("guild"), 9, 3, 33, most_missed=True),
        TopicAccuracy(kb.archetype("rnd"), 9, 6, 67),
    )
    points = tuple(dataclasses.replace(p, mix=even_mix(kb)) for p in trend(kb, (True,) * 8))
    summary = summary_with(summary, trend=points, topic_accuracy=topics)
    return (diagnosis_picture(score(kb, RND)), *team_pictures(team), *summary_pictures(summary))


def test_sixty_character_archetype_names_never_overlap_another_text(long_kb: KnowledgeBase) -> None:
    assert score(long_kb, RND).best.name == LONG_NAME
    pictures = long_pictures(long_kb)
    assert [p.key for p in pictures] == [
        "diagnosis",
        "team-mix",
        "team-perception",
        "summary-mix",
        "summary-trend",
        "summary-quiz",
    ]
    for picture in pictures:
        assert_texts_apart(figure_of(picture))
    legend = words_of(figure_of(pictures[4]))
    assert NEW_NAME.split()[0] in legend and "across all" in legend, "a long name wraps rather than vanishing"


def test_every_example_chart_keeps_its_texts_apart(kb: KnowledgeBase) -> None:
    for picture in (
        diagnosis_picture(example_diagnosis(kb)),
        *team_pictures(example_team(kb)),
        *summary_pictures(example_summary(kb)),
    ):
        assert_texts_apart(figure_of(picture))


@pytest.mark.parametrize("name", ["$x$ and 100% {braces}", "a_b^c \\alpha"])
def test_a_name_with_math_characters_is_drawn_as_written(kb: KnowledgeBase, name: str) -> None:
    diagnosis = example_diagnosis(kb)
    renamed = diagnosis.best.model_copy(update={"name": name})
    shares = (Share(renamed, diagnosis.shares[0].percent), *diagnosis.shares[1:])
    figure = figure_of(diagnosis_picture(dataclasses.replace(diagnosis, shares=shares)))
    assert name in words_of(figure)
    assert render_diagnosis(dataclasses.replace(diagnosis, shares=shares)).png
