"""The database schema (SQLAlchemy Core). Migrations in ``migrations/`` build exactly this.

Times are naive UTC. Natural keys are primary keys, so every save is an idempotent upsert.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Every answer pgyscout paid for, exactly as received; the cache reads from here.
responses = Table(
    "responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("endpoint", String(16), nullable=False),
    Column("params_key", Text, nullable=False),
    Column("fetched_at", DateTime, nullable=False),
    Column("code", Integer, nullable=False),
    Column("job_id", Integer, nullable=True),
    Column("envelope", Text, nullable=False),
    # The base URL that answered (canonical); NULL for answers stored before it was recorded.
    Column("upstream", Text, nullable=True),
    # Why a billed answer is unusable (malformed); such an answer is kept, never served.
    Column("problem", Text, nullable=True),
    Index("ix_responses_lookup", "endpoint", "params_key", "fetched_at"),
)

# The ledger: one row per HTTP attempt, and one per answer served from the cache.
calls = Table(
    "calls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("endpoint", String(16), nullable=False),
    Column("params_key", Text, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("code", Integer, nullable=True),
    Column("http_status", Integer, nullable=True),
    Column("billed", Boolean, nullable=True),
    Column("latency_ms", Float, nullable=False),
    Column("message", Text, nullable=True),
    Column("response_id", Integer, ForeignKey("responses.id"), nullable=True),
    Column("job_id", Integer, nullable=True),
    Column("upstream", Text, nullable=True),
)

searches = Table(
    "searches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("params", JSON, nullable=False),
    Column("total", Integer, nullable=True),
    Column("pages", Integer, nullable=False, default=0),
)

search_results = Table(
    "search_results",
    metadata,
    Column("search_id", Integer, ForeignKey("searches.id"), primary_key=True),
    Column("page", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("user_id", String(32), nullable=False, index=True),
)

creators = Table(
    "creators",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("name", Text),
    Column("red_id", String(32)),
    Column("location", Text),
    Column("gender", String(8)),
    Column("fans_num", BigInteger),
    Column("picture_price", Float),
    Column("video_price", Float),
    Column("first_seen_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("raw", JSON, nullable=False),
)

# One profile a creator a day: enough to see prices and followers move.
creator_snapshots = Table(
    "creator_snapshots",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("fetched_at", DateTime, nullable=False),
    Column("fans_num", BigInteger),
    Column("picture_price", Float),
    Column("video_price", Float),
    # No longer written: the answer as received is in responses, the latest profile in
    # creators; a third copy of every record cost disk and memory for nothing. Kept for
    # snapshots stored before.
    Column("raw", JSON, nullable=True),
)

notes = Table(
    "notes",
    metadata,
    Column("note_id", String(32), primary_key=True),
    Column("user_id", String(32), nullable=False, index=True),
    Column("title", Text),
    Column("date", Date),
    Column("read_num", BigInteger),
    Column("like_num", BigInteger),
    Column("collect_num", BigInteger),
    Column("is_advertise", Boolean),
    Column("is_video", Boolean),
    Column("brand_name", Text),
    Column("first_seen_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("raw", JSON, nullable=False),
)

# A note's counts as seen on each day it was fetched.
note_counts = Table(
    "note_counts",
    metadata,
    Column("note_id", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("read_num", BigInteger),
    Column("like_num", BigInteger),
    Column("collect_num", BigInteger),
)

fans_points = Table(
    "fans_points",
    metadata,
    Column("kol_id", String(32), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("metric", String(16), primary_key=True),
    Column("num", BigInteger),
    Column("fetched_at", DateTime, nullable=False),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("status", String(16), nullable=False),
    Column("options", JSON, nullable=False),
)

job_items = Table(
    "job_items",
    metadata,
    Column("job_id", Integer, ForeignKey("jobs.id"), primary_key=True),
    Column("user_id", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    # Done, with a part that could not be had (the follower trend of a removed endpoint).
    Column("note", Text, nullable=True),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_at", DateTime, nullable=True),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_job_items_queue", "job_id", "status", "position"),
)

# Named lists of creators a planner is considering, each member with a note of why.
shortlists = Table(
    "shortlists",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
)

shortlist_members = Table(
    "shortlist_members",
    metadata,
    Column(
        "shortlist_id",
        Integer,
        ForeignKey("shortlists.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("note", Text, nullable=True),
    Column("added_at", DateTime, nullable=False),
)

# Creators being watched by `pgy monitor`, with when each part was last refreshed.
monitor_watch = Table(
    "monitor_watch",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("label", Text, nullable=True),
    Column("added_at", DateTime, nullable=False),
    Column("search_id", Integer, nullable=True),  # the saved search it came from, if any
    Column("last_checked_at", DateTime, nullable=True),
    Column("last_notes_at", DateTime, nullable=True),
    Column("last_trend_day", Date, nullable=True),
    Column("last_card_day", Date, nullable=True),
)

# One row per (rule, creator, period): a rerun finds the row there and alerts nothing new.
monitor_alerts = Table(
    "monitor_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("period", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("details", JSON, nullable=False),
    Column("acked_at", DateTime, nullable=True),
    UniqueConstraint("rule", "user_id", "period", name="uq_monitor_alerts_key"),
)

# Which alert reached which --notify target (a hash of its URL: robot URLs hold secrets).
monitor_deliveries = Table(
    "monitor_deliveries",
    metadata,
    Column(
        "alert_id",
        Integer,
        ForeignKey("monitor_alerts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("target", String(32), primary_key=True),
    Column("delivered_at", DateTime, nullable=False),
)

# The lease that keeps two `pgy monitor run` from working one database at once; it expires,
# so a crashed holder blocks nobody for long.
monitor_lease = Table(
    "monitor_lease",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("acquired_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

# Each stored creator judged once per content type when its data is saved (or, for rows a
# save left out of date, on the next read), so ranking, filtering and planning thousands of
# creators is a query rather than a re-judging of every note. The score's parts are kept so a
# ranking with other weights needs no notes either. ``formula`` says which judging code wrote
# the row: rows of another formula are judged again.
creator_metrics = Table(
    "creator_metrics",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("content", String(8), primary_key=True),
    Column("formula", String(16), nullable=False),
    Column("computed_at", DateTime, nullable=False),
    Column("name", Text, nullable=False),
    Column("fans", BigInteger),
    Column("price", Float),
    Column("notes", Integer, nullable=False),
    Column("expected_reads", Float),
    Column("expected_interactions", Float),
    Column("engagement_rate", Float),
    Column("growth_per_30_days", Float),
    Column("cpm", Float),
    Column("cpe", Float),
    Column("part_cpm", Float),
    Column("part_cpe", Float),
    Column("part_engagement", Float),
    Column("part_growth", Float),
    Column("part_authenticity", Float),
    Column("score", Float),
    Column("flags", Integer, nullable=False),
    Column("flag_codes", Text, nullable=False),
    Index("ix_creator_metrics_score", "content", "score"),
    Index("ix_creator_metrics_cpm", "content", "cpm"),
    Index("ix_creator_metrics_cpe", "content", "cpe"),
    Index("ix_creator_metrics_engagement", "content", "engagement_rate"),
    Index("ix_creator_metrics_growth", "content", "growth_per_30_days"),
    Index("ix_creator_metrics_reads", "content", "expected_reads"),
    Index("ix_creator_metrics_fans", "content", "fans"),
    Index("ix_creator_metrics_price", "content", "price"),
)

# The request rate each upstream was last found to allow (the pacer's estimate of its limit
# at a 302): the next job starts near it instead of finding it again from a slow start.
upstream_rates = Table(
    "upstream_rates",
    metadata,
    Column("upstream", String(300), primary_key=True),
    Column("qps", Float, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
