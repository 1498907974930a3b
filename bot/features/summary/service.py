"""Build a workspace's summary for a week from what the store holds.

Shared by ``/mlorg summary``, the digest scheduler and ``mlorg export``, so a preview, a
posted summary, a scheduled digest and an export say the same thing for the same week.

Weeks are fixed by the server (Monday 00:00 UTC to the next), never by a button or by the
moment someone asks: two windows a few minutes apart could differ by one person. A week is
a *watched* view: admins can ask for it again and again while people keep taking the
diagnosis, so its figures only move on once at least the minimum group of people changed
since they were last shown. Until then it shows the same people as last time (diagnoses
are never changed once finished, so those figures can be computed again exactly).

The summary's trend covers the last ``TREND_PERIODS`` weeks, and every one of them is
released exactly like the two weeks the summary compares: the week's latest diagnoses or,
if too few people changed since, the ones its stored view last showed. So a week in the
trend is never one person apart from what that week's own summary showed. The older weeks'
views are *saved* (compare-and-set, with the two main weeks), not only read: a week nobody
asked a summary for has no stored view, and drawing it from whoever is there today without
remembering it would let the next drawing differ by one person once someone asks to be
forgotten. Saved, it is held back until at least the group size changed, as every week is.
A past week only changes when people are forgotten, so after the first drawing these saves
are rare.

Every week is also drawn against the workspace's ledger (every set of people any view has
shown, team threads included; see :mod:`knowledge.anonymity`), and saved into it in the same
compare-and-set. A week whose latest diagnoses differ by fewer than the minimum group from
something a thread already showed falls back to what the week showed last, or else to the
largest set already shown elsewhere that the week still holds: a team thread's three people
are shown as those three, not with a fourth beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from bot.features.quiz.rounds import released_records
from bot.store import Flow, Ledger, QuizAnswer, ReleasedView, Store
from bot.store.questions import unhelpful_questions
from knowledge import KnowledgeBase
from knowledge.diagnosis import ALL, RESPONDENTS, TeamAggregate, aggregate, role_of, score
from knowledge.summary import TREND_PERIODS, Period, PeriodDiagnoses, Summary, build_summary

__all__ = ["current_week", "last_week", "summarize", "trend_weeks", "view_key"]

#: Saving a week's state is a compare-and-set; two admins asking at once retry this often.
_ATTEMPTS = 5


def current_week(now: datetime) -> Period:
    """The week (Monday 00:00 UTC on) that ``now`` falls in: what ``/mlorg summary`` shows."""
    last = Period.week_before(now)
    return Period(last.end, last.end + timedelta(days=7))


def last_week(now: datetime) -> Period:
    """The last whole week before ``now``: what a scheduled digest reports."""
    return Period.week_before(now)


def trend_weeks(period: Period) -> list[Period]:
    """The ``TREND_PERIODS`` weeks a summary of ``period`` covers, oldest first, ``period`` last."""
    weeks = [period]
    while len(weeks) < TREND_PERIODS:
        weeks.insert(0, weeks[0].previous())
    return weeks


def view_key(period: Period) -> str:
    return f"week:{period.start.date().isoformat()}"


def _latest_per_person(flows: Iterable[Flow], period: Period) -> list[Flow]:
    """One diagnosis per person per period (their latest): retaking must not count twice."""
    latest: dict[str, Flow] = {}
    for flow in flows:
        if flow.updated_at in period and (
            flow.user_id not in latest or flow.updated_at > latest[flow.user_id].updated_at
        ):
            latest[flow.user_id] = flow
    return sorted(latest.values(), key=lambda f: f.flow_id)


def _entries(kb: KnowledgeBase, flows: Sequence[Flow]) -> list[tuple[dict[str, str], str | None]]:
    return [(dict(f.answers), role_of(kb, f.answers)) for f in flows]


def _released(
    kb: KnowledgeBase, flows: Sequence[Flow], period: Period, view: ReleasedView, group: int, ledger: Ledger
) -> tuple[list[Flow], int]:
    """The diagnoses a week's figures may be drawn from now, and how many people wait.

    In order: the latest per person, if they may be shown (enough changed since the week
    was last shown, and nothing shown elsewhere is too close); the diagnoses it showed then
    (less anyone forgotten since: if that brings it too close to what was shown, nothing
    is drawn); or the largest set of them already shown elsewhere (a team thread's), which
    is safe beside everything by construction. The count waiting is of arrivals only.
    """
    latest = _latest_per_person(flows, period)
    tokens = [f.flow_id for f in latest]

    def drawing(drawn: Sequence[Flow]) -> TeamAggregate:
        results = [(score(kb, f.answers), role_of(kb, f.answers)) for f in drawn]
        members = [f.flow_id for f in drawn]
        return aggregate(kb, results, group, members=members, shown=view.shown, ledger=ledger.sets)

    now = drawing(latest)
    if now.visible:
        return latest, now.unshown  # newcomers not in the figures yet (placed or not)
    by_id = {f.flow_id: f for f in latest}
    shown_before = set(view.shown.get(RESPONDENTS, view.shown.get(ALL, ())))
    candidates = [[f for f in flows if f.flow_id in shown_before]] if shown_before else []
    candidates += [
        [by_id[token] for token in sorted(members)]
        for members in sorted(ledger.sets.get(ALL, ()), key=len, reverse=True)
        if set(members) <= set(by_id) and set(members) != set(tokens)
    ]
    for drawn in candidates:
        if drawn and drawing(drawn).visible:
            # Newcomers only: someone the week showed before (and still holds) is not new,
            # and a forgotten person is in neither list.
            return drawn, len(set(tokens) - {f.flow_id for f in drawn} - shown_before)
    # Nothing may be drawn: the week says how many took part, and shows no figures.
    return latest, 0


async def summarize(store: Store, kb: KnowledgeBase, team_id: str, period: Period, min_group: int) -> Summary:
    """The week's summary with its trend, every week released through its own watched state.

    Each week's state is saved when the drawing moves it on; if another caller moved one on
    meanwhile, everything is read and drawn again.
    """
    weeks = trend_weeks(period)
    for _ in range(_ATTEMPTS):
        views = [await store.views.get(team_id, view_key(week)) for week in weeks]
        ledger = await store.views.ledger(team_id)
        flows = [
            f
            for f in await store.diagnoses.finished_since(team_id, weeks[0].start)
            if f.updated_at < period.end
        ]
        released = [
            _released(kb, flows, week, view, min_group, ledger)
            for week, view in zip(weeks, views, strict=True)
        ]
        (before, _), (now, waiting) = released[-2:]
        earlier = [
            PeriodDiagnoses(week, _entries(kb, drawn), [f.flow_id for f in drawn], view.shown)
            for week, view, (drawn, _) in zip(weeks[:-2], views[:-2], released[:-2], strict=True)
        ]
        answers = await store.quizzes.answers_since(team_id, period.start)
        summary = build_summary(
            kb,
            period=period,
            diagnoses=_entries(kb, now),
            previous=_entries(kb, before),
            quiz_records=await _quiz_records(store, team_id, answers, period, min_group),
            quiz_activity=_activity(answers, period),
            unanswered=[
                (question, count)
                for question, count, _ in unhelpful_questions(
                    [
                        q
                        for q in await store.questions.asked_since(team_id, period.start)
                        if q.asked_at in period
                    ]
                )
            ],
            min_group=min_group,
            members=[f.flow_id for f in now],
            shown=views[-1].shown,
            previous_members=[f.flow_id for f in before],
            previous_shown=views[-2].shown,
            held_back=waiting,
            earlier=earlier,
            ledger=ledger.sets,
        )
        shown = [*summary.earlier_shown, summary.previous_shown, summary.team.shown]
        if await _save(store, team_id, list(zip(weeks, views, shown, strict=True)), ledger):
            return summary
    # Others kept moving the week on; drawing from a state that is not saved would be unsafe.
    raise RuntimeError("could not settle the summary's state; try again")


async def _save(
    store: Store,
    team_id: str,
    states: Sequence[tuple[Period, ReleasedView, dict[str, tuple[str, ...]] | None]],
    ledger: Ledger,
) -> bool:
    """Every week that moved, and the ledger, in one compare-and-set."""
    changed = [
        (view_key(period), shown, view.version)
        for period, view, shown in states
        if shown is not None and shown != dict(view.shown)
    ]
    return await store.views.save_many(team_id, changed, ledger)


def _activity(answers: Sequence[QuizAnswer], period: Period) -> tuple[int, int]:
    """How many quiz answers the period had, and from how many players: counts, not results."""
    within = [a for a in answers if a.answered_at in period]
    return len(within), len({a.user_id for a in within})


async def _quiz_records(
    store: Store, team_id: str, answers: Sequence[QuizAnswer], period: Period, min_group: int
) -> list[tuple[str, str, str, bool]]:
    """The period's answers to rounds whose tally was shown, with the players it was shown with."""
    return await released_records(store, team_id, [a for a in answers if a.answered_at in period], min_group)
