"""The patient event store schema (SQLAlchemy 2 typed ORM).

Events follow the MEDS shape: one row per measurement or fact about a patient, with
`time` (null for static facts), `code` (a vocabulary string such as ``LAB//LOINC//2160-0`` or
``DIAGNOSIS//ICD10//E11``), and optional `numeric_value`, `unit` and `text_value`. `category` is
derived from the code's prefix on insert (see `medtrio.store.codes`) so the timeline can filter
without parsing codes. `dedup_key` is a 63-bit hash of the event's content plus its occurrence
number within the patient, unique per patient: it makes every import idempotent, while true
duplicates in a source (two identical rows) are kept as the 1st and 2nd occurrence.

Storage rules: times are naive UTC; units are stored as printed by the source (UCUM where known);
unknown codes are kept as they are and added to `codes` with no display name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_patient_source_external"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64), default="local")
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(200))
    sex: Mapped[str | None] = mapped_column(String(16))  # "F", "M", "O" or unknown (None)
    birth_date: Mapped[dt.date | None] = mapped_column()
    death_date: Mapped[dt.date | None] = mapped_column()
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Code(Base):
    __tablename__ = "codes"
    code: Mapped[str] = mapped_column(String(255), primary_key=True)
    system: Mapped[str | None] = mapped_column(String(64))
    display: Mapped[str | None] = mapped_column(String(500))
    parent: Mapped[str | None] = mapped_column(String(255))


class Encounter(Base):
    __tablename__ = "encounters"
    __table_args__ = (UniqueConstraint("patient_id", "source_key", name="uq_encounter_source_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    source_key: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str | None] = mapped_column(String(64))  # inpatient, outpatient, emergency, ...
    start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("patient_id", "dedup_key", name="uq_event_dedup"),
        Index("ix_events_patient_time", "patient_id", "time"),
        Index("ix_events_code", "code"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    code: Mapped[str] = mapped_column(String(255))
    category: Mapped[str] = mapped_column(String(32))
    numeric_value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(64))
    text_value: Mapped[str | None] = mapped_column(Text)
    ref_low: Mapped[float | None] = mapped_column(Float)
    ref_high: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(64))
    encounter_id: Mapped[int | None] = mapped_column(ForeignKey("encounters.id", ondelete="SET NULL"))
    dedup_key: Mapped[int] = mapped_column(BigInteger)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(128))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    path: Mapped[str] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(32), default="uploaded")  # uploaded|processed|failed
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Doctor(Base):
    __tablename__ = "doctors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    specialty: Mapped[str] = mapped_column(String(200))
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)  # ["en", "zh"]
    # weekly schedule: {"mon": ["09:00-12:00", "14:00-17:00"], ...}; slot length in minutes
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))  # admin | clinician | patient
    display_name: Mapped[str] = mapped_column(String(200))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="SET NULL"))
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctors.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # an admin sees no clinical content unless this is granted explicitly
    clinical_access: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CareAssignment(Base):
    """A doctor assigned to a patient outside the doctor's own department."""

    __tablename__ = "care_assignments"
    __table_args__ = (UniqueConstraint("doctor_id", "patient_id", name="uq_care_assignment"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)


class Appointment(Base):
    __tablename__ = "appointments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"), index=True)
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(32), default="requested")  # requested|confirmed|done|cancelled
    reason: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # pre-visit summary
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # post-visit plan
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditLog(Base):
    """Who read or wrote what, when and through which route. Holds no clinical values."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_at", "at"), Index("ix_audit_patient", "patient_id"))
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))  # read | write | denied | login | logout
    resource: Mapped[str] = mapped_column(String(64))  # e.g. "timeline", "patient", "import"
    patient_id: Mapped[int | None] = mapped_column(Integer)
    route: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(String(255))
    ip: Mapped[str | None] = mapped_column(String(64))


class Job(Base):
    """A background job (import, training, evaluation) with its progress and log."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    log: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
