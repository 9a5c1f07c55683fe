"""monitor: watched creators, alerts, deliveries and the pass lease

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 21:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_watch",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=True),
        sa.Column("last_checked_at", sa.DateTime(), nullable=True),
        sa.Column("last_notes_at", sa.DateTime(), nullable=True),
        sa.Column("last_trend_day", sa.Date(), nullable=True),
        sa.Column("last_card_day", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_monitor_watch")),
    )
    op.create_table(
        "monitor_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("acked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_alerts")),
        sa.UniqueConstraint("rule", "user_id", "period", name="uq_monitor_alerts_key"),
    )
    op.create_index(
        op.f("ix_monitor_alerts_created_at"), "monitor_alerts", ["created_at"], unique=False
    )
    op.create_table(
        "monitor_deliveries",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["monitor_alerts.id"],
            name=op.f("fk_monitor_deliveries_alert_id_monitor_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", "target", name=op.f("pk_monitor_deliveries")),
    )
    op.create_table(
        "monitor_lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_monitor_lease")),
    )


def downgrade() -> None:
    op.drop_table("monitor_lease")
    op.drop_table("monitor_deliveries")
    op.drop_index(op.f("ix_monitor_alerts_created_at"), table_name="monitor_alerts")
    op.drop_table("monitor_alerts")
    op.drop_table("monitor_watch")
