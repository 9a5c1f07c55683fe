"""the request rate each upstream was last found to allow

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "upstream_rates",
        sa.Column("upstream", sa.String(length=300), nullable=False),
        sa.Column("qps", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("upstream", name=op.f("pk_upstream_rates")),
    )


def downgrade() -> None:
    op.drop_table("upstream_rates")
