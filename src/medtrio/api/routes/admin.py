"""The hospital terminal `/admin`: data import with job progress, users, departments and doctors, audit log.

An administrator manages the installation but sees no clinical content: these pages show counts,
accounts, jobs and audit rows (identifiers only), never events.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select
from starlette.datastructures import UploadFile

from medtrio.accounts import ROLES, create_user
from medtrio.api.deps import Admin, AppSettings, Db, DbSession, audit
from medtrio.api.render import render
from medtrio.api.uploads import store_upload
from medtrio.errors import Conflict, InvalidInput, MedtrioError, NotFound
from medtrio.store.audit import ACTIONS, query
from medtrio.store.schema import Department, Doctor, Event, Job, Patient, User

router = APIRouter(tags=["admin"])
FORMATS = ("auto", "fhir", "meds", "omop", "mimic")  # "auto": the importer detects it


class ServiceUnavailable(MedtrioError):
    status_code = 503


@router.get("/admin", name="admin_home", include_in_schema=False)
def admin_home(request: Request, account: Admin, s: DbSession) -> HTMLResponse:
    roles = dict(s.execute(select(User.role, func.count()).group_by(User.role)).all())
    stats = {
        "patients": s.scalar(select(func.count()).select_from(Patient)) or 0,
        "events": s.scalar(select(func.count()).select_from(Event)) or 0,
        "departments": s.scalar(select(func.count()).select_from(Department)) or 0,
        "doctors": s.scalar(select(func.count()).select_from(Doctor)) or 0,
        "jobs_running": s.scalar(select(func.count()).select_from(Job).where(Job.status == "running")) or 0,
    }
    return render(request, "admin/home.html", {"terminal": "admin", "stats": stats, "roles": roles})


# ---- import ---------------------------------------------------------------------------------------


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


# ---- users ----------------------------------------------------------------------------------------


@router.get("/admin/users", name="admin_users", include_in_schema=False)
def users_page(request: Request, account: Admin, s: DbSession, created: str = "") -> HTMLResponse:
    users = list(s.scalars(select(User).order_by(User.role, User.username)))
    doctors = list(s.scalars(select(Doctor).order_by(Doctor.name)))
    ctx = {"terminal": "admin", "users": users, "doctors": doctors, "roles": ROLES, "created": created}
    return render(request, "admin/users.html", ctx)


@router.post("/admin/users", name="admin_user_create", include_in_schema=False)
def user_create(
    request: Request,
    account: Admin,
    s: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    display_name: Annotated[str, Form()] = "",
    doctor_id: Annotated[str, Form()] = "",
    patient_id: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "en",
) -> RedirectResponse:
    username = username.strip()
    if not username:
        raise InvalidInput("Give a username.")
    pid = int(patient_id) if patient_id.strip().isdigit() else None
    if pid is not None and s.get(Patient, pid) is None:
        raise InvalidInput(f"No patient record with id {pid}.")
    uid = create_user(
        s,
        username,
        password,
        role,
        display_name=display_name.strip() or None,
        doctor_id=int(doctor_id) if doctor_id.isdigit() else None,
        patient_id=pid,
        language=language if language in ("en", "zh") else "en",
    )
    audit(request, s, account, "write", "user", patient_id=pid, reason=f"created user {uid} ({role})")
    return RedirectResponse(f"/admin/users?created={username}", status_code=303)


@router.post("/admin/users/{user_id}/active", name="admin_user_active", include_in_schema=False)
def user_set_active(
    request: Request, user_id: int, account: Admin, s: DbSession, active: Annotated[str, Form()]
) -> RedirectResponse:
    user = s.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    if user.id == account.id and active != "1":
        raise Conflict("You cannot deactivate your own account while signed in with it.")
    user.active = active == "1"
    audit(
        request,
        s,
        account,
        "write",
        "user",
        reason=f"user {user_id} {'activated' if user.active else 'deactivated'}",
    )
    return RedirectResponse("/admin/users", status_code=303)


# ---- departments and doctors ----------------------------------------------------------------------


@router.get("/admin/departments", name="admin_departments", include_in_schema=False)
def departments_page(request: Request, account: Admin, s: DbSession) -> HTMLResponse:
    depts = list(s.scalars(select(Department).order_by(Department.name_en)))
    doctors = list(s.scalars(select(Doctor).order_by(Doctor.department_id, Doctor.name)))
    counts = dict(
        s.execute(select(Patient.department_id, func.count()).group_by(Patient.department_id)).all()
    )
    ctx = {
        "terminal": "admin",
        "departments": depts,
        "doctors": doctors,
        "patient_counts": counts,
        "dept_names": {d.id: d.name_en for d in depts},
    }
    return render(request, "admin/departments.html", ctx)


@router.post("/admin/departments", name="admin_department_create", include_in_schema=False)
def department_create(
    request: Request,
    account: Admin,
    s: DbSession,
    code: Annotated[str, Form()],
    name_en: Annotated[str, Form()],
    name_zh: Annotated[str, Form()] = "",
) -> RedirectResponse:
    code, name_en = code.strip().upper(), name_en.strip()
    if not code or not name_en:
        raise InvalidInput("A department needs a code and an English name.")
    if s.scalar(select(Department.id).where(Department.code == code)) is not None:
        raise Conflict(f"A department with code {code!r} exists already.")
    s.add(Department(code=code, name_en=name_en, name_zh=name_zh.strip() or None))
    audit(request, s, account, "write", "department", reason=f"created {code}")
    return RedirectResponse("/admin/departments", status_code=303)


@router.post("/admin/doctors", name="admin_doctor_create", include_in_schema=False)
def doctor_create(
    request: Request,
    account: Admin,
    s: DbSession,
    name: Annotated[str, Form()],
    department_id: Annotated[int, Form()],
    specialty: Annotated[str, Form()],
    languages: Annotated[str, Form()] = "en",
) -> RedirectResponse:
    if s.get(Department, department_id) is None:
        raise InvalidInput(f"No department with id {department_id}.")
    if not name.strip() or not specialty.strip():
        raise InvalidInput("A doctor needs a name and a specialty.")
    langs = [x.strip() for x in languages.replace(";", ",").split(",") if x.strip()]
    doc = Doctor(name=name.strip(), department_id=department_id, specialty=specialty.strip(), languages=langs)
    s.add(doc)
    s.flush()
    audit(request, s, account, "write", "doctor", reason=f"created doctor {doc.id}")
    return RedirectResponse("/admin/departments", status_code=303)


# ---- audit log ------------------------------------------------------------------------------------


def _parse_date(value: str, field: str) -> dt.datetime | None:
    if not value.strip():
        return None
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{field}: use a date like 2026-01-31.") from None


def _audit_rows(
    s: Any, user: str, patient: str, action: str, since: str, until: str, limit: int
) -> list[Any]:
    if patient.strip() and not patient.strip().isdigit():
        raise InvalidInput("Patient: give the numeric patient id.")
    if action and action not in ACTIONS:
        raise InvalidInput(f"Unknown action {action!r}.")
    end = _parse_date(until, "Until")
    if end is not None and len(until.strip()) <= 10:
        end += dt.timedelta(days=1)  # a date means "through the end of that day"
    return query(
        s,
        username=user.strip() or None,
        patient_id=int(patient) if patient.strip() else None,
        actions=[action] if action else None,
        since=_parse_date(since, "Since"),
        until=end,
        limit=limit,
    )


@router.get("/admin/audit", name="admin_audit", include_in_schema=False)
def audit_page(
    request: Request,
    account: Admin,
    s: DbSession,
    user: str = "",
    patient: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
) -> HTMLResponse:
    rows = _audit_rows(s, user, patient, action, since, until, 500)
    filters = {"user": user, "patient": patient, "action": action, "since": since, "until": until}
    return render(
        request, "admin/audit.html", {"terminal": "admin", "rows": rows, "actions": ACTIONS, **filters}
    )


@router.get("/api/admin/audit", name="api_audit")
def audit_json(
    account: Admin,
    s: DbSession,
    user: str = "",
    patient: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
    limit: int = 200,
) -> dict[str, Any]:
    """Audit rows, newest first: who, action, resource, patient id, route, reason, ip (no clinical values)."""
    rows = _audit_rows(s, user, patient, action, since, until, max(1, min(limit, 5000)))
    return {
        "rows": [
            {
                "at": r.at.isoformat(),
                "user_id": r.user_id,
                "username": r.username,
                "role": r.role,
                "action": r.action,
                "resource": r.resource,
                "patient_id": r.patient_id,
                "route": r.route,
                "reason": r.reason,
                "ip": r.ip,
            }
            for r in rows
        ]
    }
