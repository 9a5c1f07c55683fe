"""Every page of the dashboard and its twins through the ASGI client, on SQLite and PostgreSQL;
the numbers checked against `pgy rank`, `pgy compare` and `pgy plan` on the same database."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from pgyscout.web.app import CSP
from tests.cli.conftest import run_pgy
from tests.web.conftest import SHORTLIST

Q = quote(SHORTLIST, safe="")


def rank_json(db: str, *args: str) -> list[dict[str, object]]:
    done = run_pgy("rank", "-f", "json", *args, db=db)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_every_page_and_twin_answers(client: TestClient) -> None:
    first = client.get("/creators.json?size=1").json()["rows"][0]["user_id"]
    pages = [
        "/",
        "/creators",
        f"/creators/{first}",
        "/shortlists",
        f"/shortlists/{Q}",
        f"/compare?shortlist={Q}",
        f"/plan?shortlist={Q}&budget=50000",
        "/usage",
    ]
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == CSP
        assert "<script>" not in page.text  # no inline script: every script has a src
        base, _, query = path.partition("?")
        twin = "/index.json" if base == "/" else base + ".json"
        answer = client.get(twin + ("?" + query if query else ""))
        assert answer.status_code == 200, twin
        assert answer.headers["content-type"] == "application/json"
        json.loads(answer.text)
    for table in ("/creators.csv", f"/shortlists/{Q}.csv", "/shortlists.csv", "/usage.csv"):
        answer = client.get(table)
        assert answer.status_code == 200, table
        assert answer.text.startswith("\ufeff")  # Excel reads the BOM as UTF-8


def test_home_counts_what_is_stored(client: TestClient) -> None:
    home = client.get("/index.json").json()
    assert home["creators"] == 40
    assert home["enriched"] > 0
    assert [s["search_id"] for s in home["searches"]] == sorted(
        (s["search_id"] for s in home["searches"]), reverse=True
    )
    assert home["searches"][0]["creators"] == 40
    assert [s["name"] for s in home["shortlists"]] == [SHORTLIST]
    assert home["calls_7d"] >= home["billed_7d"] > 0
    assert home["oldest_fetch"] <= home["newest_fetch"]


def test_creators_json_has_the_numbers_of_pgy_rank(client: TestClient, web_db: str) -> None:
    ranked = rank_json(web_db, "--by", "score")
    page = client.get("/creators.json?sort=score&size=500").json()
    assert page["total"] == len(ranked) == 40
    assert [r["user_id"] for r in page["rows"]] == [r["user_id"] for r in ranked]
    for ours, theirs in zip(page["rows"], ranked, strict=True):
        for key in ("fans", "price", "score", "cpm", "cpe", "expected_reads", "engagement_rate"):
            assert ours[key] == theirs[key], key
        assert [f["name"] for f in ours["flags"]] == [f["code"] for f in theirs["flags"]]  # type: ignore[attr-defined]
        assert [f["reason"] for f in ours["flags"]] == [f["reason"] for f in theirs["flags"]]  # type: ignore[attr-defined]
        assert ours["fetched_at"]
        assert {"user_id", "name", "fans", "price_photo", "price_video"} <= set(ours)


def test_filters_and_sorting_match_pgy_rank(client: TestClient, web_db: str) -> None:
    ranked = rank_json(
        web_db, "--by", "cpm", "--min-fans", "20000", "--max-price", "5000", "--content", "video"
    )
    page = client.get(
        "/creators.json?sort=cpm&fans_min=20000&price_max=5000&content=video&size=500"
    ).json()
    assert [r["user_id"] for r in page["rows"]] == [r["user_id"] for r in ranked]
    assert page["total"] == len(ranked) > 0
    assert [r["cpm"] for r in page["rows"]] == [r["cpm"] for r in ranked]
    # The other way round: worst CPM first, creators without one still last.
    reverse = client.get(
        "/creators.json?sort=cpm&desc=1&fans_min=20000&price_max=5000&content=video&size=500"
    ).json()["rows"]
    known = [r["cpm"] for r in reverse if r["cpm"] is not None]
    assert known == sorted(known, reverse=True)


def test_each_filter_keeps_only_what_it_says(client: TestClient) -> None:
    everyone = client.get("/creators.json?size=500").json()["rows"]
    some = everyone[3]
    by_name = client.get("/creators.json", params={"q": some["name"][:3]}).json()["rows"]
    assert some["user_id"] in [r["user_id"] for r in by_name]
    assert all(some["name"][:3] in r["name"] or some["name"][:3] in r["user_id"] for r in by_name)
    tag = some["tags"][0]
    tagged = client.get("/creators.json", params={"tag": tag, "size": 500}).json()["rows"]
    assert tagged
    assert all(any(tag in t for t in r["tags"]) for r in tagged)
    women = client.get("/creators.json?gender=female&size=500").json()["rows"]
    assert all(r["gender"] == "女" for r in women)
    assert len(women) == sum(1 for r in everyone if r["gender"] == "女")
    place = some["location"]
    located = client.get("/creators.json", params={"location": place, "size": 500}).json()
    assert located["total"] == sum(1 for r in everyone if place in (r["location"] or ""))
    scored = client.get("/creators.json?min_score=50&size=500").json()["rows"]
    assert all(r["score"] is not None and r["score"] >= 50 for r in scored)
    clean = client.get("/creators.json?flags=none&size=500").json()["rows"]
    flagged = client.get("/creators.json?flags=any&size=500").json()["rows"]
    assert len(clean) + len(flagged) == len(everyone)
    assert all(not r["flags"] for r in clean)
    assert all(r["flags"] for r in flagged)
    if flagged:
        code = flagged[0]["flags"][0]["name"]
        one_kind = client.get(f"/creators.json?flags={code}&size=500").json()["rows"]
        assert one_kind
        assert all(code in [f["name"] for f in r["flags"]] for r in one_kind)
    listed = client.get(f"/creators.json?shortlist={Q}").json()
    assert listed["total"] == 5
    searched = client.get("/creators.json?search=1&size=500").json()
    assert searched["total"] == 40


def test_paging_links_the_next_page(client: TestClient) -> None:
    first = client.get("/creators.json?size=15&sort=fans").json()
    assert (first["total"], first["page"], first["size"], len(first["rows"])) == (40, 1, 15, 15)
    assert first["next"] is not None
    assert "page=2" in first["next"]
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert len(third["rows"]) == 10
    assert third["next"] is None
    ids = [r["user_id"] for page in (first, second, third) for r in page["rows"]]
    assert len(set(ids)) == 40
    fans = [r["fans"] for page in (first, second, third) for r in page["rows"]]
    assert fans == sorted(fans, reverse=True)


def test_csv_twin_is_the_same_table(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/creators.csv?size=500").text[1:])))
    data = client.get("/creators.json?size=500").json()["rows"]
    assert [r["user_id"] for r in rows] == [r["user_id"] for r in data]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("fans_min=abc", "fans_min"),
        ("size=100000", "size"),
        ("sort=followers_count", "sort"),
        ("desc=2", "desc"),
        ("page=0", "page"),
        ("gender=robot", "gender"),
        ("flags=weird", "flags"),
        ("content=audio", "content"),
        ("fans_min=10&fans_max=5", "fans_min"),
        ("page=99", "page"),
    ],
)
def test_bad_parameters_get_400_naming_them(client: TestClient, query: str, parameter: str) -> None:
    answer = client.get(f"/creators.json?{query}")
    assert answer.status_code == 400
    assert answer.json()["parameter"] == parameter
    assert parameter in answer.json()["error"]
    page = client.get(f"/creators?{query}")
    assert page.status_code == 400
    assert parameter in page.text


def test_unknown_creator_and_shortlist_get_404(client: TestClient) -> None:
    for path in (
        "/creators/0123456789abcdef01234567",
        "/creators/not-an-id",
        "/creators/0123456789abcdef01234567.json",
        "/shortlists/nobody",
        "/shortlists/nobody.json",
        "/shortlists/nobody/export.xlsx",
        "/compare?shortlist=nobody",
        "/plan?shortlist=nobody&budget=100",
        "/creators?shortlist=nobody",
        "/creators.json?search=999",
    ):
        assert client.get(path).status_code == 404, path


def test_creator_detail_has_everything(client: TestClient) -> None:
    ranked = client.get("/creators.json?size=500").json()["rows"]
    member = client.get(f"/shortlists/{Q}.json").json()["members"][0]
    detail = client.get(f"/creators/{member['user_id']}.json").json()
    assert detail["metrics"]["score"] == next(
        r["score"] for r in ranked if r["user_id"] == member["user_id"]
    )
    assert detail["notes"]
    assert {"kind", "brand", "reads", "interactions", "date", "url"} <= set(detail["notes"][0])
    assert {n["kind"] for n in detail["notes"]} <= {"daily", "cooperation"}
    assert detail["followers"]
    assert detail["snapshots"]
    assert detail["shortlists"] == [SHORTLIST]
    assert detail["found_by_searches"][0]["search_id"] == 1
    assert {"median_reads", "cpm", "cpe"} <= set(detail["platform"])
    page = client.get(f"/creators/{member['user_id']}")
    assert "data-trend" in page.text
    assert "data-scatter" in page.text
    assert "/static/plotly.min.js" in page.text
    assert "xiaohongshu.com/user/profile/" + member["user_id"] in page.text


def test_compare_has_the_rows_of_pgy_compare(client: TestClient, web_db: str) -> None:
    done = run_pgy("compare", "--shortlist", SHORTLIST, "-f", "json", db=web_db)
    assert done.returncode == 0, done.stderr
    expected = json.loads(done.stdout)
    ours = client.get(f"/compare.json?shortlist={Q}").json()
    assert ours == expected
    ids = ",".join(c["user_id"] for c in expected["creators"][:3])
    by_ids = client.get(f"/compare.json?ids={ids}").json()
    assert [c["user_id"] for c in by_ids["creators"]] == ids.split(",")
    page = client.get(f"/compare?shortlist={Q}")
    assert page.text.count("num best") == sum(len(r["best"]) for r in expected["rows"])
    many = ",".join(r["user_id"] for r in client.get("/creators.json?size=11").json()["rows"])
    assert client.get(f"/compare.json?ids={many}").json()["parameter"] == "ids"


def test_plan_has_the_numbers_of_pgy_plan(client: TestClient, web_db: str) -> None:
    args = ("--budget", "200000", "--min-creators", "2", "--max-share", "0.4")
    done = run_pgy("plan", "--shortlist", SHORTLIST, *args, "-f", "json", db=web_db)
    assert done.returncode == 0, done.stderr
    expected = json.loads(done.stdout)
    ours = client.get(f"/plan.json?shortlist={Q}&budget=200000&min_creators=2&max_share=0.4").json()
    assert ours == expected
    assert ours["money_left"] == pytest.approx(expected["budget"] - expected["total_cost"])
    page = client.get(f"/plan?shortlist={Q}&budget=200000&min_creators=2&max_share=0.4")
    for chosen in expected["selected"]:
        assert chosen["user_id"] in page.text
    assert client.get(f"/plan.json?shortlist={Q}&budget=-5").json()["parameter"] == "budget"


def test_usage_counts_the_ledger_as_pgy_usage_does(client: TestClient, web_db: str) -> None:
    done = run_pgy("usage", "-f", "json", db=web_db)
    total = json.loads(done.stdout)
    ours = client.get("/usage.json?days=3650").json()
    for key in ("calls", "billed", "cache_hits", "retries"):
        assert ours["total"][key] == total[key]
        assert sum(d[key] for d in ours["by_day"]) == total[key]
    assert {e["key"]: e["calls"] for e in ours["by_endpoint"]} == total["by_endpoint"]
    assert client.get("/usage.json?days=abc").json()["parameter"] == "days"


def test_usage_states_the_cost_when_a_price_is_set(web_db: str) -> None:
    from tests.web.conftest import make_client

    with make_client(web_db, lang="en", price_per_call=0.5) as priced:
        ours = priced.get("/usage.json?days=3650").json()
        assert ours["total"]["estimated_cost"] == ours["total"]["billed"] * 0.5
        assert "¥" in priced.get("/usage").text


def test_pages_follow_the_language(web_db: str) -> None:
    from tests.web.conftest import make_client

    with make_client(web_db, lang="zh") as zh:
        page = zh.get("/creators").text
        assert "粉丝" in page
        assert "性价比" in page
        assert "万" in page  # 10,000 and up read as 万
        english = zh.get("/creators?lang=en").text
        assert "Followers" in english
        assert "粉丝下限" not in english
