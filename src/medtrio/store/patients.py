"""Patient queries: create-or-find, look-up and search. The one place that runs patient SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from medtrio.errors import NotFound
from medtrio.store.schema import CareAssignment, Department, Event, Patient


@dataclass(frozen=True)
class PatientSummary:
    id: int
    source: str
    external_id: str
    name: str | None
    sex: str | None
    birth_date: dt.date | None
    death_date: dt.date | None
    department_id: int | None
    department: str | None

    def age(self, on: dt.date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        on = on or self.death_date or dt.date.today()
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def upsert_patient(
    session: Session,
    source: str,
    external_id: str,
    *,
    name: str | None = None,
    sex: str | None = None,
    birth_date: dt.date | None = None,
    death_date: dt.date | None = None,
    department_id: int | None = None,
) -> int:
    """Return the id of the patient (source, external_id), creating it or filling in missing fields."""
    patient = session.scalar(
        select(Patient).where(Patient.source == source, Patient.external_id == str(external_id))
    )
    if patient is None:
        patient = Patient(source=source, external_id=str(external_id))
        session.add(patient)
    for field, value in (("name", name), ("sex", sex), ("birth_date", birth_date),
                         ("death_date", death_date), ("department_id", department_id)):  # fmt: skip
        if value is not None and getattr(patient, field) is None:
            setattr(patient, field, value)
    session.flush()
    return patient.id


def _summary_query():  # type: ignore[no-untyped-def]
    return select(
        Patient.id, Patient.source, Patient.external_id, Patient.name, Patient.sex, Patient.birth_date,
        Patient.death_date, Patient.department_id, Department.name_en,
    ).outerjoin(Department, Department.id == Patient.department_id)


def get_patient(session: Session, patient_id: int) -> PatientSummary:
    """One patient, or `NotFound`."""
    row = session.execute(_summary_query().where(Patient.id == patient_id)).first()
    if row is None:
        raise NotFound(f"No patient with id {patient_id}.")
    return PatientSummary(*row)


def search_patients(
    session: Session,
    *,
    text: str | None = None,
    department_ids: Sequence[int] | None = None,
    patient_ids: Sequence[int] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[PatientSummary]:
    """Patients matching a name/identifier fragment, restricted to departments and/or explicit ids.

    When both `department_ids` and `patient_ids` are given a patient matches either (a clinician
    sees their department's patients and those assigned to them).
    """
    q = _summary_query()
    scope = []
    if department_ids is not None:
        scope.append(Patient.department_id.in_(list(department_ids)))
    if patient_ids is not None:
        scope.append(Patient.id.in_(list(patient_ids)))
    if scope:
        q = q.where(or_(*scope))
    if text:
        like = f"%{text.strip().lower()}%"
        q = q.where(or_(func.lower(Patient.name).like(like), func.lower(Patient.external_id).like(like)))
    q = q.order_by(Patient.name, Patient.id).limit(limit).offset(offset)
    return [PatientSummary(*row) for row in session.execute(q)]


def assigned_patient_ids(session: Session, doctor_id: int) -> list[int]:
    """Patients explicitly assigned to a doctor."""
    q = select(CareAssignment.patient_id).where(CareAssignment.doctor_id == doctor_id)
    return list(session.scalars(q))


def count_patients(session: Session, source: str | None = None) -> int:
    q = select(func.count()).select_from(Patient)
    if source is not None:
        q = q.where(Patient.source == source)
    return session.scalar(q) or 0


def count_events(session: Session, source: str | None = None) -> int:
    q = select(func.count()).select_from(Event)
    if source is not None:
        q = q.where(Event.source == source)
    return session.scalar(q) or 0
