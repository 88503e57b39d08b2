"""The clinician terminal `/clinic`: the patient list (search, department filter) and the patient chart."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from medtrio.api.deps import Clinician, DbSession, PatientAccess, audit
from medtrio.api.readmodel import age_on, departments, visible_patients
from medtrio.api.render import render
from medtrio.api.timeline import timeline_page

router = APIRouter(tags=["clinic"], include_in_schema=False)
PER_PAGE = 50


@router.get("/clinic", name="clinic_patients")
def clinic_patients(
    request: Request, account: Clinician, s: DbSession, q: str = "", department: str = "", page: int = 1
) -> HTMLResponse:
    dept_id = int(department) if department.isdigit() else None
    page = max(1, page)
    rows, total = visible_patients(
        s, account, text=q, department_id=dept_id, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    # a list of names and identifiers is patient data too
    audit(request, s, account, "read", "patient_list", reason=f"{len(rows)} shown")
    depts = departments(s)
    return render(
        request,
        "clinic/patients.html",
        {
            "terminal": "clinic",
            "rows": rows,
            "total": total,
            "q": q,
            "department": dept_id,
            "departments": depts,
            "dept_by_id": {d.id: d for d in depts},
            "page": page,
            "pages": max(1, -(-total // PER_PAGE)),
            "age_on": age_on,
        },
    )


@router.get("/clinic/patients/{patient_id}", name="clinic_chart")
def clinic_chart(
    request: Request,
    ctx: PatientAccess,
    s: DbSession,
    category: str | None = None,
    page: int = 1,
    lab: str | None = None,
) -> Response:
    if ctx.account.role == "patient":  # their own record lives in the patient terminal
        return RedirectResponse("/me", status_code=303)
    return timeline_page(
        request,
        s,
        ctx,
        terminal="clinic",
        base_url=f"/clinic/patients/{ctx.patient_id}",
        category=category,
        page=page,
        lab=lab,
    )
