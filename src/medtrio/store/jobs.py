"""Background jobs: one `jobs` row per long task (an import, a training run), run in a thread.

`start_job` creates the row and runs `work(update)` in a daemon thread; the row moves
queued -> running -> done|failed. `update(log=None, **fields)` sets columns (progress, message) and
appends a timestamped log line. `work` returns the final message and the JSON result. A job always ends:
a domain error fails it with its own message; any other exception is recorded by type and place only,
because exception messages can quote the patient rows being processed.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medtrio.errors import MedtrioError, NotFound
from medtrio.store.db import Database
from medtrio.store.schema import Job, utcnow

Update = Callable[..., None]
Work = Callable[[Update], tuple[str, dict[str, Any] | None]]
_threads: dict[int, threading.Thread] = {}


@dataclass(frozen=True)
class JobStatus:
    id: int
    status: str
    progress: float
    message: str | None
    result: dict[str, Any] | None
    log: str


def start_job(
    db: Database,
    kind: str,
    params: dict[str, Any],
    work: Work,
    *,
    user_id: int | None = None,
    started: str = "started",
    what: str = "job",
) -> int:
    """Queue a job and run `work` in a background thread; returns the job id at once.

    `started` is the first log line; `what` names the task in the message of an unexpected failure.
    """
    with db.session() as s:
        job = Job(kind=kind, status="queued", progress=0.0, params=params, created_by=user_id, log="",
                  message="queued")
        s.add(job)
        s.flush()
        job_id = job.id
    thread = threading.Thread(
        target=_run, args=(db, job_id, work, started, what), name=f"{kind}-job-{job_id}", daemon=True
    )
    _threads[job_id] = thread
    thread.start()
    return job_id


def is_running(job_id: int) -> bool:
    """Whether this process is running the job (a row left 'running' by a stopped server is not)."""
    return job_id in _threads


def update_job(db: Database, job_id: int, log: str | None = None, **fields: Any) -> None:
    """Set columns of a job's row and append a timestamped line to its log."""
    with db.session() as s:
        job = s.get(Job, job_id)
        if job is None:
            return
        for k, v in fields.items():
            setattr(job, k, v)
        if log:
            job.log = (job.log or "") + f"{utcnow().isoformat(timespec='seconds')} {log}\n"


def get_job(db: Database, job_id: int) -> JobStatus:
    """A job's current state, or `NotFound`."""
    with db.session() as s:
        job = s.get(Job, job_id)
        if job is None:
            raise NotFound(f"No job with id {job_id}.")
        return JobStatus(job.id, job.status, job.progress, job.message, job.result, job.log or "")


def wait_for_job(db: Database, job_id: int, timeout: float = 600.0) -> JobStatus:
    """Block until the job has finished or `timeout` seconds passed (for the CLI and tests)."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)
    deadline = time.monotonic() + timeout
    while True:
        status = get_job(db, job_id)
        if status.status in ("done", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def _run(db: Database, job_id: int, work: Work, started: str, what: str) -> None:
    update_job(db, job_id, started, status="running", progress=0.0, started_at=utcnow(), message="running")

    def update(log: str | None = None, **fields: Any) -> None:
        update_job(db, job_id, log, **fields)

    try:
        message, result = work(update)
    except MedtrioError as exc:
        update_job(db, job_id, f"failed: {exc.message}", status="failed", message=exc.message,
                   finished_at=utcnow())
    except Exception as exc:  # noqa: BLE001 - a job must end as failed, never hang as running
        where = traceback.extract_tb(exc.__traceback__)[-1]
        update_job(db, job_id, f"failed: {type(exc).__name__} at {Path(where.filename).name}:{where.lineno}",
                   status="failed", message=f"{what} failed: {type(exc).__name__}", finished_at=utcnow())
    else:
        update_job(db, job_id, "done: " + message, status="done", progress=1.0, message=message,
                   result=result, finished_at=utcnow())
    finally:
        _threads.pop(job_id, None)
