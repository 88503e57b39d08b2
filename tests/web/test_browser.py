"""Browser tests: Debian Chromium (Playwright) against the real server, for each terminal.

Covers sign-in for each role, the timeline page (charts and events visible, the category filter
works), the language switch, and a forbidden access (patient A opening patient B's record gets 404 and
leaves a "denied" audit row). Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from medtrio.store.schema import AuditLog

pytestmark = pytest.mark.browser
PASSWORD = "browser-test-42"


def sign_in(page, server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")


@pytest.mark.parametrize(
    ("username", "home", "marker"),
    [
        ("admin", "/admin", "#stats"),
        ("dr.chen", "/clinic", "#patient-table"),
        ("alice", "/me", "#event-table"),
    ],
)
def test_sign_in_for_each_role(page, server, screenshot, username, home, marker) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/")
    assert page.url.endswith("/login")
    if username == "admin":
        screenshot(page, "login")
    sign_in(page, server, username)
    assert page.url == server.url + home
    assert page.locator(marker).is_visible()
    assert page.locator(".who").get_attribute("data-role") in {"admin", "clinician", "patient"}
    screenshot(page, {"admin": "admin-home", "dr.chen": "clinic-patients", "alice": "me-timeline"}[username])
    with page.expect_navigation():
        page.click("text=Sign out")
    assert page.url.endswith("/login")


def test_wrong_password_stays_on_sign_in(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "not-the-password")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.locator(".alert.error").inner_text() == "Wrong username or password."


def test_timeline_charts_and_category_filter(page, server, screenshot) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, server, "dr.chen")
    page.fill("input[name=q]", "alice")
    with page.expect_navigation():
        page.click("#patient-search button")
    with page.expect_navigation():
        page.click("text=Alice Wang")
    assert page.url == f"{server.url}/clinic/patients/{server.patient_a}"
    assert page.locator("#lab-chart svg polyline").is_visible()
    assert page.locator("#lab-chart svg circle").count() > 10
    assert page.locator("#marks-chart svg").is_visible()
    rows = page.locator("#event-table tbody tr")
    assert rows.count() == 50
    assert len(set(rows.evaluate_all("rs => rs.map(r => r.dataset.category)"))) > 1
    screenshot(page, "clinic-chart")
    with page.expect_navigation():
        page.click("nav.filters a[data-category=lab]")
    assert "category=lab" in page.url
    cats = set(page.locator("#event-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.category)"))
    assert cats == {"lab"}
    # another lab in the chart: the selector reloads the page with that series
    page.select_option("select[name=lab]", "LAB//LOINC//2160-0")
    page.wait_for_url("**lab=LAB%2F%2FLOINC%2F%2F2160-0**")
    assert page.locator("#lab-chart svg").get_attribute("aria-label") == "Creatinine"
    page.goto(server.url + "/clinic/patients/" + str(server.patient_a) + "?page=2")
    assert page.locator("a[rel=prev]").is_visible()


def test_patient_cannot_open_another_patients_record(page, server, screenshot) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, server, "alice")
    with server.db.session() as s:
        before = len(list(s.scalars(select(AuditLog.id).where(AuditLog.action == "denied"))))
    response = page.goto(f"{server.url}/clinic/patients/{server.patient_b}")
    assert response is not None and response.status == 404
    assert "Bob Li" not in page.content()
    screenshot(page, "forbidden")
    response = page.goto(f"{server.url}/api/patients/{server.patient_b}/timeline")
    assert response is not None and response.status == 404
    with server.db.session() as s:
        denied = list(
            s.scalars(select(AuditLog).where(AuditLog.action == "denied", AuditLog.username == "alice"))
        )
    assert len(denied) == before + 2 and all(d.patient_id == server.patient_b for d in denied)


def test_admin_pages_and_audit_log(page, server, screenshot) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, server, "admin")
    page.goto(server.url + "/admin/import")
    assert page.locator("#import-form input[type=file]").count() == 1
    screenshot(page, "admin-import")
    page.goto(server.url + "/admin/users")
    assert page.locator("#users tr[data-username=alice]").is_visible()
    page.goto(server.url + "/admin/audit")
    page.select_option("select[name=action]", "denied")
    with page.expect_navigation():
        page.click("#audit-filters button")
    assert "action=denied" in page.url
    actions = set(page.locator("#audit-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.action)"))
    assert actions <= {"denied", None}
    screenshot(page, "admin-audit")
    # no clinical content for the administrator
    response = page.goto(f"{server.url}/clinic/patients/{server.patient_a}")
    assert response is not None and response.status == 403


def test_language_switch_to_chinese(page, server, screenshot) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, server, "alice")
    with page.expect_navigation():
        page.select_option("header select[name=lang]", "zh")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "时间线" in page.locator("#events h2").inner_text()
    assert "内科" in page.locator("#patient-header").inner_text()  # department name in Chinese
    screenshot(page, "me-timeline-zh")
    with page.expect_navigation():
        page.click("text=退出登录")
    sign_in(page, server, "alice")  # the preference was saved with the account and the cookie
    assert "检验趋势" in page.content()
    with page.expect_navigation():
        page.select_option("header select[name=lang]", "en")
    assert "Lab trend" in page.content()


def test_admin_import_shows_job_progress(page, server, screenshot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("medtrio.ingest.jobs", reason="the importer has not landed yet")
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": f"browser-{i}", "gender": "male"}}
            for i in range(5)
        ],
    }
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    sign_in(page, server, "admin")
    page.goto(server.url + "/admin/import")
    page.set_input_files("#import-form input[type=file]", str(path))
    with page.expect_navigation():
        page.click("#import-form button[type=submit]")
    assert "/admin/import/jobs/" in page.url
    # the page polls /api/admin/jobs/<id> until the job ends
    page.wait_for_selector("#job[data-status=done]", timeout=30_000)
    assert page.locator("#job-percent").inner_text() == "100%"
    assert "5 patients" in page.locator("#job-message").inner_text()
    screenshot(page, "admin-job")


def test_everything_is_served_locally(page, server) -> None:  # type: ignore[no-untyped-def]
    """No page pulls anything from another host (works offline): the terminals and the API docs."""
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    page.goto(server.url + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() > 5
    sign_in(page, server, "alice")
    page.goto(server.url + "/me")
    assert requested and all(u.startswith(server.url) or u.startswith("data:") for u in requested), [
        u for u in requested if not u.startswith(server.url)
    ]
