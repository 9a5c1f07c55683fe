"""The dashboard's read-only pages, each with a JSON twin (tables also CSV)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pgyscout.analysis import Content, Profile, plan
from pgyscout.analysis.flags import FLAG_CODES, daily_increases, spike_days
from pgyscout.analysis.metrics import interactions, is_sponsored
from pgyscout.client import InvalidInputError
from pgyscout.errors import PlanError, ShortlistError
from pgyscout.links import note_url, profile_url
from pgyscout.store.creator_page import load_creator_page
from pgyscout.store.entities import search_user_ids, utcnow
from pgyscout.store.scope import Scope, judge_scope
from pgyscout.store.searches import filters_in_words, list_searches
from pgyscout.store.shortlists import list_shortlists, shortlist_members
from pgyscout.store.views import note_rows
from pgyscout.web import queries
from pgyscout.web.app import (
    NotFound,
    csv_response,
    json_response,
    lang_of,
    page,
    render,
    strip_suffix,
    web_of,
)
from pgyscout.web.catalog import creator_row, flag_list, select_creators
from pgyscout.web.params import (
    MAX_COMPARE,
    BadParam,
    parse_content,
    parse_creator_query,
    parse_ids,
    parse_plan_query,
)

USAGE_DAYS = 30
# `pgy compare` names its rows in English; the page shows the shared label of the same figure.
COMPARE_LABELS = {
    "followers": "fans",
    "price (yuan)": "price",
    "notes judged": "notes",
    "median reads": "median_reads",
    "median interactions": "median_interactions",
    "expected reads": "expected_reads",
    "platform median reads": "platform_median_reads",
    "engagement rate": "engagement_rate",
    "viral rate (≥100 likes)": "viral_rate_100",
    "viral rate (≥1,000 likes)": "viral_rate_1000",
    "sponsored share": "sponsored_share",
    "notes per 30 days": "notes_per_30_days",
    "longest gap (days)": "longest_gap_days",
    "followers gained": "followers_gained",
    "growth per 30 days": "growth_per_30_days",
    "CPM (yuan)": "cpm",
    "CPE (yuan)": "cpe",
    "platform CPM (yuan)": "platform_cpm",
    "platform CPE (yuan)": "platform_cpe",
    "flags": "flags",
    "score": "score",
}


# --- home -------------------------------------------------------------------------------------


def home(request: Request, fmt: str) -> Response:
    with web_of(request).store.begin() as conn:
        summary = queries.home_summary(conn, utcnow())
    if fmt == "json":
        return json_response(
            {
                "creators": summary.creators,
                "enriched": summary.enriched,
                "searches": [
                    {**s.record(), "filters": filters_in_words(s.params, lang_of(request))}
                    for s in summary.searches
                ],
                "shortlists": [vars(s) for s in summary.shortlists],
                "unfinished_jobs": [vars(j) for j in summary.jobs],
                "calls_7d": summary.calls_7d,
                "billed_7d": summary.billed_7d,
                "oldest_fetch": summary.oldest_fetch,
                "newest_fetch": summary.newest_fetch,
            }
        )
    return render(request, "home.html.j2", {"s": summary})


# --- creators ---------------------------------------------------------------------------------


def creators(request: Request, fmt: str) -> Response:
    web = web_of(request)
    query = parse_creator_query(request.query_params, FLAG_CODES)
    with web.store.begin() as conn:
        within: list[str] | None = None
        if query.search is not None:
            within = search_user_ids(conn, query.search)
            if not within:
                raise NotFound(f"no saved search #{query.search}")
        if query.shortlist is not None:
            try:
                members = [m.user_id for m in shortlist_members(conn, query.shortlist)]
            except ShortlistError as exc:
                raise NotFound(str(exc)) from None
            within = members if within is None else [u for u in within if u in set(members)]
        result = select_creators(conn, query, lambda: web.facts.get(conn), within)
        shortlists = list_shortlists(conn)
    if result.query.page > result.pages and result.total:
        raise BadParam("page", f"page {query.page} is past the last page ({result.pages})")
    rows = [creator_row(p, result.fetched_at.get(p.user_id)) for p in result.rows]
    if fmt == "json":
        next_url = (
            None
            if result.next_page is None
            else str(
                request.url_for("creators_json").include_query_params(
                    **query.as_params(page=result.next_page)
                )
            )
        )
        return json_response(
            {
                "total": result.total,
                "page": query.page,
                "size": query.size,
                "rows": rows,
                "next": next_url,
            }
        )
    if fmt == "csv":
        return csv_response(rows, "creators.csv")
    return render(
        request,
        "creators.html.j2",
        {
            "result": result,
            "query": query,
            "flag_codes": FLAG_CODES,
            "shortlists": shortlists,
            "sort_keys": ("score", "cpm", "cpe", "engagement", "growth", "reads", "fans", "price"),
        },
    )


# --- one creator ------------------------------------------------------------------------------


def creator_detail(request: Request, fmt: str) -> Response:
    raw_id, fmt = strip_suffix(request.path_params["user_id"])
    content = parse_content(request.query_params)
    web = web_of(request)
    with web.store.begin() as conn:
        try:
            # Judged as `pgy show` and `pgy rank` judge it (a shortened id works too).
            found = load_creator_page(conn, raw_id, content)
        except InvalidInputError:
            raise NotFound(
                f"no stored creator {raw_id[:40]!r}: pgy search finds creators"
            ) from None
        user_id = found.user_id
        notes = note_rows(conn, [user_id])
        searches = [info for sid in found.searches for info in list_searches(conn, sid)]
        fetched = queries.fetched_at(conn, [user_id]).get(user_id)
        shortlists = list_shortlists(conn)
    profile = found.profile
    on_lists = [m.shortlist for m in found.shortlists]
    d = found.data
    daily = daily_increases(d.totals) or sorted(
        (p.date, p.num) for p in d.increases if p.date and p.num is not None
    )
    spikes = [{"date": day, "gained": gained} for day, gained, _z in spike_days(daily)]
    note_list = [
        {
            "note_id": n.note_id,
            "title": n.title,
            "date": n.date,
            "kind": "cooperation" if is_sponsored(n) else "daily",
            "brand": n.brand_name,
            "reads": n.read_num,
            "likes": n.like_num,
            "collects": n.collect_num,
            "interactions": interactions(n),
            "is_video": n.is_video,
            "url": note_url(n.note_id),
        }
        for n in notes
    ]
    c = profile.creator
    document: dict[str, Any] = {
        "user_id": c.user_id,
        "name": c.name,
        "red_id": c.red_id,
        "location": c.location,
        "gender": c.gender,
        "fans": c.fans_num,
        "tags": c.categories,
        "subtags": [s for t in c.content_tags or [] for s in t.subcategories],
        "profile_url": profile_url(c.user_id),
        "price_photo": c.picture_price if c.picture_offered else None,
        "price_video": c.video_price if c.video_offered else None,
        "content": content,
        "metrics": creator_row(profile, fetched),
        "platform": {
            "median_reads": profile.platform_reads,
            "cpm": profile.platform_cpm,
            "cpe": profile.platform_cpe,
            "fans_30d_growth_rate_percent": c.fans30_growth_rate,
            "active_fans_percent": c.fans_active_in28d_lv,
        },
        "flags": flag_list(profile),
        "found_by_searches": [
            {**s.record(), "filters": filters_in_words(s.params, lang_of(request))}
            for s in searches
        ],
        "followers": [{"date": p.date, "num": p.num} for p in d.totals],
        "new_followers": [{"date": day, "num": num} for day, num in daily],
        "spikes": spikes,
        "notes": note_list,
        "snapshots": [vars(s) for s in found.snapshots],
        "shortlists": on_lists,
        "fetched_at": fetched,
    }
    if fmt in ("json", "csv"):
        return json_response(document)
    return render(
        request,
        "creator.html.j2",
        {
            "d": document,
            "p": profile,
            "all_shortlists": [s.name for s in shortlists if s.name not in on_lists],
            "charts": detail_charts(document),
        },
    )


def detail_charts(document: dict[str, Any]) -> dict[str, Any]:
    """Plain data for app.js to draw: follower trend with spikes, reads against interactions."""
    spikes = {str(s["date"]) for s in document["spikes"]}
    followers = [(str(p["date"]), p["num"]) for p in document["followers"]]
    return {
        "trend": {
            "x": [x for x, _ in followers],
            "y": [y for _, y in followers],
            "spike_x": [x for x, _ in followers if x in spikes],
            "spike_y": [y for x, y in followers if x in spikes],
        },
        "scatter": {
            "x": [n["reads"] for n in document["notes"]],
            "y": [n["interactions"] for n in document["notes"]],
            "text": [n["title"] or n["note_id"] for n in document["notes"]],
            "kind": [n["kind"] for n in document["notes"]],
        },
    }


# --- compare ----------------------------------------------------------------------------------


def _scope_ids(request: Request, conn: Any) -> tuple[list[str], str | None]:
    name = request.query_params.get("shortlist")
    if name:
        try:
            return [m.user_id for m in shortlist_members(conn, name)], name
        except ShortlistError as exc:
            raise NotFound(str(exc)) from None
    return parse_ids(request.query_params), None


def _judge(conn: Any, ids: Sequence[str], content: Content) -> list[Profile]:
    return judge_scope(conn, Scope(list(ids), "page"), content).profiles


def compare(request: Request, fmt: str) -> Response:
    from pgyscout.analysis import compare as compare_profiles
    from pgyscout.web.fmt import MEASURE_KINDS

    content = parse_content(request.query_params)
    with web_of(request).store.begin() as conn:
        ids, shortlist = _scope_ids(request, conn)
        if len(ids) > MAX_COMPARE:
            raise BadParam("ids", f"compare takes at most {MAX_COMPARE} creators, not {len(ids)}")
        profiles = _judge(conn, ids, content)
        lists = list_shortlists(conn)
    comparison = compare_profiles(profiles)
    if fmt == "json":
        return json_response(comparison.document())
    if fmt == "csv":
        return csv_response(comparison.flat_records(), "compare.csv")
    shown = [
        {
            "metric": row.measure.label,
            "label_key": COMPARE_LABELS.get(row.measure.label),
            "better": row.measure.better,
            "cells": [
                {"text": MEASURE_KINDS[row.measure.kind](v), "best": i in row.best}
                for i, v in enumerate(row.values)
            ],
        }
        for row in comparison.rows
    ]
    return render(
        request,
        "compare.html.j2",
        {
            "profiles": profiles,
            "rows": shown,
            "shortlist": shortlist,
            "ids": ",".join(ids),
            "shortlists": lists,
            "asked": bool(ids),
        },
    )


# --- plan -------------------------------------------------------------------------------------


def plan_page(request: Request, fmt: str) -> Response:
    query = parse_plan_query(request.query_params)
    with web_of(request).store.begin() as conn:
        lists = list_shortlists(conn)
        ids: list[str] = query.ids
        if query.shortlist:
            try:
                ids = [m.user_id for m in shortlist_members(conn, query.shortlist)]
            except ShortlistError as exc:
                raise NotFound(str(exc)) from None
        profiles = _judge(conn, ids, query.content) if ids and query.budget else []
    document = None
    error = None
    if profiles and query.budget:
        try:
            result = plan(
                profiles,
                query.budget,
                query.objective,
                min_creators=query.min_creators,
                max_share=query.max_share,
            )
            document = result.document()
        except (PlanError, ValueError) as exc:
            error = str(exc)
    if fmt == "json":
        if error is not None:
            return json_response({"error": error, "status": 422}, 422)
        return json_response(
            document or {"error": "give shortlist (or ids) and budget"}, 200 if document else 400
        )
    if fmt == "csv":
        rows = (
            []
            if document is None
            else [{"status": "selected", **s} for s in document["selected"]]
            + [{"status": "left_out", **lo} for lo in document["left_out"]]
        )
        return csv_response(rows, "plan.csv")
    names = {p.user_id: p.name for p in profiles}
    return render(
        request,
        "plan.html.j2",
        {"query": query, "plan": document, "error": error, "shortlists": lists, "names": names},
    )


# --- shortlists -------------------------------------------------------------------------------


def shortlists(request: Request, fmt: str) -> Response:
    with web_of(request).store.begin() as conn:
        found = list_shortlists(conn)
    if fmt == "json":
        return json_response({"shortlists": [vars(s) for s in found]})
    if fmt == "csv":
        return csv_response([vars(s) for s in found], "shortlists.csv")
    return render(request, "shortlists.html.j2", {"shortlists": found})


def shortlist_detail(request: Request, path_name: str) -> Response:
    name, fmt = strip_suffix(path_name)
    web = web_of(request)
    content = parse_content(request.query_params)
    with web.store.begin() as conn:
        try:
            members = shortlist_members(conn, name)
        except ShortlistError:
            raise NotFound(f"no shortlist named {name!r}") from None
        judged = judge_scope(conn, Scope([m.user_id for m in members], name), content)
        fetched = queries.fetched_at(conn, [m.user_id for m in members])
    notes = {m.user_id: m.note for m in members}
    profiles, missing = judged.profiles, judged.missing
    rows = [
        {**creator_row(p, fetched.get(p.user_id)), "note": notes.get(p.user_id)} for p in profiles
    ]
    if fmt == "json":
        return json_response({"name": name, "members": rows, "not_stored": missing})
    if fmt == "csv":
        return csv_response(rows, f"{name}.csv")
    return render(
        request,
        "shortlist.html.j2",
        {
            "name": name,
            "profiles": profiles,
            "notes": notes,
            "missing": missing,
            "fetched": fetched,
            "content": content,
        },
    )


# --- usage ------------------------------------------------------------------------------------


def usage(request: Request, fmt: str) -> Response:
    web = web_of(request)
    days_raw = request.query_params.get("days", str(USAGE_DAYS))
    try:
        days = int(days_raw)
    except ValueError:
        raise BadParam("days", f"days must be a whole number, not {days_raw!r}") from None
    if not 1 <= days <= 3650:
        raise BadParam("days", f"days must be from 1 to 3650, not {days}")
    since = utcnow() - dt.timedelta(days=days)
    with web.store.begin() as conn:
        report = queries.usage_breakdown(conn, since, web.config.price_per_call)
    price = report.price_per_call

    def row(r: queries.UsageRow) -> dict[str, Any]:
        return {
            "key": r.key,
            "calls": r.calls,
            "billed": r.billed,
            "cache_hits": r.cache_hits,
            "retries": r.retries,
            "estimated_cost": r.cost(price),
            "by_code": r.by_code,
        }

    if fmt == "json":
        return json_response(
            {
                "since": since,
                "days": days,
                "price_per_call": price,
                "total": row(report.total),
                "by_day": [row(r) for r in report.by_day],
                "by_endpoint": [row(r) for r in report.by_endpoint],
            }
        )
    if fmt == "csv":
        return csv_response(
            [{"kind": "day", **row(r)} for r in report.by_day]
            + [{"kind": "endpoint", **row(r)} for r in report.by_endpoint],
            "usage.csv",
        )
    chart = {
        "x": [r.key for r in report.by_day],
        "calls": [r.calls for r in report.by_day],
        "billed": [r.billed for r in report.by_day],
        "cache": [r.cache_hits for r in report.by_day],
    }
    return render(request, "usage.html.j2", {"u": report, "days": days, "chart": chart})


def routes() -> list[Route]:
    pairs = [
        ("/", home, "home", ("/index.json",)),
        ("/creators", creators, "creators", ("/creators.json", "/creators.csv")),
        ("/shortlists", shortlists, "shortlists", ("/shortlists.json", "/shortlists.csv")),
        ("/compare", compare, "compare", ("/compare.json", "/compare.csv")),
        ("/plan", plan_page, "plan", ("/plan.json", "/plan.csv")),
        ("/usage", usage, "usage", ("/usage.json", "/usage.csv")),
    ]
    found: list[Route] = []
    for path, handler, name, twins in pairs:
        endpoint = page(handler)
        found.append(Route(path, endpoint, name=name))
        for twin in twins:
            found.append(Route(twin, endpoint, name=f"{name}_{twin.rsplit('.', 1)[1]}"))
    found.append(Route("/creators/{user_id}", page(creator_detail), name="creator"))
    return found
