"""Charts of mlorg's results: PNG bytes (and the words for them) from the domain's own objects.

Pure like the rest of :mod:`knowledge`: no Slack, no network. The plotting library is
imported only when a chart is drawn, so importing this package costs nothing at start-up.

- :func:`render_diagnosis`: one person's result (``diagnosis``).
- :func:`render_team`: a team's mix and, when shown, leaders against contributors
  (``team-mix``, ``team-perception``); nothing below the minimum group.
- :func:`render_summary`: a leadership summary's mix, trend and quiz accuracy
  (``summary-mix``, ``summary-trend``, ``summary-quiz``), each where it has data.
"""

from __future__ import annotations

from knowledge.charts.model import ALT_LIMIT, TITLE_LIMIT, Chart
from knowledge.charts.palette import Swatch, swatch
from knowledge.charts.render import render_diagnosis, render_summary, render_team

__all__ = [
    "ALT_LIMIT",
    "TITLE_LIMIT",
    "Chart",
    "Swatch",
    "render_diagnosis",
    "render_summary",
    "render_team",
    "swatch",
]
