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
