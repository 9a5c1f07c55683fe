"""The dashboard's application: configuration, security (access secret, CSRF, CSP), rendering
of pages and their JSON and CSV twins. The pages themselves are in ``pages`` and ``actions``."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import hmac
import io
import json
import logging
import math
import secrets
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pgyscout.export.text import script_json
from pgyscout.labels import LABELS, Lang, label, reason_text
from pgyscout.store import Store
from pgyscout.store.searches import filters_in_words
from pgyscout.web import fmt
from pgyscout.web.labels import label_function
from pgyscout.web.params import BadParam, parse_lang

log = logging.getLogger("pgyscout.web")

ACCESS_COOKIE = "pgy_access"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
HTMX_VERSION = "2.0.11"
HTMX_FILE = f"htmx-{HTMX_VERSION}.min.js"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
# No inline script, no other host: data for charts travels as JSON blocks that app.js reads.
# Plotly sets the style of the elements it draws, hence the one relaxation for styles.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
MAX_FORM_BYTES = 64 * 1024


@dataclass
class WebConfig:
    """What `pgy serve` hands the app. The token stays inside ``client_options`` and is never
    rendered, logged or put in a URL."""

    db: str | None = None
    lang: str = "zh"
    secret: str | None = None
    price_per_call: float | None = None
    client_options: dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        hidden = "***" if self.secret else None
        return f"WebConfig(db={self.db!r}, lang={self.lang!r}, secret={hidden})"


class Web:
    """The app's shared state: the store, the templates, the judged creators, running actions."""

    def __init__(self, config: WebConfig, store: Store | None = None) -> None:
        from pgyscout.web.catalog import FactsCache

        self.config = config
        self.store = store or Store(config.db)
        self.csrf_token = secrets.token_urlsafe(32)
        self.facts = FactsCache()
        self.actions: dict[str, Any] = {}
        self.templates = Environment(
            loader=PackageLoader("pgyscout.web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters.update(fmt.FILTERS)
        self.templates.globals["chart_json"] = script_json

    def access_key(self) -> str | None:
        """What the access cookie holds: derived from the secret, never the secret itself."""
        if not self.config.secret:
            return None
        return hmac.new(self.config.secret.encode(), b"pgyscout-access", hashlib.sha256).hexdigest()


def web_of(request: Request) -> Web:
    web = request.app.state.web
    assert isinstance(web, Web)
    return web


def lang_of(request: Request) -> Lang:
    try:
        chosen = parse_lang(request.query_params, web_of(request).config.lang)
    except BadParam:
        chosen = web_of(request).config.lang
    return "en" if chosen == "en" else "zh"


# --- rendering --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, dates ISO strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def json_response(document: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(_plain(document), status_code=status)


def csv_response(rows: Sequence[Mapping[str, Any]], filename: str) -> Response:
    """UTF-8 with a BOM (Excel shows Chinese); cells that a spreadsheet would run as a formula
    are quoted as text."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    writer = csv.writer(buffer)
    # Column names can be upstream text too (compare has a column per creator name).
    writer.writerow([fmt.csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([fmt.csv_cell(row.get(c)) for c in columns])
    safe = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{safe}"'},
    )


def reason_in(item: Any, lang: Lang) -> str:
    """A flag's or plan entry's reason in ``lang``: objects render themselves; JSON-shaped
    records carry their reason code and numbers (or only the English text, which is kept)."""
    if hasattr(item, "reason_in"):
        return str(item.reason_in(lang))
    code = item.get("reason_code")
    numbers = item.get("reason_numbers", item.get("numbers"))
    if code and isinstance(numbers, dict):
        return reason_text(code, numbers, lang)
    return str(item.get("reason", ""))


def render(
    request: Request, template: str, context: Mapping[str, Any], status: int = 200
) -> Response:
    web = web_of(request)
    lang = lang_of(request)
    page = web.templates.get_template(template).render(
        {
            **context,
            "request": request,
            "lang": lang,
            "t": label_function(lang),
            "shared": lambda key: label(key, lang),
            "why": lambda item: reason_in(item, lang),
            "label_keys": LABELS,
            "search_words": lambda params: filters_in_words(params, lang),
            "csrf_token": web.csrf_token,
            "htmx_file": HTMX_FILE,
            "path": request.url.path,
            "lang_url": fmt.lang_switch_url(request.url.path, request.query_params, lang),
            "has_token": has_token(web),
            "price_per_call": web.config.price_per_call,
        }
    )
    return Response(page, status_code=status, media_type="text/html; charset=utf-8")


def has_token(web: Web) -> bool:
    from pgyscout.client.config import resolve_settings
    from pgyscout.errors import ConfigError

    options = {k: v for k, v in web.config.client_options.items() if v is not None}
    try:
        resolve_settings(**{k: v for k, v in options.items() if k in ("token", "base_url")})
    except ConfigError:
        return False
    return True


def error_response(
    request: Request, fmt_name: str, status: int, message: str, parameter: str | None = None
) -> Response:
    if fmt_name != "html":
        body: dict[str, Any] = {"error": message, "status": status}
        if parameter is not None:
            body["parameter"] = parameter
        return json_response(body, status)
    return render(
        request,
        "error.html.j2",
        {"status": status, "message": message, "parameter": parameter},
        status,
    )


def split_format(request: Request) -> tuple[str, str]:
    """The page's path without ``.json``/``.csv``, and which twin was asked for."""
    path = request.url.path
    for suffix in (".json", ".csv"):
        if path.endswith(suffix):
            return path[: -len(suffix)], suffix[1:]
    return path, "html"


def strip_suffix(value: str) -> tuple[str, str]:
    for suffix in (".json", ".csv"):
        if value.endswith(suffix):
            return value[: -len(suffix)], suffix[1:]
    return value, "html"


class NotFound(LookupError):
    """An unknown creator or shortlist: 404."""


def page(handler: Callable[[Request, str], Response]) -> Callable[[Request], Response]:
    """A read-only page: the format from the path, and 400/404 pages for bad input."""

    def endpoint(request: Request) -> Response:
        _path, fmt_name = split_format(request)
        try:
            return handler(request, fmt_name)
        except BadParam as exc:
            return error_response(request, fmt_name, 400, exc.message, exc.name)
        except NotFound as exc:
            return error_response(request, fmt_name, 404, str(exc))

    endpoint.__name__ = handler.__name__
    return endpoint


# --- POST: CSRF, forms ------------------------------------------------------------------------


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields, after checking its CSRF token (403 and nothing done without one)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "form too large")
    fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    sent = fields.pop(CSRF_FIELD, None) or request.headers.get(CSRF_HEADER) or ""
    if not hmac.compare_digest(sent.encode(), web_of(request).csrf_token.encode()):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    return fields


async def in_thread(function: Callable[..., Any], *args: Any) -> Any:
    return await run_in_threadpool(function, *args)


# --- middleware: access secret and security headers -------------------------------------------


class Security:
    """Every answer gets the security headers; with an access secret, every request must carry
    it (the cookie that /login sets, or the X-Pgy-Secret header), compared in constant time."""

    def __init__(self, app: ASGIApp, web: Web) -> None:
        self.app = app
        self.web = web

    def _allowed(self, scope: Scope) -> bool:
        key = self.web.access_key()
        if key is None:
            return True
        if scope["path"] in ("/login", "/static/app.css", "/static/favicon.svg"):
            return True
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        secret = self.web.config.secret or ""
        sent = headers.get("x-pgy-secret", "")
        if sent and hmac.compare_digest(sent.encode(), secret.encode()):
            return True
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == ACCESS_COOKIE and hmac.compare_digest(value.encode(), key.encode()):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-store"),
                ]
                message["headers"] = headers
            await send(message)

        if not self._allowed(scope):
            wants_json = scope["path"].endswith((".json", ".csv"))
            if wants_json:
                response: Response = JSONResponse(
                    {"error": "this dashboard needs its access secret", "status": 401}, 401
                )
            else:
                response = Response(
                    LOGIN_PAGE, status_code=401, media_type="text/html; charset=utf-8"
                )
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


LOGIN_PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<title>pgyscout · 登录 sign in</title><link rel="stylesheet" href="/static/app.css"></head>
<body><main class="narrow"><h1>pgyscout</h1>
<p>这个看板需要访问密钥。 This dashboard needs its access secret.</p>
<form method="post" action="/login"><label>密钥 secret
<input type="password" name="secret" autocomplete="current-password" required></label>
<button type="submit">登录 sign in</button></form></main></body></html>"""


async def login(request: Request) -> Response:
    web = web_of(request)
    key = web.access_key()
    body = await request.body()
    fields = dict(parse_qsl(body[:MAX_FORM_BYTES].decode("utf-8", "replace")))
    sent = fields.get("secret", "")
    if key is None or not hmac.compare_digest(sent.encode(), (web.config.secret or "").encode()):
        return Response(LOGIN_PAGE, status_code=401, media_type="text/html; charset=utf-8")
    response = Response(status_code=303, headers={"location": "/"})
    response.set_cookie(ACCESS_COOKIE, key, httponly=True, samesite="strict")
    return response


# --- static files -----------------------------------------------------------------------------

STATIC = Path(str(resources.files("pgyscout.web") / "static"))
STATIC_FILES = {
    HTMX_FILE: "text/javascript",
    "app.js": "text/javascript",
    "app.css": "text/css",
    "favicon.svg": "image/svg+xml",
}


def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name == "plotly.min.js":
        return FileResponse(
            plotly_js_path(),
            media_type="text/javascript",
            headers={"cache-control": "public, max-age=86400"},
        )
    if name not in STATIC_FILES:
        raise HTTPException(404)
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name])


def plotly_js_path() -> Path:
    """plotly.js as the installed plotly package ships it: served, never inlined."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


async def not_found(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
    _path, fmt_name = split_format(request)
    if request.method == "POST" and fmt_name == "html" and code in (403, 413):
        return error_response(request, "html", code, str(detail))
    return error_response(request, fmt_name, code, str(detail))


def _lifespan(web: Web, *, owns_store: bool) -> Callable[[Starlette], Any]:
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if owns_store:
            web.store.close()

    return lifespan


def create_app(config: WebConfig, store: Store | None = None) -> Starlette:
    from pgyscout.web import actions, monitor, pages

    web = Web(config, store)
    routes = [
        Route("/static/{name}", static),
        Route("/login", login, methods=["POST"]),
        *pages.routes(),
        *actions.routes(),
        *monitor.routes(),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: not_found},
        lifespan=_lifespan(web, owns_store=store is None),
    )
    app.state.web = web
    app.add_middleware(Security, web=web)
    return app


def describe(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
