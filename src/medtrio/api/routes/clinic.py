"""The clinician terminal `/clinic`: the patient list (search, department filter) and the patient chart."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from medtrio.api.deps import Clinician, DbSession, PatientAccess, audit
from medtrio.api.readmodel import age_on, departments, visible_patients
from medtrio.api.render import render
from medtrio.api.timeline import PER_PAGE as EVENTS_PER_PAGE
from medtrio.api.timeline import timeline_page
from medtrio.store.schema import Event

router = APIRouter(tags=["clinic"], include_in_schema=False)
PER_PAGE = 50


def page_of_event(
    s: Session, patient_id: int, event_id: int, category: str | None
) -> tuple[int, str | None] | None:
    """The timeline page (and category filter) that shows one of the patient's events.

    Evidence links (`?event=ID#event-ID`) land on the right page of the newest-first table; a
    category filter the event is not in is dropped. None when the event is not this patient's.
    """
    row = s.execute(
        select(Event.time, Event.category).where(Event.id == event_id, Event.patient_id == patient_id)
    ).first()
    if row is None:
        return None
    time, event_category = row
    if category and category != event_category:
        category = None
    # rows listed before it in the table's order: newer first, then higher id; undated rows last
    if time is not None:
        before = or_(Event.time > time, and_(Event.time == time, Event.id > event_id))
    else:
        before = or_(Event.time.is_not(None), Event.id > event_id)
    q = select(func.count()).select_from(Event).where(Event.patient_id == patient_id, before)
    if category:
        q = q.where(Event.category == category)
    return s.execute(q).scalar_one() // EVENTS_PER_PAGE + 1, category


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
    event: int | None = None,
) -> Response:
    if ctx.account.role == "patient":  # their own record lives in the patient terminal
        return RedirectResponse("/me", status_code=303)
    found = page_of_event(s, ctx.patient_id, event, category) if event is not None else None
    if found is not None:
        page, category = found
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
