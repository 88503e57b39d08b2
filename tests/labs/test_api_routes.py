"""Lab routes with TestClient on both backends: interpret, save with document, confirmation flow, access.

The seeded installation (users of each role, patients in two departments) comes from tests/api/conftest.py;
its fixtures are imported here, so ruff's F811 (a fixture argument shadowing the import) is expected.
"""
# ruff: noqa: F811

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from tests.api.conftest import app_settings, client, seeded, sign_in  # noqa: F401

from medtrio.store.schema import AuditLog, Document, Event

pytestmark = pytest.mark.slow  # an app and a seeded database per test, on both backends

REPORT = (
    b"Collected: 2024-03-05\nHemoglobin 10.1 L g/dL 12.0-15.5\nSodium 14O mmol/L 133-145\n"
    b"Potassium 6.9 H mmol/L 3.5-5.1\n"
)


def _csrf(client) -> str:
    return client.get("/api/session").json()["csrf_token"]


class TestInterpretApi:
    def test_interpret_stores_nothing(self, client, sign_in, db) -> None:
        token = sign_in(client, "doc")
        with db.session() as s:
            before = s.scalar(select(func.count()).select_from(Event))
        r = client.post(
            "/api/labs/interpret", files={"file": ("r.txt", REPORT)}, headers={"X-CSRF-Token": token}
        )
        assert r.status_code == 200, r.text
        d = r.json()
        assert d["urgency"] == "critical" and [x["loinc"] for x in d["results"]] == [
            "718-7",
            "2951-2",
            "2823-3",
        ]
        assert d["results"][1]["needs_confirmation"] is True
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Event)) == before

    def test_bad_file_is_422(self, client, sign_in) -> None:
        token = sign_in(client, "doc")
        r = client.post(
            "/api/labs/interpret",
            files={"file": ("x.pdf", b"%PDF-1.4 broken")},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 422 and "PDF" in r.json()["error"]

    def test_needs_sign_in(self, client) -> None:
        r = client.post(
            "/api/labs/interpret", files={"file": ("r.txt", REPORT)}, headers={"X-CSRF-Token": _csrf(client)}
        )
        assert r.status_code == 401


class TestSaveApi:
    def test_save_keeps_document_and_trustworthy_results(self, client, sign_in, seeded, db) -> None:
        token = sign_in(client, "doc")
        pid = seeded.patient_a
        r = client.post(
            f"/api/patients/{pid}/labs", files={"file": ("r.txt", REPORT)}, headers={"X-CSRF-Token": token}
        )
        assert r.status_code == 200, r.text
        saved = r.json()["saved"]
        assert (saved["events"], saved["skipped_unconfirmed"]) == (2, 1)
        with db.session() as s:
            codes = set(
                s.scalars(select(Event.code).where(Event.patient_id == pid, Event.source.like("labs:%")))
            )
            assert codes == {"LAB//LOINC//718-7", "LAB//LOINC//2823-3"}
            doc = s.get(Document, saved["document_id"])
            assert doc.patient_id == pid and doc.status == "processed"
            assert (
                s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.resource == "lab_report"))
                == 1
            )

    def test_corrected_rows_are_saved(self, client, sign_in, seeded, db) -> None:
        token = sign_in(client, "doc")
        rows = [{"name": "Sodium", "value": "140", "unit": "mmol/L", "range": "133-145"}]
        r = client.post(
            f"/api/patients/{seeded.patient_a}/labs",
            files={"file": ("r.txt", REPORT)},
            data={"rows": json.dumps(rows)},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 200, r.text
        assert r.json()["saved"]["events"] == 1

    def test_other_department_is_refused_and_nothing_stored(self, client, sign_in, seeded, db) -> None:
        token = sign_in(client, "doc")
        r = client.post(
            f"/api/patients/{seeded.patient_b}/labs",
            files={"file": ("r.txt", REPORT)},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 403
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Document)) == 0

    def test_bad_upload_stores_nothing(self, client, sign_in, seeded, db) -> None:
        token = sign_in(client, "doc")
        r = client.post(
            f"/api/patients/{seeded.patient_a}/labs",
            files={"file": ("letter.txt", b"Dear patient")},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 422
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Document)) == 0


class TestPages:
    def test_patient_upload_confirm_save(self, client, sign_in, seeded, db) -> None:
        token = sign_in(client, "alice")
        assert client.get("/me/labs").status_code == 200
        r = client.post("/me/labs/preview", files={"file": ("r.txt", REPORT)}, data={"csrf_token": token})
        assert r.status_code == 200 and 'id="lab-confirm"' in r.text and "⚠" in r.text
        stash = r.text.split('name="token" value="')[1].split('"')[0]
        form = {"csrf_token": token, "token": stash, "n": "3"}
        for i, (name, value, unit, rng) in enumerate(
            [
                ("Hemoglobin", "10.1", "g/dL", "12.0-15.5"),
                ("Sodium", "140", "mmol/L", "133-145"),
                ("Potassium", "6.9", "mmol/L", "3.5-5.1"),
            ]
        ):
            form |= {
                f"keep_{i}": "on",
                f"name_{i}": name,
                f"value_{i}": value,
                f"unit_{i}": unit,
                f"range_{i}": rng,
            }
        r = client.post("/me/labs/confirm", data=form)
        assert r.status_code == 200 and 'id="lab-saved"' in r.text and 'data-urgency="critical"' in r.text
        with db.session() as s:
            n = s.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.patient_id == seeded.patient_a, Event.source.like("labs:%"))
            )
            assert n == 3
        assert client.post("/me/labs/confirm", data=form).status_code == 422  # the stash is gone

    def test_clinician_lab_view(self, client, sign_in, seeded) -> None:
        sign_in(client, "doc")
        r = client.get(f"/clinic/patients/{seeded.patient_a}/labs")
        assert r.status_code == 200 and "lab-clinician-summary" in r.text and "<svg" in r.text
        assert client.get(f"/clinic/patients/{seeded.patient_b}/labs").status_code == 403
        d = client.get(f"/api/patients/{seeded.patient_a}/labs").json()
        assert d["results"][0]["loinc"] == "4548-4" and d["trends"][0]["analyte"] == "hba1c"
