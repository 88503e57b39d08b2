"""Seeded installations for the API tests: two departments, doctors, patients with events, a user per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medtrio.accounts import create_user, hash_password
from medtrio.api.app import create_app
from medtrio.settings import Settings
from medtrio.store import Database, insert_events, upsert_patient, with_occurrences
from medtrio.store.schema import CareAssignment, Department, Doctor, User

PASSWORD = "correct-horse-42"
_HASH: list[str] = []  # one argon2 hash for every seeded user keeps the tests fast


@dataclass
class Seed:
    dept_a: int
    dept_b: int
    patient_a: int  # department A
    patient_b: int  # department B
    patient_c: int  # department B, assigned to the clinician of department A


def seed(db: Database) -> Seed:
    with db.session() as s:
        da, dbb = (
            Department(code="MED", name_en="Internal medicine", name_zh="内科"),
            Department(code="CARD", name_en="Cardiology", name_zh="心内科"),
        )
        s.add_all([da, dbb])
        s.flush()
        doc = Doctor(name="Dr. Ada", department_id=da.id, specialty="internal medicine", languages=["en"])
        s.add(doc)
        s.flush()
        pa = upsert_patient(
            s, "test", "A1", name="Alice Test", sex="F", birth_date=dt.date(1960, 5, 1), department_id=da.id
        )
        pb = upsert_patient(
            s, "test", "B1", name="Bob Test", sex="M", birth_date=dt.date(1970, 1, 2), department_id=dbb.id
        )
        pc = upsert_patient(
            s, "test", "C1", name="Carol Test", sex="F", birth_date=dt.date(1980, 3, 3), department_id=dbb.id
        )
        s.add(CareAssignment(doctor_id=doc.id, patient_id=pc))
        rows = []
        for pid in (pa, pb, pc):
            t0 = dt.datetime(2020, 1, 1)
            rows.append({"patient_id": pid, "time": t0, "code": "DIAGNOSIS//ICD//10//E11.9"})
            rows.append({"patient_id": pid, "time": t0, "code": "ENCOUNTER//OUTPATIENT"})
            for i in range(12):
                rows.append(
                    {
                        "patient_id": pid,
                        "time": t0 + dt.timedelta(days=30 * i),
                        "code": "LAB//LOINC//4548-4",
                        "numeric_value": 6.5 + 0.1 * i,
                        "unit": "%",
                        "ref_low": 4.0,
                        "ref_high": 5.6,
                    }
                )
            rows.append(
                {"patient_id": pid, "time": t0 + dt.timedelta(days=5), "code": "MEDICATION//ATC//A10BA02"}
            )
        insert_events(s, with_occurrences(rows))
        if not _HASH:
            _HASH.append(hash_password(PASSWORD))
        h = _HASH[0]
        create_user(s, "admin", PASSWORD, "admin", display_name="Admin", password_hash=h)
        create_user(
            s, "doc", PASSWORD, "clinician", doctor_id=doc.id, display_name="Dr. Ada", password_hash=h
        )
        create_user(s, "alice", PASSWORD, "patient", patient_id=pa, display_name="Alice", password_hash=h)
        create_user(s, "bob", PASSWORD, "patient", patient_id=pb, display_name="Bob", password_hash=h)
        return Seed(da.id, dbb.id, pa, pb, pc)


@pytest.fixture
def seeded(db: Database) -> Seed:
    return seed(db)


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", secret_key="test-secret-key-not-for-production", max_upload_mb=1
    )


@pytest.fixture
def client(db: Database, seeded: Seed, app_settings: Settings) -> TestClient:
    return TestClient(create_app(app_settings, db))


def _sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    token = client.get("/api/session").json()["csrf_token"]
    r = client.post(
        "/api/session", json={"username": username, "password": password}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


@pytest.fixture
def sign_in():  # type: ignore[no-untyped-def]
    """`sign_in(client, username)` signs in through the JSON API and returns the new CSRF token."""
    return _sign_in


def _set_clinical_access(db: Database, username: str, value: bool) -> None:
    with db.session() as s:
        user = s.query(User).filter_by(username=username).one()
        user.clinical_access = value


@pytest.fixture
def set_clinical_access():  # type: ignore[no-untyped-def]
    return _set_clinical_access
