"""The hospital terminal: uploads (size limit, hashing), import jobs, users, departments, audit filters."""

from __future__ import annotations

import hashlib
import importlib.util
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from medtrio.settings import Settings
from medtrio.store import Database
from medtrio.store.schema import AuditLog, Department, Doctor, Document, Job, User


def _count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_upload_over_the_limit_is_refused_and_nothing_is_written(
    client: TestClient, db: Database, app_settings: Settings, sign_in
) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client, "admin")
    big = b"x" * (app_settings.max_upload_mb * 1024 * 1024 + 200_000)
    r = client.post(
        "/admin/import", data={"csrf_token": token, "fmt": "meds"}, files={"file": ("big.parquet", big)}
    )
    assert r.status_code == 413 and "larger than the upload limit of 1 MB" in r.text
    assert _count(db, Document) == 0 and _count(db, Job) == 0
    assert not app_settings.upload_dir.exists() or not any(app_settings.upload_dir.iterdir())


def test_upload_is_hashed_recorded_and_handed_to_the_importer(
    client: TestClient, db: Database, app_settings: Settings, sign_in
) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client, "admin")
    content = b'{"resourceType": "Bundle", "type": "collection", "entry": []}'
    r = client.post(
        "/admin/import",
        data={"csrf_token": token, "fmt": "fhir"},
        files={"file": ("b.json", content)},
        follow_redirects=False,
    )
    with db.session() as s:
        doc = s.scalar(select(Document))
        assert doc is not None and doc.sha256 == hashlib.sha256(content).hexdigest()
        assert doc.size_bytes == len(content) and doc.filename == "b.json"
        assert open(doc.path, "rb").read() == content
    if importlib.util.find_spec("medtrio.ingest.jobs") is None:
        # the importer has not landed in this installation: a clear 503, the upload is kept
        assert r.status_code == 503 and "import engine" in r.text
    else:
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/import/jobs/")
        job_id = int(r.headers["location"].rsplit("/", 1)[1])
        status = client.get(f"/api/admin/jobs/{job_id}").json()
        assert status["id"] == job_id and 0.0 <= status["progress"] <= 1.0
        assert client.get(f"/admin/import/jobs/{job_id}").status_code == 200


def test_import_needs_a_file_or_an_existing_path(client: TestClient, sign_in) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client, "admin")
    r = client.post(
        "/admin/import", data={"csrf_token": token, "fmt": "meds", "path": "/no/such/file.parquet"}
    )
    assert r.status_code == 422 and "Nothing exists at /no/such/file.parquet" in r.text
    r = client.post("/admin/import", data={"csrf_token": token, "fmt": "meds"})
    assert r.status_code == 422
    r = client.post("/admin/import", data={"csrf_token": token, "fmt": "excel", "path": "/tmp"})
    assert r.status_code == 422 and "Unknown format" in r.text
    assert client.get("/api/admin/jobs/424242").status_code == 404


def test_admin_forms_need_the_csrf_token(client: TestClient, db: Database, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "admin")
    r = client.post("/admin/departments", data={"code": "ER", "name_en": "Emergency"})
    assert r.status_code == 403
    r = client.post("/admin/departments", data={"code": "ER", "name_en": "Emergency", "csrf_token": "forged"})
    assert r.status_code == 403
    with db.session() as s:
        assert s.scalar(select(Department).where(Department.code == "ER")) is None


def test_users_departments_and_doctors(client: TestClient, db: Database, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client, "admin")
    r = client.post(
        "/admin/departments",
        data={"code": "er", "name_en": "Emergency", "name_zh": "急诊科", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with db.session() as s:
        er = s.scalar(select(Department).where(Department.code == "ER"))
        assert er is not None and er.name_zh == "急诊科"
    r = client.post("/admin/departments", data={"code": "ER", "name_en": "Again", "csrf_token": token})
    assert r.status_code == 409
    r = client.post(
        "/admin/doctors",
        data={
            "name": "Dr. Lee",
            "department_id": er.id,
            "specialty": "emergency",
            "languages": "en, zh",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    with db.session() as s:
        doc = s.scalar(select(Doctor).where(Doctor.name == "Dr. Lee"))
        assert doc is not None and doc.languages == ["en", "zh"]
    page = client.get("/admin/departments").text
    assert "Emergency" in page and "Dr. Lee" in page
    r = client.post(
        "/admin/users",
        data={
            "username": "lee",
            "password": "long-enough-1",
            "role": "clinician",
            "doctor_id": str(doc.id),
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = client.post(
        "/admin/users",
        data={
            "username": "lee",
            "password": "long-enough-1",
            "role": "clinician",
            "doctor_id": str(doc.id),
            "csrf_token": token,
        },
    )
    assert r.status_code == 409 and "taken" in r.text
    r = client.post(
        "/admin/users",
        data={
            "username": "p2",
            "password": "short",
            "role": "patient",
            "patient_id": str(seeded.patient_b),
            "csrf_token": token,
        },
    )
    assert r.status_code == 422 and "at least 8 characters" in r.text
    other = TestClient(client.app)
    sign_in(other, "lee", "long-enough-1")
    assert other.get("/clinic").status_code == 200
    with db.session() as s:
        lee = s.scalar(select(User).where(User.username == "lee"))
        admin_id = s.scalar(select(User.id).where(User.username == "admin"))
    r = client.post(f"/admin/users/{admin_id}/active", data={"active": "0", "csrf_token": token})
    assert r.status_code == 409  # one cannot lock oneself out
    client.post(f"/admin/users/{lee.id}/active", data={"active": "0", "csrf_token": token})
    assert other.get("/api/patients").status_code == 401
    with db.session() as s:
        writes = s.scalars(
            select(AuditLog.resource).where(AuditLog.action == "write", AuditLog.username == "admin")
        )
        assert {"department", "doctor", "user"} <= set(writes)


def test_audit_log_filters(client: TestClient, db: Database, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice")
    client.get(f"/api/patients/{seeded.patient_b}")  # denied
    client.get("/me")
    sign_in(client, "admin")
    rows = client.get("/api/admin/audit?action=denied").json()["rows"]
    assert [(r["username"], r["patient_id"]) for r in rows] == [("alice", seeded.patient_b)]
    rows = client.get(f"/api/admin/audit?user=alice&patient={seeded.patient_a}").json()["rows"]
    assert rows and all(r["username"] == "alice" and r["patient_id"] == seeded.patient_a for r in rows)
    assert client.get("/api/admin/audit?since=2000-01-01&until=2000-01-02").json()["rows"] == []
    assert client.get("/api/admin/audit?since=yesterday").status_code == 422
    page = client.get("/admin/audit?action=denied")
    assert (
        page.status_code == 200
        and 'data-action="denied"' in page.text
        and 'data-action="read"' not in page.text
    )


def test_uploaded_fhir_bundle_is_imported_by_a_background_job(
    client: TestClient, db: Database, sign_in
) -> None:  # type: ignore[no-untyped-def]
    jobs = pytest.importorskip("medtrio.ingest.jobs", reason="the importer has not landed yet")
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "web-up-1",
                    "gender": "female",
                    "birthDate": "1970-02-03",
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "obs-1",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
                    "subject": {"reference": "Patient/web-up-1"},
                    "effectiveDateTime": "2024-05-01T08:00:00Z",
                    "valueQuantity": {"value": 101, "unit": "mg/dL"},
                }
            },
        ],
    }
    token = sign_in(client, "admin")
    r = client.post(
        "/admin/import",
        data={"csrf_token": token, "fmt": "auto"},
        files={"file": ("bundle.json", json.dumps(bundle).encode(), "application/json")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    final = jobs.wait_for_job(db, job_id, timeout=60)
    assert final.status == "done", final.log
    status = client.get(f"/api/admin/jobs/{job_id}").json()
    assert status["status"] == "done" and status["progress"] == 1.0
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 1
        assert s.scalar(select(AuditLog).where(AuditLog.resource == "import", AuditLog.username == "admin"))
    page = client.get("/admin/import")
    assert f'href="/admin/import/jobs/{job_id}"' in page.text
