"""quizzes and quiz_answers: quizzes played in threads, one answer per player and question.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quizzes",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("quiz_id", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("host_id", sa.String(), nullable=False),
        sa.Column("topic_id", sa.String(), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("current", sa.Integer(), nullable=False),
        sa.Column("parent_ts", sa.String(), nullable=True),
        sa.Column("question_ts", sa.String(), nullable=True),
        sa.Column("time_limit", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "quiz_id", name=op.f("pk_quizzes")),
    )
    op.create_index(op.f("ix_quizzes_channel_status"), "quizzes", ["team_id", "channel_id", "status"])
    op.create_index(op.f("ix_quizzes_deadline"), "quizzes", ["status", "deadline"])
    op.create_table(
        "quiz_answers",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("quiz_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("topic_id", sa.String(), nullable=False),
        sa.Column("option_id", sa.String(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "quiz_id", "position", "user_id", name=op.f("pk_quiz_answers")),
    )
    op.create_index(op.f("ix_quiz_answers_team_time"), "quiz_answers", ["team_id", "answered_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_quiz_answers_team_time"), table_name="quiz_answers")
    op.drop_table("quiz_answers")
    op.drop_index(op.f("ix_quizzes_deadline"), table_name="quizzes")
    op.drop_index(op.f("ix_quizzes_channel_status"), table_name="quizzes")
    op.drop_table("quizzes")
