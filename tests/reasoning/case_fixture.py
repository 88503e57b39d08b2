"""A synthetic case written for these tests: a 74-year-old man found unresponsive. Type 2 diabetes on insulin,
atrial fibrillation on apixaban, hypertension on losartan, CKD with a falling eGFR, metformin still listed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from medtrio.store import insert_events, upsert_patient, with_occurrences
from medtrio.store.events import ensure_codes

T = dt.datetime(2025, 6, 1, 8, 0)


def build_case(session: Session) -> int:
    pid = upsert_patient(session, "test", "case-1", name="Test Case", sex="M", birth_date=dt.date(1951, 3, 2))
    day = dt.timedelta(days=1)
    rows = [
        ("DIAGNOSIS//ICD//10//E11.9", T - 3000 * day, None, None),
        ("DIAGNOSIS//ICD//10//I48.0", T - 900 * day, None, None),
        ("DIAGNOSIS//ICD//10//I10", T - 4000 * day, None, None),
        ("DIAGNOSIS//ICD//10//N18.4", T - 200 * day, None, None),
        ("MEDICATION//ATC//A10AE04", T - 30 * day, None, None),
        ("MEDICATION//ATC//A10BA02", T - 60 * day, None, None),
        ("MEDICATION//ATC//B01AF02", T - 30 * day, None, None),
        ("MEDICATION//ATC//C09CA01", T - 30 * day, None, None),
        ("LAB//LOINC//98979-8", T - 700 * day, 48.0, "mL/min/{1.73_m2}"),
        ("LAB//LOINC//98979-8", T - 300 * day, 35.0, "mL/min/{1.73_m2}"),
        ("LAB//LOINC//98979-8", T - 2 * day, 24.0, "mL/min/{1.73_m2}"),
        ("LAB//LOINC//2160-0", T - 2 * day, 2.6, "mg/dL"),
        ("LAB//LOINC//2345-7", T, 38.0, "mg/dL"),
        ("LAB//LOINC//2951-2", T, 133.0, "mmol/L"),
        ("LAB//LOINC//2823-3", T - 10 * day, 5.1, "mmol/L"),
        ("LAB//LOINC//2823-3", T - 5 * day, 5.5, "mmol/L"),
        ("LAB//LOINC//2823-3", T, 5.9, "mmol/L"),
        ("LAB//LOINC//2075-0", T, 100.0, "mmol/L"),
        ("LAB//LOINC//1963-8", T, 20.0, "mmol/L"),
        ("LAB//LOINC//718-7", T, 11.8, "g/dL"),
        ("LAB//LOINC//777-3", T, 210.0, "10*3/uL"),
        ("VITAL//LOINC//8480-6", T, 96.0, "mm[Hg]"),
        ("VITAL//LOINC//8462-4", T, 58.0, "mm[Hg]"),
        ("VITAL//LOINC//8867-4", T, 104.0, "/min"),
        ("VITAL//LOINC//9279-1", T, 23.0, "/min"),
        ("VITAL//LOINC//8310-5", T, 36.4, "Cel"),
        ("VITAL//LOINC//59408-5", T, 95.0, "%"),
        ("VITAL//LOINC//29463-7", T - 30 * day, 82.0, "kg"),
        ("VITAL//LOINC//8302-2", T - 30 * day, 172.0, "cm"),
        ("ENCOUNTER//EMERGENCY", T, None, None),
    ]
    ensure_codes(
        session,
        [r[0] for r in rows],
        {
            "LAB//LOINC//2345-7": "Glucose",
            "LAB//LOINC//2823-3": "Potassium",
            "DIAGNOSIS//ICD//10//I48.0": "Paroxysmal atrial fibrillation",
        },
    )
    insert_events(
        session,
        with_occurrences(
            {"patient_id": pid, "code": c, "time": t, "numeric_value": v, "unit": u, "source": "test"}
            for c, t, v, u in rows
        ),
    )
    session.flush()
    return pid
