"""Read models for the pages: a patient's timeline view and the clinician's patient list.

A timeline page costs a fixed number of queries whatever the record's size (counts per category,
one page of events, the lab list, one lab series, diagnoses and medications grouped by code, encounter
times), so a 10,000-event record renders as fast as a small one. Only identifiers and SQL live here;
the access decision is made before (`medtrio.api.deps`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from medtrio.accounts import Account
from medtrio.store.events import TimelineEvent, category_counts
from medtrio.store.patients import PatientSummary
from medtrio.store.schema import CareAssignment, Code, Department, Event, Patient
from medtrio.web.charts import Mark, Point

MAX_SERIES = 500
MAX_ENCOUNTER_MARKS = 1000


@dataclass(frozen=True)
class LabOption:
    code: str
    label: str
    n: int
    unit: str | None


@dataclass
class TimelineView:
    counts: dict[str, int]
    category: str | None
    total: int
    page: int
    per_page: int
    events: list[TimelineEvent]
    labs: list[LabOption] = field(default_factory=list)
    lab: LabOption | None = None
    lab_points: list[Point] = field(default_factory=list)
    diagnoses: list[Mark] = field(default_factory=list)
    medications: list[Mark] = field(default_factory=list)
    encounters: list[Mark] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _label(display: str | None, code: str) -> str:
    return display or code


def event_page(
    s: Session, patient_id: int, category: str | None, page: int, per_page: int
) -> list[TimelineEvent]:
    """One page of events, newest first (events without a time last)."""
    q = (
        select(
            Event.id,
            Event.time,
            Event.code,
            Code.display,
            Event.category,
            Event.numeric_value,
            Event.unit,
            Event.text_value,
            Event.ref_low,
            Event.ref_high,
            Event.source,
        )
        .outerjoin(Code, Code.code == Event.code)
        .where(Event.patient_id == patient_id)
    )
    if category:
        q = q.where(Event.category == category)
    # newest first, undated events last: SQLite already sorts NULLs lowest (so last when descending) and
    # can then walk the (patient_id, time) index backwards instead of sorting the whole record
    if s.get_bind().dialect.name == "sqlite":
        q = q.order_by(Event.time.desc(), Event.id.desc())
    else:
        q = q.order_by(Event.time.desc().nulls_last(), Event.id.desc())
    q = q.limit(per_page).offset((page - 1) * per_page)
    return [TimelineEvent(*row) for row in s.execute(q)]


def lab_options(s: Session, patient_id: int) -> list[LabOption]:
    q = (
        select(Event.code, func.max(Code.display), func.count(), func.max(Event.unit))
        .outerjoin(Code, Code.code == Event.code)
        .where(Event.patient_id == patient_id, Event.category == "lab", Event.numeric_value.is_not(None))
        .group_by(Event.code)
        .order_by(func.count().desc(), Event.code)
        .limit(40)
    )
    return [LabOption(code, _label(display, code), n, unit) for code, display, n, unit in s.execute(q)]


def lab_series(s: Session, patient_id: int, code: str) -> list[Point]:
    """The most recent `MAX_SERIES` values of one lab, oldest first."""
    q = (
        select(Event.time, Event.numeric_value, Event.ref_low, Event.ref_high)
        .where(Event.patient_id == patient_id, Event.code == code)
        .where(Event.numeric_value.is_not(None), Event.time.is_not(None))
        .order_by(Event.time.desc())
        .limit(MAX_SERIES)
    )
    return [Point(t, v, lo, hi) for t, v, lo, hi in reversed(s.execute(q).all())]


def _grouped_marks(s: Session, patient_id: int, category: str, spans: bool) -> list[Mark]:
    q = (
        select(Event.code, func.max(Code.display), func.min(Event.time), func.max(Event.time), func.count())
        .outerjoin(Code, Code.code == Event.code)
        .where(Event.patient_id == patient_id, Event.category == category, Event.time.is_not(None))
        .group_by(Event.code)
        .order_by(func.min(Event.time))
        .limit(300)
    )
    return [
        Mark(first, _label(display, code), end=last if spans else None, count=n)
        for code, display, first, last, n in s.execute(q)
    ]


def encounter_marks(s: Session, patient_id: int) -> list[Mark]:
    q = (
        select(Event.time, Event.code, Code.display)
        .outerjoin(Code, Code.code == Event.code)
        .where(Event.patient_id == patient_id, Event.category == "encounter", Event.time.is_not(None))
        .order_by(Event.time.desc())
        .limit(MAX_ENCOUNTER_MARKS)
    )
    return [Mark(t, _label(display, code)) for t, code, display in s.execute(q)]


def timeline_view(
    s: Session,
    patient_id: int,
    *,
    category: str | None = None,
    page: int = 1,
    per_page: int = 50,
    lab_code: str | None = None,
) -> TimelineView:
    counts = category_counts(s, patient_id)
    total = counts.get(category, 0) if category else sum(counts.values())
    page = max(1, min(page, max(1, -(-total // per_page))))
    view = TimelineView(
        counts, category, total, page, per_page, event_page(s, patient_id, category, page, per_page)
    )
    view.labs = lab_options(s, patient_id)
    if view.labs:
        view.lab = next((o for o in view.labs if o.code == lab_code), view.labs[0])
        view.lab_points = lab_series(s, patient_id, view.lab.code)
    if counts.get("diagnosis"):
        view.diagnoses = _grouped_marks(s, patient_id, "diagnosis", spans=False)
    if counts.get("medication"):
        view.medications = _grouped_marks(s, patient_id, "medication", spans=True)
    if counts.get("encounter"):
        view.encounters = encounter_marks(s, patient_id)
    return view


def visible_patients(
    s: Session,
    account: Account,
    *,
    text: str | None = None,
    department_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[PatientSummary], int]:
    """The patients this account may read, filtered; returns (one page, total matching)."""
    q = select(
        Patient.id,
        Patient.source,
        Patient.external_id,
        Patient.name,
        Patient.sex,
        Patient.birth_date,
        Patient.death_date,
        Patient.department_id,
        Department.name_en,
    ).outerjoin(Department, Department.id == Patient.department_id)
    if account.role == "clinician":
        assigned = select(CareAssignment.patient_id).where(CareAssignment.doctor_id == account.doctor_id)
        q = q.where(or_(Patient.department_id == account.department_id, Patient.id.in_(assigned)))
    elif account.role == "patient":
        q = q.where(Patient.id == account.patient_id)
    elif not account.clinical_access:
        q = q.where(false())
    if department_id is not None:
        q = q.where(Patient.department_id == department_id)
    if text and text.strip():
        like = f"%{text.strip().lower()}%"
        q = q.where(or_(func.lower(Patient.name).like(like), func.lower(Patient.external_id).like(like)))
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = s.execute(q.order_by(Patient.name, Patient.id).limit(limit).offset(offset))
    return [PatientSummary(*r) for r in rows], total


def departments(s: Session) -> list[Department]:
    return list(s.scalars(select(Department).order_by(Department.name_en)))


def age_on(birth: dt.date | None, on: dt.date | None = None) -> int | None:
    if birth is None:
        return None
    on = on or dt.date.today()
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
