"""Background training jobs for the admin terminal: train a trajectory model on the event store.

`start_training_job` returns at once with the id of a `jobs` row (kind "train_trajectory"); a thread
runs `registry.train_and_register` and moves the row queued -> running -> done|failed with a short
`message`, a timestamped `log` and, on success, `result` = the new version, its training metadata and
metrics (the job lifecycle is `medtrio.store.jobs`). Each holdout evaluation of the training loop moves
`progress` (the larger of the step and time budget used, scaled to 5-95 %) and adds a log line with the
step and holdout loss. Only one training runs at a time: a second start while one is queued or running is
refused (the CPU is shared).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from medtrio.errors import Conflict, InvalidInput
from medtrio.store import Database
from medtrio.store.jobs import Update, is_running, start_job, wait_for_job
from medtrio.store.schema import Job
from medtrio.trajectory import registry

KIND = "train_trajectory"
PRESETS = ("tiny", "small")
MAX_MINUTES = 240.0
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
    data_dir = Path(data_dir)
    params = {"preset": preset, "max_minutes": max_minutes, "max_steps": max_steps}
    budget = ", ".join(x for x in (f"at most {max_minutes:g} min" if max_minutes else "",
                                   f"at most {max_steps} steps" if max_steps else "") if x)

    def work(update: Update) -> tuple[str, dict[str, Any] | None]:
        update(progress=0.05, message="training")
        started = time.perf_counter()

        def on_eval(r: dict) -> None:  # training is 5-95 %; registering and the baselines the rest
            update(f"step {r['step']}: holdout loss {r['holdout_loss']:.3f}",
                   progress=round(0.05 + 0.9 * r["fraction"], 3),
                   message=f"training: step {r['step']}, holdout loss {r['holdout_loss']:.3f}")

        version = registry.train_and_register(db, data_dir, preset, max_minutes=max_minutes,
                                              max_steps=max_steps, on_eval=on_eval)
        entry = next(m for m in registry.list_models(registry.root_of(data_dir)) if m.version == version)
        meta = entry.metadata
        msg = (f"registered and activated {version}: {meta.get('steps', '?')} steps, "
               f"{time.perf_counter() - started:.0f} s")
        return msg, {"version": version, "metadata": meta, "metrics": entry.metrics}

    with _start_lock:
        with db.session() as s:
            busy = s.scalar(
                select(Job.id).where(Job.kind == KIND, Job.status.in_(("queued", "running"))).limit(1)
            )
        if busy is not None and is_running(busy):
            raise Conflict(f"Training job {busy} is still running; wait for it to finish.")
        return start_job(db, KIND, params, work, user_id=user_id, what="training",
                         started=f"started: preset {preset}" + (f" ({budget})" if budget else ""))


def wait_for_training(db: Database, job_id: int, timeout: float = 600.0) -> str:
    """Block until the job has finished (for the CLI and tests); returns its final status."""
    return wait_for_job(db, job_id, timeout).status
