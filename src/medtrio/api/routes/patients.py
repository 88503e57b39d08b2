"""JSON API for patient records under `/api/patients` (the same access rules and audit as the pages)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from medtrio.api.deps import CurrentAccount, DbSession, PatientAccess, audit
from medtrio.api.readmodel import event_page, visible_patients
from medtrio.errors import InvalidInput
from medtrio.store.codes import CATEGORIES
from medtrio.store.events import category_counts
from medtrio.store.patients import PatientSummary

router = APIRouter(prefix="/api/patients", tags=["patients"])


def _patient_json(p: PatientSummary) -> dict[str, Any]:
    return {
        "id": p.id,
        "source": p.source,
        "external_id": p.external_id,
        "name": p.name,
        "sex": p.sex,
        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        "death_date": p.death_date.isoformat() if p.death_date else None,
        "department_id": p.department_id,
        "department": p.department,
    }


@router.get("", name="api_patient_list")
def list_patients(
    request: Request,
    account: CurrentAccount,
    s: DbSession,
    q: str = "",
    department_id: int | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    """Patients the signed-in account may read (a clinician: their department and assignments)."""
    rows, total = visible_patients(
        s, account, text=q, department_id=department_id, limit=limit, offset=offset
    )
    audit(request, s, account, "read", "patient_list", reason=f"{len(rows)} returned")
    return {"total": total, "patients": [_patient_json(p) for p in rows]}


@router.get("/{patient_id}", name="api_patient")
def get_patient_json(ctx: PatientAccess, s: DbSession) -> dict[str, Any]:
    return {**_patient_json(ctx.patient), "event_counts": category_counts(s, ctx.patient_id)}


@router.get("/{patient_id}/timeline", name="api_timeline")
def get_timeline(
    ctx: PatientAccess,
    s: DbSession,
    category: str | None = None,
    page: int = Query(1, ge=1),
    per_page: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """One page of the patient's events, newest first, optionally of one category."""
    if category is not None and category not in CATEGORIES:
        raise InvalidInput(f"Unknown category {category!r}.", detail={"categories": list(CATEGORIES)})
    counts = category_counts(s, ctx.patient_id)
    events = event_page(s, ctx.patient_id, category, page, per_page)
    return {
        "patient_id": ctx.patient_id,
        "page": page,
        "per_page": per_page,
        "total": counts.get(category, 0) if category else sum(counts.values()),
        "events": [
            {
                "id": e.id,
                "time": e.time.isoformat() if e.time else None,
                "code": e.code,
                "display": e.display,
                "category": e.category,
                "numeric_value": e.numeric_value,
                "unit": e.unit,
                "text_value": e.text_value,
                "ref_low": e.ref_low,
                "ref_high": e.ref_high,
                "source": e.source,
            }
            for e in events
        ],
    }
