"""Access rules for every role, on pages and the JSON API, and the audit rows they leave."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from medtrio.store import Database
from medtrio.store.schema import AuditLog


def _audit(db: Database, **where: object) -> list[AuditLog]:
    with db.session() as s:
        q = select(AuditLog)
        for key, value in where.items():
            q = q.where(getattr(AuditLog, key) == value)
        return list(s.scalars(q.order_by(AuditLog.id)))


def test_patient_sees_only_their_own_record(client, db, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice")
    r = client.get("/me")
    assert r.status_code == 200 and "Alice Test" in r.text and "Bob Test" not in r.text
    assert client.get(f"/api/patients/{seeded.patient_a}/timeline").status_code == 200
    # another patient's record: 404 (ids cannot be probed) and a "denied" audit row
    r = client.get(f"/api/patients/{seeded.patient_b}/timeline")
    assert r.status_code == 404 and set(r.json()) == {"error", "detail"}
    r = client.get(f"/clinic/patients/{seeded.patient_b}")
    assert r.status_code == 404 and "Bob Test" not in r.text
    denied = _audit(db, action="denied", username="alice")
    assert len(denied) == 2 and {d.patient_id for d in denied} == {seeded.patient_b}
    assert denied[0].route == "GET /api/patients/{patient_id}/timeline" and denied[0].ip
    # the patient list holds only themselves; the clinician and admin terminals are refused
    assert [p["id"] for p in client.get("/api/patients").json()["patients"]] == [seeded.patient_a]
    assert client.get("/clinic").status_code == 403
    assert client.get("/admin").status_code == 403


def test_own_record_reads_are_audited_without_values(client, db, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice")
    client.get("/me?category=lab")
    rows = _audit(db, action="read", username="alice", resource="me_timeline")
    assert len(rows) == 1 and rows[0].patient_id == seeded.patient_a and rows[0].role == "patient"
    for row in _audit(db):
        text = " ".join(str(getattr(row, c)) for c in ("resource", "route", "reason"))
        assert "6.5" not in text and "4548-4" not in text  # no lab values or codes


def test_clinician_sees_department_and_assigned_patients(client, db, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "doc")
    ids = {p["id"] for p in client.get("/api/patients").json()["patients"]}
    assert ids == {seeded.patient_a, seeded.patient_c}  # own department + assigned, not Bob
    r = client.get("/clinic")
    assert (
        r.status_code == 200
        and "Alice Test" in r.text
        and "Carol Test" in r.text
        and "Bob Test" not in r.text
    )
    # department filter and search narrow the list, never widen it
    r = client.get(f"/api/patients?department_id={seeded.dept_b}")
    assert [p["id"] for p in r.json()["patients"]] == [seeded.patient_c]
    assert [p["id"] for p in client.get("/api/patients?q=alice").json()["patients"]] == [seeded.patient_a]
    for pid in (seeded.patient_a, seeded.patient_c):
        r = client.get(f"/clinic/patients/{pid}")
        assert r.status_code == 200 and "<svg" in r.text
    r = client.get(f"/clinic/patients/{seeded.patient_b}")
    assert r.status_code == 403 and "Bob Test" not in r.text
    assert client.get(f"/api/patients/{seeded.patient_b}").status_code == 403
    assert len(_audit(db, action="denied", username="doc", patient_id=seeded.patient_b)) == 2
    assert _audit(db, action="read", username="doc", resource="clinic_chart", patient_id=seeded.patient_c)
    assert client.get("/admin/users").status_code == 403


def test_admin_manages_but_sees_no_clinical_content(client, db, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "admin")
    assert client.get("/admin").status_code == 200
    assert client.get("/api/patients").json() == {"total": 0, "patients": []}
    r = client.get(f"/clinic/patients/{seeded.patient_a}")
    assert r.status_code == 403 and "Alice Test" not in r.text
    assert client.get(f"/api/patients/{seeded.patient_a}/timeline").status_code == 403
    assert client.get("/clinic").status_code == 403
    assert _audit(db, action="denied", username="admin", patient_id=seeded.patient_a)


def test_admin_with_clinical_access_may_read(client, db, seeded, sign_in, set_clinical_access) -> None:  # type: ignore[no-untyped-def]
    set_clinical_access(db, "admin", True)
    sign_in(client, "admin")
    assert client.get(f"/api/patients/{seeded.patient_b}/timeline").status_code == 200
    assert client.get("/api/patients").json()["total"] == 3


def test_deactivated_account_loses_its_session(client, db, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client, "admin")
    other = TestClient(client.app)
    sign_in(other, "doc")
    assert other.get("/clinic").status_code == 200
    users = client.get("/admin/users").text
    doc_id = users.split('data-username="doc"', 1)[1].split("/admin/users/", 1)[1].split("/", 1)[0]
    r = client.post(
        f"/admin/users/{doc_id}/active", data={"active": "0", "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    assert other.get("/api/patients").status_code == 401
    assert other.get("/clinic", follow_redirects=False).headers["location"] == "/login?next=/clinic"


def test_timeline_api_validates_and_pages(client, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "doc")
    r = client.get(f"/api/patients/{seeded.patient_a}/timeline?category=lab&per_page=5")
    body = r.json()
    assert body["total"] == 12 and len(body["events"]) == 5
    assert all(e["category"] == "lab" for e in body["events"])
    times = [e["time"] for e in body["events"]]
    assert times == sorted(times, reverse=True)
    r = client.get(f"/api/patients/{seeded.patient_a}/timeline?category=nonsense")
    assert r.status_code == 422 and "Unknown category" in r.json()["error"]
    assert client.get(f"/api/patients/{seeded.patient_a}/timeline?page=0").status_code == 422
    assert client.get("/api/patients/999999").status_code == 403  # unknown id: same answer as a foreign one
