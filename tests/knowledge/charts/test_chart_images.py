"""The charts as images: compared with kept golden PNGs, and the docs' PNGs with what draws now.

Same result, same bytes on one machine; across machines (another FreeType build)
anti-aliasing may differ slightly, hence ``compare_images`` with a small RMS tolerance.
After an intended change, ``MLORG_UPDATE_GOLDEN=1 pytest tests/knowledge/charts`` rewrites
the goldens and ``docs/charts/`` (look at the new images before committing them).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images

from knowledge import KnowledgeBase, score
from knowledge.charts import Chart, render_diagnosis, render_summary
from knowledge.charts.examples import PERIOD, example_charts, example_summary, main
from knowledge.summary import TrendPoint, build_summary
from tests.knowledge.charts.drawn import DONT_KNOW, RND

GOLDEN = Path(__file__).parent / "golden"
DOCS = Path(__file__).parents[3] / "docs" / "charts"
#: RMS difference (0-255 per channel) below which two renderings are the same picture.
TOLERANCE = 2.0
UPDATE = os.environ.get("MLORG_UPDATE_GOLDEN") == "1"


def assert_looks_like(expected: Path, actual: bytes, tmp_path: Path) -> None:
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(actual)
    assert expected.is_file(), f"{expected} is missing: run with MLORG_UPDATE_GOLDEN=1 to create it"
    drawn = tmp_path / expected.name
    drawn.write_bytes(actual)
    difference = compare_images(str(expected), str(drawn), tol=TOLERANCE)
    assert difference is None, difference


def edge_cases(kb: KnowledgeBase, long_kb: KnowledgeBase) -> dict[str, Chart]:
    """Results at the edges, each kept as a golden image."""
    summary = example_summary(kb)
    sparse = tuple(p if i % 3 else TrendPoint(p.period, 1, False) for i, p in enumerate(summary.trend))
    long_summary = build_summary(long_kb, period=PERIOD, diagnoses=[(RND, None)] * 3)
    return {
        "long-names-diagnosis": render_diagnosis(score(long_kb, RND)),
        "long-names-summary-mix": render_summary(long_summary)[0],
        "dont-know-diagnosis": render_diagnosis(score(kb, DONT_KNOW)),
        "sparse-trend": next(
            c for c in render_summary(dataclasses.replace(summary, trend=sparse)) if c.key == "summary-trend"
        ),
    }


def test_edge_case_charts_look_like_their_golden_images(
    kb: KnowledgeBase, long_kb: KnowledgeBase, tmp_path: Path
) -> None:
    for name, chart in edge_cases(kb, long_kb).items():
        assert_looks_like(GOLDEN / f"{name}.png", chart.png, tmp_path)


def test_the_docs_show_the_example_charts_as_they_draw_now(kb: KnowledgeBase, tmp_path: Path) -> None:
    charts = example_charts(kb)
    for chart in charts:
        assert_looks_like(DOCS / chart.filename, chart.png, tmp_path)
    assert sorted(p.name for p in DOCS.glob("*.png")) == sorted(c.filename for c in charts)


def test_the_examples_command_writes_every_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "out")]) == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(c.filename for c in example_charts())
    assert capsys.readouterr().out.count(".png") == len(written)
