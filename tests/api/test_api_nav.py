"""Menus show exactly the pages the running application has, per role, and the chart's tabs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from medtrio.api import nav
from medtrio.api.render import route_names


def test_links_follow_the_routes_that_exist() -> None:
    routes = frozenset({"clinic_patients", "labs_clinic", "clinic_chart"})
    assert [link.path for link in nav.terminal_links("clinician", routes)] == ["/clinic"]
    assert [t.path for t in nav.chart_tabs(7, routes)] == ["/clinic/patients/7", "/clinic/patients/7/labs"]
    assert nav.terminal_links("nobody", routes) == []


def test_each_terminal_shows_its_own_menu(client: TestClient, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    names = route_names(client.app)
    for username, role in (("admin", "admin"), ("doc", "clinician"), ("alice", "patient")):
        sign_in(client, username)
        home = client.get("/")
        assert home.status_code == 200
        menu = home.text.split('<nav class="mainnav">', 1)[1].split("</nav>", 1)[0]
        expected = [link.path for link in nav.TERMINAL_LINKS[role] if link.route in names]
        assert expected and [p.split('"')[1] for p in menu.split("href=")[1:]] == expected
    sign_in(client, "doc")
    chart = client.get(f"/clinic/patients/{seeded.patient_a}").text
    assert f'href="/clinic/patients/{seeded.patient_a}" class="on"' in chart


# pages reached from another page rather than a menu: page route -> the page that links to it
DETAIL_PAGES = {
    "admin_job": "admin_import",
    "calculator_page": "calculator_page_list",
    "case_analysis_pdf": "case_analysis_page",
    "triage_summary": "triage_incoming",
    "trajectory_admin_plot": "trajectory_admin_page",
}
NOT_IN_MENUS = {"root", "login_page", "health", "openapi", "swagger_docs"}


def _get_pages(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """name -> path of every GET route that is a page (not JSON API, not a CDS Hooks service)."""
    out = {}

    def walk(routes):  # type: ignore[no-untyped-def]
        for r in routes:
            inner = getattr(r, "original_router", None)
            if inner is not None:
                walk(inner.routes)
            elif "GET" in (getattr(r, "methods", None) or ()) and not r.path.startswith(("/api", "/cds")):
                out[r.name] = r.path

    walk(app.routes)
    return out


def test_every_page_is_reachable_from_a_menu_or_its_parent_page(client: TestClient) -> None:
    pages = _get_pages(client.app)
    linked = {link.route for links in nav.TERMINAL_LINKS.values() for link in links}
    linked |= {tab.route for tab in nav.CHART_TABS}
    orphans = sorted(set(pages) - linked - NOT_IN_MENUS - set(DETAIL_PAGES))
    assert orphans == []  # add the page to nav.TERMINAL_LINKS / nav.CHART_TABS (or DETAIL_PAGES)
    for detail, parent in DETAIL_PAGES.items():
        if detail in pages:
            assert parent in linked and parent in pages, detail
    # every domain named in the brief is in the menus of the running application
    expected = (
        "labs_me", "triage_start", "triage_my_appointments", "trajectory_me_page",
        "triage_incoming", "calculator_page_list", "literature_page", "cohort_page",
        "labs_clinic", "case_analysis_page", "trajectory_clinic_page", "trajectory_admin_page",
    )  # fmt: skip
    for route in expected:
        assert route in pages and route in linked, route


def test_every_chart_page_shows_the_chart_tabs(client: TestClient, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "doc")
    names = route_names(client.app)
    tabs = nav.chart_tabs(seeded.patient_a, names)
    assert len(tabs) >= 3
    shown = 0
    for tab in tabs:
        page = client.get(tab.path)
        if page.status_code != 200:  # the forecast needs a trained model; it answers an error page
            continue
        shown += 1
        nav_html = page.text.split('<nav class="tabs"', 1)[1].split("</nav>", 1)[0]
        assert [p.split('"')[1] for p in nav_html.split("href=")[1:]] == [t.path for t in tabs], tab.path
        assert f'href="{tab.path}" class="on"' in nav_html
    assert shown >= 3  # timeline, labs, case analysis
