"""JSON API for patient records under `/api/patients` (same access rules and audit as the pages)."""

from __future__ import annotations

from fastapi import APIRouter

from medtrio.api.deps import PatientAccess

router = APIRouter(prefix="/api/patients", tags=["patients"])


@router.get("/{patient_id}", name="api_patient")
def get_patient_json(ctx: PatientAccess) -> dict:
    p = ctx.patient
    return {"id": p.id, "external_id": p.external_id, "name": p.name, "sex": p.sex,
            "birth_date": p.birth_date.isoformat() if p.birth_date else None,
            "department": p.department, "department_id": p.department_id}  # fmt: skip
