"""The Medtrio web application: JSON API under `/api`, `/health`, and the three terminals
(`/admin`, `/clinic`, `/me`) as server-rendered pages.

Route modules are listed in `ROUTERS`; each exposes `router: APIRouter` and is included in order.
To add a page, add a module under `medtrio/api/routes/` and one line here (see docs/web.md).
"""

from __future__ import annotations

import importlib
import logging
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import medtrio
from medtrio.api.deps import check_csrf
from medtrio.api.render import STATIC_DIR, render
from medtrio.api.security import SecurityHeadersMiddleware
from medtrio.api.session import ServerTimingMiddleware, SessionMiddleware
from medtrio.api.throttle import SignInThrottle
from medtrio.errors import MedtrioError, Unauthenticated
from medtrio.settings import Settings, get_settings
from medtrio.store import Database, open_database
from medtrio.web import i18n

# Swagger UI 5 (OpenAPI 3.1) as files from the fastapi-offline package: /docs works offline
SWAGGER_DIR = Path(importlib.import_module("fastapi_offline").__file__).parent / "static"

log = logging.getLogger("medtrio.api")

# One line per route module, included in this order.
ROUTERS = (
    "medtrio.api.routes.health",
    "medtrio.api.routes.auth",
    "medtrio.api.routes.patients",
    "medtrio.api.routes.me",
    "medtrio.api.routes.clinic",
    "medtrio.api.routes.admin",
    "medtrio.api.routes.imports",
    "medtrio.api.routes.audit",
    "medtrio.api.routes.calculators",
    "medtrio.api.routes.reasoning",
    "medtrio.api.routes.cds_hooks",
    "medtrio.api.routes.literature",
    "medtrio.api.routes.labs",
    "medtrio.api.routes.triage",
    "medtrio.api.routes.trajectory",
    "medtrio.api.routes.chat",
)

LANG_COOKIE = "medtrio_lang"


class LanguageMiddleware:
    """Sets the request's UI language (cookie, then Accept-Language) before any route runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie_lang = accept = None
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(value.decode("latin-1"))
                except Exception:  # noqa: BLE001 - malformed cookie header: ignore it
                    continue
                if LANG_COOKIE in jar:
                    cookie_lang = jar[LANG_COOKIE].value
            elif name == b"accept-language":
                accept = value.decode("latin-1")
        token = i18n.current_language.set(i18n.pick_language(cookie_lang, None, accept))
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_language.reset(token)


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api") or path == "/health" or path.startswith("/docs") or path == "/openapi.json"


def _error_response(request: Request, status: int, message: str, detail: Any = None) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message, "detail": detail}, status_code=status)
    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


async def _medtrio_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MedtrioError)
    if not isinstance(exc, Unauthenticated):
        log.info("%s %s -> %s %s", request.method, request.url.path, exc.status_code, type(exc).__name__)
    return _error_response(request, exc.status_code, exc.message, exc.detail)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    messages = {404: "Page not found.", 405: "This action is not allowed here."}
    return _error_response(
        request, exc.status_code, messages.get(exc.status_code, str(exc.detail)), exc.detail
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()]
    return _error_response(request, 422, "Some input is missing or invalid.", detail)


INTERNAL_ERROR = "Something went wrong on the server. The error was logged; please try again."


class CatchAllMiddleware:
    """Turns an unexpected exception into the friendly 500 answer, logging its type and route only.

    It does not re-raise (unlike Starlette's outermost handler), so no traceback with the exception's
    text (a database error can quote patient data) reaches the server log.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:  # noqa: BLE001 - the one place that answers unexpected errors
            route = getattr(scope.get("route"), "path", "?")
            log.error("%s %s -> 500 %s", scope.get("method"), route, type(exc).__name__)
            if not started:
                await _error_response(Request(scope), 500, INTERNAL_ERROR)(scope, receive, send)


class StripQueryFilter(logging.Filter):
    """Drops query strings from uvicorn's access log: they can hold patient names (`/clinic?q=...`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?…", *args[3:])
        return True


def _quiet_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, StripQueryFilter) for f in access.filters):
        access.addFilter(StripQueryFilter())


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build the application on these settings and database (opened and migrated when not given)."""
    settings = settings or get_settings()
    db = db or open_database(settings.db_url)
    i18n.load_catalogues()
    _quiet_access_log()
    app = FastAPI(
        title="Medtrio",
        version=medtrio.__version__,
        dependencies=[Depends(check_csrf)],
        docs_url=None,  # served below from local files: the default page loads Swagger UI from a CDN
        redoc_url=None,
        description="One medical AI system, three terminals: hospital (/admin), clinician (/clinic), "
        "patient (/me).",
    )
    app.state.settings = settings
    app.state.db = db
    app.state.sign_in_throttle = SignInThrottle()
    app.add_exception_handler(MedtrioError, _medtrio_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.mount("/static/swagger", StaticFiles(directory=str(SWAGGER_DIR)), name="swagger")
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/docs", include_in_schema=False)
    def swagger_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Medtrio API",
            swagger_favicon_url="/static/favicon.svg",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_ui_parameters={"validatorUrl": None},  # the default validator is an online service
        )

    for module in ROUTERS:
        app.include_router(importlib.import_module(module).router)
    # added last = outermost: timing wraps everything, the session is decoded before the language is set
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key, max_age_s=settings.session_hours * 3600
    )
    app.add_middleware(ServerTimingMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
