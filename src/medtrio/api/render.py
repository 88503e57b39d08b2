"""Rendering server-side pages: one Jinja2 environment with gettext, and the `render` helper.

`render(request, "clinic/chart.html", {...})` adds what every page needs: the signed-in account,
the CSRF token for forms, the current language and the language list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from medtrio import web
from medtrio.api import nav
from medtrio.web import i18n

TEMPLATES_DIR = Path(web.__file__).parent / "templates"
STATIC_DIR = Path(web.__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(i18n.gettext_, i18n.ngettext_, newstyle=True)  # type: ignore[attr-defined]
templates.env.globals["LANGUAGES"] = i18n.LANGUAGES


def _fmt_dt(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if hasattr(value, "hour") and value.hour == 0 and value.minute == 0 and fmt == "%Y-%m-%d %H:%M":
        return value.strftime("%Y-%m-%d")
    return value.strftime(fmt)


def _fmt_num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3e}"


def _translate(value: object) -> str:
    """`{{ value|t }}`: translate a runtime string (a role, a category, an error message).

    Unlike `_()` (which marks its result safe), the result stays a plain string and is escaped, so a
    message that quotes user input cannot inject markup.
    """
    return i18n.gettext_(str(value))


templates.env.filters["t"] = _translate
templates.env.filters["dt"] = _fmt_dt
templates.env.filters["num"] = _fmt_num


def route_names(app: Any) -> frozenset[str]:
    """Names of the application's routes (computed once per application)."""
    names = getattr(app.state, "route_names", None)
    if names is None:
        names = frozenset(_walk(app.routes))
        app.state.route_names = names
    return names


def _walk(routes: Any) -> Any:
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI keeps included routers nested
        if inner is not None:
            yield from _walk(inner.routes)
        elif getattr(route, "name", None):
            yield route.name


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    session = request.scope.get("medtrio_session") or {}
    account = getattr(request.state, "account", None)
    routes = route_names(request.app)
    ctx = {
        "account": account,
        "nav": nav.terminal_links(account.role, routes) if account else [],
        "chart_tabs": lambda patient_id: nav.chart_tabs(patient_id, routes),
        "csrf_token": session.get("csrf", ""),
        "lang": i18n.current_language.get(),
        "path": request.url.path,
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
