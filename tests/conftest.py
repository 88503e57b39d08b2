"""Shared fixtures: a real database on each backend, and the shared data folder (skips when absent)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from medtrio.store import Database, open_database

PG_ADMIN_URL = os.environ.get("MEDTRIO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def shared_data() -> Path | None:
    """`../shared/data` beside the checkout (or MEDTRIO_SHARED_DATA), if present."""
    env = os.environ.get("MEDTRIO_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[1].parent / "shared" / "data")
    return next((p for p in candidates if p.is_dir()), None)


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_data()
    if path is None:
        pytest.skip("../shared/data is absent (set MEDTRIO_SHARED_DATA to run real-data checks)")
    return path


def _pg_available() -> str | None:
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect():
            pass
        eng.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server", reported in the skip
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session, dropped afterwards."""
    reason = _pg_available()
    if reason:
        if os.environ.get("CI") and os.environ.get("MEDTRIO_REQUIRE_PG"):
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"medtrio_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_TABLES = "events, encounters, codes, documents, appointments, care_assignments, users, doctors, " \
          "patients, departments, audit_log, jobs"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database: a new SQLite file, or the session's PostgreSQL database truncated."""
    if request.param == "sqlite":
        database = open_database(f"sqlite:///{tmp_path / 'test.sqlite'}")
    else:
        database = open_database(request.getfixturevalue("pg_url"))
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
    yield database
    database.dispose()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@contextmanager
def _serving(app: object) -> Iterator[str]:
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve_app():  # type: ignore[no-untyped-def]
    """`with serve_app(app) as url:` serves an ASGI app with uvicorn on a free local port, in a thread."""
    return _serving


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian chromium driven by Playwright; skips when absent (fails when MEDTRIO_REQUIRE_BROWSER is set)."""
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        reason = f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("MEDTRIO_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
