"""Browser review of the case-analysis report (Debian Chromium via Playwright): all eight steps present,
each with at least one evidence link, the "why" expands, and the analysis runs within 2 s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def test_case_analysis_report_in_the_browser(chromium, case_server) -> None:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(case_server.url + "/login")
    page.fill("input[name=username]", "dr.one")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    started = time.perf_counter()
    page.goto(f"{case_server.url}/clinic/patients/{case_server.patient_id}/analysis?complaint=unconscious")
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"the analysis page took {elapsed:.2f} s"
    steps = page.locator("section.step")
    assert steps.count() == 8
    for i in range(8):
        step = steps.nth(i)
        assert step.locator("h2").inner_text().startswith(f"{i + 1}.")
        assert step.locator(".evidence-link").count() >= 1
    first_critical = page.locator("li.statement.sev-critical").first
    assert first_critical.is_visible()
    why = first_critical.locator("details.why")
    why.locator("summary").click()
    assert why.locator(".evidence-link").first.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "case-analysis.png"), full_page=False)
    context.close()
