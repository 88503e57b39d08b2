"""Timeline of a patient with 10,000 events: store query and web page, on SQLite and PostgreSQL.

    python -m benchmarks.run timeline            # appends rows to docs/BENCHMARKS.md
    python -m benchmarks.run timeline --quick    # 2,000 events, fewer repeats

For each backend, a fresh database gets one heavy patient (`medtrio.demo.add_heavy_patient`: ten years
of visits, every lab and vital at each). Measured, each in its own session as a request would:
`medtrio.store.events.timeline` (all events with display names) against the baseline of a raw
`SELECT * FROM events WHERE patient_id = :pid ORDER BY time` in the same run; then the clinician chart
page `/clinic/patients/{id}` (GET through the app, signed in as a clinician of the patient's
department), its server time read from the `Server-Timing` header, against the store query in the same
run. Acceptance (issue 2): the page's server time < 500 ms.
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.harness import Row

PG_ADMIN_URL = os.environ.get("MEDTRIO_BENCH_PG_URL",
                              os.environ.get("MEDTRIO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
COMMAND = "python -m benchmarks.run timeline"
PASSWORD = "bench-password-1"


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _time(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm caches, as a running server would have them
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


@contextmanager
def _database(backend: str, tmp: Path) -> Iterator[object]:
    from medtrio.store import open_database

    if backend == "sqlite":
        db = open_database(f"sqlite:///{tmp / 'bench.sqlite'}")
        yield db
        db.dispose()
        return
    name = f"medtrio_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = open_database(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _page_times(db, pid: int, tmp: Path, repeats: int) -> list[float] | str:  # type: ignore[no-untyped-def]
    try:
        from fastapi.testclient import TestClient

        from medtrio.api.app import create_app
    except ImportError as exc:
        return f"web app not available: {exc}"
    from medtrio.accounts import create_user
    from medtrio.settings import Settings
    from medtrio.store.schema import Doctor, Patient

    with db.session() as s:
        dept = s.get(Patient, pid).department_id
        doc = Doctor(name="Dr Bench", department_id=dept, specialty="Internal medicine", languages=["en"])
        s.add(doc)
        s.flush()
        create_user(s, "bench.doctor", PASSWORD, "clinician", doctor_id=doc.id)
    settings = Settings(data_dir=tmp / "data", secret_key="benchmark-secret-not-for-production")
    client = TestClient(create_app(settings, db))
    token = client.get("/api/session").json()["csrf_token"]
    r = client.post("/api/session", json={"username": "bench.doctor", "password": PASSWORD},
                    headers={"X-CSRF-Token": token})
    r.raise_for_status()
    url = f"/clinic/patients/{pid}"
    out = []
    for i in range(repeats + 1):
        r = client.get(url)
        r.raise_for_status()
        if i:  # the first request warms the caches
            out.append(float(re.search(r"app;dur=([\d.]+)", r.headers["server-timing"]).group(1)))
    return out


def run(args) -> list[Row]:  # type: ignore[no-untyped-def]
    from medtrio.demo import add_heavy_patient
    from medtrio.store import timeline

    quick = getattr(args, "quick", False)
    n_events, repeats = (2_000, 5) if quick else (10_000, 30)
    label = f"{n_events:,}-event patient"
    rows: list[Row] = []
    for backend, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            try:
                ctx = _database(backend, tmp)
                db = ctx.__enter__()
            except Exception as exc:  # noqa: BLE001 - no server: say so and go on
                print(f"{name}: skipped ({type(exc).__name__}: {exc})")
                continue
            try:
                pid = add_heavy_patient(db, n_events=n_events)

                def query(db=db, pid=pid):  # type: ignore[no-untyped-def]
                    with db.session() as s:
                        events = timeline(s, pid)
                    assert len(events) == n_events
                    return events

                def raw(db=db, pid=pid):  # type: ignore[no-untyped-def]
                    with db.engine.connect() as conn:
                        got = conn.execute(text("SELECT * FROM events WHERE patient_id = :pid ORDER BY time"),
                                           {"pid": pid}).fetchall()
                    assert len(got) == n_events
                    return got

                q50, q95 = _quantiles(_time(query, repeats))
                b50, b95 = _quantiles(_time(raw, repeats))
                base = "raw SELECT ... ORDER BY time"
                rows += [
                    Row(f"timeline query p50, {label} ({name})", q50, "ms", b50, base, COMMAND, False),
                    Row(f"timeline query p95, {label} ({name})", q95, "ms", b95, base, COMMAND, False),
                ]
                page = _page_times(db, pid, tmp, repeats)
                if isinstance(page, str):
                    print(f"{name}: page not measured ({page})")
                else:
                    p50, p95 = _quantiles(page)
                    base = "timeline() query"
                    rows += [
                        Row(f"timeline page server time p50, {label} ({name})", p50, "ms", q50, base, COMMAND,
                            False),
                        Row(f"timeline page server time p95, {label} ({name})", p95, "ms", q95, base, COMMAND,
                            False),
                    ]
                    verdict = "met" if p95 < 500 else "NOT met"
                    print(f"{name}: page server time p50 {p50:.0f} ms, p95 {p95:.0f} ms: < 500 ms {verdict}")
            finally:
                ctx.__exit__(None, None, None)
    return rows
