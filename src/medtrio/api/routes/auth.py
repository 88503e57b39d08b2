"""Sign-in, sign-out and the language switch (pages and the JSON `/api/session`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from medtrio.accounts import Account, authenticate
from medtrio.api.app_helpers import home_of, safe_next
from medtrio.api.deps import (
    CookieSession,
    CurrentAccount,
    DbSession,
    MaybeAccount,
    audit,
    audit_now,
    client_ip,
)
from medtrio.api.render import render
from medtrio.api.throttle import TooManyAttempts
from medtrio.errors import Unauthenticated
from medtrio.store.schema import User
from medtrio.web import i18n

router = APIRouter(tags=["session"])
LANG_COOKIE = "medtrio_lang"


def _set_lang_cookie(response: Response, lang: str) -> None:
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax")


@router.get("/", include_in_schema=False)
def root(account: MaybeAccount) -> RedirectResponse:
    return RedirectResponse(home_of(account) if account else "/login", status_code=303)


@router.get("/login", include_in_schema=False)
def login_page(request: Request, account: MaybeAccount, next: str = "") -> Response:
    if account is not None:
        return RedirectResponse(safe_next(next) or home_of(account), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None})


def _sign_in(request: Request, s: DbSession, web: CookieSession, username: str, password: str) -> Account:
    username = username.strip()
    throttle = request.app.state.sign_in_throttle
    ip = client_ip(request)
    try:
        throttle.check(username, ip)
    except TooManyAttempts:
        audit_now(request, None, "login_failed", "session", reason=f"throttled {username[:80]!r}")
        raise
    try:
        account = authenticate(s, username, password)
    except Unauthenticated:
        throttle.failed(username, ip)
        audit_now(request, None, "login_failed", "session", reason=f"username {username[:80]!r}")
        raise
    throttle.succeeded(username)
    web.reset()  # a fresh session (and CSRF token) at every sign-in
    web["uid"] = account.id
    request.state.account = account
    audit(request, s, account, "login", "session")
    return account


@router.post("/login", include_in_schema=False)
def login_submit(
    request: Request,
    s: DbSession,
    web: CookieSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        account = _sign_in(request, s, web, username, password)
    except (Unauthenticated, TooManyAttempts) as exc:
        ctx = {"next": safe_next(next), "error": exc.message, "username": username}
        return render(request, "login.html", ctx, status_code=exc.status_code)
    response = RedirectResponse(safe_next(next) or home_of(account), status_code=303)
    _set_lang_cookie(response, account.language if account.language in i18n.LANGUAGES else i18n.DEFAULT)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, s: DbSession, web: CookieSession, account: MaybeAccount) -> RedirectResponse:
    if account is not None:
        audit(request, s, account, "logout", "session")
    web.reset()
    return RedirectResponse("/login", status_code=303)


@router.post("/lang", include_in_schema=False)
def switch_language(
    s: DbSession,
    account: MaybeAccount,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> RedirectResponse:
    lang = lang if lang in i18n.LANGUAGES else i18n.DEFAULT
    if account is not None:
        user = s.get(User, account.id)
        if user is not None:
            user.language = lang
    response = RedirectResponse(safe_next(next) or "/", status_code=303)
    _set_lang_cookie(response, lang)
    return response


class Credentials(BaseModel):
    username: str
    password: str


def _account_json(account: Account | None) -> dict | None:
    if account is None:
        return None
    return {
        "id": account.id,
        "username": account.username,
        "role": account.role,
        "display_name": account.display_name,
        "patient_id": account.patient_id,
        "department_id": account.department_id,
        "language": account.language,
    }


@router.get("/api/session")
def session_info(account: MaybeAccount, web: CookieSession) -> dict:
    """The signed-in account (or null) and the CSRF token to send as `X-CSRF-Token` on writes."""
    return {"account": _account_json(account), "csrf_token": web["csrf"]}


@router.post("/api/session")
def api_login(request: Request, s: DbSession, web: CookieSession, body: Credentials) -> dict:
    """Sign in; the session cookie is set and a NEW CSRF token is returned."""
    account = _sign_in(request, s, web, body.username, body.password)
    return {"account": _account_json(account), "csrf_token": web["csrf"]}


@router.delete("/api/session")
def api_logout(request: Request, s: DbSession, web: CookieSession, account: CurrentAccount) -> dict:
    audit(request, s, account, "logout", "session")
    web.reset()
    return {"account": None, "csrf_token": web["csrf"]}
