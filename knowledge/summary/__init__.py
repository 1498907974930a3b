"""The leadership summary: what a period's diagnoses and quizzes say, for people who were not there.

One module per job: :mod:`~knowledge.summary.period` (the fixed weeks),
:mod:`~knowledge.summary.model` (what a summary holds), :mod:`~knowledge.summary.build`
(the anonymised figures, see its docstring for the rules), :mod:`~knowledge.summary.trend`
(the mix of best fits week by week), :mod:`~knowledge.summary.entries` (scoring the
stored diagnoses both start from) and :mod:`~knowledge.summary.render` (plain text). Everything is re-exported here.
"""

from __future__ import annotations

from knowledge.summary.build import FOCUS_ITEMS, SHIFT_POINTS, SUGGEST_DIAGNOSE, SUGGEST_QUIZ, build_summary
from knowledge.summary.model import (
    TREND_PERIODS,
    ArchetypeShift,
    Change,
    MissedTopic,
    Summary,
    TopicAccuracy,
    TrendPoint,
)
from knowledge.summary.period import Period
from knowledge.summary.render import render_summary_text, summary_headline, topic_accuracy_text, trend_line
from knowledge.summary.trend import PeriodDiagnoses, build_trend, period_aggregate, trend_point

__all__ = [
    "FOCUS_ITEMS",
    "SHIFT_POINTS",
    "SUGGEST_DIAGNOSE",
    "SUGGEST_QUIZ",
    "TREND_PERIODS",
    "ArchetypeShift",
    "Change",
    "MissedTopic",
    "Period",
    "PeriodDiagnoses",
    "Summary",
    "TopicAccuracy",
    "TrendPoint",
    "build_summary",
    "build_trend",
    "period_aggregate",
    "render_summary_text",
    "summary_headline",
    "topic_accuracy_text",
    "trend_line",
    "trend_point",
]
