"""The dashboard over a copy of the shared enriched database, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from pgyscout.store import Store, schema
from pgyscout.store.shortlists import add_members, create_shortlist
from pgyscout.web.app import WebConfig, create_app

SHORTLIST = "春季 <b>新品</b>"  # markup in a name must stay text


def copy_database(source: str, target: str) -> None:
    """Every row of ``source`` into the freshly migrated ``target`` (any two dialects)."""
    with (
        Store(source) as src,
        Store(target) as dst,
        src.engine.connect() as read,
        dst.begin() as write,
    ):
        for table in schema.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in read.execute(sa.select(table))]
            if rows:
                write.execute(sa.insert(table), rows)
        if dst.dialect == "postgresql":
            for table in schema.metadata.sorted_tables:
                if "id" in table.c and table.c.id.primary_key:
                    write.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )


def seed_shortlist(db: str) -> list[str]:
    with Store(db) as store, store.begin() as conn:
        ids = list(
            conn.execute(
                sa.select(schema.creators.c.user_id).order_by(schema.creators.c.fans_num.desc())
            ).scalars()
        )
        create_shortlist(conn, SHORTLIST)
        add_members(conn, SHORTLIST, ids[:5], "first five")
    return ids


@pytest.fixture
def web_db(judged_db: str, db_url: str) -> str:
    """The enriched creators with a shortlist, as a URL of each kind of database."""
    target = db_url
    if target.startswith("sqlite"):
        target = f"sqlite:///{Path(judged_db)}"
    else:
        copy_database(f"sqlite:///{judged_db}", target)
    seed_shortlist(target)
    return target


def make_client(db: str, **config: Any) -> TestClient:
    return TestClient(create_app(WebConfig(db=db, **config)), follow_redirects=False)


@pytest.fixture
def client(web_db: str) -> Iterator[TestClient]:
    with make_client(web_db, lang="en") as c:
        yield c


def csrf_of(client: TestClient) -> str:
    web = client.app.state.web  # type: ignore[attr-defined]
    return str(web.csrf_token)
