"""A patient's record as the case analysis reads it: demographics plus time-ordered events, with look-ups by
analyte (codes from calculators/data/record_map.yaml), diagnosis and medicine code prefixes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from medtrio.calculators import fields
from medtrio.calculators.autofill import _matches, record_map
from medtrio.calculators.core import _convert
from medtrio.errors import InvalidInput
from medtrio.store.events import TimelineEvent, timeline
from medtrio.store.patients import PatientSummary, get_patient

MEDICATION_CURRENT_DAYS = 365


@dataclass(frozen=True)
class Reading:
    """One numeric value of an analyte, in the knowledge file's unit."""

    event: TimelineEvent
    value: float

    @property
    def time(self) -> dt.datetime:
        assert self.event.time is not None
        return self.event.time


@dataclass
class CaseRecord:
    patient: PatientSummary
    events: list[TimelineEvent]
    as_of: dt.datetime

    @property
    def age(self) -> int | None:
        return self.patient.age(self.as_of.date())

    @property
    def sex(self) -> str | None:
        sex = (self.patient.sex or "").lower()
        return {"m": "male", "f": "female"}.get(sex[:1]) if sex else None

    def readings(self, analyte: str) -> list[Reading]:
        entry = record_map()["numbers"].get(analyte)
        if entry is None:
            return []
        out = []
        for ev in self.events:
            if ev.numeric_value is None or ev.time is None or ev.time > self.as_of:
                continue
            if not _matches(ev.code, entry["codes"]):
                continue
            value = _normalise(analyte, ev.numeric_value, ev.unit or entry.get("unit", ""))
            if value is not None:
                out.append(Reading(ev, value))
        return sorted(out, key=lambda r: r.time)

    def latest(self, analyte: str, days: int | None = None) -> Reading | None:
        values = self.readings(analyte)
        if not values:
            return None
        last = values[-1]
        if days is not None and self.as_of - last.time > dt.timedelta(days=days):
            return None
        return last

    def find(self, prefixes: list[str], *, current: bool = False) -> TimelineEvent | None:
        """The latest event whose code starts with one of `prefixes` (medicines: only current ones)."""
        found = None
        for ev in self.events:
            if ev.time is not None and ev.time > self.as_of:
                continue
            if not any(ev.code.startswith(p) for p in prefixes):
                continue
            if current and ev.code.startswith("MEDICATION//"):
                if ev.time is None or self.as_of - ev.time > dt.timedelta(days=MEDICATION_CURRENT_DAYS):
                    continue
            found = ev
        return found

    def coded(self, prefix: str) -> dict[str, TimelineEvent]:
        """Latest event per distinct code under `prefix` (e.g. all diagnoses)."""
        out: dict[str, TimelineEvent] = {}
        for ev in self.events:
            if ev.code.startswith(prefix) and (ev.time is None or ev.time <= self.as_of):
                out[ev.code] = ev
        return out


def _normalise(analyte: str, value: float, unit: str) -> float | None:
    spec = getattr(fields, analyte.upper(), None)
    if spec is None or spec.kind in ("number", "bool", "choice"):
        return value
    try:
        return float(_convert(spec, [value, unit or spec.unit]))
    except InvalidInput:
        return None  # a unit we cannot read is left out rather than guessed


def load_record(session: Session, patient_id: int, as_of: dt.datetime | None = None) -> CaseRecord:
    """Read the patient and the events (up to `as_of`; default: the time of the latest entry)."""
    patient = get_patient(session, patient_id)
    events = timeline(session, patient_id)
    if as_of is None:
        times = [ev.time for ev in events if ev.time is not None]
        as_of = max(times) if times else dt.datetime.now()
    return CaseRecord(patient, events, as_of)
