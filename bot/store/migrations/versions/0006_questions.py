"""conversations, asked_questions and answer_votes: questions in plain words, and what people thought.

A conversation (thread or DM) remembers its subject so follow-ups stay on topic. Asked
questions are kept without who asked, for admins to see what mlorg could not answer; votes
keep the voter's id only so that each person counts once (``forget me`` deletes them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("conversation_key", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "conversation_key", name=op.f("pk_conversations")),
    )
    op.create_index(op.f("ix_conversations_updated_at"), "conversations", ["updated_at"])
    op.create_table(
        "asked_questions",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("answer_id", sa.String(), nullable=False),
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("up", sa.Integer(), nullable=False),
        sa.Column("down", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "answer_id", name=op.f("pk_asked_questions")),
    )
    op.create_index(op.f("ix_asked_questions_team_time"), "asked_questions", ["team_id", "asked_at"])
    op.create_table(
        "answer_votes",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("answer_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "answer_id", "user_id", name=op.f("pk_answer_votes")),
    )


def downgrade() -> None:
    op.drop_table("answer_votes")
    op.drop_index(op.f("ix_asked_questions_team_time"), table_name="asked_questions")
    op.drop_table("asked_questions")
    op.drop_index(op.f("ix_conversations_updated_at"), table_name="conversations")
    op.drop_table("conversations")
