"""Background training jobs for the admin terminal: train a trajectory model on the event store.

`start_training_job` returns at once with the id of a `jobs` row (kind "train_trajectory"); a thread
runs `registry.train_and_register` and moves the row queued -> running -> done|failed with a short
`message`, a timestamped `log` and, on success, `result` = the new version, its training metadata and
metrics. Training reports no intermediate progress (its loop has no callback), so `progress` goes
0 -> 0.05 when it starts -> 1.0 when done; the log says when each phase began. Only one training runs
at a time: a second start while one is queued or running is refused (the CPU is shared).
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path
from typing import Any

from sqlalchemy import select

from medtrio.errors import Conflict, InvalidInput, MedtrioError, NotFound
from medtrio.store import Database
from medtrio.store.schema import Job, utcnow
from medtrio.trajectory import registry

KIND = "train_trajectory"
PRESETS = ("tiny", "small")
MAX_MINUTES = 240.0
_threads: dict[int, threading.Thread] = {}
_start_lock = threading.Lock()


def start_training_job(
    db: Database,
    data_dir: Path,
    preset: str = "tiny",
    *,
    max_minutes: float | None = None,
    max_steps: int | None = None,
    user_id: int | None = None,
) -> int:
    """Queue a training run on the event store and start it in a background thread; returns the job id."""
    if preset not in PRESETS:
        raise InvalidInput(f"Unknown preset {preset!r}; choose one of {', '.join(PRESETS)}.")
    if max_minutes is not None and not (0 < max_minutes <= MAX_MINUTES):
        raise InvalidInput(f"Max minutes must be between 0 and {MAX_MINUTES:.0f}.")
    if max_steps is not None and max_steps < 1:
        raise InvalidInput("Max steps must be at least 1.")
    params = {"preset": preset, "max_minutes": max_minutes, "max_steps": max_steps}
    with _start_lock, db.session() as s:
        busy = s.scalar(
            select(Job.id).where(Job.kind == KIND, Job.status.in_(("queued", "running"))).limit(1)
        )
        if busy is not None and busy in _threads:
            raise Conflict(f"Training job {busy} is still running; wait for it to finish.")
        job = Job(kind=KIND, status="queued", progress=0.0, params=params, created_by=user_id,
                  log="", message="queued")
        s.add(job)
        s.flush()
        job_id = job.id
    t = threading.Thread(target=_run, args=(db, job_id, Path(data_dir), preset, max_minutes, max_steps),
                         name=f"train-trajectory-job-{job_id}", daemon=True)
    _threads[job_id] = t
    t.start()
    return job_id


def wait_for_training(db: Database, job_id: int, timeout: float = 600.0) -> str:
    """Block until the job has finished (for the CLI and tests); returns its final status."""
    t = _threads.get(job_id)
    if t is not None:
        t.join(timeout)
    deadline = time.monotonic() + timeout
    while True:
        with db.session() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise NotFound(f"No job with id {job_id}.")
            status = job.status
        if status in ("done", "failed") or time.monotonic() > deadline:
            return status
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


def _run(db: Database, job_id: int, data_dir: Path, preset: str, max_minutes: float | None,
         max_steps: int | None) -> None:
    budget = ", ".join(x for x in (f"at most {max_minutes:g} min" if max_minutes else "",
                                   f"at most {max_steps} steps" if max_steps else "") if x)
    _update(db, job_id, f"started: preset {preset}" + (f" ({budget})" if budget else ""),
            status="running", progress=0.05, started_at=utcnow(), message="training")
    started = time.perf_counter()
    try:
        version = registry.train_and_register(db, data_dir, preset, max_minutes=max_minutes,
                                              max_steps=max_steps)
    except MedtrioError as exc:
        _update(db, job_id, f"failed: {exc.message}", status="failed", message=exc.message,
                finished_at=utcnow())
    except Exception as exc:  # noqa: BLE001 - a job must end as failed, never hang as running
        # type and place only: messages can quote codes or rows from the store
        where = traceback.extract_tb(exc.__traceback__)[-1]
        _update(db, job_id, f"failed: {type(exc).__name__} at {Path(where.filename).name}:{where.lineno}",
                status="failed", message=f"training failed: {type(exc).__name__}", finished_at=utcnow())
    else:
        entry = next(m for m in registry.list_models(registry.root_of(data_dir)) if m.version == version)
        meta = entry.metadata
        msg = (f"registered and activated {version}: {meta.get('steps', '?')} steps, "
               f"{time.perf_counter() - started:.0f} s")
        _update(db, job_id, "done: " + msg, status="done", progress=1.0, message=msg, finished_at=utcnow(),
                result={"version": version, "metadata": meta, "metrics": entry.metrics})
    finally:
        _threads.pop(job_id, None)
