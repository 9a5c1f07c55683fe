"""The monitor's rows: watched creators, their alerts and deliveries, and the pass lease.

These functions are the library the command line and the dashboard share: list what is
watched, list and acknowledge alerts, read a watched creator's history for the rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pgyscout.analysis.monitor_rules import Alert, PriceSnapshot, WatchHistory
from pgyscout.models.creator import PRICE_NOT_OFFERED
from pgyscout.store import schema
from pgyscout.store.entities import dialect_insert, upsert, utcnow
from pgyscout.store.views import StoredNote, _chunks, _note

watch = schema.monitor_watch
alerts_table = schema.monitor_alerts
deliveries = schema.monitor_deliveries
lease_table = schema.monitor_lease
LEASE_NAME = "monitor-run"


@dataclass(frozen=True)
class Watched:
    user_id: str
    name: str | None
    label: str | None
    added_at: dt.datetime
    search_id: int | None
    last_checked_at: dt.datetime | None
    last_notes_at: dt.datetime | None
    last_trend_day: dt.date | None
    last_card_day: dt.date | None
    open_alerts: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "label": self.label,
            "added_at": self.added_at.isoformat(),
            "last_checked_at": _iso(self.last_checked_at),
            "last_notes_at": _iso(self.last_notes_at),
            "last_trend_day": _iso(self.last_trend_day),
            "last_card_day": _iso(self.last_card_day),
            "open_alerts": self.open_alerts,
        }


@dataclass(frozen=True)
class StoredAlert:
    id: int
    rule: str
    user_id: str
    name: str | None
    period: str
    severity: str
    created_at: dt.datetime
    details: dict[str, Any]
    acked_at: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "user_id": self.user_id,
            "name": self.name,
            "period": self.period,
            "severity": self.severity,
            "created_at": self.created_at.isoformat(),
            "acked_at": _iso(self.acked_at),
            "details": self.details,
        }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- watching ---------------------------------------------------------------------------------
def add_watched(
    conn: sa.Connection,
    user_ids: Sequence[str],
    *,
    label: str | None = None,
    search_id: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Watch these creators; ones already watched keep their history (a new label wins)."""
    now = now or utcnow()
    existing = set(
        conn.execute(sa.select(watch.c.user_id).where(watch.c.user_id.in_(user_ids))).scalars()
    )
    fresh = [u for u in dict.fromkeys(user_ids) if u not in existing]
    if fresh:
        conn.execute(
            sa.insert(watch),
            [
                {"user_id": u, "label": label, "added_at": now, "search_id": search_id}
                for u in fresh
            ],
        )
    if label is not None and existing:
        conn.execute(sa.update(watch).where(watch.c.user_id.in_(existing)).values(label=label))
    return len(fresh)


def remove_watched(conn: sa.Connection, user_ids: Sequence[str]) -> int:
    result = conn.execute(sa.delete(watch).where(watch.c.user_id.in_(list(user_ids))))
    return int(result.rowcount or 0)


def list_watched(conn: sa.Connection, user_id: str | None = None) -> list[Watched]:
    """Every watched creator (or the one asked for), oldest first, with its name and its open
    (unacknowledged) alerts."""
    c = schema.creators
    open_alerts = (
        sa.select(alerts_table.c.user_id, sa.func.count().label("n"))
        .where(alerts_table.c.acked_at.is_(None))
        .group_by(alerts_table.c.user_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(watch, c.c.name, sa.func.coalesce(open_alerts.c.n, 0))
        .select_from(
            watch.outerjoin(c, c.c.user_id == watch.c.user_id).outerjoin(
                open_alerts, open_alerts.c.user_id == watch.c.user_id
            )
        )
        .where(watch.c.user_id == user_id if user_id is not None else sa.true())
        .order_by(watch.c.added_at, watch.c.user_id)
    )
    return [
        Watched(
            user_id=r.user_id,
            name=r.name,
            label=r.label,
            added_at=r.added_at,
            search_id=r.search_id,
            last_checked_at=r.last_checked_at,
            last_notes_at=r.last_notes_at,
            last_trend_day=r.last_trend_day,
            last_card_day=r.last_card_day,
            open_alerts=int(r[-1]),
        )
        for r in rows
    ]


def mark_checked(conn: sa.Connection, user_id: str, now: dt.datetime, **parts: Any) -> None:
    conn.execute(
        sa.update(watch).where(watch.c.user_id == user_id).values(last_checked_at=now, **parts)
    )


def mark_cards(conn: sa.Connection, user_ids: Iterable[str], day: dt.date) -> None:
    for chunk in _chunks(list(user_ids)):
        conn.execute(sa.update(watch).where(watch.c.user_id.in_(chunk)).values(last_card_day=day))


# -- history for the rules --------------------------------------------------------------------
def _price(value: float | None) -> float | None:
    return value if value is not None and 0 < value < PRICE_NOT_OFFERED else None


def load_histories(
    conn: sa.Connection, watched: Sequence[Watched], today: dt.date, *, notes_limit: int = 60
) -> list[WatchHistory]:
    """Each watched creator's stored followers, price snapshots and newest notes."""
    ids = [w.user_id for w in watched]
    followers: dict[str, list[tuple[dt.date, int]]] = {u: [] for u in ids}
    prices: dict[str, list[PriceSnapshot]] = {u: [] for u in ids}
    notes: dict[str, list[StoredNote]] = {u: [] for u in ids}
    p, s, n = schema.fans_points, schema.creator_snapshots, schema.notes
    for chunk in _chunks(ids):
        for kol_id, day, num in conn.execute(
            sa.select(p.c.kol_id, p.c.date, p.c.num).where(
                p.c.kol_id.in_(chunk), p.c.metric == "total", p.c.num.is_not(None)
            )
        ):
            followers[kol_id].append((day, int(num)))
        for user_id, day, fans, picture, video in conn.execute(
            sa.select(s.c.user_id, s.c.day, s.c.fans_num, s.c.picture_price, s.c.video_price).where(
                s.c.user_id.in_(chunk)
            )
        ):
            prices[user_id].append(PriceSnapshot(day, _price(picture), _price(video)))
            if fans is not None:
                # The card's count fills days the trend has not reached yet (it ends yesterday).
                followers[user_id].append((day, int(fans)))
        ranked = (
            sa.select(
                n,
                sa.func.row_number()
                .over(partition_by=n.c.user_id, order_by=(n.c.date.desc(), n.c.note_id))
                .label("rank"),
            )
            .where(n.c.user_id.in_(chunk))
            .subquery()
        )
        for row in conn.execute(sa.select(ranked).where(ranked.c.rank <= notes_limit)):
            notes[row.user_id].append(_note(row))
    histories = []
    for w in watched:
        points = dict(followers[w.user_id][::-1])  # trend points win over same-day card counts
        histories.append(
            WatchHistory(
                user_id=w.user_id,
                name=w.name,
                today=today,
                since=(w.added_at - dt.timedelta(days=1)).date(),
                followers=sorted(points.items()),
                prices=prices[w.user_id],
                notes=notes[w.user_id],
                notes_checked=w.last_notes_at is not None,
            )
        )
    return histories


# -- alerts -----------------------------------------------------------------------------------
def save_alerts(conn: sa.Connection, found: Sequence[Alert], now: dt.datetime) -> list[int]:
    """Store the alerts not stored before; the ids of the new ones."""
    if not found:
        return []
    a = alerts_table
    before = {
        (r.rule, r.user_id, r.period)
        for r in conn.execute(
            sa.select(a.c.rule, a.c.user_id, a.c.period).where(
                a.c.user_id.in_({x.user_id for x in found})
            )
        )
    }
    rows = [
        {
            "rule": x.rule,
            "user_id": x.user_id,
            "period": x.period,
            "severity": x.severity,
            "created_at": now,
            "details": x.details,
        }
        for x in {x.key: x for x in found}.values()
        if x.key not in before
    ]
    if not rows:
        return []
    # The unique key settles a race with another writer: the row that lands first is the one.
    statement = dialect_insert(conn, a)
    conn.execute(
        statement.on_conflict_do_nothing(index_elements=["rule", "user_id", "period"]), rows
    )
    keys = [(r["rule"], r["user_id"], r["period"]) for r in rows]
    ids = conn.execute(
        sa.select(a.c.id).where(
            sa.tuple_(a.c.rule, a.c.user_id, a.c.period).in_(keys), a.c.created_at == now
        )
    ).scalars()
    return sorted(int(i) for i in ids)


def _alert_query() -> sa.Select[Any]:
    a, c = alerts_table, schema.creators
    return sa.select(a, c.c.name).select_from(a.outerjoin(c, c.c.user_id == a.c.user_id))


def _alert(row: sa.Row[Any]) -> StoredAlert:
    return StoredAlert(
        id=row.id,
        rule=row.rule,
        user_id=row.user_id,
        name=row.name,
        period=row.period,
        severity=row.severity,
        created_at=row.created_at,
        details=dict(row.details or {}),
        acked_at=row.acked_at,
    )


def list_alerts(
    conn: sa.Connection,
    *,
    since: dt.datetime | None = None,
    rule: str | None = None,
    user_id: str | None = None,
    ids: Sequence[int] | None = None,
    open_only: bool = False,
) -> list[StoredAlert]:
    """Alerts newest first, filtered as asked."""
    a = alerts_table
    query = _alert_query().order_by(a.c.created_at.desc(), a.c.id.desc())
    if since is not None:
        query = query.where(a.c.created_at >= since)
    if rule is not None:
        query = query.where(a.c.rule == rule)
    if user_id is not None:
        query = query.where(a.c.user_id == user_id)
    if ids is not None:
        query = query.where(a.c.id.in_(list(ids)))
    if open_only:
        query = query.where(a.c.acked_at.is_(None))
    return [_alert(r) for r in conn.execute(query)]


def ack_alerts(conn: sa.Connection, ids: Sequence[int], now: dt.datetime | None = None) -> int:
    """Acknowledge alerts (already acknowledged ones keep their first time); how many exist."""
    a = alerts_table
    conn.execute(
        sa.update(a)
        .where(a.c.id.in_(list(ids)), a.c.acked_at.is_(None))
        .values(acked_at=now or utcnow())
    )
    found = conn.execute(sa.select(sa.func.count()).where(a.c.id.in_(list(ids)))).scalar()
    return int(found or 0)


def target_key(url: str) -> str:
    """A --notify target as stored: a hash, since robot URLs carry their secret key."""
    return hashlib.sha256(url.encode()).hexdigest()[:32]


def undelivered(
    conn: sa.Connection, target: str, since: dt.datetime, ids: Sequence[int] = ()
) -> list[StoredAlert]:
    """Open alerts from ``since`` on (or among ``ids``) that ``target`` has not received."""
    a, d = alerts_table, deliveries
    got = sa.select(d.c.alert_id).where(d.c.target == target)
    recent = sa.or_(a.c.created_at >= since, a.c.id.in_(list(ids)))
    query = (
        _alert_query().where(recent, a.c.acked_at.is_(None), a.c.id.not_in(got)).order_by(a.c.id)
    )
    return [_alert(r) for r in conn.execute(query)]


def mark_delivered(
    conn: sa.Connection, target: str, ids: Sequence[int], now: dt.datetime | None = None
) -> None:
    now = now or utcnow()
    upsert(
        conn,
        deliveries,
        [{"alert_id": i, "target": target, "delivered_at": now} for i in ids],
        keep=["delivered_at"],
    )


# -- the lease --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeaseHolder:
    holder: str
    expires_at: dt.datetime


def take_lease(
    engine: Engine,
    holder: str,
    ttl: dt.timedelta,
    *,
    alive: Any = None,
    now: dt.datetime | None = None,
) -> LeaseHolder | None:
    """Take (or renew) the lease; None when taken, else who holds it.

    A lease is free when it expired, or when ``alive(holder)`` says its holder is gone
    (a killed pass on this machine blocks nobody for its remaining time)."""
    now = now or utcnow()
    t = lease_table
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(t.c.holder, t.c.expires_at).where(t.c.name == LEASE_NAME)
        ).first()
        if row is None:
            upsert(
                conn,
                t,
                [
                    {
                        "name": LEASE_NAME,
                        "holder": holder,
                        "acquired_at": now,
                        "expires_at": now + ttl,
                    }
                ],
                keep=["name", "holder", "acquired_at", "expires_at"],
            )
            row = conn.execute(
                sa.select(t.c.holder, t.c.expires_at).where(t.c.name == LEASE_NAME)
            ).first()
            assert row is not None
            return None if row.holder == holder else LeaseHolder(row.holder, row.expires_at)
        free = row.holder == holder or row.expires_at <= now
        if not free and alive is not None and not alive(row.holder):
            free = True
        if not free:
            return LeaseHolder(row.holder, row.expires_at)
        # Compare-and-set on the holder seen: of two takers racing, one updates the row.
        result = conn.execute(
            sa.update(t)
            .where(
                t.c.name == LEASE_NAME, t.c.holder == row.holder, t.c.expires_at == row.expires_at
            )
            .values(holder=holder, acquired_at=now, expires_at=now + ttl)
        )
        if not result.rowcount:
            again = conn.execute(
                sa.select(t.c.holder, t.c.expires_at).where(t.c.name == LEASE_NAME)
            ).first()
            assert again is not None
            return LeaseHolder(again.holder, again.expires_at)
    return None


def release_lease(engine: Engine, holder: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.delete(lease_table).where(
                lease_table.c.name == LEASE_NAME, lease_table.c.holder == holder
            )
        )
