"""A real Medtrio server for the browser tests: uvicorn on a free local port, in a background thread,
on a seeded temporary SQLite database (departments, doctors, patients with events, a user per role)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from medtrio.accounts import create_user, hash_password
from medtrio.store import (
    Database,
    ensure_codes,
    insert_events,
    open_database,
    upsert_patient,
    with_occurrences,
)
from medtrio.store.schema import CareAssignment, Department, Doctor

PASSWORD = "browser-test-42"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DISPLAYS = {
    "LAB//LOINC//4548-4": "Hemoglobin A1c",
    "LAB//LOINC//2160-0": "Creatinine",
    "LAB//LOINC//2093-3": "Cholesterol",
    "VITAL//LOINC//8480-6": "Systolic blood pressure",
    "DIAGNOSIS//ICD//10//E11.9": "Type 2 diabetes mellitus without complications",
    "DIAGNOSIS//ICD//10//I10": "Essential (primary) hypertension",
    "MEDICATION//ATC//A10BA02": "metformin",
    "MEDICATION//ATC//C09AA05": "ramipril",
    "ENCOUNTER//OUTPATIENT": "Outpatient visit",
    "ENCOUNTER//INPATIENT": "Inpatient stay",
}


@dataclass
class Server:
    url: str
    db: Database
    patient_a: int
    patient_b: int


def _events(pid: int, years: int, seed: int) -> list[dict]:
    """A plausible, deterministic history: diabetes with slowly rising HbA1c, hypertension, visits."""
    t0 = dt.datetime(2016, 3, 1, 9, 0)
    rows: list[dict] = [
        {"patient_id": pid, "time": t0, "code": "DIAGNOSIS//ICD//10//I10"},
        {"patient_id": pid, "time": t0 + dt.timedelta(days=400), "code": "DIAGNOSIS//ICD//10//E11.9"},
    ]
    for q in range(years * 4):
        t = t0 + dt.timedelta(days=91 * q + seed)
        wave = math.sin(q / 3 + seed)
        rows += [
            {"patient_id": pid, "time": t, "code": "ENCOUNTER//OUTPATIENT"},
            {
                "patient_id": pid,
                "time": t,
                "code": "LAB//LOINC//4548-4",
                "numeric_value": round(6.1 + q * 0.04 + 0.3 * wave, 1),
                "unit": "%",
                "ref_low": 4.0,
                "ref_high": 5.6,
            },
            {
                "patient_id": pid,
                "time": t,
                "code": "LAB//LOINC//2160-0",
                "numeric_value": round(0.9 + q * 0.01 + 0.05 * wave, 2),
                "unit": "mg/dL",
                "ref_low": 0.6,
                "ref_high": 1.2,
            },
            {
                "patient_id": pid,
                "time": t,
                "code": "VITAL//LOINC//8480-6",
                "numeric_value": round(138 + 8 * wave),
                "unit": "mm[Hg]",
            },
        ]
        if q % 4 == 0:
            rows.append(
                {
                    "patient_id": pid,
                    "time": t,
                    "code": "LAB//LOINC//2093-3",
                    "numeric_value": round(210 - q + 15 * wave),
                    "unit": "mg/dL",
                    "ref_low": 0,
                    "ref_high": 200,
                }
            )
        if q >= 4:
            rows.append(
                {
                    "patient_id": pid,
                    "time": t,
                    "code": "MEDICATION//ATC//A10BA02",
                    "text_value": "500 mg twice daily",
                }
            )
        rows.append(
            {"patient_id": pid, "time": t, "code": "MEDICATION//ATC//C09AA05", "text_value": "5 mg daily"}
        )
    rows.append({"patient_id": pid, "time": t0 + dt.timedelta(days=900), "code": "ENCOUNTER//INPATIENT"})
    return rows


def seed(db: Database) -> tuple[int, int]:
    with db.session() as s:
        med = Department(code="MED", name_en="Internal medicine", name_zh="内科")
        card = Department(code="CARD", name_en="Cardiology", name_zh="心内科")
        s.add_all([med, card])
        s.flush()
        doc = Doctor(
            name="Dr. Ada Chen", department_id=med.id, specialty="endocrinology", languages=["en", "zh"]
        )
        s.add(doc)
        s.flush()
        a = upsert_patient(
            s,
            "demo",
            "P-0001",
            name="Alice Wang",
            sex="F",
            birth_date=dt.date(1958, 4, 2),
            department_id=med.id,
        )
        b = upsert_patient(
            s,
            "demo",
            "P-0002",
            name="Bob Li",
            sex="M",
            birth_date=dt.date(1971, 9, 12),
            department_id=card.id,
        )
        c = upsert_patient(
            s,
            "demo",
            "P-0003",
            name="Carol Zhao",
            sex="F",
            birth_date=dt.date(1980, 1, 5),
            department_id=card.id,
        )
        s.add(CareAssignment(doctor_id=doc.id, patient_id=c))
        rows = _events(a, 9, 0) + _events(b, 6, 2) + _events(c, 4, 5)
        ensure_codes(s, {r["code"] for r in rows}, DISPLAYS)
        insert_events(s, with_occurrences(rows))
        h = hash_password(PASSWORD)
        create_user(s, "admin", PASSWORD, "admin", display_name="Hospital Admin", password_hash=h)
        create_user(
            s,
            "dr.chen",
            PASSWORD,
            "clinician",
            doctor_id=doc.id,
            display_name="Dr. Ada Chen",
            password_hash=h,
        )
        create_user(s, "alice", PASSWORD, "patient", patient_id=a, display_name="Alice Wang", password_hash=h)
        create_user(s, "bob", PASSWORD, "patient", patient_id=b, display_name="Bob Li", password_hash=h)
        return a, b


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, serve_app) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    from medtrio.api.app import create_app
    from medtrio.settings import Settings

    root = tmp_path_factory.mktemp("browser")
    db = open_database(f"sqlite:///{root / 'medtrio.sqlite'}")
    a, b = seed(db)
    app = create_app(Settings(data_dir=root, secret_key="browser-test-secret"), db)
    with serve_app(app) as url:
        yield Server(url, db, a, b)
    db.dispose()


@pytest.fixture
def page(chromium):  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def _shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


@pytest.fixture(scope="session")
def screenshot():  # type: ignore[no-untyped-def]
    """`screenshot(page, name)` saves artifacts/screenshots/<name>.png."""
    return _shot
