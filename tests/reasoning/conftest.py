"""A real Medtrio server (uvicorn on a free port) on a temporary SQLite database holding the synthetic case of
case_fixture.py, a clinician of the patient's department and a clinician of another department."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from medtrio.accounts import create_user, hash_password
from medtrio.store import Database, open_database
from medtrio.store.schema import Department, Doctor, Patient

from .case_fixture import build_case

PASSWORD = "case-test-42"
CDS_TOKEN = "cds-test-secret"


EHR_ISSUER = "https://ehr.test"


@dataclass
class CaseServer:
    url: str
    db: Database
    patient_id: int
    ehr_key: object = None  # the EHR's private key (EC P-384) whose public half is trusted


def _seed(db: Database) -> int:
    with db.session() as s:
        med, surg = Department(code="MED", name_en="Medicine"), Department(code="SURG", name_en="Surgery")
        s.add_all([med, surg])
        s.flush()
        d1 = Doctor(name="Dr. One", department_id=med.id, specialty="internal medicine")
        d2 = Doctor(name="Dr. Two", department_id=surg.id, specialty="surgery")
        s.add_all([d1, d2])
        s.flush()
        pid = build_case(s)
        s.get(Patient, pid).department_id = med.id
        h = hash_password(PASSWORD)
        create_user(
            s, "dr.one", PASSWORD, "clinician", doctor_id=d1.id, display_name="Dr. One", password_hash=h
        )
        create_user(
            s, "dr.two", PASSWORD, "clinician", doctor_id=d2.id, display_name="Dr. Two", password_hash=h
        )
        create_user(s, "pat", PASSWORD, "patient", patient_id=pid, display_name="Pat", password_hash=h)
        return pid


@pytest.fixture(scope="module")
def case_server(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch_module: pytest.MonkeyPatch,
    serve_app,  # type: ignore[no-untyped-def]
) -> Iterator[CaseServer]:
    import json

    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    from medtrio.api.app import create_app
    from medtrio.settings import Settings

    root = tmp_path_factory.mktemp("case")
    ehr_key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ehr_key.public_key()))
    (root / "jwks.json").write_text(json.dumps({EHR_ISSUER: {"keys": [{**public, "kid": "ehr-1"}]}}))
    monkeypatch_module.setenv("MEDTRIO_CDS_HOOKS_TOKEN", CDS_TOKEN)
    monkeypatch_module.setenv("MEDTRIO_CDS_HOOKS_JWKS", str(root / "jwks.json"))
    db = open_database(f"sqlite:///{root / 'medtrio.sqlite'}")
    pid = _seed(db)
    app = create_app(Settings(data_dir=root, secret_key="case-test-secret"), db)
    with serve_app(app) as url:
        yield CaseServer(url, db, pid, ehr_key)
    db.dispose()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@contextmanager
def signed_in(server: CaseServer, username: str) -> Iterator[httpx.Client]:
    """An HTTP client signed in through the real login form (cookie session + CSRF token)."""
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=20) as client:
        yield _sign_in(client, username)


def _sign_in(client: httpx.Client, username: str) -> httpx.Client:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code in (302, 303), resp.text[:300]
    session = client.get("/api/session").json()
    client.headers["X-CSRF-Token"] = session.get("csrf_token") or session.get("csrf") or token
    return client
