"""Charts of mlorg's results: PNG bytes (and the words for them) from the domain's own objects.

Pure like the rest of :mod:`knowledge`: no Slack, no network. The plotting library is
imported only when a chart is drawn, so importing this package costs nothing at start-up.
"""

from __future__ import annotations

from knowledge.charts.model import ALT_LIMIT, TITLE_LIMIT, Chart
from knowledge.charts.palette import Swatch, swatch

__all__ = ["ALT_LIMIT", "TITLE_LIMIT", "Chart", "Swatch", "swatch"]
