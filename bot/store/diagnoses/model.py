"""What the diagnosis repository hands back: plain frozen values, never SQLAlchemy rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.store.tables import DiagnosisFlowRow, TeamSessionRow

__all__ = ["Flow", "FlowStatus", "TeamResponse", "TeamSession", "flow_of", "session_of"]

FlowStatus = Literal["active", "finished", "cancelled"]


@dataclass(frozen=True)
class Flow:
    team_id: str
    flow_id: str
    user_id: str
    channel_id: str
    session_id: str | None
    answers: Mapping[str, str]
    step: int
    status: FlowStatus
    updated_at: datetime


@dataclass(frozen=True)
class TeamSession:
    team_id: str
    session_id: str
    channel_id: str
    started_by: str
    message_ts: str | None
    summary_ts: str | None
    status: Literal["open", "closed"]
    created_at: datetime


@dataclass(frozen=True)
class TeamResponse:
    user_id: str
    answers: Mapping[str, str]
    role: str | None
    answered_at: datetime
    #: New each time the answers are set, so a watched summary can tell a retake is a change.
    token: str


def flow_of(row: DiagnosisFlowRow) -> Flow:
    status: FlowStatus = (
        "finished" if row.status == "finished" else ("cancelled" if row.status == "cancelled" else "active")
    )
    return Flow(
        team_id=row.team_id,
        flow_id=row.flow_id,
        user_id=row.user_id,
        channel_id=row.channel_id,
        session_id=row.session_id,
        answers=dict(row.answers or {}),
        step=row.step,
        status=status,
        updated_at=row.updated_at,
    )


def session_of(row: TeamSessionRow) -> TeamSession:
    return TeamSession(
        team_id=row.team_id,
        session_id=row.session_id,
        channel_id=row.channel_id,
        started_by=row.started_by,
        message_ts=row.message_ts,
        summary_ts=row.summary_ts,
        status="closed" if row.status == "closed" else "open",
        created_at=row.created_at,
    )
