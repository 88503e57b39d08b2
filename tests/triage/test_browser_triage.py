"""Browser test (Debian Chromium): interview -> result -> doctor -> appointment request -> the
pre-visit summary is visible to that doctor."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, url, username):  # type: ignore[no-untyped-def]
    page.goto(url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")


def test_patient_to_doctor_flow(chromium_page, live):  # type: ignore[no-untyped-def]
    page = chromium_page
    sign_in(page, live.url, "tess")
    page.goto(live.url + "/me/triage")
    page.fill("#triage-text", "I have a sore throat and a runny nose since yesterday, no fever")
    with page.expect_navigation():
        page.click("#triage-begin")
    first = page.locator("#question-text").get_attribute("data-finding")
    with page.expect_navigation():
        page.click("button[value=yes]")
    assert page.locator("#triage-progress").inner_text().startswith("Question 2")
    assert page.locator("#chat .chat-answer").all_inner_texts() == ["Yes"]  # chat-like history
    with page.expect_navigation():
        page.click("#answer-back")  # undo: the same first question comes back
    assert page.locator("#question-text").get_attribute("data-finding") == first
    for _ in range(20):
        if page.locator("#urgency-banner").count():
            break
        with page.expect_navigation():
            page.click("button[value=no]")
    assert page.locator("#urgency-banner").get_attribute("data-urgency") != "emergency"
    assert page.locator("#differential tr").count() >= 2
    form = page.locator("form.request-form").first
    form.locator("textarea[name=questions]").fill("Can I go to work?")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("#booked").is_visible()
    with page.expect_navigation():
        page.click("text=Sign out")

    sign_in(page, live.url, "dr.lin")
    page.goto(live.url + "/clinic/triage")
    with page.expect_navigation():
        page.locator("#incoming-table a").first.click()
    assert "sore throat" in page.locator("#summary-complaint").inner_text()
    assert "Can I go to work?" in page.locator("#summary-questions").inner_text()
