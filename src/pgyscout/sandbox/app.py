"""The sandbox's HTTP face: the three upstream endpoints with real envelopes and error shapes.

It imports nothing from ``pgyscout.client`` on purpose: it is an independent reading of the
upstream docs, so it can catch the client's mistakes instead of sharing them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import random
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from pgyscout.sandbox.population import (
    NOTES_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    SEARCH_TOTAL_CAP,
    Population,
    SynthCreator,
)
from pgyscout.sandbox.state import (
    ROLLED,
    SPECIAL_TOKENS,
    Counters,
    SandboxConfig,
    TokenBucket,
    request_key,
)

SEARCH_PATH = "/api/xiaohongshu-pgy/api/solar/cooperator/blogger/v2/v1"
NOTES_PATH = "/api/xiaohongshu-pgy/api/solar/kol/dataV2/notesDetail/v1"
TREND_PATH = "/api/xiaohongshu-pgy/get-kol-fans-trend/v1"

ENUMS = {
    "searchType": ("NICKNAME", "NOTE"),
    "fansAge": ("ALL", "LT_18", "AGE_18_24", "AGE_25_34", "AGE_35_44", "GT_44"),
    "fansGender": ("ALL", "MALE_HIGH", "FE_MALE_HIGH"),
    "gender": ("ALL", "MALE", "FEMALE"),
    "advertiseSwitch": ("ALL", "ORGANIC_ONLY"),
    "orderType": ("LATEST", "MOST_READ", "MOST_INTERACT"),
    "noteType": ("ALL", "COOPERATION", "PHOTO_TEXT", "VIDEO"),
    "isThirdPlatform": ("NO", "YES"),
    "dateType": ("_1", "_2"),
    "increaseType": ("_1", "_2"),
    "acceptCache": ("true", "false"),
}


class BadParameter(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class MissingParameter(Exception):
    pass


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


def _int_param(params: dict[str, str], name: str, default: int | None, minimum: int) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name) from None
    if value < minimum:
        raise BadParameter(name)
    return value


def _enum_param(params: dict[str, str], name: str, default: str | None) -> str:
    raw = params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise MissingParameter(name)
        return default
    if raw not in ENUMS[name]:
        raise BadParameter(name)
    return raw


class SandboxState:
    """Everything one sandbox server knows; also what tests read counters from."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.population = Population(
            config.seed, config.size, config.as_of, config.day_offset, config.plants
        )
        self.counters = Counters()
        self.limiter = TokenBucket(config.rate_limit) if config.rate_limit else None
        self._rng = random.Random(config.seed)
        ranked = sorted(self.population.creators, key=lambda c: (-c.score, c.index))
        self.orders: dict[str, list[SynthCreator]] = {
            "DEFAULT": ranked,
            "FANS": sorted(ranked, key=lambda c: (-c.fans, c.index)),
        }

    # -- the answers --------------------------------------------------------------------
    def search(self, params: dict[str, str]) -> dict[str, Any]:
        search_type = _enum_param(params, "searchType", "NICKNAME")
        page = _int_param(params, "page", 1, 1) or 1
        lower = _int_param(params, "fansNumberLower", None, 0)
        upper = _int_param(params, "fansNumberUpper", None, 0)
        fans_age = _enum_param(params, "fansAge", "ALL")
        fans_gender = _enum_param(params, "fansGender", "ALL")
        gender = _enum_param(params, "gender", "ALL")
        tags = {
            t.strip()
            for t in params.get("contentTag", "").replace("，", ",").split(",")
            if t.strip()
        }
        keyword = params.get("keyword", "").strip().lower()
        order = self.orders.get(params.get("sort", "").upper(), self.orders["DEFAULT"])

        def matches(c: SynthCreator) -> bool:
            if lower is not None and c.fans < lower:
                return False
            if upper is not None and c.fans > upper:
                return False
            if fans_age != "ALL" and c.fans_age != fans_age:
                return False
            if fans_gender != "ALL" and c.fans_gender != fans_gender:
                return False
            if gender != "ALL" and c.gender_code != gender:
                return False
            if tags and not (tags & c.tags):
                return False
            if keyword:
                text = c.name if search_type == "NICKNAME" else self.population.title_text(c)
                if keyword not in text.lower():
                    return False
            return True

        found = [c for c in order if matches(c)]
        total = min(len(found), SEARCH_TOTAL_CAP)
        start = (page - 1) * SEARCH_PAGE_SIZE
        chosen = found[start : min(start + SEARCH_PAGE_SIZE, total)]
        track = hashlib.md5(
            request_key("search", params).encode(), usedforsecurity=False
        ).hexdigest()
        return {
            "kols": [self.population.record(c) for c in chosen],
            "total": total,
            "trackId": f"kolSearch_{track}",
            "highlightWords": [params["keyword"].strip()] if keyword else [],
            "resultType": 1,
            "redirect2NickSearch": False,
        }

    def notes(self, params: dict[str, str]) -> dict[str, Any]:
        user_id = params.get("userId", "").strip()
        if not user_id:
            raise MissingParameter("userId")
        advertise = _enum_param(params, "advertiseSwitch", "ALL")
        order = _enum_param(params, "orderType", "LATEST")
        note_type = _enum_param(params, "noteType", "ALL")
        third = _enum_param(params, "isThirdPlatform", "NO")
        page = _int_param(params, "pageNumber", 1, 1) or 1
        creator = self.population.by_id.get(user_id)
        if creator is None:  # outside the marketplace: an empty list, as upstream does
            return {"list": [], "total": 0}
        notes = self.population.notes(creator)
        if advertise == "ORGANIC_ONLY":
            notes = [n for n in notes if not n["isAdvertise"]]
        if note_type == "COOPERATION":
            notes = [n for n in notes if n["isAdvertise"]]
        elif note_type == "PHOTO_TEXT":
            notes = [n for n in notes if not n["isVideo"]]
        elif note_type == "VIDEO":
            notes = [n for n in notes if n["isVideo"]]
        if third == "YES":
            notes = [n for n in notes if n["thirdReadUserNum"] > 0]
        if order == "MOST_READ":
            notes = sorted(notes, key=lambda n: -n["readNum"])
        elif order == "MOST_INTERACT":
            notes = sorted(notes, key=lambda n: -(n["likeNum"] + n["collectNum"]))
        start = (page - 1) * NOTES_PAGE_SIZE
        return {"list": notes[start : start + NOTES_PAGE_SIZE], "total": len(notes)}

    def trend(self, params: dict[str, str]) -> dict[str, Any]:
        kol_id = params.get("kolId", "").strip()
        if not kol_id:
            raise MissingParameter("kolId")
        date_type = _enum_param(params, "dateType", None)
        increase_type = _enum_param(params, "increaseType", None)
        if params.get("acceptCache"):
            _enum_param(params, "acceptCache", "false")
        creator = self.population.by_id.get(kol_id)
        if creator is None:
            return {"fansNumInc": 0, "fansNumIncRate": 0, "list": []}
        rows = self.population.history(creator)[-(30 if date_type == "_1" else 60) :]
        if increase_type == "_1":
            points = [{"num": total, "dateKey": day.isoformat()} for day, total, _ in rows]
            gained = rows[-1][1] - rows[0][1]
        else:
            points = [{"num": new, "dateKey": day.isoformat()} for day, _, new in rows]
            gained = sum(new for _, _, new in rows)
        rate = gained / rows[0][1] if rows[0][1] else 0
        return {"fansNumInc": gained, "fansNumIncRate": rate, "list": points}

    # -- the pipeline every request goes through ---------------------------------------
    def roll_fault(self) -> str | None:
        roll = self._rng.random()
        for name in ROLLED:
            rate: float = getattr(self.config, name)
            if roll < rate:
                return name
            roll -= rate
        return None

    async def answer(
        self, request: Request, endpoint: str, build: Callable[[dict[str, str]], dict[str, Any]]
    ) -> Response:
        self.counters.start(endpoint)
        params = dict(request.query_params)
        token = params.pop("token", "").strip()
        billed_key: str | None = None
        code = "error"
        try:
            response, code = await self._respond(request, endpoint, build, params, token)
            if code in ("0", "201"):
                billed_key = request_key(endpoint, params)
            return response
        finally:
            self.counters.finish(code, billed_key, token)

    async def _respond(
        self,
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
        if endpoint == "trend" and self.config.trend_gone:
            return PlainTextResponse("Not Found", status_code=404), "http_404"
        if self.limiter is not None and not self.limiter.allow():
            return _envelope(302, message="RATE LIMIT EXCEEDED"), "302"
        delay = self.config.latency_ms + self._rng.uniform(0, self.config.latency_jitter_ms)
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        fault = self.roll_fault()
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
            self.config.quota is not None
            and self.counters.billed_for_token(token) >= self.config.quota
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
        if who in self.config.malformed_users:
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
        return await state.answer(request, "search", state.search)

    async def notes(request: Request) -> Response:
        return await state.answer(request, "notes", state.notes)

    async def trend(request: Request) -> Response:
        return await state.answer(request, "trend", state.trend)

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
