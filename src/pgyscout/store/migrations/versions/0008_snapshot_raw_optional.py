"""creator snapshots no longer keep a third copy of the raw record

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 22:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing snapshots keep their raw record; new ones leave it out (it is in responses).
    with op.batch_alter_table("creator_snapshots") as batch:
        batch.alter_column("raw", existing_type=sa.JSON(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE creator_snapshots SET raw = '{}' WHERE raw IS NULL")
    with op.batch_alter_table("creator_snapshots") as batch:
        batch.alter_column("raw", existing_type=sa.JSON(), nullable=False)
