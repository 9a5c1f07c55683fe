"""The sandbox's HTTP face: the three upstream endpoints with real envelopes and error shapes.

It imports nothing from ``pgyscout.client`` on purpose: it is an independent reading of the
upstream docs, so it can catch the client's mistakes instead of sharing them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from pgyscout.sandbox.state import (
    SPECIAL_TOKENS,
    BadParameter,
    MissingParameter,
    SandboxConfig,
    SandboxState,
    request_key,
)

SEARCH_PATH = "/api/xiaohongshu-pgy/api/solar/cooperator/blogger/v2/v1"
NOTES_PATH = "/api/xiaohongshu-pgy/api/solar/kol/dataV2/notesDetail/v1"
TREND_PATH = "/api/xiaohongshu-pgy/get-kol-fans-trend/v1"


class DroppedResponse(Response):
    """Promises a body, sends a piece of it, and hangs up: a connection dropped mid-answer."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send(
            {"type": "http.response.body", "body": b'{"code":0,"data":{"li', "more_body": True}
        )


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


def _envelope(code: int, data: Any = None, message: str | None = None) -> JSONResponse:
    record_time = dt.datetime.now().isoformat() if code == 0 else None
    return JSONResponse({"code": code, "data": data, "message": message, "recordTime": record_time})


async def answer(
    state: SandboxState,
    request: Request,
    endpoint: str,
    build: Callable[[dict[str, str]], dict[str, Any]],
) -> Response:
    state.counters.start(endpoint)
    params = dict(request.query_params)
    token = params.pop("token", "").strip()
    billed_key: str | None = None
    code = "error"
    try:
        response, code = await _respond(state, request, endpoint, build, params, token)
        if code in ("0", "201"):
            billed_key = request_key(endpoint, params)
        return response
    finally:
        state.counters.finish(code, billed_key, token)


async def _respond(
    state: SandboxState,
    request: Request,
    endpoint: str,
    build: Callable[[dict[str, str]], dict[str, Any]],
    params: dict[str, str],
    token: str,
) -> tuple[Response, str]:
    if not token:
        return _envelope(100, message="INVALID TOKEN"), "100"
    if token in SPECIAL_TOKENS:
        special, text = SPECIAL_TOKENS[token]
        return _envelope(special, message=text), str(special)
    if endpoint == "trend" and state.config.trend_gone:
        return PlainTextResponse("Not Found", status_code=404), "http_404"
    if state.limiter is not None and not state.limiter.allow():
        return _envelope(302, message="RATE LIMIT EXCEEDED"), "302"
    delay = state.config.latency_ms + state.rng.uniform(0, state.config.latency_jitter_ms)
    if delay > 0:
        await asyncio.sleep(delay / 1000)
    fault = state.roll_fault()
    if fault == "fault_drop":
        return DroppedResponse(), "drop"
    if fault == "fault_http5xx":
        html = "<html><head><title>502 Bad Gateway</title></head><body>502</body></html>"
        return Response(html, status_code=502, media_type="text/html"), "http_502"
    if fault == "fault_garbled":
        page = "<html><body>请登录 / please sign in</body></html>"
        return Response(page, status_code=200, media_type="text/html"), "garbled"
    if fault == "fault_301":
        return _envelope(301, message="FAILED, RETRY"), "301"
    if fault == "fault_500":
        return _envelope(500, message="SERVER ERROR"), "500"
    if (
        state.config.quota is not None
        and state.counters.billed_for_token(token) >= state.config.quota
    ):
        return _envelope(303, message="DAILY QUOTA EXCEEDED"), "303"
    if fault == "no_content":
        return _envelope(201, message="NO CONTENT"), "201"
    try:
        data = build(params)
    except MissingParameter:
        body = {
            "timestamp": dt.datetime.now().astimezone().isoformat(timespec="milliseconds"),
            "status": 400,
            "error": "Bad Request",
            "path": request.url.path,
        }
        return JSONResponse(body, status_code=400), "http_400"
    except BadParameter as exc:
        return _envelope(400, message=f"INVALID PARAMETER: {exc.name}"), "400"
    who = params.get("userId") or params.get("kolId")
    if who in state.config.malformed_users:
        if endpoint == "trend":
            return _envelope(0, None), "0"
        notes = [dict(n) for n in data.get("list", [])]
        if notes:
            notes[-1].pop("noteId", None)
        return _envelope(0, {**data, "list": notes}), "0"
    return _envelope(0, data), "0"


def build_app(config: SandboxConfig | None = None) -> tuple[Starlette, SandboxState]:
    state = SandboxState(config or SandboxConfig())
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())

    async def search(request: Request) -> Response:
        return await answer(state, request, "search", state.search)

    async def notes(request: Request) -> Response:
        return await answer(state, request, "notes", state.notes)

    async def trend(request: Request) -> Response:
        return await answer(state, request, "trend", state.trend)

    async def stats(request: Request) -> Response:
        return JSONResponse(
            state.counters.snapshot(detail=request.query_params.get("detail") == "1")
        )

    async def reset(request: Request) -> Response:
        state.counters.reset()
        return JSONResponse({"reset": True})

    async def clock(request: Request) -> Response:
        """The simulated day: GET tells it, POST ?day_offset=N moves it."""
        if request.method == "POST":
            try:
                state.population.set_day_offset(int(request.query_params.get("day_offset", "")))
            except ValueError:
                return JSONResponse({"error": "day_offset must be a whole number from 0"}, 400)
        population = state.population
        return JSONResponse(
            {"day_offset": population.day_offset, "today": population.today.isoformat()}
        )

    async def index(request: Request) -> Response:
        return JSONResponse(
            {
                "sandbox": "pgyscout",
                "creators": state.config.size,
                "seed": state.config.seed,
                "endpoints": [SEARCH_PATH, NOTES_PATH, TREND_PATH],
                "special_tokens": {k: v[0] for k, v in SPECIAL_TOKENS.items()},
                "stats": "/_sandbox/stats",
            }
        )

    routes = [
        Route(SEARCH_PATH, search),
        Route(NOTES_PATH, notes),
        Route(TREND_PATH, trend),
        Route("/_sandbox/stats", stats),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/clock", clock, methods=["GET", "POST"]),
        Route("/", index),
    ]
    return Starlette(routes=routes), state
