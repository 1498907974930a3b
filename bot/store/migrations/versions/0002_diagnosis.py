"""diagnosis_flows, team_sessions, team_responses: the diagnosis conversation and team mode.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "diagnosis_flows",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("flow_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "flow_id", name=op.f("pk_diagnosis_flows")),
    )
    op.create_index(
        op.f("ix_diagnosis_flows_user_status"), "diagnosis_flows", ["team_id", "user_id", "status"]
    )
    op.create_index(op.f("ix_diagnosis_flows_updated"), "diagnosis_flows", ["team_id", "updated_at"])
    op.create_table(
        "team_sessions",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("started_by", sa.String(), nullable=False),
        sa.Column("message_ts", sa.String(), nullable=True),
        sa.Column("summary_ts", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "session_id", name=op.f("pk_team_sessions")),
    )
    op.create_table(
        "team_responses",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "session_id", "user_id", name=op.f("pk_team_responses")),
    )


def downgrade() -> None:
    op.drop_table("team_responses")
    op.drop_table("team_sessions")
    op.drop_index(op.f("ix_diagnosis_flows_updated"), table_name="diagnosis_flows")
    op.drop_index(op.f("ix_diagnosis_flows_user_status"), table_name="diagnosis_flows")
    op.drop_table("diagnosis_flows")
