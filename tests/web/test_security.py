"""The dashboard's defences: CSRF on every POST, escaping of hostile names, the CSP, the access
secret, the token never shown, nothing loaded from another host."""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from starlette.routing import Route
from starlette.testclient import TestClient

from pgyscout.store import Store, schema
from pgyscout.web.app import CSP, HTMX_FILE, HTMX_SHA256, STATIC, plotly_js_path
from tests.conftest import SENTINEL_TOKEN
from tests.web.conftest import SHORTLIST, csrf_of, make_client

Q = quote(SHORTLIST, safe="")
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def shortlist_names(db: str) -> list[str]:
    with Store(db) as store, store.begin() as conn:
        return list(conn.execute(sa.select(schema.shortlists.c.name)).scalars())


def members(db: str) -> list[tuple[str, str | None]]:
    with Store(db) as store, store.begin() as conn:
        return [
            (r.user_id, r.note)
            for r in conn.execute(
                sa.select(schema.shortlist_members).order_by(schema.shortlist_members.c.user_id)
            )
        ]


def test_every_post_without_a_valid_csrf_token_is_refused(client: TestClient, web_db: str) -> None:
    user_id = client.get("/creators.json?size=1").json()["rows"][0]["user_id"]
    posts = {
        route.path
        for route in client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, Route) and "POST" in (route.methods or ())
    }
    assert posts >= {"/shortlists", "/shortlists/{rest:path}", "/paid/{kind}"}
    attempts = [
        ("/shortlists", {"name": "new one"}),
        (f"/shortlists/{Q}/rename", {"new_name": "renamed"}),
        (f"/shortlists/{Q}/delete", {}),
        (f"/shortlists/{Q}/add", {"user_id": user_id}),
        (f"/shortlists/{Q}/remove", {"user_id": user_id}),
        (f"/shortlists/{Q}/note", {"user_id": user_id, "note": "changed"}),
        ("/paid/refresh", {"target": user_id}),
        ("/paid/enrich", {"target": SHORTLIST}),
        ("/paid/search", {"target": "1"}),
    ]
    before = (shortlist_names(web_db), members(web_db))
    for path, form in attempts:
        for token in (None, "wrong", csrf_of(client)[:-1]):
            data = dict(form) if token is None else {**form, "csrf": token}
            answer = client.post(path, data=data)
            assert answer.status_code == 403, (path, token)
            assert "CSRF" in answer.text
    assert (shortlist_names(web_db), members(web_db)) == before
    assert not client.app.state.web.actions  # type: ignore[attr-defined]
    # The header htmx sends works as the form field does.
    answer = client.post(
        "/shortlists", data={"name": "via htmx"}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert answer.status_code == 303
    assert "via htmx" in shortlist_names(web_db)


def plant_hostile(db: str) -> list[str]:
    """Two creators and a note named as an attacker would name them."""
    with Store(db) as store, store.begin() as conn:
        rows = conn.execute(
            sa.select(schema.creators).order_by(schema.creators.c.fans_num.desc()).limit(2)
        ).all()
        for row, name in zip(rows, HOSTILE, strict=True):
            raw = dict(row.raw, nickName=name, name=name)
            conn.execute(
                sa.update(schema.creators)
                .where(schema.creators.c.user_id == row.user_id)
                .values(raw=raw, name=name)
            )
            conn.execute(
                sa.update(schema.notes)
                .where(schema.notes.c.user_id == row.user_id)
                .values(title=HOSTILE[1], brand_name=HOSTILE[0])
            )
        return [r.user_id for r in rows]


def test_hostile_names_render_as_text(web_db: str) -> None:
    ids = plant_hostile(web_db)
    with make_client(web_db, lang="zh") as client:
        token = csrf_of(client)
        client.post("/shortlists", data={"csrf": token, "name": HOSTILE[1], "user_id": ids[0]})
        pages = [
            "/creators?size=500",
            f"/creators/{ids[0]}",
            f"/creators/{ids[1]}",
            f"/shortlists/{quote(HOSTILE[1], safe='')}",
            f"/compare?ids={ids[0]},{ids[1]}",
            f"/plan?shortlist={Q}&budget=100000",
            "/",
            "/shortlists",
            f"/paid/refresh?target={ids[0]}",
        ]
        for path in pages:
            text = client.get(path).text
            assert "<script>alert" not in text, path
            assert "<img src=x" not in text, path
            assert "onerror=alert(1)>" not in text.replace("&gt;", ""), path
        listing = client.get("/creators?size=500").text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in listing
        detail = client.get(f"/creators/{ids[0]}").text
        assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; · pgyscout</title>" in detail
        # Chart data: a JSON block that cannot be closed from inside.
        block = re.search(r'id="data-scatter">(.*?)</script>', detail, re.S)
        assert block is not None
        assert "<" not in block.group(1)
        assert HOSTILE[1] in json.loads(block.group(1))["text"]
        # JSON keeps the names exactly (a JSON client escapes for itself).
        rows = client.get("/creators.json?size=500").json()["rows"]
        assert set(HOSTILE) <= {r["name"] for r in rows}


def test_every_html_page_has_the_strict_csp(client: TestClient) -> None:
    assert "script-src 'self'" in CSP
    assert "default-src 'self'" in CSP
    assert "unsafe-inline" not in CSP.split("script-src")[1].split(";")[0]
    for path in ("/", "/creators?fans_min=x", "/creators/ffffffffffffffffffffffff", "/usage"):
        answer = client.get(path)
        assert answer.headers["content-security-policy"] == CSP, path
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"


def test_no_page_loads_anything_from_another_host(client: TestClient) -> None:
    user_id = client.get("/creators.json?size=1").json()["rows"][0]["user_id"]
    for path in ("/", "/creators", f"/creators/{user_id}", f"/shortlists/{Q}", "/usage"):
        text = client.get(path).text
        loaded = re.findall(r'<(?:script|link|img|iframe)[^>]*(?:src|href)="([^"]+)"', text)
        assert loaded, path
        assert all(u.startswith("/") and not u.startswith("//") for u in loaded), (path, loaded)
        # plotly.js is served once as a file, never inlined into a page.
        assert len(text) < 200_000
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200
    assert plotly.content == plotly_js_path().read_bytes()
    htmx = client.get(f"/static/{HTMX_FILE}")
    assert hashlib.sha256(htmx.content).hexdigest() == HTMX_SHA256
    assert HTMX_SHA256 in (STATIC / "VENDORED.md").read_text(encoding="utf-8")
    assert client.get("/static/../app.py").status_code == 404


def test_the_token_is_never_shown(web_db: str) -> None:
    with make_client(web_db, lang="en", client_options={"token": SENTINEL_TOKEN}) as client:
        user_id = client.get("/creators.json?size=1").json()["rows"][0]["user_id"]
        paths = [
            "/",
            "/index.json",
            "/creators",
            "/creators.json",
            "/creators.csv",
            f"/creators/{user_id}",
            f"/creators/{user_id}.json",
            f"/shortlists/{Q}",
            f"/shortlists/{Q}.json",
            "/usage",
            "/usage.json",
            f"/paid/refresh?target={user_id}",
            f"/paid/enrich?target={Q}",
            "/paid/search?target=1",
        ]
        for path in paths:
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert SENTINEL_TOKEN not in answer.text, path
            assert SENTINEL_TOKEN not in json.dumps(dict(answer.headers)), path
        assert "no api token" not in client.get(f"/paid/refresh?target={user_id}").text.lower()
        assert SENTINEL_TOKEN not in repr(client.app.state.web.config)  # type: ignore[attr-defined]


@pytest.fixture
def guarded(web_db: str) -> TestClient:
    return make_client(web_db, lang="en", secret="s3cret-for-tests")


def test_an_access_secret_guards_every_request(guarded: TestClient) -> None:
    for path in ("/", "/creators.json", "/static/app.js", "/static/plotly.min.js"):
        answer = guarded.get(path)
        assert answer.status_code == 401, path
    assert guarded.get("/creators.json").json()["status"] == 401
    assert "secret" in guarded.get("/").text
    assert guarded.get("/", headers={"X-Pgy-Secret": "wrong"}).status_code == 401
    assert guarded.get("/", headers={"X-Pgy-Secret": "s3cret-for-tests"}).status_code == 200
    assert guarded.post("/login", data={"secret": "nope"}).status_code == 401
    signed_in = guarded.post("/login", data={"secret": "s3cret-for-tests"})
    assert signed_in.status_code == 303
    cookie = signed_in.cookies.get("pgy_access")
    assert cookie
    assert "s3cret-for-tests" not in cookie  # the cookie holds a key derived from it
    assert guarded.get("/creators.json").status_code == 200  # the client keeps the cookie
    guarded.cookies.clear()
    guarded.cookies.set("pgy_access", cookie[:-1] + ("1" if cookie.endswith("0") else "0"))
    assert guarded.get("/creators.json").status_code == 401
