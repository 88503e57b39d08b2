"""Navigation: the top bar of each terminal and the tabs of a patient's chart.

Entries name a route (`name=` in its decorator); an entry is shown only when that route is part of the
running application, so a domain's page appears in the menus as soon as its module is in `ROUTERS`.
To add a menu entry for a new page, add one line here (labels are translated through the catalogues).
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(text: str) -> str:
    """Marks a label for the translation catalogue; it is translated when the page is rendered."""
    return text


@dataclass(frozen=True)
class Link:
    route: str  # the route's name
    path: str  # with {patient_id} for chart tabs
    label: str


TERMINAL_LINKS: dict[str, tuple[Link, ...]] = {
    "admin": (
        Link("admin_home", "/admin", N_("Overview")),
        Link("admin_import", "/admin/import", N_("Import")),
        Link("admin_users", "/admin/users", N_("Users")),
        Link("admin_departments", "/admin/departments", N_("Departments")),
        Link("admin_audit", "/admin/audit", N_("Audit log")),
        Link("trajectory_admin_page", "/admin/trajectory", N_("Models")),
    ),
    "clinician": (
        Link("clinic_patients", "/clinic", N_("Patients")),
        Link("triage_incoming", "/clinic/triage", N_("Pre-visit summaries")),
        Link("calculator_page_list", "/clinic/calculators", N_("Calculators")),
        Link("literature_page", "/clinic/literature", N_("Literature")),
        Link("cohort_page", "/clinic/research", N_("Research")),
    ),
    "patient": (
        Link("me_timeline", "/me", N_("My record")),
        Link("labs_me", "/me/labs", N_("Lab reports")),
        Link("triage_start", "/me/triage", N_("Symptom check")),
        Link("triage_my_appointments", "/me/triage/appointments", N_("My appointments")),
        Link("trajectory_me_page", "/me/forecast", N_("Health outlook")),
        Link("chat_me", "/me/chat", N_("Ask about my record")),
    ),
}

CHART_TABS: tuple[Link, ...] = (
    Link("clinic_chart", "/clinic/patients/{patient_id}", N_("Timeline")),
    Link("labs_clinic", "/clinic/patients/{patient_id}/labs", N_("Labs")),
    Link("case_analysis_page", "/clinic/patients/{patient_id}/analysis", N_("Case analysis")),
    Link("trajectory_clinic_page", "/clinic/patients/{patient_id}/forecast", N_("Forecast")),
    Link("chat_clinic", "/clinic/patients/{patient_id}/chat", N_("Ask")),
)


def terminal_links(role: str, routes: frozenset[str]) -> list[Link]:
    return [link for link in TERMINAL_LINKS.get(role, ()) if link.route in routes]


def chart_tabs(patient_id: int, routes: frozenset[str]) -> list[Link]:
    return [
        Link(t.route, t.path.format(patient_id=patient_id), t.label) for t in CHART_TABS if t.route in routes
    ]
