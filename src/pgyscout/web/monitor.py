"""The monitor's pages: watched creators and their alerts (``pgy monitor`` does the watching)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pgyscout.store.monitor import ack_alerts, list_alerts, list_watched
from pgyscout.web.app import csv_response, in_thread, json_response, page, read_form, render, web_of
from pgyscout.web.params import BadParam


def watched(request: Request, fmt: str) -> Response:
    with web_of(request).store.begin() as conn:
        found = list_watched(conn)
    if fmt == "json":
        return json_response({"watched": [w.as_json() for w in found]})
    if fmt == "csv":
        return csv_response([w.as_json() for w in found], "monitor.csv")
    return render(request, "monitor.html.j2", {"watched": found})


def alerts(request: Request, fmt: str) -> Response:
    open_raw = request.query_params.get("open", "0")
    if open_raw not in ("0", "1"):
        raise BadParam("open", f"open must be 0 or 1, not {open_raw[:20]!r}")
    with web_of(request).store.begin() as conn:
        found = list_alerts(conn, open_only=open_raw == "1")
    records = [a.as_json() for a in found]
    if fmt == "json":
        return json_response({"alerts": records})
    if fmt == "csv":
        return csv_response(records, "alerts.csv")
    return render(request, "alerts.html.j2", {"alerts": found, "open_only": open_raw == "1"})


async def acknowledge(request: Request) -> Response:
    form = await read_form(request)
    try:
        ids = [int(part) for part in form.get("ids", "").split(",") if part.strip()]
    except ValueError:
        return await in_thread(_bad, request)  # type: ignore[no-any-return]
    store = web_of(request).store

    def work() -> None:
        with store.begin() as conn:
            ack_alerts(conn, ids)

    await in_thread(work)
    return RedirectResponse("/alerts", status_code=303)


def _bad(request: Request) -> Response:
    from pgyscout.web.app import error_response

    return error_response(request, "html", 400, "ids must be alert numbers", "ids")


def routes() -> list[Route]:
    found = []
    for path, handler, name in (("/monitor", watched, "monitor"), ("/alerts", alerts, "alerts")):
        endpoint = page(handler)
        found += [
            Route(path, endpoint, name=name),
            Route(path + ".json", endpoint, name=f"{name}_json"),
            Route(path + ".csv", endpoint, name=f"{name}_csv"),
        ]
    found.append(Route("/alerts/ack", acknowledge, methods=["POST"]))
    return found
