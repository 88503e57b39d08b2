"""Case analysis in the clinician terminal: JSON API, the report page with an expandable "why" per statement,
and the PDF export. Access: clinicians with access to the patient (`PatientAccess` writes the audit row)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from medtrio.api.deps import AppSettings, Clinician, DbSession, PatientAccess, audit
from medtrio.api.render import render
from medtrio.reasoning import analyse
from medtrio.reasoning.pdf import report_pdf
from medtrio.trajectory.registry import active_model

router = APIRouter(tags=["case analysis"])


def _complaint(complaint: str | None) -> str | None:
    text = (complaint or "").strip()
    return text[:200] or None


@router.get("/api/patients/{patient_id}/case-analysis", name="case_analysis_api")
def case_analysis_api(
    ctx: PatientAccess, account: Clinician, s: DbSession, settings: AppSettings, complaint: str | None = None
) -> dict[str, Any]:
    """The eight-step case analysis as JSON (statements with their evidence)."""
    report = analyse(s, ctx.patient_id, _complaint(complaint), trajectory=active_model(settings.data_dir))
    return report.as_dict()


@router.get("/clinic/patients/{patient_id}/analysis", name="case_analysis_page")
def case_analysis_page(
    request: Request, ctx: PatientAccess, account: Clinician, s: DbSession, settings: AppSettings,
    complaint: str | None = None,
) -> HTMLResponse:
    report = analyse(s, ctx.patient_id, _complaint(complaint), trajectory=active_model(settings.data_dir))
    return render(
        request,
        "calculators/analysis.html",
        {"terminal": "clinic", "patient": ctx.patient, "report": report, "complaint": complaint or ""},
    )


@router.get("/clinic/patients/{patient_id}/analysis.pdf", name="case_analysis_pdf")
def case_analysis_pdf(
    request: Request, ctx: PatientAccess, account: Clinician, s: DbSession, settings: AppSettings,
    complaint: str | None = None,
) -> Response:
    report = analyse(s, ctx.patient_id, _complaint(complaint), trajectory=active_model(settings.data_dir))
    audit(request, s, account, "export", "case_analysis_pdf", patient_id=ctx.patient_id)
    label = f"{ctx.patient.name or ctx.patient.external_id} ({ctx.patient.external_id})"
    return Response(
        report_pdf(report, label),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="case-analysis-{ctx.patient_id}.pdf"'},
    )
