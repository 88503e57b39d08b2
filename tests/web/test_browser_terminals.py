"""Browser tests of the integrated terminals: every menu entry of each role opens a working page with no
Content-Security-Policy violation, the chart tabs lead through a patient's pages, and an evidence link
of the case analysis lands on its record entry even when that entry is on another page of the timeline.
Screenshots of the domain pages go to artifacts/screenshots/ (copied to docs/screenshots/)."""

from __future__ import annotations

import pytest

from medtrio.api import nav

pytestmark = pytest.mark.browser
PASSWORD = "browser-test-42"  # the seeded accounts' (tests/web/conftest.py)

SHOTS = {
    "/me/labs": "me-labs",
    "/me/triage": "me-triage",
    "/clinic/triage": "clinic-triage",
    "/clinic/calculators": "clinic-calculators",
    "/clinic/literature": "clinic-literature",
    "/clinic/research": "clinic-research",
    "/admin/trajectory": "admin-models",
}


def sign_in(page, server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")


def _problems(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Console errors (a CSP violation is reported there) and failed page scripts, collected as they come."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.append(str(e)))
    return found


@pytest.mark.parametrize(
    ("username", "role"), [("alice", "patient"), ("dr.chen", "clinician"), ("admin", "admin")]
)
def test_every_menu_entry_opens_a_page(page, server, screenshot, username, role) -> None:  # type: ignore[no-untyped-def]
    problems = _problems(page)
    sign_in(page, server, username)
    links = page.locator("nav.mainnav a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert links == [link.path for link in nav.TERMINAL_LINKS[role]]  # every domain's page is in the app
    for href in links:
        response = page.goto(server.url + href)
        assert response is not None
        # the forecast needs a trained model: without one it answers a clear error page, not a crash
        assert response.status == 200 or (href.endswith("forecast") and response.status == 404), href
        assert page.locator(f'nav.mainnav a[href="{href}"].active').count() == 1, href
        if href in SHOTS:
            screenshot(page, SHOTS[href])
    if role == "patient":  # the same terminal in Chinese
        page.goto(server.url + "/me/labs")
        with page.expect_navigation():
            page.select_option("header select[name=lang]", "zh")
        assert page.locator("nav.mainnav a.active").inner_text() == "检验报告"
        assert "读懂检验报告" in page.locator("h1").inner_text()
        screenshot(page, "me-labs-zh")
    assert [p for p in problems if "404" not in p] == []  # no CSP violation or script error


def test_chart_tabs_and_evidence_link_to_an_older_entry(page, server, screenshot) -> None:  # type: ignore[no-untyped-def]
    problems = _problems(page)
    sign_in(page, server, "dr.chen")
    chart = f"{server.url}/clinic/patients/{server.patient_a}"
    page.goto(chart)
    on_first_page = set(page.locator("#event-table tbody tr").evaluate_all("rs => rs.map(r => r.id)"))
    tabs = page.locator("nav.tabs a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert f"/clinic/patients/{server.patient_a}/labs" in tabs
    page.goto(f"{chart}/labs")
    assert page.locator("nav.tabs a.on").get_attribute("href") == f"/clinic/patients/{server.patient_a}/labs"
    page.goto(f"{chart}/analysis?complaint=chest+pain")
    assert page.locator("nav.tabs a.on").get_attribute("href").endswith("/analysis")
    screenshot(page, "case-analysis-tabs")
    hrefs = page.locator("a.evidence-link").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs and all("?event=" in h and "#event-" in h for h in hrefs)
    older = [h for h in hrefs if "event-" + h.rsplit("#event-", 1)[1] not in on_first_page]
    assert older, "every cited entry is on the first page: the test needs an older one"
    link = page.locator(f'a.evidence-link[href="{older[0]}"]').first
    link.locator("xpath=ancestor::details").evaluate("d => d.open = true")
    with page.expect_navigation():
        link.click()
    anchor = older[0].rsplit("#", 1)[1]
    row = page.locator(f"#{anchor}")
    assert row.is_visible() and row.evaluate("r => r.matches(':target')")
    assert page.locator(".pager span").inner_text().split()[1] != "1"  # it opened a later page
    row.scroll_into_view_if_needed()
    screenshot(page, "clinic-evidence-entry")
    assert problems == []
