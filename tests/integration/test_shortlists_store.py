"""Shortlists and reading creators back, on SQLite and PostgreSQL; migrations match the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pgyscout.errors import ShortlistError
from pgyscout.models import parse_creator_page, parse_fans_trend, parse_note_page
from pgyscout.store import Store, schema
from pgyscout.store.entities import create_search, save_note_page, save_search_page, save_trend
from pgyscout.store.shortlists import (
    add_members,
    create_shortlist,
    delete_shortlist,
    list_shortlists,
    remove_members,
    shortlist_members,
)
from pgyscout.store.views import load_creator_data, stored_user_ids
from tests.conftest import load_upstream

SEED_PAGE = parse_creator_page(load_upstream("seed/seed_search_response.json"), 1)
UID = SEED_PAGE.creators[0].user_id


def test_migrations_build_exactly_the_schema(db_url: str) -> None:
    with Store(db_url) as store, store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, schema.metadata) == []


def test_shortlist_lifecycle(db_url: str) -> None:
    a, b, c = "a" * 24, "b" * 24, "c" * 24
    with Store(db_url) as store:
        with store.begin() as conn:
            create_shortlist(conn, " 春季 ")
            assert add_members(conn, "春季", [a, b, a], "first") == (2, 0)
            assert add_members(conn, "春季", [b, c], "second") == (1, 1)
        with store.begin() as conn, pytest.raises(ShortlistError, match="already exists"):
            create_shortlist(conn, "春季")
        with store.begin() as conn:
            members = shortlist_members(conn, "春季")
            assert [(m.user_id, m.position, m.note) for m in members] == [
                (a, 0, "first"),
                (b, 1, "second"),  # a note given again replaces the old one
                (c, 2, "second"),
            ]
            assert remove_members(conn, "春季", [b, "d" * 24]) == 1
            create_shortlist(conn, "other")
            assert [(s.name, s.members) for s in list_shortlists(conn)] == [
                ("other", 0),
                ("春季", 2),
            ]
            assert add_members(conn, "春季", ["e" * 24]) == (1, 0)
            assert shortlist_members(conn, "春季")[-1].position == 3  # appended after the last
            assert delete_shortlist(conn, "春季") == 3
            with pytest.raises(ShortlistError, match="no shortlist named"):
                shortlist_members(conn, "春季")
        with store.engine.connect() as conn:
            left = conn.execute(sa.select(sa.func.count()).select_from(schema.shortlist_members))
            assert left.scalar() == 0
    with pytest.raises(ShortlistError, match="needs a name"):
        create_shortlist(None, "  ")  # type: ignore[arg-type]


def test_creators_read_back_with_their_notes_and_trend(db_url: str) -> None:
    notes = parse_note_page(load_upstream("real/notes_page1.json"), UID, 1)
    trend = parse_fans_trend(load_upstream("real/fans_trend_30d_total.json"), UID, 30, "total")
    with Store(db_url) as store:
        with store.begin() as conn:
            save_search_page(conn, create_search(conn, {}), SEED_PAGE)
            save_note_page(conn, notes)
            save_trend(conn, trend)
        with store.begin() as conn:
            assert stored_user_ids(conn) == [UID]
            data, missing = load_creator_data(conn, ["f" * 24, UID], {UID: {"note": "x"}})
    assert missing == ["f" * 24]
    (only,) = data
    assert only.creator.raw == SEED_PAGE.creators[0].raw
    assert sorted(n.note_id for n in only.notes) == sorted(n.note_id for n in notes.notes)
    assert [(p.date, p.num) for p in only.totals] == [(p.date, p.num) for p in trend.points]
    assert only.increases == []
    assert only.extra == {"note": "x"}


def test_a_database_from_the_first_release_upgrades_and_keeps_its_data(db_url: str) -> None:
    from alembic import command

    from pgyscout.store.engine import _alembic_config, create_db_engine
    from pgyscout.store.entities import _creator_row, upsert, utcnow
    from pgyscout.store.scope import Scope, rank_scope

    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    with engine.begin() as conn:  # what the first release wrote
        upsert(conn, schema.creators, [_creator_row(c, utcnow()) for c in SEED_PAGE.creators])
    engine.dispose()
    with Store(db_url) as store, store.begin() as conn:  # opening migrates to the newest
        assert stored_user_ids(conn) == [UID]
        create_shortlist(conn, "new")
        assert add_members(conn, "new", [UID]) == (1, 0)
        # its creators were never judged: the first ranking judges them
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(schema.creator_metrics)).scalar()
            == 0
        )
        assert [p.user_id for p in rank_scope(conn, Scope([UID], "x")).profiles] == [UID]
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(schema.creator_metrics)).scalar()
            == 2
        )


def test_scopes_load_the_creators_each_front_end_asks_for(tmp_path: Path) -> None:
    """The library function the command line and the dashboard both call."""
    from pgyscout.client import InvalidInputError
    from pgyscout.store.scope import judge_scope, resolve_scope

    other = "d" * 24
    with Store(str(tmp_path / "s.db")) as store, store.begin() as conn:
        with pytest.raises(InvalidInputError, match="holds no creators yet"):
            resolve_scope(conn)
        with pytest.raises(InvalidInputError, match="no saved search yet"):
            resolve_scope(conn, last_search=True)
        search = create_search(conn, {"keyword": "x"})
        save_search_page(conn, search, SEED_PAGE)
        save_note_page(conn, parse_note_page(load_upstream("real/notes_page1.json"), UID, 1))
        create_shortlist(conn, "s")
        add_members(conn, "s", [UID, other], "why")
        everyone = [c.user_id for c in SEED_PAGE.creators]
        assert resolve_scope(conn, search_id=search).user_ids == everyone
        assert resolve_scope(conn, last_search=True).label == f"search #{search}"
        assert sorted(resolve_scope(conn).user_ids) == sorted(everyone)
        listed = resolve_scope(conn, shortlist="s")
        assert (listed.user_ids, listed.extra[UID]) == ([UID, other], {"note": "why"})
        with pytest.raises(InvalidInputError, match="one of them"):
            resolve_scope(conn, [UID], shortlist="s")
        with pytest.raises(InvalidInputError, match="which creators"):
            resolve_scope(conn, default_all=False)
        judged = judge_scope(conn, listed)
        assert [p.user_id for p in judged.profiles] == [UID]
        assert judged.missing == [other]
        assert judged.profiles[0].extra == {"note": "why"}
        assert judged.profiles[0].expected_reads is not None
        assert judged.without_notes == 0
