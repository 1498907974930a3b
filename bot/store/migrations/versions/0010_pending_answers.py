"""Pending answers: questions acked (their event id claimed) whose reply is not yet posted.

Written in the claim's transaction and deleted once the reply is posted, so a process killed
between an event's ack and its reply leaves the question for another to answer
(``bot.store.pending_answers``). A new table: the previous release runs unchanged beside it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_answers",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("answer_id", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=False),
        sa.Column("thread_ts", sa.String(), nullable=True),
        sa.Column("conversation_key", sa.String(), nullable=False),
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("new", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "event_id"),
    )
    op.create_index("ix_pending_answers_lease", "pending_answers", ["lease_until"])


def downgrade() -> None:
    op.drop_index("ix_pending_answers_lease", table_name="pending_answers")
    op.drop_table("pending_answers")
