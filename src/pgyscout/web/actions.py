"""What the dashboard changes: shortlists (every POST checks its CSRF token), file downloads
through the export and report code, and the three paid actions, each behind a confirmation
page that states the most calls it can make."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from pgyscout.client import redact
from pgyscout.client.params import check_user_id, search_filters
from pgyscout.collect.enrich import SLOW_START_QPS, EnrichOptions, run_job
from pgyscout.errors import InvalidInputError, ShortlistError
from pgyscout.labels import header
from pgyscout.store import Store
from pgyscout.store import jobs as job_store
from pgyscout.store.entities import save_search_page, utcnow
from pgyscout.store.scope import judge_scope, report_scope, resolve_scope
from pgyscout.store.searches import list_searches
from pgyscout.store.shortlists import (
    add_members,
    create_shortlist,
    delete_shortlist,
    remove_members,
    rename_shortlist,
    shortlist_members,
)
from pgyscout.store.views import load_creator_data
from pgyscout.web.app import (
    NotFound,
    error_response,
    in_thread,
    lang_of,
    page,
    read_form,
    render,
    web_of,
)

EXPORT_SUFFIXES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


def shortlist_url(name: str) -> str:
    return "/shortlists/" + quote(name, safe="")


def back(form: dict[str, str], default: str) -> str:
    """Where to go after a change: a local path only (never another host)."""
    target = form.get("next") or default
    return target if target.startswith("/") and not target.startswith("//") else default


def _change(request: Request, form: dict[str, str], work: Any, default: str) -> Response:
    try:
        target = work()
    except ShortlistError as exc:
        message = str(exc)
        status = 404 if message.startswith("no shortlist") else 400
        return error_response(request, "html", status, message, "name")
    except ValueError as exc:
        return error_response(request, "html", 400, str(exc), "user_id")
    return RedirectResponse(target or back(form, default), status_code=303)


async def shortlist_create(request: Request) -> Response:
    form = await read_form(request)
    store = web_of(request).store

    def work() -> str | None:
        with store.begin() as conn:
            create_shortlist(conn, form.get("name", ""))
            ids = [check_user_id(u, "user_id") for u in form.get("user_id", "").split() if u]
            if ids:
                add_members(conn, form["name"], ids, form.get("note") or None)
        return None if form.get("next") else shortlist_url(form.get("name", "").strip())

    response = await in_thread(_change, request, form, work, "/shortlists")
    assert isinstance(response, Response)
    return response


async def shortlist_post(request: Request) -> Response:
    """Rename, delete, add, remove and note: POST /shortlists/{name}/{verb}."""
    name, _, verb = request.path_params["rest"].rpartition("/")
    form = await read_form(request)
    store = web_of(request).store
    user_id = form.get("user_id", "").strip()

    def work() -> str | None:
        with store.begin() as conn:
            if verb == "rename":
                return shortlist_url(rename_shortlist(conn, name, form.get("new_name", "")))
            if verb == "delete":
                delete_shortlist(conn, name)
                return "/shortlists"
            uid = check_user_id(user_id, "user_id")
            if verb == "add":
                add_members(conn, name, [uid], form.get("note") or None)
            elif verb == "remove":
                remove_members(conn, name, [uid])
            elif verb == "note":
                shortlist_id_members = {m.user_id for m in shortlist_members(conn, name)}
                if uid not in shortlist_id_members:
                    raise ShortlistError(f"{uid} is not on shortlist {name!r}")
                add_members(conn, name, [uid], form.get("note", "").strip())
        return None

    if verb not in ("rename", "delete", "add", "remove", "note"):
        return error_response(request, "html", 404, f"no such change: {verb}")
    response = await in_thread(_change, request, form, work, shortlist_url(name))
    assert isinstance(response, Response)
    return response


# --- downloads --------------------------------------------------------------------------------


def shortlist_export(request: Request, name: str, suffix: str) -> Response:
    """The shortlist with every metric, its notes and trends, through the export code."""
    if suffix not in EXPORT_SUFFIXES:
        raise NotFound(f"no export as .{suffix}: xlsx, csv or parquet")
    from pgyscout.export import export_tables, write_tables

    web = web_of(request)
    with web.store.begin() as conn:
        try:
            scope = resolve_scope(conn, shortlist=name, default_all=False)
        except InvalidInputError:
            raise NotFound(f"no shortlist named {name!r}") from None
        judged = judge_scope(conn, scope)
        tables = export_tables(conn, "shortlist", scope.user_ids, judged.profiles)
    path = Path(tempfile.mkdtemp(prefix="pgyscout-export-")) / f"shortlist.{suffix}"
    lang = lang_of(request)
    write_tables(tables, path, lambda column: header(column, lang))
    return FileResponse(path, media_type=EXPORT_SUFFIXES[suffix], filename=f"{name}.{suffix}")


def shortlist_report(request: Request, name: str) -> Response:
    """The offline HTML report of the shortlist, by the report code, as a download."""
    from pgyscout.export import write_report

    web = web_of(request)
    with web.store.begin() as conn:
        try:
            scope = resolve_scope(conn, shortlist=name, default_all=False)
        except InvalidInputError:
            raise NotFound(f"no shortlist named {name!r}") from None
        ranking = report_scope(conn, scope)
    path = Path(tempfile.mkdtemp(prefix="pgyscout-report-")) / "report.html"
    write_report(path, ranking, generated_at=utcnow(), lang=lang_of(request))
    return FileResponse(
        path,
        media_type="text/html; charset=utf-8",
        filename=f"{name}-report.html",
    )


def shortlist_get(request: Request, fmt: str) -> Response:
    """A shortlist's page (names may hold '/'), its downloads and its report."""
    from pgyscout.web.pages import shortlist_detail

    rest = request.path_params["rest"]
    download = EXPORT_PATH.search(rest)
    if download is not None:
        return shortlist_export(request, rest[: download.start()], download.group(1))
    if rest.endswith(REPORT_SUFFIX):
        return shortlist_report(request, rest[: -len(REPORT_SUFFIX)])
    return shortlist_detail(request, rest)


EXPORT_PATH = re.compile(r"/export\.([a-z]+)$")
REPORT_SUFFIX = "/report.html"


# --- paid actions -----------------------------------------------------------------------------


@dataclass
class Action:
    """One paid action running in the background, as its progress page shows it."""

    id: str
    kind: str
    title: str
    max_calls: int
    back: str
    status: str = "running"  # running | done | failed
    done: int = 0
    total: int = 0
    calls: int = 0
    billed: int = 0
    cache_hits: int = 0
    message: str | None = None
    started_at: dt.datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class PaidPlan:
    kind: str
    title: str
    max_calls: int
    back: str
    user_ids: list[str] = field(default_factory=list)
    search_id: int | None = None
    search_page: int | None = None
    search_params: dict[str, Any] = field(default_factory=dict)


def plan_paid(request: Request, kind: str, target: str) -> PaidPlan:
    """What a paid action would do, and the most calls it can cost, before anything is paid."""
    store = web_of(request).store
    if kind == "refresh":
        try:
            user_id = check_user_id(target, "user_id")
        except ValueError:
            raise NotFound(f"no creator {target[:40]!r}") from None
        with store.begin() as conn:
            data, missing = load_creator_data(conn, [user_id])
        if missing:
            raise NotFound(f"no stored creator {user_id}")
        name = data[0].creator.name or user_id
        options = EnrichOptions(notes_pages=1, trend_days=30)
        return PaidPlan(
            kind, name, options.calls_per_creator() or 2, f"/creators/{user_id}", [user_id]
        )
    if kind == "enrich":
        with store.begin() as conn:
            try:
                ids = [m.user_id for m in shortlist_members(conn, target)]
            except ShortlistError:
                raise NotFound(f"no shortlist named {target!r}") from None
        options = EnrichOptions(notes_pages=1, trend_days=30)
        per = options.calls_per_creator() or 2
        return PaidPlan(kind, target, per * len(ids), shortlist_url(target), ids)
    if kind == "search":
        try:
            search_id = int(target)
        except ValueError:
            raise NotFound(f"no saved search {target[:20]!r}") from None
        with store.begin() as conn:
            found = list_searches(conn, search_id)
        if not found:
            raise NotFound(f"no saved search #{search_id}")
        saved = found[0]
        first = int(saved.params.get("first_page") or 1)
        next_page = first + saved.pages
        pages_total = -(-(saved.total or 0) // 20) if saved.total is not None else None
        if pages_total is not None and next_page > pages_total:
            raise NotFound(f"search #{search_id} has no page {next_page}: it has {pages_total}")
        return PaidPlan(kind, f"#{search_id}", 1, "/", [], search_id, next_page, dict(saved.params))
    raise NotFound(f"no paid action {kind!r}")


def confirm(request: Request, _fmt: str) -> Response:
    kind = request.path_params["kind"]
    paid = plan_paid(request, kind, request.query_params.get("target", ""))
    web = web_of(request)
    price = web.config.price_per_call
    return render(
        request,
        "confirm.html.j2",
        {
            "paid": paid,
            "target": request.query_params.get("target", ""),
            "cost": None if price is None else paid.max_calls * price,
        },
    )


async def run_paid(request: Request) -> Response:
    kind = request.path_params["kind"]
    form = await read_form(request)
    web = web_of(request)
    try:
        paid = plan_paid(request, kind, form.get("target", ""))
    except NotFound as exc:
        return error_response(request, "html", 404, str(exc))
    if not await in_thread(_has_token, request):
        return render(
            request,
            "confirm.html.j2",
            {"paid": paid, "target": form.get("target"), "cost": None},
            400,
        )
    action = Action(secrets.token_urlsafe(8), kind, paid.title, paid.max_calls, paid.back)
    web.actions[action.id] = action
    options = dict(web.config.client_options)
    thread = threading.Thread(
        target=_run_in_background, args=(web.store, paid, action, options), daemon=True
    )
    thread.start()
    return RedirectResponse(f"/actions/{action.id}", status_code=303)


def _has_token(request: Request) -> bool:
    from pgyscout.web.app import has_token

    return has_token(web_of(request))


def _run_in_background(
    store: Store, paid: PaidPlan, action: Action, client_options: dict[str, Any]
) -> None:
    try:
        asyncio.run(_run(store, paid, action, client_options))
        action.status = "done"
    except Exception as exc:  # shown on the progress page; the token is masked in it
        from pgyscout.cli.errors import describe_failure

        action.status = "failed"
        action.message = redact(describe_failure(exc).message)


async def _run(store: Store, paid: PaidPlan, action: Action, options: dict[str, Any]) -> None:
    from pgyscout.client import AsyncClient

    if paid.kind == "search":
        cache = store.cache()
        action.total = 1
        async with AsyncClient(**options, cache=cache) as client:
            filters = search_filters(paid.search_params)
            found = await client.search_creators(page=paid.search_page or 1, **filters)
            assert paid.search_id is not None
            search_id = paid.search_id
            with store.begin() as conn:
                save_search_page(conn, search_id, found)
            stats = client.stats
        action.done = 1
        action.calls, action.billed, action.cache_hits = (
            stats.attempts,
            stats.billed,
            stats.cache_hits,
        )
        return
    enrich = EnrichOptions(notes_pages=1, trend_days=30, concurrency=4)
    job_id = job_store.create_job(store.engine, "enrich", enrich.as_json(), paid.user_ids)
    # "Refresh" asks upstream again; enriching a shortlist reuses what is under a day old.
    cache = store.cache(refresh=paid.kind == "refresh", job_id=job_id)
    action.total = len(paid.user_ids)
    async with AsyncClient(**options, cache=cache, initial_qps=SLOW_START_QPS) as client:

        def progress(p: Any) -> None:
            action.done = p.done + p.failed
            action.calls = client.stats.attempts
            action.billed = client.stats.billed
            action.cache_hits = client.stats.cache_hits

        result = await run_job(store, job_id, client, enrich, on_progress=progress)
        progress(result)
        if result.failed:
            action.message = (
                f"{result.failed} creator(s) failed: pgy enrich --retry-failed {job_id}"
            )


def action_page(request: Request, fmt: str) -> Response:
    raw, fmt = request.path_params["action_id"], fmt
    action_id = raw[:-5] if raw.endswith(".json") else raw
    action = web_of(request).actions.get(action_id)
    if action is None:
        raise NotFound("no such action (the server may have restarted)")
    if raw.endswith(".json"):
        from pgyscout.web.app import json_response

        return json_response({k: v for k, v in vars(action).items()})
    return render(request, "action.html.j2", {"a": action})


def routes() -> list[Route]:
    return [
        Route("/shortlists", shortlist_create, methods=["POST"], name="shortlist_create"),
        Route("/shortlists/{rest:path}", page(shortlist_get), name="shortlist"),
        Route("/shortlists/{rest:path}", shortlist_post, methods=["POST"]),
        Route("/paid/{kind}", page(confirm), name="confirm"),
        Route("/paid/{kind}", run_paid, methods=["POST"]),
        Route("/actions/{action_id}", page(action_page), name="action"),
    ]
