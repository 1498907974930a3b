"""outbox.claimed_by: which claim owns an item being delivered.

Leases are short (seconds) and renewed while a worker delivers, so a worker that stalls
can lose its item to another replica. The claim token (a random id per claim, prefixed
with the claiming worker's host and pid) lets the outcome of a delivery, and the lease
renewal, apply only while the claim still owns the item: a slow worker whose lease lapsed
cannot overwrite the new owner's state. Additive and nullable: code of the previous
release, which does not know the column, still reads and writes the table, and items
claimed before the upgrade simply get a token on their next claim.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("claimed_by", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_by")
