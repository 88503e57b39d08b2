"""The hospital terminal `/admin`: overview, users, departments and doctors (see also imports, audit).

An administrator manages the installation but sees no clinical content: these pages show counts,
accounts, jobs and audit rows (identifiers only), never events.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from medtrio.accounts import ROLES, create_user
from medtrio.api.deps import Admin, DbSession, audit
from medtrio.api.render import render
from medtrio.errors import Conflict, InvalidInput, NotFound
from medtrio.store.schema import Department, Doctor, Event, Job, Patient, User

router = APIRouter(tags=["admin"])


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
