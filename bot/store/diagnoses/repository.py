"""The diagnosis repository: flows and team sessions, changed only against the state a click saw."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.diagnoses.model import Flow, TeamResponse, TeamSession, flow_of, session_of
from bot.store.events import Clock, utc_now
from bot.store.scoping import across_workspaces
from bot.store.tables import DiagnosisFlowRow, TeamResponseRow, TeamSessionRow
from bot.store.transaction import Transaction, new_id

__all__ = ["Diagnoses"]


class Diagnoses:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str, *, clock: Clock = utc_now):
        self._sessions = sessions
        self._dialect = dialect
        self._clock = clock

    # -- flows ---------------------------------------------------------------------------------
    async def active_flow(self, team_id: str, user_id: str, session_id: str | None) -> Flow | None:
        """The flow this person left unfinished (in this team session), to resume it."""
        query = (
            select(DiagnosisFlowRow)
            .where(
                DiagnosisFlowRow.team_id == team_id,
                DiagnosisFlowRow.user_id == user_id,
                DiagnosisFlowRow.status == "active",
                DiagnosisFlowRow.session_id.is_(None)
                if session_id is None
                else DiagnosisFlowRow.session_id == session_id,
            )
            .order_by(DiagnosisFlowRow.updated_at.desc())
            .limit(1)
        )
        async with self._read() as session:
            row = (await session.execute(query)).scalar_one_or_none()
            return flow_of(row) if row else None

    async def start(
        self,
        team_id: str,
        user_id: str,
        channel_id: str,
        session_id: str | None = None,
        *,
        resume: bool = True,
    ) -> Flow:
        """Resume this person's unfinished flow, or begin a new one (``resume=False`` starts over)."""
        async with self._write() as session:
            if self._dialect == "postgresql":
                # Two starts at once (a double click, two replicas) would each find no flow and
                # each insert one; take turns per person. SQLite's BEGIN IMMEDIATE already does.
                await session.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                    {"key": f"mlorg:diagnosis:{team_id}:{user_id}:{session_id or ''}"},
                )
            existing = (
                await session.execute(
                    select(DiagnosisFlowRow)
                    .where(
                        DiagnosisFlowRow.team_id == team_id,
                        DiagnosisFlowRow.user_id == user_id,
                        DiagnosisFlowRow.status == "active",
                        DiagnosisFlowRow.session_id.is_(None)
                        if session_id is None
                        else DiagnosisFlowRow.session_id == session_id,
                    )
                    .order_by(DiagnosisFlowRow.updated_at.desc())
                )
            ).scalars()
            now = self._clock()
            for row in existing:
                if resume:
                    return flow_of(row)
                # Starting over keeps nothing of the flow left behind.
                await session.delete(row)
            row = DiagnosisFlowRow(
                team_id=team_id,
                flow_id=new_id(),
                user_id=user_id,
                channel_id=channel_id,
                session_id=session_id,
                answers={},
                step=0,
                status="active",
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            await session.flush()
            return flow_of(row)

    async def get(self, team_id: str, flow_id: str) -> Flow | None:
        async with self._read() as session:
            row = await session.get(DiagnosisFlowRow, (team_id, flow_id))
            return flow_of(row) if row else None

    async def answer(
        self, team_id: str, flow_id: str, step: int, question_id: str, option_id: str
    ) -> Flow | None:
        """Record the answer for ``step`` and move on; None if the flow is not at that step any more."""
        async with self._write() as session:
            row = await session.get(DiagnosisFlowRow, (team_id, flow_id))
            if row is None or row.status != "active" or row.step != step:
                return None
            answers = {**row.answers, question_id: option_id}
            return await self._move(session, row, step, step + 1, answers=answers)

    async def back(self, team_id: str, flow_id: str, step: int) -> Flow | None:
        """Go back one question from ``step`` (the earlier answer stays until it is replaced)."""
        if step <= 0:
            return None
        async with self._write() as session:
            row = await session.get(DiagnosisFlowRow, (team_id, flow_id))
            if row is None or row.status != "active" or row.step != step:
                return None
            return await self._move(session, row, step, step - 1)

    async def finish(self, team_id: str, flow_id: str) -> Flow | None:
        """Finish an active flow; None if it was not active (so only one caller finishes it)."""
        finished, _ = await self.finish_with_response(team_id, flow_id, role=None, record=False)
        return finished

    async def finish_with_response(
        self, team_id: str, flow_id: str, *, role: str | None, record: bool = True
    ) -> tuple[Flow | None, bool]:
        """Finish an active flow and, in the same transaction, set its answers in its team
        session if that is still open: a crash can never leave a finished team flow without
        the response it was finished for (a replay finds the flow finished and does nothing).

        Returns the finished flow (None if it was not active) and whether a response was set.
        """
        statement = (
            update(DiagnosisFlowRow)
            .where(
                DiagnosisFlowRow.team_id == team_id,
                DiagnosisFlowRow.flow_id == flow_id,
                DiagnosisFlowRow.status == "active",
            )
            .values(status="finished", updated_at=self._clock())
            .returning(DiagnosisFlowRow.flow_id)
            .execution_options(synchronize_session=False)
        )
        async with self._write() as session:
            if (await session.execute(statement)).first() is None:
                return None, False
            row = await session.get(DiagnosisFlowRow, (team_id, flow_id), populate_existing=True)
            if row is None:
                return None, False
            flow = flow_of(row)
            if not record or flow.session_id is None:
                return flow, False
            team = await session.get(TeamSessionRow, (team_id, flow.session_id))
            if team is None or team.status != "open":
                return flow, False
            await session.execute(
                self._response_upsert(
                    team_id, flow.session_id, flow.user_id, flow.answers, role, token=flow.flow_id
                )
            )
            return flow, True

    async def cancel(self, team_id: str, flow_id: str) -> Flow | None:
        """Delete an unfinished flow and its answers: "nothing was kept" must be true.

        Returns the flow as it was (marked cancelled, answers emptied) for the caller to
        render, or None when it was not active (finished, already cancelled, unknown).
        """
        statement = (
            delete(DiagnosisFlowRow)
            .where(
                DiagnosisFlowRow.team_id == team_id,
                DiagnosisFlowRow.flow_id == flow_id,
                DiagnosisFlowRow.status == "active",
            )
            .returning(DiagnosisFlowRow)
        )
        async with self._write() as session:
            row = (await session.execute(statement)).scalar_one_or_none()
            if row is None:
                return None
            return replace(flow_of(row), status="cancelled", answers={}, step=0)

    @across_workspaces("retention: drops every workspace's abandoned flows; returns only a count")
    async def prune(self, abandoned_before: datetime) -> int:
        """Delete flows left unfinished since ``abandoned_before`` (and any cancelled leftovers)."""
        statement = delete(DiagnosisFlowRow).where(
            (DiagnosisFlowRow.status == "cancelled")
            | ((DiagnosisFlowRow.status == "active") & (DiagnosisFlowRow.updated_at < abandoned_before))
        )
        async with self._write() as session:
            return cast(CursorResult[Any], await session.execute(statement)).rowcount

    async def finished_since(self, team_id: str, since: datetime) -> list[Flow]:
        """Finished diagnoses of a workspace since ``since`` (for summaries)."""
        query = select(DiagnosisFlowRow).where(
            DiagnosisFlowRow.team_id == team_id,
            DiagnosisFlowRow.status == "finished",
            DiagnosisFlowRow.updated_at >= since,
        )
        async with self._read() as session:
            return [flow_of(row) for row in (await session.execute(query)).scalars()]

    @across_workspaces("exports list the workspaces to export; the result is the team ids themselves")
    async def teams(self) -> list[str]:
        """Workspaces with at least one finished diagnosis (for exports)."""
        query = select(DiagnosisFlowRow.team_id).where(DiagnosisFlowRow.status == "finished").distinct()
        async with self._read() as session:
            return [str(team) for team in (await session.execute(query)).scalars()]

    # -- team sessions -------------------------------------------------------------------------
    async def open_session(self, team_id: str, channel_id: str, started_by: str) -> TeamSession:
        row = TeamSessionRow(
            team_id=team_id,
            session_id=new_id(),
            channel_id=channel_id,
            started_by=started_by,
            status="open",
            created_at=self._clock(),
        )
        async with self._write() as session:
            session.add(row)
            await session.flush()
            return session_of(row)

    async def get_session(self, team_id: str, session_id: str) -> TeamSession | None:
        async with self._read() as session:
            row = await session.get(TeamSessionRow, (team_id, session_id))
            return session_of(row) if row else None

    async def set_session_messages(
        self, team_id: str, session_id: str, message_ts: str, summary_ts: str
    ) -> None:
        statement = (
            update(TeamSessionRow)
            .where(TeamSessionRow.team_id == team_id, TeamSessionRow.session_id == session_id)
            .values(message_ts=message_ts, summary_ts=summary_ts)
        )
        async with self._write() as session:
            await session.execute(statement)

    async def close_session(self, team_id: str, session_id: str) -> bool:
        """Close an open session; True only for the call that closed it."""
        statement = (
            update(TeamSessionRow)
            .where(
                TeamSessionRow.team_id == team_id,
                TeamSessionRow.session_id == session_id,
                TeamSessionRow.status == "open",
            )
            .values(status="closed", closed_at=self._clock())
            .returning(TeamSessionRow.session_id)
        )
        async with self._write() as session:
            return (await session.execute(statement)).first() is not None

    async def record_response(
        self, team_id: str, session_id: str, user_id: str, answers: Mapping[str, str], role: str | None
    ) -> None:
        """Set (never add) this member's answers in the session: retaking replaces them."""
        async with self._write() as session:
            await session.execute(self._response_upsert(team_id, session_id, user_id, answers, role))

    def _response_upsert(
        self,
        team_id: str,
        session_id: str,
        user_id: str,
        answers: Mapping[str, str],
        role: str | None,
        *,
        token: str | None = None,
    ) -> Any:
        """The upsert of a member's answers; ``token`` is the finished diagnosis they came from.

        The thread and the leadership summary then name the same answers by the same token,
        which is what lets the workspace's ledger see that they overlap (knowledge.anonymity).
        """
        values: dict[str, Any] = {
            "team_id": team_id,
            "session_id": session_id,
            "user_id": user_id,
            "answers": dict(answers),
            "role": role,
            "answered_at": self._clock(),
            "token": token or new_id(),
        }
        insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        statement = insert(TeamResponseRow).values(values)
        return statement.on_conflict_do_update(
            index_elements=["team_id", "session_id", "user_id"],
            set_={
                "answers": statement.excluded.answers,
                "role": statement.excluded.role,
                "answered_at": statement.excluded.answered_at,
                "token": statement.excluded.token,
            },
        )

    async def responses(self, team_id: str, session_id: str) -> list[TeamResponse]:
        query = (
            select(TeamResponseRow)
            .where(TeamResponseRow.team_id == team_id, TeamResponseRow.session_id == session_id)
            .order_by(TeamResponseRow.answered_at)
        )
        async with self._read() as session:
            return [
                TeamResponse(r.user_id, dict(r.answers), r.role, r.answered_at, r.token)
                for r in (await session.execute(query)).scalars()
            ]

    async def forget_user(self, team_id: str, user_id: str) -> tuple[int, int]:
        """Delete everything stored about a person's diagnoses: (flows, team responses) removed.

        Sessions they started lose their name in :meth:`bot.store.Store.forget_mentions`."""
        async with self._write() as session:
            flows = await session.execute(
                delete(DiagnosisFlowRow)
                .where(DiagnosisFlowRow.team_id == team_id, DiagnosisFlowRow.user_id == user_id)
                .returning(DiagnosisFlowRow.flow_id)
            )
            responses = await session.execute(
                delete(TeamResponseRow)
                .where(TeamResponseRow.team_id == team_id, TeamResponseRow.user_id == user_id)
                .returning(TeamResponseRow.session_id)
            )
            return len(flows.all()), len(responses.all())

    # -- plumbing ------------------------------------------------------------------------------
    async def _move(
        self,
        session: AsyncSession,
        row: DiagnosisFlowRow,
        expected_step: int,
        new_step: int,
        *,
        answers: dict[str, str] | None = None,
    ) -> Flow | None:
        values: dict[str, Any] = {"step": new_step, "updated_at": self._clock()}
        if answers is not None:
            values["answers"] = answers
        statement = (
            update(DiagnosisFlowRow)
            .where(
                DiagnosisFlowRow.team_id == row.team_id,
                DiagnosisFlowRow.flow_id == row.flow_id,
                DiagnosisFlowRow.status == "active",
                DiagnosisFlowRow.step == expected_step,
            )
            .values(**values)
            .returning(DiagnosisFlowRow.flow_id)
            .execution_options(synchronize_session=False)
        )
        if (await session.execute(statement)).first() is None:
            return None
        await session.refresh(row)
        return flow_of(row)

    def _read(self) -> Transaction:
        return Transaction(self._sessions, "read diagnoses")

    def _write(self) -> Transaction:
        return Transaction(self._sessions, "save a diagnosis")
