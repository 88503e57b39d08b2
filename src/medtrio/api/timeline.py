"""The patient timeline page, shared by `/me` and the clinician chart `/clinic/patients/{id}`."""

from __future__ import annotations

import time

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from medtrio.api.deps import PatientContext
from medtrio.api.readmodel import age_on, timeline_view
from medtrio.api.render import render
from medtrio.store.codes import CATEGORIES
from medtrio.store.schema import Department
from medtrio.web.charts import lab_trend_svg, timeline_marks_svg
from medtrio.web.i18n import current_language
from medtrio.web.i18n import gettext_ as _

PER_PAGE = 50


def timeline_page(
    request: Request,
    s: Session,
    ctx: PatientContext,
    *,
    terminal: str,
    base_url: str,
    category: str | None,
    page: int,
    lab: str | None,
) -> HTMLResponse:
    t0 = time.perf_counter()
    category = category if category in CATEGORIES else None
    view = timeline_view(s, ctx.patient_id, category=category, page=page, per_page=PER_PAGE, lab_code=lab)
    t_db = time.perf_counter()
    lab_chart = lab_trend_svg(view.lab_points, title=view.lab.label, unit=view.lab.unit) if view.lab else None
    lanes = [
        (kind, label, marks)
        for kind, label, marks in (
            ("diagnosis", _("Diagnoses"), view.diagnoses),
            ("encounter", _("Encounters"), view.encounters),
            ("medication", _("Medications"), view.medications),
        )
        if marks
    ]
    marks_chart = timeline_marks_svg(lanes) if lanes else None
    t_chart = time.perf_counter()
    department = ctx.patient.department
    if ctx.patient.department_id is not None and current_language.get() == "zh":
        dept = s.get(Department, ctx.patient.department_id)
        department = (dept.name_zh or dept.name_en) if dept else department
    response = render(
        request,
        "timeline.html",
        {
            "terminal": terminal,
            "patient": ctx.patient,
            "age": age_on(ctx.patient.birth_date, ctx.patient.death_date),
            "view": view,
            "department": department,
            "lab_chart": lab_chart,
            "marks_chart": marks_chart,
            "base_url": base_url,
            "categories": [c for c in CATEGORIES if view.counts.get(c)],
        },
    )
    t_end = time.perf_counter()
    response.headers.append(
        "server-timing",
        f"db;dur={(t_db - t0) * 1000:.1f}, chart;dur={(t_chart - t_db) * 1000:.1f}, "
        f"render;dur={(t_end - t_chart) * 1000:.1f}",
    )
    return response
