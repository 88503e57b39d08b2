"""A seeded installation for the care-navigation, API and browser tests of the triage domain:
a general-practice department with a doctor who has a weekly schedule, a patient with medications and
labs, and one account per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

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
from medtrio.store.schema import Department, Doctor

PASSWORD = "triage-test-42"
WEEK = {d: ["09:00-12:00", "14:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@dataclass
class Installation:
    db: Database
    patient: int
    doctor: int
    other_doctor: int
    url: str = ""


def seed(db: Database) -> Installation:
    with db.session() as s:
        gp = Department(code="GP", name_en="General practice", name_zh="全科")
        card = Department(code="CARD", name_en="Cardiology", name_zh="心内科")
        s.add_all([gp, card])
        s.flush()
        doc = Doctor(
            name="Dr. Lin Hao",
            department_id=gp.id,
            specialty="family medicine",
            languages=["en", "zh"],
            schedule=WEEK,
            slot_minutes=20,
        )
        other = Doctor(
            name="Dr. Kim",
            department_id=card.id,
            specialty="cardiology",
            languages=["en"],
            schedule=WEEK,
            slot_minutes=30,
        )
        s.add_all([doc, other])
        s.flush()
        pid = upsert_patient(s, "test", "T-1", name="Tess Triage", sex="F", birth_date=dt.date(1990, 6, 1))
        now = dt.datetime.now().replace(microsecond=0)
        rows = [
            {
                "patient_id": pid,
                "time": now - dt.timedelta(days=20),
                "code": "MEDICATION//ATC//R03AC02",
                "text_value": "2 puffs when needed",
            },
            {
                "patient_id": pid,
                "time": now - dt.timedelta(days=10),
                "code": "LAB//LOINC//718-7",
                "numeric_value": 10.9,
                "unit": "g/dL",
                "ref_low": 12.0,
                "ref_high": 15.5,
            },
        ]
        ensure_codes(
            s,
            {r["code"] for r in rows},
            {"MEDICATION//ATC//R03AC02": "salbutamol", "LAB//LOINC//718-7": "Hemoglobin"},
        )
        insert_events(s, with_occurrences(rows))
        h = hash_password(PASSWORD)
        create_user(s, "tess", PASSWORD, "patient", patient_id=pid, display_name="Tess", password_hash=h)
        create_user(
            s, "dr.lin", PASSWORD, "clinician", doctor_id=doc.id, display_name="Dr. Lin", password_hash=h
        )
        create_user(
            s, "dr.kim", PASSWORD, "clinician", doctor_id=other.id, display_name="Dr. Kim", password_hash=h
        )
        return Installation(db, pid, doc.id, other.id)


@pytest.fixture
def installation(db: Database) -> Installation:
    return seed(db)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, serve_app) -> Iterator[Installation]:  # type: ignore[no-untyped-def]
    from medtrio.api.app import create_app
    from medtrio.settings import Settings

    root = tmp_path_factory.mktemp("triage-live")
    db = open_database(f"sqlite:///{root / 'medtrio.sqlite'}")
    inst = seed(db)
    app = create_app(Settings(data_dir=root, secret_key="triage-browser-secret"), db)
    with serve_app(app) as url:
        inst.url = url
        yield inst
    db.dispose()


@pytest.fixture(scope="module")
def chromium_page(live: Installation, chromium) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
