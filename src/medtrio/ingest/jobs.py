"""Background import jobs for the admin page: a thread runs the import and keeps its `jobs` row current.

`start_import_job` returns at once with the job id; the row moves queued -> running -> done|failed with
`progress` (0..1), a short `message`, a `log`, and on success `result` = the import report as JSON.
Progress is written at most every half second so a large import is not slowed by its own bookkeeping.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medtrio.errors import MedtrioError, NotFound
from medtrio.ingest.service import detect_format, run_import
from medtrio.store import Database
from medtrio.store.audit import Actor
from medtrio.store.schema import Job, User, utcnow

KIND = "import"
_threads: dict[int, threading.Thread] = {}


@dataclass(frozen=True)
class JobStatus:
    id: int
    status: str
    progress: float
    message: str | None
    result: dict[str, Any] | None
    log: str


def start_import_job(
    db: Database, path: Path | str, fmt: str | None = None, user_id: int | None = None,
    *, errors_dir: Path | None = None,
) -> int:
    """Queue an import of `path` (format detected when None) and run it in a background thread."""
    path = Path(path)
    fmt = fmt or detect_format(path)  # a bad upload fails here, before any job exists
    with db.session() as s:
        job = Job(kind=KIND, status="queued", progress=0.0, params={"path": str(path), "format": fmt},
                  created_by=user_id, log="", message="queued")
        s.add(job)
        s.flush()
        job_id = job.id
    t = threading.Thread(target=_run, args=(db, job_id, path, fmt, user_id, errors_dir),
                         name=f"import-job-{job_id}", daemon=True)
    _threads[job_id] = t
    t.start()
    return job_id


def get_job(db: Database, job_id: int) -> JobStatus:
    with db.session() as s:
        job = s.get(Job, job_id)
        if job is None:
            raise NotFound(f"No job with id {job_id}.")
        return JobStatus(job.id, job.status, job.progress, job.message, job.result, job.log or "")


def wait_for_job(db: Database, job_id: int, timeout: float = 600.0) -> JobStatus:
    """Block until the job has finished (for the CLI and tests)."""
    t = _threads.get(job_id)
    if t is not None:
        t.join(timeout)
    deadline = time.monotonic() + timeout
    while True:
        st = get_job(db, job_id)
        if st.status in ("done", "failed") or time.monotonic() > deadline:
            return st
        time.sleep(0.1)


def _update(db: Database, job_id: int, log: str | None = None, **fields: Any) -> None:
    with db.session() as s:
        job = s.get(Job, job_id)
        if job is None:
            return
        for k, v in fields.items():
            setattr(job, k, v)
        if log:
            job.log = (job.log or "") + f"{utcnow().isoformat(timespec='seconds')} {log}\n"


def _actor(db: Database, user_id: int | None) -> Actor:
    if user_id is None:
        return Actor.system("import-job")
    with db.session() as s:
        user = s.get(User, user_id)
        if user is None:
            return Actor(user_id, f"user {user_id}", "unknown")
        return Actor(user_id, user.username, user.role)


def _run(db: Database, job_id: int, path: Path, fmt: str, user_id: int | None,
         errors_dir: Path | None) -> None:
    _update(db, job_id, f"started {fmt} import of {path.name}", status="running", started_at=utcnow(),
            message="running")
    last = [0.0]

    def progress(fraction: float, what: str) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            _update(db, job_id, progress=max(0.0, min(1.0, fraction)), message=what)

    try:
        report = run_import(db, path, fmt, actor=_actor(db, user_id), progress=progress,
                            errors_dir=errors_dir)
    except MedtrioError as exc:
        _update(db, job_id, f"failed: {exc.message}", status="failed", message=exc.message,
                finished_at=utcnow())
    except Exception as exc:  # noqa: BLE001 - a job must end as failed, never hang as running
        # type and place only: driver messages can quote the rows (patient data) being written
        where = traceback.extract_tb(exc.__traceback__)[-1]
        _update(db, job_id, f"failed: {type(exc).__name__} at {Path(where.filename).name}:{where.lineno}",
                status="failed", message=f"import failed: {type(exc).__name__}", finished_at=utcnow())
    else:
        msg = (f"{report.patients} patients, {report.events_added} new events, "
               f"{report.skipped} records skipped")
        note = f"; errors in {report.error_file}" if report.error_file else ""
        _update(db, job_id, "done: " + msg + note, status="done", progress=1.0, message=msg,
                result=report.to_dict(), finished_at=utcnow())
    finally:
        _threads.pop(job_id, None)
