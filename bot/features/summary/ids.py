"""Action, callback and block ids of the summary and configuration, defined once."""

from __future__ import annotations

POST = "mlorg_summary_post"
DISCARD = "mlorg_summary_discard"
CONFIG_VIEW = "mlorg_config"

#: The summary's sections a chart is shown after: the mix of best fits, the trend, the quiz.
MIX_BLOCK = "summary_mix"
TREND_BLOCK = "summary_trend"
QUIZ_BLOCK = "summary_quiz"
