"""The request rate each upstream was last found to allow, kept between jobs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pgyscout.store import schema
from pgyscout.store.entities import upsert, utcnow

rates = schema.upstream_rates


def learned_rate(engine: Engine, upstream: str) -> float | None:
    """Requests a second ``upstream`` allowed when last measured; None if never."""
    with engine.connect() as conn:
        value = conn.execute(sa.select(rates.c.qps).where(rates.c.upstream == upstream)).scalar()
    return float(value) if value is not None else None


def remember_rate(engine: Engine, upstream: str, qps: float) -> None:
    with engine.begin() as conn:
        upsert(conn, rates, [{"upstream": upstream, "qps": qps, "updated_at": utcnow()}])
