"""CDS Hooks 2.0 service so an EHR can call Medtrio: discovery at `GET /cds-services`, and the `patient-view`
hook at `POST /cds-services/medtrio-patient-view` answering cards with the top warnings and risk scores of the
case analysis, each with a link back into Medtrio.

Security, as CDS Hooks 2.0 specifies: the EHR signs each call with a JWT (`Authorization: Bearer <jwt>`;
ES384/RS384 and their 256 variants) whose `iss` must be a trusted EHR, `aud` the service URL, with `exp`,
`iat` and a fresh `jti`. Trusted issuers and their public keys come from a JSON file named by
`MEDTRIO_CDS_HOOKS_JWKS` (`{"<iss>": {"keys": [<JWK>, ...]}}`; no key is fetched over the network). For simple
installations a shared bearer secret in `MEDTRIO_CDS_HOOKS_TOKEN` is accepted instead. With neither set the
service is off. These are plain Starlette routes, so the browser-session CSRF check does not apply: the
signed token replaces it. Every call is audited with the patient id.

Reference: https://cds-hooks.hl7.org/2.0/ (discovery, request, card attributes).
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse

from medtrio.reasoning import analyse
from medtrio.reasoning.model import CaseReport
from medtrio.store.audit import Actor
from medtrio.store.schema import Patient
from medtrio.trajectory.registry import active_model

TOKEN_ENV = "MEDTRIO_CDS_HOOKS_TOKEN"
JWKS_ENV = "MEDTRIO_CDS_HOOKS_JWKS"
ALGORITHMS = ["ES384", "RS384", "ES256", "RS256"]
MAX_TOKEN_AGE_S = 300
_SEEN_JTI: dict[str, float] = {}
SERVICE_ID = "medtrio-patient-view"
MAX_WARNING_CARDS = 5
SUMMARY_LIMIT = 140

router = APIRouter()

SERVICE = {
    "hook": "patient-view",
    "id": SERVICE_ID,
    "title": "Medtrio case analysis",
    "description": "Top warnings (critical values, drug cautions, missing monitoring) and risk scores "
    "computed from the patient's record, with links to the full cited analysis in Medtrio.",
    "prefetch": {},
    "usageRequirements": f"Signed JWT from an issuer trusted in {JWKS_ENV} (or the {TOKEN_ENV} secret); "
    "context.patientId = Medtrio external id or id.",
}


async def discovery(request: Request) -> JSONResponse:
    return JSONResponse({"services": [SERVICE]})


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def patient_view(request: Request) -> JSONResponse:
    refusal = _authenticate(request)
    if refusal is not None:
        return refusal
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "the request body is not JSON")
    if not isinstance(body, dict) or body.get("hook") != "patient-view" or not body.get("hookInstance"):
        return _error(400, "expected a patient-view hook request with hookInstance")
    context = body.get("context") or {}
    patient_ref = str(context.get("patientId") or "").strip()
    if not patient_ref:
        return _error(400, "context.patientId is required")
    actor = Actor(None, f"cds-hooks:{str(context.get('userId') or 'unknown')[:40]}", "system")
    with request.app.state.db.session() as s:
        pid = _resolve(s, patient_ref)
        if pid is None:
            return _error(404, f"no patient '{patient_ref}' in Medtrio")
        report = analyse(s, pid, actor=actor, trajectory=active_model(request.app.state.settings.data_dir))
    return JSONResponse({"cards": cards(report, str(request.base_url).rstrip("/"))})


def _authenticate(request: Request) -> JSONResponse | None:
    """None when the caller is allowed; otherwise the error response."""
    secret, jwks_path = os.environ.get(TOKEN_ENV, ""), os.environ.get(JWKS_ENV, "")
    if not secret and not jwks_path:
        return _error(503, f"the CDS Hooks service is not configured ({JWKS_ENV} or {TOKEN_ENV})")
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth.startswith("Bearer ") else ""
    if not token:
        return _error(401, "missing bearer token")
    if token.count(".") == 2 and jwks_path:
        why = _verify_jwt(token, jwks_path, str(request.url).split("?")[0])
        return None if why is None else _error(401, f"JWT refused: {why}")
    if secret and secrets.compare_digest(token, secret):
        return None
    return _error(401, "wrong bearer token")


def _verify_jwt(token: str, jwks_path: str, audience: str) -> str | None:
    """None when the JWT is valid for this service, else the reason."""
    import jwt

    try:
        trusted = json.loads(open(jwks_path, encoding="utf-8").read())  # noqa: SIM115 - small config file
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        header = jwt.get_unverified_header(token)
        keys = trusted.get(issuer, {}).get("keys", []) if isinstance(trusted, dict) else []
        if not keys:
            return f"issuer {issuer!r} is not trusted"
        jwk = next(
            (k for k in keys if k.get("kid") == header.get("kid")), keys[0] if len(keys) == 1 else None
        )
        if jwk is None:
            return "no trusted key matches the token's kid"
        claims = jwt.decode(
            token,
            jwt.PyJWK(jwk).key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iat", "jti", "iss", "aud"]},
        )
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        return type(exc).__name__ if not str(exc) else str(exc)[:120]
    now = time.time()
    if claims["iat"] > now + 60 or now - claims["iat"] > MAX_TOKEN_AGE_S:
        return "token too old or issued in the future"
    for jti, seen in list(_SEEN_JTI.items()):
        if now - seen > MAX_TOKEN_AGE_S:
            del _SEEN_JTI[jti]
    if claims["jti"] in _SEEN_JTI:
        return "replayed token (jti already used)"
    _SEEN_JTI[claims["jti"]] = now
    return None


def _resolve(s: Any, ref: str) -> int | None:
    found = s.scalars(select(Patient.id).where(Patient.external_id == ref)).first()
    if found is None and ref.isdigit():
        found = s.scalars(select(Patient.id).where(Patient.id == int(ref))).first()
    return found


def _short(text: str) -> str:
    return text if len(text) < SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 2] + "…"


def cards(report: CaseReport, base_url: str) -> list[dict[str, Any]]:
    """Cards: one per top warning (critical first), then one info card with the computed scores."""
    link = {
        "label": "Open the cited case analysis in Medtrio",
        "type": "absolute",
        "url": f"{base_url}/clinic/patients/{report.patient_id}/analysis",
    }
    source = {
        "label": "Medtrio (deterministic rules; decision support only)",
        "url": f"{base_url}/cds-services",
    }
    by_key = {step.key: step for step in report.steps}
    warnings = [
        st for key in ("warnings", "abnormal") for st in by_key[key].statements if st.severity != "info"
    ]
    warnings.sort(key=lambda st: 0 if st.severity == "critical" else 1)
    out, seen = [], set()
    for st in warnings:
        if st.text in seen or len(out) >= MAX_WARNING_CARDS:
            continue
        seen.add(st.text)
        why = "\n".join(f"- {e.kind}: {e.label}" for e in st.evidence)
        out.append(
            {
                "uuid": str(uuid.uuid4()),
                "summary": _short(st.text),
                "indicator": st.severity,
                "detail": f"Based on:\n{why}",
                "source": source,
                "links": [link],
            }
        )
    scores = [st.text for st in by_key["scores"].statements if " = " in st.text]
    if scores:
        out.append(
            {
                "uuid": str(uuid.uuid4()),
                "summary": _short("Risk scores from the record: " + "; ".join(scores[:3])),
                "indicator": "info",
                "detail": "\n".join(f"- {t}" for t in scores),
                "source": source,
                "links": [link],
            }
        )
    return out


router.add_route("/cds-services", discovery, methods=["GET"], name="cds_discovery", include_in_schema=False)
router.add_route(
    f"/cds-services/{SERVICE_ID}",
    patient_view,
    methods=["POST"],
    name="cds_patient_view",
    include_in_schema=False,
)
