"""Starting a trajectory training job from the admin terminal, on a small demo store, on both backends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from medtrio.accounts import create_user, hash_password
from medtrio.api.app import create_app
from medtrio.demo.build import build_demo
from medtrio.settings import Settings
from medtrio.store.schema import AuditLog, Department, Doctor, Job
from medtrio.trajectory import jobs, registry

PASSWORD = "correct-horse-42"


def _client(db, tmp_path: Path) -> tuple[TestClient, Settings]:  # noqa: ANN001
    h = hash_password(PASSWORD)
    with db.session() as s:
        dept = Department(code="TRN", name_en="Training test", name_zh="训练测试")
        s.add(dept)
        s.flush()
        doc = Doctor(name="Dr. Nurse", department_id=dept.id, specialty="internal medicine", languages=["en"])
        s.add(doc)
        s.flush()
        create_user(s, "trainer", PASSWORD, "admin", password_hash=h)
        create_user(s, "nurse", PASSWORD, "clinician", doctor_id=doc.id, password_hash=h)
    settings = Settings(data_dir=tmp_path / "data", secret_key="test-secret-key-not-for-production")
    return TestClient(create_app(settings, db)), settings


def _sign_in(client: TestClient, username: str) -> str:
    token = client.get("/api/session").json()["csrf_token"]
    r = client.post(
        "/api/session", json={"username": username, "password": PASSWORD}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def test_admin_trains_a_version_from_the_form(db, tmp_path: Path) -> None:  # noqa: ANN001
    import torch

    torch.set_num_threads(1)
    build_demo(db, 120, 0)  # >= 100 patients: 15 % are held out and the version gets an evaluation report
    client, settings = _client(db, tmp_path)
    csrf = _sign_in(client, "trainer")
    page = client.get("/admin/trajectory")
    assert page.status_code == 200 and 'action="/admin/trajectory/train"' in page.text

    # without the CSRF token the form is refused and no job exists
    r = client.post("/admin/trajectory/train", data={"preset": "tiny", "max_minutes": "1"})
    assert r.status_code == 403
    r = client.post("/admin/trajectory/train", data={"preset": "huge", "csrf_token": csrf})
    assert r.status_code == 422 and "Unknown preset" in r.text
    with db.session() as s:
        assert s.scalar(select(Job.id).where(Job.kind == jobs.KIND)) is None

    # the form has no step field; the JSON API does, which keeps this test fast
    r = client.post(
        "/api/admin/trajectory/train",
        json={"preset": "tiny", "max_minutes": 1, "max_steps": 3},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    assert jobs.wait_for_training(db, job_id, timeout=120) == "done"

    status = client.get(f"/api/admin/jobs/{job_id}").json()
    assert status["kind"] == "train_trajectory" and status["progress"] == 1.0
    assert "started: preset tiny" in status["log"] and "done: registered and activated v001" in status["log"]
    assert re.search(r"step [123]: holdout loss \d", status["log"])  # progress from the training loop
    version = status["result"]["version"]
    assert version == "v001" and status["result"]["metadata"]["preset"] == "tiny"
    assert 1 <= status["result"]["metadata"]["steps"] <= 3

    root = registry.root_of(settings.data_dir)
    assert registry.active_version(root) == version
    [entry] = registry.list_models(root)
    assert entry.version == version and entry.metadata["n_train_patients"] > 0
    # the evaluation report on held-out patients: the registry page shows it and serves its plots
    report = entry.metrics
    assert report["n_patients"] == 18 and report["held_out"].startswith("18 patients")
    assert report["plots"] == ["eval/calibration.png", "eval/auc_by_chapter.png"]
    assert "NaN" not in (entry.path / "eval.json").read_text()
    assert entry.metadata["n_train_patients"] + entry.metadata["n_holdout_patients"] == 120 - 18
    png = client.get(f"/admin/trajectory/{version}/eval/calibration.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get(f"/admin/trajectory/{version}/eval/metadata.json").status_code == 404
    assert client.get("/admin/trajectory/v999/eval/calibration.png").status_code == 404

    page = client.get(f"/admin/trajectory?job={job_id}")
    assert page.status_code == 200 and f'data-job-id="{job_id}" data-status="done"' in page.text
    assert "/static/job.js" in page.text and "done: registered and activated v001" in page.text
    assert re.search(r'data-version="v001"><td>v001 \(active\)', page.text)
    assert "18 held-out patients" in page.text
    assert f'href="/admin/trajectory/{version}/eval/calibration.png"' in page.text
    listing = client.get("/admin/trajectory").text
    assert f'href="/admin/trajectory?job={job_id}"' in listing and 'id="job"' not in listing
    assert client.get("/admin/trajectory?job=999999").status_code == 404

    with db.session() as s:
        job = s.get(Job, job_id)
        assert job.status == "done" and job.finished_at is not None and job.params["preset"] == "tiny"
        rows = list(s.scalars(select(AuditLog).where(AuditLog.resource == "trajectory_train")))
    assert len(rows) == 1 and rows[0].action == "write" and f"job {job_id}" in rows[0].reason

    # the form path: redirect to the job page; then roll back to v001 after v002 is registered
    r = client.post(
        "/admin/trajectory/train",
        data={"preset": "tiny", "max_minutes": "0.05", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/trajectory?job=")
    second = int(r.headers["location"].rsplit("=", 1)[1])
    assert jobs.wait_for_training(db, second, timeout=120) == "done"
    assert registry.active_version(root) == "v002"
    r = client.post(
        f"/admin/trajectory/{version}/activate", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303 and registry.active_version(root) == "v001"


def test_too_few_patients_fails_the_job_clearly(db, tmp_path: Path) -> None:  # noqa: ANN001
    build_demo(db, 5, 0)
    client, settings = _client(db, tmp_path)
    csrf = _sign_in(client, "trainer")
    r = client.post("/api/admin/trajectory/train", json={"preset": "tiny", "max_steps": 2},
                    headers={"X-CSRF-Token": csrf})
    job_id = r.json()["job_id"]
    assert jobs.wait_for_training(db, job_id, timeout=60) == "failed"
    status = client.get(f"/api/admin/jobs/{job_id}").json()
    assert "at least 10 are needed" in status["message"] and "failed:" in status["log"]
    assert registry.list_models(registry.root_of(settings.data_dir)) == []


@pytest.mark.parametrize("path", ["/admin/trajectory/train", "/api/admin/trajectory/train"])
def test_non_admin_cannot_start_training(db, tmp_path: Path, path: str) -> None:  # noqa: ANN001
    client, _ = _client(db, tmp_path)
    csrf = _sign_in(client, "nurse")
    r = client.post(path, data={"preset": "tiny", "csrf_token": csrf}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    with db.session() as s:
        assert s.scalar(select(Job.id).where(Job.kind == jobs.KIND)) is None
