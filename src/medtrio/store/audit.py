"""The audit log: every read or write of patient data leaves a row (who, what, when, route, why).

Rows carry identifiers and route names only, never clinical values, so the log itself is safe to show
to the installation's administrators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from medtrio.store.schema import AuditLog

ACTIONS = ("read", "write", "denied", "login", "logout", "login_failed", "export")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or a named system process (CLI, importer)."""

    user_id: int | None
    username: str
    role: str

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(None, name, "system")


def record(
    session: Session,
    actor: Actor,
    action: str,
    resource: str,
    *,
    patient_id: int | None = None,
    route: str | None = None,
    reason: str | None = None,
    ip: str | None = None,
) -> None:
    """Add one audit row to the session (committed with the caller's transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(
        AuditLog(
            user_id=actor.user_id, username=actor.username, role=actor.role, action=action,
            resource=resource, patient_id=patient_id, route=route, reason=reason, ip=ip,
        )
    )


def query(
    session: Session,
    *,
    username: str | None = None,
    patient_id: int | None = None,
    actions: Sequence[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 200,
) -> list[AuditLog]:
    """Audit rows, newest first, filtered."""
    q = select(AuditLog)
    if username:
        q = q.where(AuditLog.username == username)
    if patient_id is not None:
        q = q.where(AuditLog.patient_id == patient_id)
    if actions:
        q = q.where(AuditLog.action.in_(list(actions)))
    if since is not None:
        q = q.where(AuditLog.at >= since)
    if until is not None:
        q = q.where(AuditLog.at < until)
    return list(session.scalars(q.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)))
