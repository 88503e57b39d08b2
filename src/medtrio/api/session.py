"""Signed session cookies (itsdangerous), as a small ASGI middleware.

The cookie holds only `{"uid": user id or None, "csrf": token, "iat": issued-at}`, signed with the
installation secret; it is HttpOnly, SameSite=Lax, Secure when the request came over https, and expires
`settings.session_hours` after sign-in (checked both by the browser's Max-Age and by the signature's
timestamp). Every visitor gets a session with a CSRF token, so the sign-in form is protected too.
"""

from __future__ import annotations

import secrets
import time
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "medtrio_session"


class Session(dict[str, Any]):
    """The decoded cookie; `modified` tells the middleware to send it again."""

    modified: bool = False

    def __setitem__(self, key: str, value: Any) -> None:
        self.modified = True
        super().__setitem__(key, value)

    def reset(self) -> None:
        """Forget the user and issue a fresh CSRF token (on sign-in and sign-out)."""
        self.clear()
        self["uid"] = None
        self["csrf"] = secrets.token_urlsafe(24)
        self["iat"] = int(time.time())


class SessionMiddleware:
    def __init__(self, app: ASGIApp, secret_key: str, max_age_s: int) -> None:
        self.app = app
        self.max_age_s = max_age_s
        self.serializer = URLSafeTimedSerializer(secret_key, salt="medtrio-session")

    def load(self, raw: str | None) -> Session:
        session = Session()
        if raw:
            try:
                data = self.serializer.loads(raw, max_age=self.max_age_s)
                if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                    session.update(data)
                    return session
            except BadSignature:  # tampered or expired: start afresh
                pass
        session.reset()
        return session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = None
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:  # noqa: BLE001 - a malformed cookie header means no session
                    continue
                if COOKIE in cookie:
                    raw = cookie[COOKIE].value
        session = self.load(raw)
        scope["medtrio_session"] = session
        secure = scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and session.modified:
                headers = MutableHeaders(scope=message)
                remaining = max(1, self.max_age_s - (int(time.time()) - int(session.get("iat", 0))))
                value = self.serializer.dumps(dict(session))
                parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={remaining}", "HttpOnly", "SameSite=Lax"]
                if secure:
                    parts.append("Secure")
                headers.append("set-cookie", "; ".join(parts))
            await send(message)

        await self.app(scope, receive, send_wrapper)


class ServerTimingMiddleware:
    """Adds `Server-Timing: app;dur=<ms>` (time to the response headers) to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - t0) * 1000
                MutableHeaders(scope=message).append("server-timing", f"app;dur={ms:.1f}")
            await send(message)

        await self.app(scope, receive, send_wrapper)
