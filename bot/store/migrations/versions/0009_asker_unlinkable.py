"""Who asked stops being recoverable: conversation keys become keyed hashes, the log keeps days.

Until now a ``/mlorg ask`` conversation was stored under ``ask:<channel>:<user>`` with the
moment its subject was set, written in the same transaction as the anonymous log row, so
the two times matched within milliseconds and named the asker. From this release keys are
HMACs under the app's signing secret (which the database does not hold) and the log keeps
the day a question was asked. The schema is unchanged; this revision makes the rows already
stored the same: conversation subjects (short-lived follow-up context, which the new keys
could not find anyway) are deleted, and logged times are cut to their day. The previous
release runs unchanged against the result; its follow-ups simply start afresh.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_questions = sa.table(
    "asked_questions",
    sa.column("team_id", sa.String),
    sa.column("answer_id", sa.String),
    sa.column("asked_at", sa.DateTime(timezone=True)),
)


def _day(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def upgrade() -> None:
    bind = op.get_bind()
    op.execute(sa.text("DELETE FROM conversations"))
    rows = bind.execute(sa.select(_questions.c.team_id, _questions.c.answer_id, _questions.c.asked_at)).all()
    sqlite = bind.dialect.name == "sqlite"
    for team_id, answer_id, asked_at in rows:
        day = _day(asked_at)
        bind.execute(
            _questions.update()
            .where(_questions.c.team_id == team_id, _questions.c.answer_id == answer_id)
            # SQLite keeps mlorg's times as offset-free UTC text (see bot.store.tables.UTCDateTime).
            .values(asked_at=day.replace(tzinfo=None) if sqlite else day)
        )


def downgrade() -> None:
    """Nothing to undo: the deleted subjects were disposable and the lost precision is the point."""
