"""The diagnosis repository's contract, on SQLite and on PostgreSQL (see ``conftest.database_url``).

Every change is conditional on the state a click was drawn against, so the features can
rely on: resume or start over, an answer that moves a flow only from the step it was
asked at, an end that happens once, "set" for team responses, and team scoping.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.store import Diagnoses, Store
from tests.bot.store.conftest import OpenStore

TEAM = "T0001"
OTHER_TEAM = "T0002"
ME = "U0001"
CHANNEL = "C0001"
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def ticking_clock(start: datetime = START, step: timedelta = timedelta(seconds=1)) -> Callable[[], datetime]:
    """A clock that moves one ``step`` per reading, so orderings by time are deterministic."""
    ticks = itertools.count()
    return lambda: start + step * next(ticks)


def with_clock(store: Store, clock: Callable[[], datetime]) -> Diagnoses:
    return Diagnoses(store.sessions, store.dialect, clock=clock)


# -- flows: start, resume, restart ------------------------------------------------------------------


async def test_start_begins_an_active_flow_at_the_first_question(store: Store) -> None:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL)

    assert (flow.team_id, flow.user_id, flow.channel_id) == (TEAM, ME, CHANNEL)
    assert flow.session_id is None
    assert flow.step == 0 and flow.answers == {} and flow.status == "active"
    assert len(flow.flow_id) >= 8
    assert await store.diagnoses.get(TEAM, flow.flow_id) == flow


async def test_start_again_resumes_the_unfinished_flow(store: Store) -> None:
    first = await store.diagnoses.start(TEAM, ME, CHANNEL)
    await store.diagnoses.answer(TEAM, first.flow_id, 0, "q1", "a")

    again = await store.diagnoses.start(TEAM, ME, "C0OTHER")

    assert again.flow_id == first.flow_id
    assert again.step == 1 and again.answers == {"q1": "a"}
    assert await store.diagnoses.active_flow(TEAM, ME, None) == again


async def test_start_without_resume_deletes_the_old_flow_and_begins_afresh(store: Store) -> None:
    first = await store.diagnoses.start(TEAM, ME, CHANNEL)
    await store.diagnoses.answer(TEAM, first.flow_id, 0, "q1", "a")

    fresh = await store.diagnoses.start(TEAM, ME, CHANNEL, resume=False)

    assert fresh.flow_id != first.flow_id
    assert fresh.step == 0 and fresh.answers == {} and fresh.status == "active"
    # Starting over keeps nothing of the abandoned answers.
    assert await store.diagnoses.get(TEAM, first.flow_id) is None
    assert await store.diagnoses.start(TEAM, ME, CHANNEL) == fresh


async def test_a_personal_flow_and_a_team_flow_are_kept_apart(store: Store) -> None:
    personal = await store.diagnoses.start(TEAM, ME, CHANNEL)
    team = await store.diagnoses.start(TEAM, ME, CHANNEL, "S1")
    other_session = await store.diagnoses.start(TEAM, ME, CHANNEL, "S2")

    assert len({personal.flow_id, team.flow_id, other_session.flow_id}) == 3
    assert team.session_id == "S1"
    assert await store.diagnoses.start(TEAM, ME, CHANNEL) == personal
    assert await store.diagnoses.start(TEAM, ME, CHANNEL, "S1") == team
    active = await store.diagnoses.active_flow(TEAM, ME, "S2")
    assert active is not None and active.flow_id == other_session.flow_id


async def test_after_finishing_start_begins_a_new_flow(store: Store) -> None:
    first = await store.diagnoses.start(TEAM, ME, CHANNEL)
    await store.diagnoses.finish(TEAM, first.flow_id)

    second = await store.diagnoses.start(TEAM, ME, CHANNEL)

    assert second.flow_id != first.flow_id and second.step == 0
    assert await store.diagnoses.active_flow(TEAM, ME, None) == second


async def test_simultaneous_starts_from_two_replicas_give_the_person_one_flow(
    store: Store, open_store: OpenStore
) -> None:
    # A double click on "Take the 2-minute diagnosis", delivered to two replicas at once.
    other = await open_store()
    replicas = [store.diagnoses, other.diagnoses]

    for session_id in (None, "S1"):
        flows = await asyncio.gather(
            *(replicas[i % 2].start(TEAM, ME, CHANNEL, session_id) for i in range(6))
        )
        assert len({f.flow_id for f in flows}) == 1, "one person got several unfinished flows"


# -- flows: answer, back, finish, cancel -----------------------------------------------------------


async def test_an_answer_moves_the_flow_only_from_the_step_it_was_asked_at(store: Store) -> None:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL)

    moved = await store.diagnoses.answer(TEAM, flow.flow_id, 0, "q1", "a")
    replay = await store.diagnoses.answer(TEAM, flow.flow_id, 0, "q1", "b")
    ahead = await store.diagnoses.answer(TEAM, flow.flow_id, 5, "q6", "a")

    assert moved is not None and moved.step == 1 and moved.answers == {"q1": "a"}
    assert replay is None and ahead is None
    stored = await store.diagnoses.get(TEAM, flow.flow_id)
    assert stored is not None and stored.step == 1 and stored.answers == {"q1": "a"}
    assert stored.updated_at >= flow.updated_at


async def test_back_goes_one_question_back_and_keeps_the_earlier_answer(store: Store) -> None:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL)
    await store.diagnoses.answer(TEAM, flow.flow_id, 0, "q1", "a")
    await store.diagnoses.answer(TEAM, flow.flow_id, 1, "q2", "b")

    back = await store.diagnoses.back(TEAM, flow.flow_id, 2)

    assert back is not None and back.step == 1 and back.answers == {"q1": "a", "q2": "b"}
    assert await store.diagnoses.back(TEAM, flow.flow_id, 2) is None, "a second Back from 2 went back again"
    changed = await store.diagnoses.answer(TEAM, flow.flow_id, 1, "q2", "c")
    assert changed is not None and changed.step == 2 and changed.answers == {"q1": "a", "q2": "c"}


async def test_back_from_the_first_question_or_an_unknown_flow_does_nothing(store: Store) -> None:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL)

    assert await store.diagnoses.back(TEAM, flow.flow_id, 0) is None
    assert await store.diagnoses.back(TEAM, "no-such-flow", 1) is None
    assert await store.diagnoses.answer(TEAM, "no-such-flow", 0, "q1", "a") is None
    stored = await store.diagnoses.get(TEAM, flow.flow_id)
    assert stored is not None and stored.step == 0


async def test_a_flow_finishes_once_and_then_takes_no_answers(store: Store) -> None:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL)
    await store.diagnoses.answer(TEAM, flow.flow_id, 0, "q1", "a")

    finished = await store.diagnoses.finish(TEAM, flow.flow_id)

    assert finished is not None and finished.status == "finished" and finished.answers == {"q1": "a"}
    assert await store.diagnoses.finish(TEAM, flow.flow_id) is None
    assert await store.diagnoses.cancel(TEAM, flow.flow_id) is None
    assert await store.diagnoses.answer(TEAM, flow.flow_id, 1, "q2", "a") is None
    assert await store.diagnoses.back(TEAM, flow.flow_id, 1) is None
    stored = await store.diagnoses.get(TEAM, flow.flow_id)
    assert stored is not None and stored.status == "finished" and stored.step == 1


async def test_a_flow_is_cancelled_once_and_then_takes_no_answers(store: Store) -> None:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL)

    cancelled = await store.diagnoses.cancel(TEAM, flow.flow_id)

    assert cancelled is not None and cancelled.status == "cancelled"
    assert await store.diagnoses.cancel(TEAM, flow.flow_id) is None
    assert await store.diagnoses.finish(TEAM, flow.flow_id) is None
    assert await store.diagnoses.answer(TEAM, flow.flow_id, 0, "q1", "a") is None
    assert await store.diagnoses.active_flow(TEAM, ME, None) is None


async def test_twenty_simultaneous_answers_from_two_replicas_move_the_flow_once(
    store: Store, open_store: OpenStore
) -> None:
    other = await open_store()  # a second process on the same database
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL)
    replicas = [store.diagnoses, other.diagnoses]

    results = await asyncio.gather(
        *(replicas[i % 2].answer(TEAM, flow.flow_id, 0, "q1", f"option{i}") for i in range(20))
    )

    winners = [r for r in results if r is not None]
    assert len(winners) == 1, f"{len(winners)} answers moved the flow"
    stored = await other.diagnoses.get(TEAM, flow.flow_id)
    assert stored is not None and stored.step == 1
    assert stored.answers == winners[0].answers and len(stored.answers) == 1


async def test_simultaneous_finishes_from_two_replicas_finish_once(
    store: Store, open_store: OpenStore
) -> None:
    other = await open_store()
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL)
    replicas = [store.diagnoses, other.diagnoses]

    results = await asyncio.gather(*(replicas[i % 2].finish(TEAM, flow.flow_id) for i in range(10)))

    assert sum(r is not None for r in results) == 1


async def test_finished_since_returns_only_finished_flows_of_the_team_from_that_time(store: Store) -> None:
    early = with_clock(store, ticking_clock(START))
    late = with_clock(store, ticking_clock(START + timedelta(days=7)))
    old = await early.start(TEAM, "U1", CHANNEL)
    await early.finish(TEAM, old.flow_id)
    recent = await late.start(TEAM, "U2", CHANNEL)
    await late.finish(TEAM, recent.flow_id)
    await late.start(TEAM, "U3", CHANNEL)  # still active
    cancelled = await late.start(TEAM, "U4", CHANNEL)
    await late.cancel(TEAM, cancelled.flow_id)
    elsewhere = await late.start(OTHER_TEAM, "U5", CHANNEL)
    await late.finish(OTHER_TEAM, elsewhere.flow_id)

    since = await store.diagnoses.finished_since(TEAM, START + timedelta(days=1))
    everything = await store.diagnoses.finished_since(TEAM, START - timedelta(days=1))

    assert [f.flow_id for f in since] == [recent.flow_id]
    assert {f.flow_id for f in everything} == {old.flow_id, recent.flow_id}
    assert all(f.status == "finished" and f.team_id == TEAM for f in everything)


# -- team sessions -----------------------------------------------------------------------------------


async def test_a_team_session_opens_records_its_messages_and_closes_once(store: Store) -> None:
    session = await store.diagnoses.open_session(TEAM, CHANNEL, "U0LEAD")

    assert session.status == "open" and session.started_by == "U0LEAD" and session.channel_id == CHANNEL
    assert session.message_ts is None and session.summary_ts is None
    await store.diagnoses.set_session_messages(TEAM, session.session_id, "1700.000001", "1700.000002")
    stored = await store.diagnoses.get_session(TEAM, session.session_id)
    assert stored is not None
    assert (stored.message_ts, stored.summary_ts) == ("1700.000001", "1700.000002")

    assert await store.diagnoses.close_session(TEAM, session.session_id) is True
    assert await store.diagnoses.close_session(TEAM, session.session_id) is False
    closed = await store.diagnoses.get_session(TEAM, session.session_id)
    assert closed is not None and closed.status == "closed"
    assert closed.message_ts == "1700.000001"
    assert await store.diagnoses.close_session(TEAM, "no-such-session") is False


async def test_simultaneous_closes_from_two_replicas_close_once(store: Store, open_store: OpenStore) -> None:
    other = await open_store()
    session = await store.diagnoses.open_session(TEAM, CHANNEL, "U0LEAD")
    replicas = [store.diagnoses, other.diagnoses]

    results = await asyncio.gather(
        *(replicas[i % 2].close_session(TEAM, session.session_id) for i in range(10))
    )

    assert results.count(True) == 1


async def test_recording_a_response_again_replaces_it(store: Store) -> None:
    session = await store.diagnoses.open_session(TEAM, CHANNEL, "U0LEAD")

    await store.diagnoses.record_response(TEAM, session.session_id, "U1", {"q1": "a"}, "leader")
    await store.diagnoses.record_response(TEAM, session.session_id, "U1", {"q1": "b"}, None)

    responses = await store.diagnoses.responses(TEAM, session.session_id)
    assert len(responses) == 1
    assert responses[0].user_id == "U1" and responses[0].answers == {"q1": "b"} and responses[0].role is None


async def test_finishing_a_team_flow_sets_its_response_in_the_same_call_once(store: Store) -> None:
    session = await store.diagnoses.open_session(TEAM, CHANNEL, "U0LEAD")
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL, session.session_id, resume=False)
    assert await store.diagnoses.answer(TEAM, flow.flow_id, 0, "q1", "a") is not None

    finished, recorded = await store.diagnoses.finish_with_response(TEAM, flow.flow_id, role="leader")
    again, recorded_again = await store.diagnoses.finish_with_response(TEAM, flow.flow_id, role="leader")

    assert finished is not None and finished.status == "finished" and recorded is True
    assert again is None and recorded_again is False
    [response] = await store.diagnoses.responses(TEAM, session.session_id)
    assert (response.user_id, response.answers, response.role) == (ME, {"q1": "a"}, "leader")


async def test_finishing_a_team_flow_after_its_session_closed_adds_nothing_to_it(store: Store) -> None:
    session = await store.diagnoses.open_session(TEAM, CHANNEL, "U0LEAD")
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL, session.session_id, resume=False)
    assert await store.diagnoses.close_session(TEAM, session.session_id)

    finished, recorded = await store.diagnoses.finish_with_response(TEAM, flow.flow_id, role=None)

    assert finished is not None and finished.status == "finished" and recorded is False
    assert await store.diagnoses.responses(TEAM, session.session_id) == []


async def test_simultaneous_responses_of_one_member_leave_one_row(
    store: Store, open_store: OpenStore
) -> None:
    other = await open_store()
    session = await store.diagnoses.open_session(TEAM, CHANNEL, "U0LEAD")
    replicas = [store.diagnoses, other.diagnoses]

    await asyncio.gather(
        *(
            replicas[i % 2].record_response(TEAM, session.session_id, "U1", {"q1": f"o{i}"}, "contributor")
            for i in range(10)
        )
    )

    responses = await store.diagnoses.responses(TEAM, session.session_id)
    assert [r.user_id for r in responses] == ["U1"]


async def test_responses_come_back_in_the_order_people_answered(store: Store) -> None:
    diagnoses = with_clock(store, ticking_clock())
    session = await diagnoses.open_session(TEAM, CHANNEL, "U0LEAD")
    other_session = await diagnoses.open_session(TEAM, CHANNEL, "U0LEAD")

    for user in ("UC", "UA", "UB"):
        await diagnoses.record_response(TEAM, session.session_id, user, {"q1": user}, None)
    await diagnoses.record_response(TEAM, other_session.session_id, "UZ", {}, None)
    await diagnoses.record_response(TEAM, session.session_id, "UC", {"q1": "again"}, "leader")

    responses = await diagnoses.responses(TEAM, session.session_id)
    assert [r.user_id for r in responses] == ["UA", "UB", "UC"]  # UC retook last
    assert [r.answered_at for r in responses] == sorted(r.answered_at for r in responses)
    assert all(r.answered_at.tzinfo is not None for r in responses)
    assert responses[-1].role == "leader"


# -- scoping and forgetting ---------------------------------------------------------------------------


async def test_another_workspace_sees_none_of_a_teams_flows_or_sessions(store: Store) -> None:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL)
    session = await store.diagnoses.open_session(TEAM, CHANNEL, "U0LEAD")
    await store.diagnoses.record_response(TEAM, session.session_id, ME, {"q1": "a"}, None)

    assert await store.diagnoses.get(OTHER_TEAM, flow.flow_id) is None
    assert await store.diagnoses.active_flow(OTHER_TEAM, ME, None) is None
    assert await store.diagnoses.answer(OTHER_TEAM, flow.flow_id, 0, "q1", "a") is None
    assert await store.diagnoses.back(OTHER_TEAM, flow.flow_id, 1) is None
    assert await store.diagnoses.finish(OTHER_TEAM, flow.flow_id) is None
    assert await store.diagnoses.cancel(OTHER_TEAM, flow.flow_id) is None
    assert await store.diagnoses.get_session(OTHER_TEAM, session.session_id) is None
    assert await store.diagnoses.close_session(OTHER_TEAM, session.session_id) is False
    assert await store.diagnoses.responses(OTHER_TEAM, session.session_id) == []
    assert await store.diagnoses.forget_user(OTHER_TEAM, ME) == (0, 0)

    # The same user in the other workspace starts their own flow; the first one is untouched.
    theirs = await store.diagnoses.start(OTHER_TEAM, ME, CHANNEL)
    assert theirs.flow_id != flow.flow_id
    stored = await store.diagnoses.get(TEAM, flow.flow_id)
    assert stored is not None and stored.status == "active" and stored.step == 0
    opened = await store.diagnoses.get_session(TEAM, session.session_id)
    assert opened is not None and opened.status == "open"


async def test_forget_user_deletes_their_flows_and_responses_and_counts_them(store: Store) -> None:
    session = await store.diagnoses.open_session(TEAM, CHANNEL, "U0LEAD")
    finished = await store.diagnoses.start(TEAM, ME, CHANNEL)
    await store.diagnoses.finish(TEAM, finished.flow_id)
    active = await store.diagnoses.start(TEAM, ME, CHANNEL)
    team_flow = await store.diagnoses.start(TEAM, ME, CHANNEL, session.session_id)
    await store.diagnoses.record_response(TEAM, session.session_id, ME, {"q1": "a"}, None)
    kept = await store.diagnoses.start(TEAM, "U0KEEP", CHANNEL)
    await store.diagnoses.record_response(TEAM, session.session_id, "U0KEEP", {"q1": "b"}, None)
    elsewhere = await store.diagnoses.start(OTHER_TEAM, ME, CHANNEL)

    forgotten = await store.diagnoses.forget_user(TEAM, ME)

    assert forgotten == (3, 1)  # three flows and one response
    for flow in (finished, active, team_flow):
        assert await store.diagnoses.get(TEAM, flow.flow_id) is None
    assert [r.user_id for r in await store.diagnoses.responses(TEAM, session.session_id)] == ["U0KEEP"]
    assert await store.diagnoses.get(TEAM, kept.flow_id) is not None
    assert await store.diagnoses.get(OTHER_TEAM, elsewhere.flow_id) is not None
    assert await store.diagnoses.forget_user(TEAM, ME) == (0, 0)


async def test_flow_state_survives_reopening_the_database(store: Store, open_store: OpenStore) -> None:
    flow = await store.diagnoses.start(TEAM, ME, CHANNEL)
    await store.diagnoses.answer(TEAM, flow.flow_id, 0, "q1", "a")
    await store.close()

    reopened = await open_store()

    resumed = await reopened.diagnoses.start(TEAM, ME, CHANNEL)
    assert resumed.flow_id == flow.flow_id and resumed.step == 1 and resumed.answers == {"q1": "a"}
