"""creator_metrics: each creator judged once, for ranking and planning by query

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 22:00:00

Existing databases get an empty table: creators are judged on the first read that needs
them (and again whenever their data is saved), so the migration needs no analysis code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = {
    "score": "score",
    "cpm": "cpm",
    "cpe": "cpe",
    "engagement": "engagement_rate",
    "growth": "growth_per_30_days",
    "reads": "expected_reads",
    "fans": "fans",
    "price": "price",
}


def upgrade() -> None:
    op.create_table(
        "creator_metrics",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("content", sa.String(length=8), nullable=False),
        sa.Column("formula", sa.String(length=16), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("fans", sa.BigInteger(), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("notes", sa.Integer(), nullable=False),
        sa.Column("expected_reads", sa.Float(), nullable=True),
        sa.Column("expected_interactions", sa.Float(), nullable=True),
        sa.Column("engagement_rate", sa.Float(), nullable=True),
        sa.Column("growth_per_30_days", sa.Float(), nullable=True),
        sa.Column("cpm", sa.Float(), nullable=True),
        sa.Column("cpe", sa.Float(), nullable=True),
        sa.Column("part_cpm", sa.Float(), nullable=True),
        sa.Column("part_cpe", sa.Float(), nullable=True),
        sa.Column("part_engagement", sa.Float(), nullable=True),
        sa.Column("part_growth", sa.Float(), nullable=True),
        sa.Column("part_authenticity", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("flag_codes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "content", name=op.f("pk_creator_metrics")),
    )
    for name, column in INDEXES.items():
        op.create_index(f"ix_creator_metrics_{name}", "creator_metrics", ["content", column])


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(f"ix_creator_metrics_{name}", table_name="creator_metrics")
    op.drop_table("creator_metrics")
