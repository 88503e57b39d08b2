"""Background import jobs for the admin page: a thread runs the import and keeps its `jobs` row current.

`start_import_job` returns at once with the job id; the row moves queued -> running -> done|failed with
`progress` (0..1), a short `message`, a `log`, and on success `result` = the import report as JSON
(the job lifecycle is `medtrio.store.jobs`). Progress is written at most every half second so a large
import is not slowed by its own bookkeeping.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from medtrio.ingest.service import detect_format, run_import
from medtrio.store import Database
from medtrio.store.audit import Actor
from medtrio.store.jobs import JobStatus, Update, get_job, start_job, wait_for_job
from medtrio.store.schema import User

__all__ = ["JobStatus", "get_job", "start_import_job", "wait_for_job"]
KIND = "import"


def start_import_job(
    db: Database, path: Path | str, fmt: str | None = None, user_id: int | None = None,
    *, errors_dir: Path | None = None,
) -> int:
    """Queue an import of `path` (format detected when None) and run it in a background thread."""
    path = Path(path)
    fmt = fmt or detect_format(path)  # a bad upload fails here, before any job exists

    def work(update: Update) -> tuple[str, dict[str, Any] | None]:
        last = [0.0]

        def progress(fraction: float, what: str) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.5:
                last[0] = now
                update(progress=max(0.0, min(1.0, fraction)), message=what)

        report = run_import(db, path, fmt, actor=_actor(db, user_id), progress=progress,
                            errors_dir=errors_dir)
        msg = (f"{report.patients} patients, {report.events_added} new events, "
               f"{report.skipped} records skipped")
        note = f"; errors in {report.error_file}" if report.error_file else ""
        update("result: " + msg + note)
        return msg, report.to_dict()

    return start_job(db, KIND, {"path": str(path), "format": fmt}, work, user_id=user_id,
                     started=f"started {fmt} import of {path.name}", what="import")


def _actor(db: Database, user_id: int | None) -> Actor:
    if user_id is None:
        return Actor.system("import-job")
    with db.session() as s:
        user = s.get(User, user_id)
        if user is None:
            return Actor(user_id, f"user {user_id}", "unknown")
        return Actor(user_id, user.username, user.role)
