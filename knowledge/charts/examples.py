"""Built-in example results, drawn: the pictures in ``docs/charts/`` and the README.

The examples are real results of the real knowledge base, not hand-made numbers: a
person's diagnosis scored from fixed answers, a team of six (three leaders, three
contributors) aggregated, and a leadership summary built from the same answers, with an
eight-week trend and per-topic quiz accuracy added (those two are computed by the store
from past periods, so the example states them directly).

``python -m knowledge.charts.examples DIR`` writes every example chart to ``DIR``;
a test checks that ``docs/charts/`` holds what this draws now.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from knowledge import KnowledgeBase, load_knowledge
from knowledge.charts.model import Chart
from knowledge.charts.render import render_diagnosis, render_summary, render_team
from knowledge.diagnosis import Diagnosis, TeamAggregate, aggregate, score
from knowledge.summary import Period, Summary, TopicAccuracy, TrendPoint, build_summary
from knowledge.summary.trend import trend_point

__all__ = ["PERIOD", "example_charts", "example_diagnosis", "example_summary", "example_team", "main"]

#: The week the example summary covers (a Monday to a Monday, as the digest uses).
PERIOD = Period(datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))

#: A product team that owns far more of its data than product-embedded teams usually do.
YOU = {
    "where_ml_happens": "product_teams",
    "data_access": "good",
    "path_to_production": "builders_run_them",
    "talent": "hard_to_grow",
    "time_horizon": "quick_only",
    "leadership": "team_leads",
    "engineering_or_research": "engineering",
    "data_ownership": "ml_owns_infra",
}
#: Leaders see an independent division; contributors see product-embedded teams.
LEADERS = (
    {
        **YOU,
        "where_ml_happens": "own_division",
        "leadership": "senior_sponsor",
        "data_ownership": "governance_voice",
    },
    {
        **YOU,
        "where_ml_happens": "own_division",
        "path_to_production": "handoff_we_maintain",
        "talent": "strong",
    },
    {
        **YOU,
        "where_ml_happens": "own_division",
        "engineering_or_research": "mixed",
        "time_horizon": "products_plus_research",
        "data_ownership": "governance_voice",
    },
)
CONTRIBUTORS = (
    YOU,
    {**YOU, "data_ownership": "pipelines_together", "data_access": "slow"},
    {**YOU, "leadership": "dont_know", "talent": "very_hard", "data_ownership": "pipelines_together"},
)

#: Week by week before the example's own, oldest first: people placed and their mix per
#: archetype id (drifting from product-embedded towards ML-first); None: too few people.
_PAST: tuple[tuple[int, dict[str, int] | None], ...] = (
    (5, {"rnd": 20, "embedded": 60, "independent": 20}),
    (2, None),
    (6, {"rnd": 17, "embedded": 50, "independent": 17, "ml_first": 16}),
    (7, {"rnd": 14, "embedded": 43, "independent": 29, "ml_first": 14}),
    (1, None),
    (8, {"rnd": 12, "embedded": 38, "independent": 25, "ml_first": 25}),
    (9, {"rnd": 11, "embedded": 33, "independent": 22, "ml_first": 34}),
)
#: Quiz answers per topic id: (answers, right); the first is the most missed.
_QUIZ = (("data_ownership", 18, 7), ("ml_first", 12, 6), ("rnd", 15, 11), ("embedded", 21, 17))


def example_diagnosis(kb: KnowledgeBase) -> Diagnosis:
    return score(kb, YOU)


def _people() -> list[tuple[dict[str, str], str | None]]:
    people: list[tuple[dict[str, str], str | None]] = [(a, "leader") for a in LEADERS]
    return people + [(a, "contributor") for a in CONTRIBUTORS]


def example_team(kb: KnowledgeBase) -> TeamAggregate:
    return aggregate(kb, [(score(kb, answers), role) for answers, role in _people()])


def _week(weeks_back: int) -> Period:
    shift = timedelta(weeks=weeks_back)
    return Period(PERIOD.start - shift, PERIOD.end - shift)


def _trend(kb: KnowledgeBase, summary: Summary) -> tuple[TrendPoint, ...]:
    points = []
    for back, (placed, mix) in zip(range(len(_PAST), 0, -1), _PAST, strict=True):
        shares = tuple((a, mix.get(a.id, 0)) for a in kb.archetypes) if mix else ()
        points.append(TrendPoint(_week(back), placed, mix is not None, shares))
    # This week's point is the summary's own, as build_summary draws it.
    points.append(trend_point(PERIOD, summary.team))
    return tuple(points)


def _topics(kb: KnowledgeBase) -> tuple[TopicAccuracy, ...]:
    topics = []
    for i, (topic_id, answers, right) in enumerate(_QUIZ):
        topic = kb.get(topic_id)
        assert topic is not None, f"the example names a topic the knowledge base lacks: {topic_id}"
        topics.append(TopicAccuracy(topic, answers, right, round(100 * right / answers), most_missed=i == 0))
    return tuple(sorted(topics, key=lambda t: t.percent))


def example_summary(kb: KnowledgeBase) -> Summary:
    summary = build_summary(kb, period=PERIOD, diagnoses=_people())
    return dataclasses.replace(summary, trend=_trend(kb, summary), topic_accuracy=_topics(kb))


def example_charts(kb: KnowledgeBase | None = None) -> tuple[Chart, ...]:
    """Every chart mlorg draws, for the built-in examples, in a stable order."""
    kb = kb or load_knowledge()
    return (
        render_diagnosis(example_diagnosis(kb)),
        *render_team(example_team(kb)),
        *render_summary(example_summary(kb)),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.charts.examples", description="Write the example charts as PNG files."
    )
    parser.add_argument("directory", type=Path, help="where to write mlorg-<chart>.png (created if missing)")
    directory: Path = parser.parse_args(argv).directory
    directory.mkdir(parents=True, exist_ok=True)
    for chart in example_charts():
        (directory / chart.filename).write_bytes(chart.png)
        print(directory / chart.filename)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
