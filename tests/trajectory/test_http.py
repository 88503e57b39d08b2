"""The forecast API and pages, and the model registry, through FastAPI's TestClient on both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medtrio.accounts import create_user, hash_password
from medtrio.api.app import create_app
from medtrio.settings import Settings
from medtrio.store import insert_events, upsert_patient, with_occurrences
from medtrio.store.schema import Department, Doctor
from medtrio.trajectory import registry

PASSWORD = "correct-horse-42"


@pytest.fixture
def setup(db, tiny_model: Path, tmp_path: Path):  # noqa: ANN001, ANN201
    h = hash_password(PASSWORD)
    with db.session() as s:
        dept = Department(code="MED", name_en="Internal medicine", name_zh="内科")
        s.add(dept)
        s.flush()
        doc = Doctor(name="Dr. Ada", department_id=dept.id, specialty="internal medicine", languages=["en"])
        s.add(doc)
        s.flush()
        pa = upsert_patient(
            s, "t", "A", name="Alice", sex="F", birth_date=dt.date(1960, 5, 1), department_id=dept.id
        )
        pb = upsert_patient(
            s, "t", "B", name="Bob", sex="M", birth_date=dt.date(1970, 1, 2), department_id=dept.id
        )
        insert_events(
            s,
            with_occurrences(
                [
                    {"patient_id": pa, "time": dt.datetime(2015, 1, 1), "code": "DIAGNOSIS//ICD//10//I10"},
                    {"patient_id": pa, "time": dt.datetime(2020, 1, 1), "code": "DIAGNOSIS//ICD//10//E11.9"},
                    {"patient_id": pa, "time": dt.datetime(2021, 1, 1), "code": "DIAGNOSIS//ICD//10//Q87.1"},
                ]
            ),
        )
        create_user(s, "admin", PASSWORD, "admin", password_hash=h)
        create_user(s, "doc", PASSWORD, "clinician", doctor_id=doc.id, password_hash=h)
        create_user(s, "alice", PASSWORD, "patient", patient_id=pa, password_hash=h)
        create_user(s, "bob", PASSWORD, "patient", patient_id=pb, password_hash=h)
    settings = Settings(data_dir=tmp_path / "data", secret_key="test-secret-key-not-for-production")
    return TestClient(create_app(settings, db)), settings, pa, pb


def sign_in(client: TestClient, username: str) -> str:
    token = client.get("/api/session").json()["csrf_token"]
    r = client.post(
        "/api/session", json={"username": username, "password": PASSWORD}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


@pytest.mark.slow
class TestForecastApi:
    def test_no_model_is_a_clear_404(self, setup) -> None:  # noqa: ANN001
        client, _, pa, _ = setup
        sign_in(client, "doc")
        r = client.get(f"/api/patients/{pa}/trajectory")
        assert r.status_code == 404 and "no trajectory model" in r.json()["error"]

    def test_forecast_pages_and_registry(self, setup, tiny_model: Path) -> None:  # noqa: ANN001
        client, settings, pa, pb = setup
        root = registry.root_of(settings.data_dir)
        v1 = registry.register(root, tiny_model)
        v2 = registry.register(root, tiny_model)
        assert registry.active_version(root) == v2
        sign_in(client, "doc")
        r = client.get(f"/api/patients/{pa}/trajectory?samples=3")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["basis"] == "model" and body["model_version"] == v2 and len(body["samples"]) == 3
        assert "DIAGNOSIS//ICD//10//Q87.1" in body["unknown_codes"]
        assert all(0 <= x["risk"]["1y"] <= x["risk"]["10y"] <= 1 for x in body["risks"])
        drivers = [d for x in body["risks"] for d in x["drivers"]]
        assert all(d["event_id"] is not None for d in drivers)  # each driver cites its record entry
        prior = client.get(f"/api/patients/{pb}/trajectory").json()
        assert prior["basis"].startswith("age-sex prior")
        page = client.get(f"/clinic/patients/{pa}/forecast")
        assert page.status_code == 200 and "risk-table" in page.text and "not diagnoses" in page.text
        c2 = TestClient(client.app)
        sign_in(c2, "alice")
        me = c2.get("/me/forecast")
        assert me.status_code == 200 and "not destiny" in me.text and "talk to your doctor" in me.text
        assert "Death" not in me.text  # the outlook lists conditions; death risk is on the clinician's page
        assert c2.get(f"/api/patients/{pb}/trajectory").status_code == 404  # another patient's record
        c3 = TestClient(client.app)
        token = sign_in(c3, "admin")
        models = c3.get("/api/admin/trajectory/models").json()
        assert [m["version"] for m in models["models"]] == [v1, v2] and models["active"] == v2
        r = c3.post(f"/api/admin/trajectory/models/{v1}/activate", headers={"X-CSRF-Token": token})
        assert r.status_code == 200 and registry.active_version(root) == v1
        assert (
            c3.post("/api/admin/trajectory/models/v999/activate", headers={"X-CSRF-Token": token}).status_code
            == 404
        )
        assert c3.get("/admin/trajectory").status_code == 200


def test_changeable_drivers_are_the_lifestyle_ones() -> None:
    from medtrio.api.routes.trajectory import changeable_drivers
    from medtrio.trajectory.inference import DiseaseRisk, Driver, Forecast

    risk = {"1y": 0.01, "5y": 0.05, "10y": 0.1}
    drivers = (Driver(9, "Smoking_high", 40.0, 0.3), Driver(20, "I10 (hypertension)", 50.0, 0.2),
               Driver(6, "BMI_high", 45.0, 0.1))  # fmt: skip
    f = Forecast(60.0, "model", (DiseaseRisk(30, "I21", 0.01, risk, risk, risk, drivers),), (), ())
    assert changeable_drivers(f) == {30: ["Smoking_high", "BMI_high"]}  # a diagnosis is not "changeable"
    # and the patient page words them (the page's content block, rendered with the real template)
    from medtrio.api.render import templates

    page = templates.env.get_template("trajectory/me.html")
    html = "".join(page.blocks["content"](page.new_context({"f": f, "top": f.risks,
                                                             "changeable": changeable_drivers(f)})))
    assert "raised by something that can change: smoking, a body mass index of 30 or more<" in html
    assert "(between" not in html  # no dropout band in this forecast: no "between 5 and 5"
