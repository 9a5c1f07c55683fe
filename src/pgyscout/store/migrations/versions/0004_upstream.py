"""answers and ledger rows remember their upstream

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 21:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows stored before this revision keep NULL: nobody knows whether a sandbox or the real
    # API answered them, so the cache no longer serves them as fresh (the job that bought
    # them may still replay them).
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("upstream", sa.Text(), nullable=True))
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("upstream", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("upstream")
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("upstream")
