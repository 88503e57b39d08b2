"""FastAPI dependencies: database session, signed-in account, roles, per-patient access, CSRF, audit.

Access is declared in route signatures through the typed aliases below, e.g.::

    @router.get("/clinic/patients/{patient_id}")
    def chart(ctx: PatientAccess, s: DbSession): ...

`PatientAccess` checks the patient in the path against `medtrio.api.access.may_read_patient`, writes the
audit row ("read" for GET, "write" otherwise; resource = the route's name) and returns a `PatientContext`.
A refusal writes an audit row with action "denied" (in its own transaction, so it survives the error)
and answers 404 to patients (so record ids cannot be probed) and 403 to everyone else.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from medtrio.accounts import Account, get_account
from medtrio.api.access import may_read_patient
from medtrio.api.session import Session as WebSession
from medtrio.api.uploads import too_large
from medtrio.errors import Forbidden, NotFound, Unauthenticated
from medtrio.settings import Settings
from medtrio.store import Database
from medtrio.store.audit import Actor, record
from medtrio.store.patients import PatientSummary, get_patient

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with request.app.state.db.session() as s:
        yield s


Db = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
DbSession = Annotated[Session, Depends(get_session)]


def web_session(request: Request) -> WebSession:
    return request.scope["medtrio_session"]


CookieSession = Annotated[WebSession, Depends(web_session)]


def _route_name(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "name", None) or request.url.path


def _route_path(request: Request) -> str:
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', request.url.path)}"[:255]


def actor_of(account: Account) -> Actor:
    return Actor(account.id, account.username, account.role)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def audit(
    request: Request,
    session: Session,
    account: Account | None,
    action: str,
    resource: str | None = None,
    *,
    patient_id: int | None = None,
    reason: str | None = None,
) -> None:
    """Add an audit row for this request to `session` (committed with the request's transaction)."""
    actor = actor_of(account) if account else Actor(None, "anonymous", "anonymous")
    record(
        session,
        actor,
        action,
        (resource or _route_name(request))[:64],
        patient_id=patient_id,
        route=_route_path(request),
        reason=reason,
        ip=client_ip(request),
    )


def audit_now(
    request: Request,
    account: Account | None,
    action: str,
    resource: str | None = None,
    *,
    patient_id: int | None = None,
    reason: str | None = None,
) -> None:
    """Write one audit row in its own transaction (for refusals: the request itself will fail)."""
    with request.app.state.db.session() as s:
        audit(request, s, account, action, resource, patient_id=patient_id, reason=reason)


def optional_account(request: Request, session: DbSession, web: CookieSession) -> Account | None:
    uid = web.get("uid")
    account = get_account(session, int(uid)) if uid else None
    if uid and account is None:  # deactivated or deleted since sign-in
        web.reset()
    request.state.account = account
    return account


MaybeAccount = Annotated[Account | None, Depends(optional_account)]


def current_account(account: MaybeAccount) -> Account:
    if account is None:
        raise Unauthenticated("Please sign in.")
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]


def require_role(*roles: str):  # type: ignore[no-untyped-def]
    def check(request: Request, account: CurrentAccount) -> Account:
        if account.role not in roles:
            audit_now(request, account, "denied", reason=f"role {account.role} not in {'/'.join(roles)}")
            raise Forbidden("Your account does not give access to this page.")
        return account

    check.__name__ = f"require_{'_'.join(roles)}"
    return check


Admin = Annotated[Account, Depends(require_role("admin"))]
Clinician = Annotated[Account, Depends(require_role("clinician"))]
PatientUser = Annotated[Account, Depends(require_role("patient"))]


@dataclass(frozen=True)
class PatientContext:
    """An allowed (account, patient) pair; the audit row is already written."""

    account: Account
    patient: PatientSummary

    @property
    def patient_id(self) -> int:
        return self.patient.id


def _grant(request: Request, session: Session, account: Account, patient_id: int) -> PatientContext:
    if not may_read_patient(session, account, patient_id):
        audit_now(
            request, account, "denied", patient_id=patient_id, reason="patient outside this account's scope"
        )
        if account.role == "patient":
            raise NotFound("No such record.")
        raise Forbidden("You do not have access to this patient's record.")
    patient = get_patient(session, patient_id)
    audit(
        request,
        session,
        account,
        "read" if request.method in SAFE_METHODS else "write",
        patient_id=patient_id,
    )
    return PatientContext(account, patient)


def patient_access(
    request: Request, patient_id: int, session: DbSession, account: CurrentAccount
) -> PatientContext:
    return _grant(request, session, account, patient_id)


def own_record(request: Request, session: DbSession, account: PatientUser) -> PatientContext:
    if account.patient_id is None:
        raise NotFound("This account is not linked to a patient record.")
    return _grant(request, session, account, account.patient_id)


PatientAccess = Annotated[PatientContext, Depends(patient_access)]
OwnRecord = Annotated[PatientContext, Depends(own_record)]


async def check_csrf(request: Request) -> None:
    """App-wide: every unsafe request carries the session's CSRF token (form field or header).

    Bodies over `settings.max_upload_mb` are refused here, before anything is parsed or written.
    """
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + 64 * 1024:
        raise too_large(request.app.state.settings.max_upload_mb)
    if request.method in SAFE_METHODS:
        return
    expected = request.scope["medtrio_session"].get("csrf", "")
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        token = value if isinstance(value, str) else None
    if not token or not expected or not secrets.compare_digest(token, expected):
        raise Forbidden("The form has expired or did not come from this site. Reload the page and try again.")
