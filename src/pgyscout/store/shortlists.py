"""Shortlists: named, ordered lists of creators, each member with a note of why it is there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from pgyscout.errors import ShortlistError
from pgyscout.store import schema
from pgyscout.store.entities import utcnow

MAX_NAME = 200


@dataclass(frozen=True)
class ShortlistInfo:
    name: str
    created_at: dt.datetime
    members: int


@dataclass(frozen=True)
class Member:
    user_id: str
    position: int
    note: str | None
    added_at: dt.datetime


def check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise ShortlistError("a shortlist needs a name")
    if len(cleaned) > MAX_NAME:
        raise ShortlistError(f"a shortlist name has at most {MAX_NAME} characters")
    return cleaned


def shortlist_id(conn: sa.Connection, name: str) -> int:
    found = conn.execute(
        sa.select(schema.shortlists.c.id).where(schema.shortlists.c.name == name.strip())
    ).scalar()
    if found is None:
        raise ShortlistError(f"no shortlist named {name!r} (`pgy shortlist list` shows them)")
    return int(found)


def create_shortlist(conn: sa.Connection, name: str, *, exist_ok: bool = False) -> int:
    name = check_name(name)
    existing = conn.execute(
        sa.select(schema.shortlists.c.id).where(schema.shortlists.c.name == name)
    ).scalar()
    if existing is not None:
        if exist_ok:
            return int(existing)
        raise ShortlistError(f"a shortlist named {name!r} already exists")
    result = conn.execute(sa.insert(schema.shortlists).values(name=name, created_at=utcnow()))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def add_members(
    conn: sa.Connection, name: str, user_ids: Sequence[str], note: str | None = None
) -> tuple[int, int]:
    """Append new members in the given order; members already there keep their place and get
    the new note if one is given. Returns (added, already there)."""
    list_id = shortlist_id(conn, name)
    members = schema.shortlist_members
    present = set(
        conn.execute(sa.select(members.c.user_id).where(members.c.shortlist_id == list_id))
        .scalars()
        .all()
    )
    last = conn.execute(
        sa.select(sa.func.max(members.c.position)).where(members.c.shortlist_id == list_id)
    ).scalar()
    position = -1 if last is None else int(last)
    now = utcnow()
    new: list[dict[str, object]] = []
    again = 0
    for user_id in dict.fromkeys(user_ids):
        if user_id in present:
            again += 1
            if note is not None:
                conn.execute(
                    sa.update(members)
                    .where(members.c.shortlist_id == list_id, members.c.user_id == user_id)
                    .values(note=note)
                )
            continue
        position += 1
        new.append(
            {
                "shortlist_id": list_id,
                "user_id": user_id,
                "position": position,
                "note": note,
                "added_at": now,
            }
        )
    if new:
        conn.execute(sa.insert(members), new)
    return len(new), again


def remove_members(conn: sa.Connection, name: str, user_ids: Sequence[str]) -> int:
    list_id = shortlist_id(conn, name)
    members = schema.shortlist_members
    result = conn.execute(
        sa.delete(members).where(
            members.c.shortlist_id == list_id, members.c.user_id.in_(list(user_ids))
        )
    )
    return int(result.rowcount or 0)


def delete_shortlist(conn: sa.Connection, name: str) -> int:
    """Delete the list and its members (never the creators); returns how many members it had."""
    list_id = shortlist_id(conn, name)
    members = schema.shortlist_members
    result = conn.execute(sa.delete(members).where(members.c.shortlist_id == list_id))
    conn.execute(sa.delete(schema.shortlists).where(schema.shortlists.c.id == list_id))
    return int(result.rowcount or 0)


def list_shortlists(conn: sa.Connection) -> list[ShortlistInfo]:
    lists, members = schema.shortlists, schema.shortlist_members
    rows = conn.execute(
        sa.select(lists.c.name, lists.c.created_at, sa.func.count(members.c.user_id))
        .select_from(lists.outerjoin(members, members.c.shortlist_id == lists.c.id))
        .group_by(lists.c.id, lists.c.name, lists.c.created_at)
        .order_by(lists.c.name)
    )
    return [ShortlistInfo(name, created, int(count)) for name, created, count in rows]


def shortlist_members(conn: sa.Connection, name: str) -> list[Member]:
    list_id = shortlist_id(conn, name)
    members = schema.shortlist_members
    rows = conn.execute(
        sa.select(members.c.user_id, members.c.position, members.c.note, members.c.added_at)
        .where(members.c.shortlist_id == list_id)
        .order_by(members.c.position)
    )
    return [Member(*row) for row in rows]


def rename_shortlist(conn: sa.Connection, name: str, new_name: str) -> str:
    """Give a list a new name (its members and notes stay); returns the cleaned new name."""
    list_id = shortlist_id(conn, name)
    cleaned = check_name(new_name)
    taken = conn.execute(
        sa.select(schema.shortlists.c.id).where(schema.shortlists.c.name == cleaned)
    ).scalar()
    if taken is not None and int(taken) != list_id:
        raise ShortlistError(f"a shortlist named {cleaned!r} already exists")
    conn.execute(
        sa.update(schema.shortlists).where(schema.shortlists.c.id == list_id).values(name=cleaned)
    )
    return cleaned
