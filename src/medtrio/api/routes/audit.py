"""The audit log in the hospital terminal: who read or wrote which record, filtered by user, patient,
action and date range (identifiers only, never clinical values)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from medtrio.api.deps import Admin, DbSession
from medtrio.api.render import render
from medtrio.errors import InvalidInput
from medtrio.store.audit import ACTIONS, query

router = APIRouter(tags=["admin"])


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
