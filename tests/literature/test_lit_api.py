"""Literature pages and JSON API through the real app (TestClient, both database backends)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medtrio.accounts import create_user, hash_password
from medtrio.api.app import create_app
from medtrio.literature.index import LiteratureIndex
from medtrio.literature.pubmed import parse
from medtrio.settings import Settings
from medtrio.store import Database, upsert_patient
from medtrio.store.audit import query
from medtrio.store.events import timeline
from medtrio.store.schema import CareAssignment, Department, Doctor

FIXTURE = Path(__file__).parent / "fixtures" / "mini_medline.xml"
PASSWORD = "correct-horse-42"


@pytest.fixture
def app_client(db: Database, tmp_path: Path) -> tuple[TestClient, int]:
    settings = Settings(data_dir=tmp_path / "data", secret_key="test-secret-key-not-for-production")
    index = LiteratureIndex(settings.data_dir / "literature" / "index.sqlite")
    index.add(parse(FIXTURE))
    index.close()
    with db.session() as s:
        dept = Department(code="MED", name_en="Internal medicine", name_zh="内科")
        s.add(dept)
        s.flush()
        pid = upsert_patient(
            s, "test", "A1", name="Alice Test", sex="F", birth_date=dt.date(1960, 5, 1), department_id=dept.id
        )
        doctor = Doctor(
            name="Dr. Doc", department_id=dept.id, specialty="internal medicine", languages=["en"]
        )
        s.add(doctor)
        s.flush()
        h = hash_password(PASSWORD)
        create_user(
            s, "doc", PASSWORD, "clinician", doctor_id=doctor.id, display_name="Dr. Doc", password_hash=h
        )
        create_user(s, "alice", PASSWORD, "patient", patient_id=pid, display_name="Alice", password_hash=h)
        s.add(CareAssignment(doctor_id=doctor.id, patient_id=pid))
    return TestClient(create_app(settings, db)), pid


def sign_in(client: TestClient, username: str) -> str:
    token = client.get("/api/session").json()["csrf_token"]
    r = client.post(
        "/api/session", json={"username": username, "password": PASSWORD}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


class TestLiteratureApi:
    def test_search_json_for_clinicians_only(self, app_client) -> None:
        client, _ = app_client
        assert client.get("/api/literature/search", params={"q": "statins"}).status_code == 401
        sign_in(client, "alice")
        assert client.get("/api/literature/search", params={"q": "statins"}).status_code == 403

    def test_search_and_answer(self, app_client) -> None:
        client, _ = app_client
        sign_in(client, "doc")
        r = client.get(
            "/api/literature/search",
            params={"q": "metformin diabetes", "pub_type": "Randomized Controlled Trial"},
        )
        assert r.status_code == 200 and [h["doc_id"] for h in r.json()["hits"]] == ["90000003"]
        ans = client.get(
            "/api/literature/answer", params={"q": "Do statins reduce cardiovascular events?"}
        ).json()
        assert ans["mode"] == "extractive"
        assert {d for c in ans["summary"]["claims"] for d in c["doc_ids"]} <= {
            r["doc_id"] for r in ans["retrieved"]
        }

    def test_page_highlights_and_saves_to_the_case(self, app_client, db: Database) -> None:
        client, pid = app_client
        token = sign_in(client, "doc")
        page = client.get(
            "/clinic/literature", params={"q": "statins cardiovascular", "patient_id": pid, "answer": "true"}
        )
        assert page.status_code == 200
        assert (
            "<mark>Statin" in page.text and "meta-analysis" in page.text and 'id="answer-panel"' in page.text
        )
        r = client.post(
            f"/clinic/patients/{pid}/literature",
            data={"doc_id": "90000001", "q": "statins", "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        with db.session() as s:
            saved = [e for e in timeline(s, pid) if e.code == "LITERATURE//PMID//90000001"]
            assert saved and "meta-analysis" in saved[0].text_value
            assert any(a.action == "write" for a in query(s, patient_id=pid))

    def test_chat_without_llm_offers_guided_actions(self, app_client) -> None:
        client, _ = app_client
        token = sign_in(client, "alice")
        r = client.post(
            "/api/chat", json={"message": "what do my lab results mean"}, headers={"X-CSRF-Token": token}
        )
        assert (
            r.status_code == 200
            and r.json()["mode"] == "guided"
            and r.json()["actions"][0]["href"] == "/me/labs"
        )


class TestRecordChat:
    def test_facts_come_from_the_record_and_access_is_checked(self, app_client, db: Database) -> None:
        from medtrio.store.events import insert_events, with_occurrences

        client, pid = app_client
        with db.session() as s:
            insert_events(
                s,
                with_occurrences(
                    [
                        {
                            "patient_id": pid,
                            "time": dt.datetime(2024, 3, 2, 8),
                            "code": "LAB//LOINC//2823-3",
                            "numeric_value": 5.9,
                            "unit": "mmol/L",
                            "ref_low": 3.5,
                            "ref_high": 5.1,
                        }
                    ]
                ),
            )
        token = sign_in(client, "alice")
        r = client.post(
            f"/api/patients/{pid}/chat",
            json={"message": "is my potassium ok?"},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["mode"] == "guided" and out["facts"][0]["source"].startswith("event:")
        assert "above the reported range" in out["facts"][0]["text"]
        assert (
            client.post(
                f"/api/patients/{pid + 999}/chat", json={"message": "x"}, headers={"X-CSRF-Token": token}
            ).status_code
            == 404
        )


class TestCohortPage:
    def test_cohort_page_exports_and_audit(self, app_client, db: Database) -> None:
        from medtrio.store.events import insert_events, with_occurrences

        client, pid = app_client
        with db.session() as s:
            insert_events(
                s,
                with_occurrences(
                    [
                        {
                            "patient_id": pid,
                            "time": dt.datetime(2020, 1, 1),
                            "code": "DIAGNOSIS//ICD//10//E11.9",
                        },
                        {
                            "patient_id": pid,
                            "time": dt.datetime(2021, 1, 1),
                            "code": "DIAGNOSIS//ICD//10//I21.9",
                        },
                    ]
                ),
            )
        sign_in(client, "doc")
        params = {"include": "DIAGNOSIS//ICD//10//E11", "outcome": "DIAGNOSIS//ICD//10//I21"}
        page = client.get("/clinic/research", params=params)
        assert (
            page.status_code == 200 and '<span id="cohort-size">1</span>' in page.text and "<svg" in page.text
        )
        csv_text = client.get("/clinic/research", params={**params, "export": "csv"}).text
        assert csv_text.splitlines()[1].startswith(f"{pid},2020-01-01")
        meds = client.get("/clinic/research", params={**params, "export": "meds"})
        assert meds.content[:4] == b"PAR1"
        with db.session() as s:
            assert {"read", "export"} <= {a.action for a in query(s) if a.resource == "cohort"}

    def test_patients_cannot_build_cohorts(self, app_client) -> None:
        client, _ = app_client
        sign_in(client, "alice")
        assert client.get("/clinic/research", params={"include": "X"}).status_code == 403
