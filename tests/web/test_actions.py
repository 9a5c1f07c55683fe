"""What the dashboard changes: shortlists, downloads through the export and report code, and
the paid actions, which state their most calls first and run through the client's guarantees."""

from __future__ import annotations

import io
import time
from urllib.parse import quote

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from pgyscout.store import Store, schema
from tests.conftest import SandboxPool
from tests.web.conftest import SHORTLIST, csrf_of, make_client

Q = quote(SHORTLIST, safe="")


def post(client: TestClient, path: str, **form: str) -> str:
    answer = client.post(path, data={"csrf": csrf_of(client), **form})
    assert answer.status_code == 303, (path, answer.text[:300])
    return answer.headers["location"]


def test_shortlist_create_rename_add_note_remove_delete(client: TestClient) -> None:
    ids = [r["user_id"] for r in client.get("/creators.json?size=3").json()["rows"]]
    where = post(client, "/shortlists", name="夏季/试投")
    assert where == "/shortlists/" + quote("夏季/试投", safe="")
    assert client.get(where + ".json").json()["members"] == []
    post(client, where + "/add", user_id=ids[0])
    post(client, where + "/add", user_id=ids[1], note="价格合适")
    post(client, where + "/note", user_id=ids[0], note="先问档期")
    listed = client.get(where + ".json").json()["members"]
    assert [(m["user_id"], m["note"]) for m in listed] == [
        (ids[0], "先问档期"),
        (ids[1], "价格合适"),
    ]
    assert client.get(f"/creators/{ids[1]}.json").json()["shortlists"] == ["夏季/试投"]
    post(client, where + "/remove", user_id=ids[0])
    assert [m["user_id"] for m in client.get(where + ".json").json()["members"]] == [ids[1]]
    renamed = post(client, where + "/rename", new_name="夏季 final")
    assert renamed == "/shortlists/" + quote("夏季 final", safe="")
    assert client.get(where).status_code == 404
    assert [m["user_id"] for m in client.get(renamed + ".json").json()["members"]] == [ids[1]]
    assert post(client, renamed + "/delete") == "/shortlists"
    assert client.get(renamed).status_code == 404
    assert client.get(f"/creators/{ids[1]}.json").json()["metrics"]  # the creator stays


def test_shortlist_mistakes_are_answered_not_done(client: TestClient) -> None:
    token = csrf_of(client)
    twice = client.post("/shortlists", data={"csrf": token, "name": SHORTLIST})
    assert twice.status_code == 400
    assert "already exists" in twice.text
    assert client.post("/shortlists", data={"csrf": token, "name": "  "}).status_code == 400
    nobody = client.post("/shortlists/nobody/add", data={"csrf": token, "user_id": "f" * 24})
    assert nobody.status_code == 404
    bad = client.post(f"/shortlists/{Q}/add", data={"csrf": token, "user_id": "x"})
    assert bad.status_code == 400
    assert client.post(f"/shortlists/{Q}/explode", data={"csrf": token}).status_code == 404


def test_htmx_buttons_get_the_page_back(client: TestClient) -> None:
    """A shortlist button answers with a redirect to the page it came from, which htmx follows
    and cuts the updated part from (hx-select); without JavaScript the browser does the same."""
    user_id = client.get("/creators.json?size=50").json()["rows"][-1]["user_id"]
    page = f"/creators/{user_id}?lang=en"
    where = post(client, f"/shortlists/{Q}/add", user_id=user_id, next=page)
    assert where == page
    assert '/remove" hx-target="#lists"' in client.get(page).text
    assert post(client, f"/shortlists/{Q}/add", user_id=user_id, next="//evil.example/") == (
        f"/shortlists/{Q}"
    )


def test_exports_and_report_download_through_the_export_code(client: TestClient) -> None:
    members = client.get(f"/shortlists/{Q}.json").json()["members"]
    xlsx = client.get(f"/shortlists/{Q}/export.xlsx")
    assert xlsx.status_code == 200
    assert "attachment" in xlsx.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "shortlist"
    assert {"notes", "trend"} <= set(book.sheetnames)
    sheet = book["shortlist"]
    assert sheet.max_row == len(members) + 1
    csv_text = client.get(f"/shortlists/{Q}/export.csv").content.decode("utf-8-sig")
    assert csv_text.count("\n") >= len(members) + 1
    frame = pd.read_parquet(io.BytesIO(client.get(f"/shortlists/{Q}/export.parquet").content))
    assert list(frame["user_id"]) == [m["user_id"] for m in members]
    report = client.get(f"/shortlists/{Q}/report.html")
    assert report.status_code == 200
    assert "attachment" in report.headers["content-disposition"]
    assert all(m["user_id"] in report.text or m["name"] in report.text for m in members)
    assert client.get(f"/shortlists/{Q}/export.exe").status_code == 404


def calls_in_ledger(db: str) -> int:
    with Store(db) as store, store.begin() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(schema.calls)).scalar_one())


def test_paid_actions_state_their_most_calls_and_cost(web_db: str) -> None:
    with make_client(web_db, lang="en", price_per_call=0.2, client_options={"token": "t"}) as c:
        user_id = c.get("/creators.json?size=1").json()["rows"][0]["user_id"]
        refresh = c.get(f"/paid/refresh?target={user_id}").text
        assert "At most 2 calls" in refresh
        assert "¥0.40" in refresh
        enrich = c.get(f"/paid/enrich?target={Q}").text
        assert "At most 10 calls" in enrich  # 5 members x (notes page 1 + trend)
        assert "¥2.00" in enrich
        search = c.get("/paid/search?target=1").text
        assert "At most 1 calls" in search
        assert 'id="cancel"' in search
        assert c.get("/paid/refresh?target=ffffffffffffffffffffffff").status_code == 404
        assert c.get("/paid/enrich?target=nobody").status_code == 404
        assert c.get("/paid/steal?target=1").status_code == 404


def test_without_a_token_paid_buttons_explain_and_do_nothing(web_db: str) -> None:
    before = calls_in_ledger(web_db)
    with make_client(web_db, lang="en") as client:
        user_id = client.get("/creators.json?size=1").json()["rows"][0]["user_id"]
        page = client.get(f"/paid/refresh?target={user_id}").text
        assert "No API token is set" in page
        assert "JUSTONEAPI_TOKEN" in page
        assert 'action="/paid/refresh"' not in page
        answer = client.post("/paid/refresh", data={"csrf": csrf_of(client), "target": user_id})
        assert answer.status_code == 400
        assert "No API token is set" in answer.text
        assert not client.app.state.web.actions  # type: ignore[attr-defined]
    assert calls_in_ledger(web_db) == before


def wait_for_action(client: TestClient, where: str) -> dict[str, object]:
    """Poll the action's JSON until it is no longer running (it is a thread of the server)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get(where + ".json").json()
        if state["status"] != "running":
            return state  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"{where} still running")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_paid_actions_run_through_the_client_and_never_pay_twice(
    web_db: str, sandboxes: SandboxPool
) -> None:
    sandbox = sandboxes.get(seed=11)  # the sandbox the enriched database was filled from
    options = {"token": "tok-web", "base_url": sandbox.url, "retry_wait": 0.01}
    with make_client(web_db, lang="en", client_options=options) as client:
        user_id = client.get("/creators.json?size=1").json()["rows"][0]["user_id"]
        assert "No API token" not in client.get(f"/paid/refresh?target={user_id}").text
        where = post(client, "/paid/refresh", target=user_id)
        assert where.startswith("/actions/")
        assert client.get(where).status_code == 200
        state = wait_for_action(client, where)
        assert state["status"] == "done", state
        assert state["billed"] == 2  # a refresh asks upstream again: notes page 1 + trend
        assert sandbox.counters.billed_for_token("tok-web") == 2
        # Enriching the shortlist reuses what is under a day old: nothing billed twice.
        sandbox.counters.reset()
        state = wait_for_action(client, post(client, "/paid/enrich", target=SHORTLIST))
        assert state["status"] == "done", state
        assert sandbox.counters.billed_for_token("tok-web") == 0
        assert state["cache_hits"] == 10
        # The next page of the saved search: one billed call, saved with the search.
        before = client.get("/creators.json?search=1").json()["total"]
        state = wait_for_action(client, post(client, "/paid/search", target="1"))
        assert state["status"] == "done", state
        assert sandbox.counters.billed_for_token("tok-web") == 1
        after = client.get("/creators.json?search=1").json()["total"]
        assert after > before
        assert "tok-web" not in client.get(where).text
