"""The triage HTTP routes with a real app and database: JSON API, the patient's page flow (interview ->
result -> appointment request) and the clinician's view of the pre-visit summary, with access checks."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from medtrio.api.app import create_app
from medtrio.settings import Settings
from medtrio.store.schema import Appointment, AuditLog

from .conftest import PASSWORD


def client_for(installation, tmp_path, username):
    client = TestClient(
        create_app(Settings(data_dir=tmp_path, secret_key="triage-api-test-secret"), installation.db)
    )
    token = client.get("/api/session").json()["csrf_token"]
    r = client.post(
        "/api/session", json={"username": username, "password": PASSWORD}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 200, r.text
    return client, r.json()["csrf_token"]


def test_json_api(installation, tmp_path):
    client, token = client_for(installation, tmp_path, "tess")
    h = {"X-CSRF-Token": token}
    r = client.post(
        "/api/triage/assess", json={"text": "crushing chest pain and sweating", "age": 60}, headers=h
    )
    assert r.status_code == 200 and r.json()["urgency"] == "emergency"
    r = client.post("/api/triage/assess", json={"text": ""}, headers=h)
    assert r.status_code == 422 and "empty" in r.json()["error"]
    r = client.post(
        "/api/triage/interview", json={"text": "sore throat", "age": 30, "sex": "F", "answers": []}, headers=h
    )
    step = r.json()
    assert step["question"]["id"] and step["result"] is None
    answers = [[step["question"]["id"], False]]
    r = client.post(
        "/api/triage/interview",
        json={"text": "sore throat", "age": 30, "sex": "F", "answers": answers},
        headers=h,
    )
    assert r.json()["asked"] == 1


def test_patient_flow_and_clinician_view(installation, tmp_path):
    client, token = client_for(installation, tmp_path, "tess")
    page = client.post(
        "/me/triage", data={"csrf_token": token, "text": "mild cough and runny nose for 3 days"}
    )
    assert page.status_code == 200 and 'id="question-text"' in page.text
    for _ in range(20):
        if 'id="urgency-banner"' in page.text:
            break
        state = re.search(r'name="state" value="([^"]*)"', page.text).group(1)
        qid = re.search(r'name="question" value="([^"]*)"', page.text).group(1)
        page = client.post(
            "/me/triage",
            data={"csrf_token": token, "state": html.unescape(state), "question": qid, "answer": "no"},
        )
    assert 'data-urgency="emergency"' not in page.text
    form = re.search(
        r'<form method="post" action="/me/triage/appointments".*?</form>', page.text, re.S
    ).group(0)
    state = html.unescape(re.search(r'name="state" value="([^"]*)"', form).group(1))
    doctor_id = re.search(r'name="doctor_id" value="(\d+)"', form).group(1)
    start = re.search(r'<option value="([^"]+)"', form).group(1)
    done = client.post(
        "/me/triage/appointments",
        data={
            "csrf_token": token,
            "state": state,
            "doctor_id": doctor_id,
            "start": start,
            "questions": "Is it contagious?",
        },
    )
    assert done.status_code == 200 and 'id="booked"' in done.text
    with installation.db.session() as s:
        appt = s.scalars(select(Appointment)).one()
        assert appt.summary["patient_questions"] == ["Is it contagious?"]
        assert len(appt.summary["answers"]) >= 1
        assert json.dumps(appt.summary)

    doc, doc_token = client_for(installation, tmp_path, "dr.lin")
    listing = doc.get("/clinic/triage")
    assert listing.status_code == 200 and f'data-appointment="{appt.id}"' in listing.text
    detail = doc.get(f"/clinic/triage/{appt.id}")
    assert "Is it contagious?" in detail.text and "salbutamol" in detail.text
    saved = doc.post(
        f"/clinic/triage/{appt.id}/plan",
        data={
            "csrf_token": doc_token,
            "medications": "paracetamol | 08:00,20:00 | 3",
            "tests": "",
            "recheck_in_days": "7",
        },
    )
    assert saved.status_code == 200 and 'id="plan-reminders"' in saved.text
    bad = doc.post(
        f"/clinic/triage/{appt.id}/plan", data={"csrf_token": doc_token, "medications": "x | 25:00"}
    )
    assert bad.status_code == 422

    mine = client.get("/me/triage/appointments")
    assert mine.status_code == 200 and "paracetamol" in mine.text and 'data-status="done"' in mine.text

    other, _ = client_for(installation, tmp_path, "dr.kim")
    assert other.get(f"/clinic/triage/{appt.id}").status_code == 403
    assert f'data-appointment="{appt.id}"' not in other.get("/clinic/triage").text
    with installation.db.session() as s:
        actions = {(a.action, a.resource) for a in s.scalars(select(AuditLog)).all()}
    assert ("read", "triage_summary") in actions and ("write", "triage_plan") in actions
