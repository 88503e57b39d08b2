"""Research cohorts over the event store: criteria over codes, age, sex and dates give a cohort, its size,
new cases per year, a Kaplan-Meier curve for an outcome, and exports (CSV of members, MEDS parquet of events).

Definitions (written down because every number depends on them):
- index event: a member's FIRST event whose code starts with one of `include_codes` (prefix match, so
  `DIAGNOSIS//ICD//10//E11` takes every E11.x), with time inside [start, end] when those are given;
- exclusion: any event starting with one of `exclude_codes` at or before the index time;
- age: whole years at the index date (patients without a birth date fail any age criterion);
- outcome: the first event starting with `outcome_code` AFTER the index time; follow-up ends at the outcome,
  else at death, else at the patient's last dated event (censored);
- Kaplan-Meier: the product-limit estimator S(t) = prod over event times t_i <= t of (1 - d_i / n_i)
  (Kaplan & Meier, JASA 1958), with the number at risk n_i just before t_i.
`scope` restricts the patients considered (the caller passes those the user may read); None = all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from medtrio.errors import InvalidInput
from medtrio.store.schema import Event, Patient


@dataclass(frozen=True)
class CohortCriteria:
    include_codes: tuple[str, ...]
    exclude_codes: tuple[str, ...] = ()
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    outcome_code: str | None = None

    def check(self) -> None:
        if not any(c.strip() for c in self.include_codes):
            raise InvalidInput("give at least one code (or code prefix) that defines the cohort")
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise InvalidInput("the minimum age is above the maximum age")
        if self.start and self.end and self.start > self.end:
            raise InvalidInput("the start date is after the end date")


@dataclass(frozen=True)
class Member:
    patient_id: int
    index_time: dt.datetime
    sex: str | None
    age: int | None
    followup_days: float
    outcome: bool


@dataclass(frozen=True)
class KMPoint:
    day: float
    survival: float
    at_risk: int
    events: int


def _prefix_any(codes: tuple[str, ...]):  # type: ignore[no-untyped-def]
    return or_(*(Event.code.startswith(c.strip(), autoescape=True) for c in codes if c.strip()))


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def build_cohort(
    session: Session, criteria: CohortCriteria, scope: Collection[int] | None = None
) -> list[Member]:
    """The members meeting `criteria` among the patients in `scope` (see the module docstring)."""
    criteria.check()
    q = select(Event.patient_id, func.min(Event.time)).where(
        _prefix_any(criteria.include_codes), Event.time.is_not(None)
    )
    if criteria.start:
        q = q.where(Event.time >= dt.datetime.combine(criteria.start, dt.time.min))
    if criteria.end:
        q = q.where(Event.time <= dt.datetime.combine(criteria.end, dt.time.max))
    if scope is not None:
        q = q.where(Event.patient_id.in_(list(scope)))
    index_times = dict(session.execute(q.group_by(Event.patient_id)).all())
    if not index_times:
        return []
    ids = list(index_times)
    patients = {p.id: p for p in session.scalars(select(Patient).where(Patient.id.in_(ids)))}
    excluded: set[int] = set()
    if criteria.exclude_codes:
        for pid, t in session.execute(
            select(Event.patient_id, Event.time).where(
                Event.patient_id.in_(ids), _prefix_any(criteria.exclude_codes)
            )
        ):
            if t is None or t <= index_times[pid]:
                excluded.add(pid)
    last = dict(
        session.execute(
            select(Event.patient_id, func.max(Event.time))
            .where(Event.patient_id.in_(ids))
            .group_by(Event.patient_id)
        ).all()
    )
    outcomes: dict[int, dt.datetime] = {}
    if criteria.outcome_code:
        for pid, t in session.execute(
            select(Event.patient_id, Event.time).where(
                Event.patient_id.in_(ids),
                Event.code.startswith(criteria.outcome_code.strip(), autoescape=True),
                Event.time.is_not(None),
            )
        ):
            if t > index_times[pid] and (pid not in outcomes or t < outcomes[pid]):
                outcomes[pid] = t
    members = []
    for pid, t0 in sorted(index_times.items()):
        p = patients[pid]
        age = _age(p.birth_date, t0.date())
        if pid in excluded or (criteria.sex and (p.sex or "").upper() != criteria.sex.upper()):
            continue
        if (criteria.age_min is not None and (age is None or age < criteria.age_min)) or (
            criteria.age_max is not None and (age is None or age > criteria.age_max)
        ):
            continue
        end = outcomes.get(pid) or (
            dt.datetime.combine(p.death_date, dt.time.min) if p.death_date else last[pid]
        )
        members.append(
            Member(pid, t0, p.sex, age, max(0.0, (end - t0).total_seconds() / 86400), pid in outcomes)
        )
    return members


def incidence_by_year(members: list[Member]) -> dict[int, int]:
    """New members (index events) per calendar year."""
    return dict(sorted(Counter(m.index_time.year for m in members).items()))


def kaplan_meier(members: list[Member]) -> list[KMPoint]:
    """The product-limit survival curve for the outcome (empty when nobody is followed)."""
    times = sorted({m.followup_days for m in members if m.outcome})
    curve, survival = [KMPoint(0.0, 1.0, len(members), 0)], 1.0
    for t in times:
        at_risk = sum(1 for m in members if m.followup_days >= t)
        events = sum(1 for m in members if m.outcome and m.followup_days == t)
        survival *= 1 - events / at_risk
        curve.append(KMPoint(t, survival, at_risk, events))
    return curve


def members_csv(members: list[Member]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["patient_id", "index_time", "sex", "age", "followup_days", "outcome"])
    for m in members:
        writer.writerow(
            [
                m.patient_id,
                m.index_time.isoformat(),
                m.sex or "",
                "" if m.age is None else m.age,
                f"{m.followup_days:.1f}",
                int(m.outcome),
            ]
        )
    return out.getvalue()


def members_meds_parquet(session: Session, members: list[Member]) -> bytes:
    """Every event of the members in the MEDS data schema (subject_id, time, code, numeric_value,
    text_value), as parquet bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = [m.patient_id for m in members]
    rows = (
        session.execute(
            select(Event.patient_id, Event.time, Event.code, Event.numeric_value, Event.text_value)
            .where(Event.patient_id.in_(ids))
            .order_by(Event.patient_id, Event.time)
        ).all()
        if ids
        else []
    )
    table = pa.table(
        {
            "subject_id": pa.array([r[0] for r in rows], pa.int64()),
            "time": pa.array([r[1] for r in rows], pa.timestamp("us")),
            "code": pa.array([r[2] for r in rows], pa.string()),
            "numeric_value": pa.array([r[3] for r in rows], pa.float32()),
            "text_value": pa.array([r[4] for r in rows], pa.large_string()),
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()
