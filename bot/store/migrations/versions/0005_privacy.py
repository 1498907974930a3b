"""released_views and team_responses.token: what watched aggregates last showed, and who changed.

A team summary (or a week's leadership summary) may only change once enough people changed
underneath it. ``released_views`` remembers, per view, the opaque member tokens its figures
reflected when last shown; ``team_responses.token`` is a fresh random token per answer set,
so a retake looks like a change without any user id being involved.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "released_views",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("view_key", sa.String(), nullable=False),
        sa.Column("shown", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "view_key", name=op.f("pk_released_views")),
    )
    op.add_column("team_responses", sa.Column("token", sa.String(), nullable=True))
    responses = sa.table(
        "team_responses",
        sa.column("team_id", sa.String()),
        sa.column("session_id", sa.String()),
        sa.column("user_id", sa.String()),
        sa.column("token", sa.String()),
    )
    connection = op.get_bind()
    keys = connection.execute(sa.select(responses.c.team_id, responses.c.session_id, responses.c.user_id))
    for team_id, session_id, user_id in keys.fetchall():
        connection.execute(
            sa.update(responses)
            .where(
                responses.c.team_id == team_id,
                responses.c.session_id == session_id,
                responses.c.user_id == user_id,
            )
            .values(token=secrets.token_hex(6))
        )
    with op.batch_alter_table("team_responses") as batch:
        batch.alter_column("token", existing_type=sa.String(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("team_responses") as batch:
        batch.drop_column("token")
    op.drop_table("released_views")
