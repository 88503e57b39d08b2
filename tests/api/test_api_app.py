"""The application shell: health, sign-in and sign-out, the error shape, CSRF, Server-Timing."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from medtrio.api.app import INTERNAL_ERROR
from medtrio.store import Database
from medtrio.store.schema import AuditLog


def test_health_reports_database_and_version(client: TestClient, db: Database) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["database_ok"] is True and body["database"] == db.dialect and body["version"]
    assert r.headers["server-timing"].startswith("app;dur=")


def test_api_errors_have_one_shape(client: TestClient) -> None:
    r = client.get("/api/patients/1")
    assert r.status_code == 401
    assert r.json() == {"error": "Please sign in.", "detail": None}
    r = client.get("/api/no-such-thing")
    assert r.status_code == 404 and set(r.json()) == {"error", "detail"}


def test_pages_redirect_to_sign_in(client: TestClient) -> None:
    for path in ("/me", "/clinic", "/admin"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"


def test_form_sign_in_sets_a_secure_cookie_and_audits(client: TestClient, db: Database) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post(
        "/login",
        data={"username": "alice", "password": "correct-horse-42", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/me"
    cookie = [
        v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("medtrio_session=")
    ][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    assert client.get("/me").status_code == 200
    with db.session() as s:
        actions = [a.action for a in s.scalars(select(AuditLog).where(AuditLog.username == "alice"))]
    assert "login" in actions


def test_wrong_password_is_refused_and_audited(client: TestClient, db: Database) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/login", data={"username": "alice", "password": "wrong-password", "csrf_token": token})
    assert r.status_code == 401 and "Wrong username or password" in r.text
    with db.session() as s:
        assert s.scalar(select(AuditLog).where(AuditLog.action == "login_failed")) is not None


def test_form_post_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "alice", "password": "correct-horse-42"})
    assert r.status_code == 403 and "did not come from this site" in r.text
    r = client.post("/api/session", json={"username": "alice", "password": "correct-horse-42"})
    assert r.status_code == 403 and r.json()["error"].startswith("The form has expired")


def test_tampered_cookie_gives_a_fresh_anonymous_session(client: TestClient, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice")
    assert client.get("/api/session").json()["account"]["username"] == "alice"
    value = client.cookies.get("medtrio_session")
    client.cookies.clear()
    client.cookies.set("medtrio_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert client.get("/api/session").json()["account"] is None


def test_logout_ends_the_session(client: TestClient, sign_in) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client, "doc")
    r = client.delete("/api/session", headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    assert client.get("/api/patients/1").status_code == 401


def test_messages_quoting_user_input_are_escaped(client: TestClient, sign_in) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client, "admin")
    evil = "<script>alert(1)</script>"
    r = client.post("/admin/import", data={"csrf_token": token, "fmt": "meds", "path": evil})
    assert r.status_code == 422
    assert evil not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    r = client.post(
        "/admin/users", data={"csrf_token": token, "username": "admin", "password": "x" * 9, "role": evil}
    )
    assert r.status_code == 422 and evil not in r.text


def test_sign_in_redirects_only_within_the_site(client: TestClient) -> None:
    page = client.get("/login?next=//evil.example/x")
    assert 'name="next" value=""' in page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    data = {
        "username": "doc",
        "password": "correct-horse-42",
        "csrf_token": token,
        "next": "https://evil.example/",
    }
    r = client.post("/login", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/clinic"


def test_openapi_and_local_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/patients/{patient_id}/timeline" in spec["paths"] and "/health" in spec["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 404


def test_security_headers(client: TestClient) -> None:
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    assert "onchange=" not in r.text and "<script>" not in r.text  # no inline behaviour under this policy
    assert "'unsafe-inline'" in client.get("/docs").headers["content-security-policy"].split("script-src")[1]


def test_cookie_is_secure_over_https(db: Database, seeded, app_settings) -> None:  # type: ignore[no-untyped-def]
    from medtrio.api.app import create_app

    client = TestClient(create_app(app_settings, db), base_url="https://medtrio.example")
    r = client.get("/login")
    cookie = r.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    plain = TestClient(client.app).get("/login").headers["set-cookie"]
    assert "Secure" not in plain


def test_session_expires_after_session_hours(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import time

    from medtrio.api.session import SessionMiddleware

    mw = SessionMiddleware(app=None, secret_key="k" * 32, max_age_s=12 * 3600)  # type: ignore[arg-type]
    fresh = mw.serializer.dumps({"uid": 7, "csrf": "t", "iat": int(time.time())})
    assert mw.load(fresh)["uid"] == 7
    signed_at = time.time() - 12 * 3600 - 5
    make_signer = mw.serializer.make_signer  # sign as if it were `signed_at`
    monkeypatch.setattr(
        mw.serializer, "make_signer", lambda salt=None: _fixed_time(make_signer(salt), int(signed_at))
    )
    stale = mw.serializer.dumps({"uid": 7, "csrf": "t", "iat": int(signed_at)})
    monkeypatch.undo()
    assert mw.load(stale)["uid"] is None  # expired: a fresh anonymous session


def _fixed_time(signer, ts: int):  # type: ignore[no-untyped-def]
    signer.get_timestamp = lambda: ts
    return signer


def test_unexpected_errors_are_friendly_and_leak_nothing(client: TestClient, caplog) -> None:  # type: ignore[no-untyped-def]
    def boom() -> None:
        raise RuntimeError("value 7.3 mmol/L of patient Alice")

    client.app.add_api_route("/api/boom", boom)
    client.app.add_api_route("/boom", boom)
    quiet = TestClient(client.app, raise_server_exceptions=False)
    r = quiet.get("/api/boom")
    assert r.status_code == 500 and r.json() == {"error": INTERNAL_ERROR, "detail": None}
    r = quiet.get("/boom")
    assert r.status_code == 500 and "went wrong" in r.text and "Alice" not in r.text
    assert "RuntimeError" in caplog.text and "Alice" not in caplog.text and "7.3" not in caplog.text


def test_access_log_keeps_no_query_strings() -> None:
    import logging

    from medtrio.api.app import StripQueryFilter

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/clinic?q=Alice+Wang", "1.1", 200),
        None,
    )
    assert StripQueryFilter().filter(record)
    assert "Alice" not in record.getMessage() and "/clinic?…" in record.getMessage()


def test_password_guessing_is_throttled(client: TestClient, db: Database, sign_in) -> None:  # type: ignore[no-untyped-def]
    token = client.get("/api/session").json()["csrf_token"]

    def attempt(password: str) -> int:
        body = {"username": "alice", "password": password}
        return client.post("/api/session", json=body, headers={"X-CSRF-Token": token}).status_code

    assert [attempt(f"guess-{i}") for i in range(5)] == [401] * 5
    assert attempt("correct-horse-42") == 429  # even the right password, until the window passes
    r = client.post(
        "/api/session", json={"username": "alice", "password": "x"}, headers={"X-CSRF-Token": token}
    )
    assert r.json()["error"].startswith("Too many failed sign-ins")
    sign_in(client, "doc")  # other accounts are not locked out
    with db.session() as s:
        reasons = list(s.scalars(select(AuditLog.reason).where(AuditLog.action == "login_failed")))
    assert sum(r.startswith("throttled") for r in reasons) == 2 and len(reasons) == 7


def test_throttle_window_and_reset() -> None:
    from medtrio.api.throttle import SignInThrottle, TooManyAttempts

    t = SignInThrottle(limit=2, ip_limit=3, window_s=0.2)
    t.failed("a", "1.1.1.1")
    t.failed("a", "1.1.1.1")
    with pytest.raises(TooManyAttempts):
        t.check("A", "9.9.9.9")  # per username, case-insensitive, from any address
    t.failed("b", "1.1.1.1")
    with pytest.raises(TooManyAttempts):
        t.check("c", "1.1.1.1")  # per address
    time.sleep(0.25)
    t.check("a", "1.1.1.1")  # the window has passed
    t.failed("d", None)
    t.succeeded("d")
    t.check("d", "2.2.2.2")


def test_health_says_503_when_the_database_is_unreachable(app_settings) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from medtrio.api.app import create_app

    engine = create_engine("sqlite:////nonexistent-medtrio-dir/db.sqlite")
    broken = Database(engine, sessionmaker(engine))
    r = TestClient(create_app(app_settings, broken)).get("/health")
    assert r.status_code == 503 and r.json()["status"] == "unavailable" and r.json()["database_ok"] is False
