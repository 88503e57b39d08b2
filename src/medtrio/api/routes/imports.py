"""Data import in the hospital terminal: upload a file or give a server path, then follow the job.

The import itself is `medtrio.ingest.jobs.start_import_job` (a background thread that keeps its `jobs`
row current); the job page polls `/api/admin/jobs/{id}` (`web/static/job.js`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from starlette.datastructures import UploadFile

from medtrio.api.deps import Admin, AppSettings, Db, DbSession, audit
from medtrio.api.render import render
from medtrio.api.uploads import store_upload
from medtrio.errors import InvalidInput, MedtrioError, NotFound
from medtrio.store.schema import Job

router = APIRouter(tags=["admin"])
FORMATS = ("auto", "fhir", "meds", "omop", "mimic")  # "auto": the importer detects it


class ServiceUnavailable(MedtrioError):
    status_code = 503


def _recent_jobs(s: Any) -> list[Job]:
    return list(s.scalars(select(Job).order_by(Job.id.desc()).limit(20)))


@router.get("/admin/import", name="admin_import", include_in_schema=False)
def import_page(request: Request, account: Admin, s: DbSession, settings: AppSettings) -> HTMLResponse:
    ctx = {
        "terminal": "admin",
        "jobs": _recent_jobs(s),
        "formats": FORMATS,
        "limit_mb": settings.max_upload_mb,
    }
    return render(request, "admin/import.html", ctx)


@router.post("/admin/import", name="admin_import_start", include_in_schema=False)
async def import_start(
    request: Request, account: Admin, db: Db, s: DbSession, settings: AppSettings
) -> RedirectResponse:
    # parsed by hand (no Form parameters) so the app-wide size check runs before the body is read
    form = await request.form()
    fmt = str(form.get("fmt") or "auto")
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    upload = form.get("file")
    server_path = str(form.get("path") or "").strip()
    if isinstance(upload, UploadFile) and upload.filename:
        doc = store_upload(s, upload, settings.upload_dir, settings.max_upload_mb, account.id)
        path, origin = Path(doc.path), f"upload document {doc.id}"
    elif server_path:
        path, origin = Path(server_path), "server path"
        if not path.exists():
            raise InvalidInput(
                f"Nothing exists at {server_path} on the server. Check the path and try again."
            )
    else:
        raise InvalidInput("Choose a file to upload or give a path on the server.")
    s.commit()  # the stored document survives even if the import engine refuses the job
    try:
        from medtrio.ingest.jobs import start_import_job
    except ImportError as exc:
        raise ServiceUnavailable(
            "The import engine (medtrio.ingest.jobs) is not available in this installation; "
            "the file was kept and can be imported once it is."
        ) from exc
    job_id = start_import_job(db, str(path), None if fmt == "auto" else fmt, account.id)
    audit(request, s, account, "write", "import", reason=f"job {job_id} {fmt} from {origin}")
    return RedirectResponse(f"/admin/import/jobs/{job_id}", status_code=303)


def _job_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "result": job.result,
        "log": (job.log or "")[-4000:],
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def _job(s: Any, job_id: int) -> Job:
    job = s.get(Job, job_id)
    if job is None:
        raise NotFound(f"No job with id {job_id}.")
    return job


@router.get("/admin/import/jobs/{job_id}", name="admin_job", include_in_schema=False)
def job_page(request: Request, job_id: int, account: Admin, s: DbSession) -> HTMLResponse:
    return render(request, "admin/job.html", {"terminal": "admin", "job": _job(s, job_id)})


@router.get("/api/admin/jobs/{job_id}", name="api_job")
def job_status(job_id: int, account: Admin, s: DbSession) -> dict[str, Any]:
    """Status and progress (0..1) of a background job; the import page polls this."""
    return _job_json(_job(s, job_id))
