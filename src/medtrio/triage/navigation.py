"""Care navigation and visit companion: matching doctors with free slots, appointment requests, the
pre-visit summary a doctor sees (stored in `appointments.summary`) and the post-visit plan with
reminders (stored in `appointments.plan`).

Doctor schedules are weekly: `doctors.schedule = {"mon": ["09:00-12:00", "14:00-17:00"], ...}` with
`doctors.slot_minutes` per slot. A slot is free when no requested/confirmed appointment of that doctor
starts there. Hospital departments are matched to the knowledge base's department codes by code or
name (`DEPARTMENT_ALIASES`), so any installation's own department codes work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medtrio.errors import Conflict, Forbidden, InvalidInput, NotFound
from medtrio.store.schema import Appointment, Code, Department, Doctor, Event

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ACTIVE = ("requested", "confirmed")
# our department code -> hospital department codes / names that provide it (lower case)
DEPARTMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "general_practice": ("gp", "general practice", "family medicine", "全科", "general_practice"),
    "internal_medicine": ("med", "im", "internal medicine", "内科", "internal_medicine"),
    "cardiology": ("card", "cardiology", "心内科"),
    "respiratory": ("resp", "pulm", "respiratory", "respiratory medicine", "pulmonology", "呼吸内科"),
    "gastroenterology": ("gi", "gastro", "gastroenterology", "消化内科"),
    "neurology": ("neuro", "neurology", "神经内科"),
    "paediatrics": ("peds", "paed", "paediatrics", "pediatrics", "儿科"),
    "obstetrics_gynaecology": ("obgyn", "og", "obstetrics and gynaecology", "gynecology", "妇产科"),
    "dermatology": ("derm", "dermatology", "皮肤科"),
    "ent": ("ent", "ear, nose and throat", "otolaryngology", "耳鼻喉科"),
    "ophthalmology": ("eye", "ophth", "ophthalmology", "眼科"),
    "orthopaedics": ("ortho", "orthopaedics", "orthopedics", "骨科"),
    "urology": ("uro", "urology", "泌尿外科"),
    "psychiatry": ("psych", "psychiatry", "mental health", "精神心理科", "精神科"),
    "infectious_diseases": ("id", "infectious diseases", "感染科"),
    "endocrinology": ("endo", "endocrinology", "内分泌科"),
    "rheumatology": ("rheum", "rheumatology", "风湿免疫科"),
    "emergency": ("ed", "er", "emergency", "急诊科"),
}
# when no doctor of the recommended department is free, these can see the patient first
FALLBACK = ("general_practice", "internal_medicine", "paediatrics")


@dataclass(frozen=True)
class DoctorOption:
    doctor_id: int
    name: str
    specialty: str
    department: str
    languages: tuple[str, ...]
    speaks_language: bool
    slots: tuple[dt.datetime, ...]


def hospital_departments(s: Session, code: str) -> list[Department]:
    """Hospital departments that provide our department `code`."""
    names = {code.lower(), *DEPARTMENT_ALIASES.get(code, ())}
    return [
        d
        for d in s.scalars(select(Department)).all()
        if d.code.lower() in names or (d.name_en or "").lower() in names or (d.name_zh or "") in names
    ]


def _windows(doctor: Doctor, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    out = []
    for span in (doctor.schedule or {}).get(DAYS[day.weekday()], []):
        try:
            a, b = (dt.datetime.combine(day, dt.time.fromisoformat(x.strip())) for x in span.split("-"))
        except ValueError:
            continue  # a malformed schedule entry offers no slots rather than failing the page
        out.append((a, b))
    return out


def free_slots(
    s: Session, doctor: Doctor, after: dt.datetime, days: int = 14, limit: int = 6
) -> list[dt.datetime]:
    """The doctor's next free slot start times after `after`."""
    step = dt.timedelta(minutes=doctor.slot_minutes or 20)
    taken = set(
        s.scalars(
            select(Appointment.start).where(
                Appointment.doctor_id == doctor.id, Appointment.status.in_(ACTIVE), Appointment.start >= after
            )
        ).all()
    )
    out: list[dt.datetime] = []
    for i in range(days + 1):
        for a, b in _windows(doctor, after.date() + dt.timedelta(days=i)):
            t = a
            while t + step <= b and len(out) < limit:
                if t > after and t not in taken:
                    out.append(t)
                t += step
    return out


def recommend_doctors(
    s: Session, department: str, lang: str = "en", now: dt.datetime | None = None, limit: int = 5
) -> list[DoctorOption]:
    """Doctors of the recommended department (or a first-contact fallback) with free slots,
    those who speak the patient's language and are free soonest first."""
    now = now or dt.datetime.now().replace(second=0, microsecond=0)
    for code in (department, *FALLBACK):
        depts = {d.id: d for d in hospital_departments(s, code)}
        if not depts:
            continue
        options = []
        for doc in s.scalars(select(Doctor).where(Doctor.department_id.in_(depts))).all():
            slots = free_slots(s, doc, now)
            if slots:
                d = depts[doc.department_id]
                options.append(
                    DoctorOption(
                        doc.id,
                        doc.name,
                        doc.specialty,
                        (d.name_zh if lang == "zh" and d.name_zh else d.name_en),
                        tuple(doc.languages or ()),
                        lang in (doc.languages or ()),
                        tuple(slots),
                    )
                )
        if options:
            options.sort(key=lambda o: (not o.speaks_language, o.slots[0], o.name))
            return options[:limit]
    return []


def _recent(s: Session, patient_id: int, prefix: str, since: dt.datetime, limit: int) -> list[dict[str, Any]]:
    rows = s.execute(
        select(
            Event.code,
            Event.time,
            Event.numeric_value,
            Event.unit,
            Event.text_value,
            Event.ref_low,
            Event.ref_high,
            Code.display,
        )
        .outerjoin(Code, Code.code == Event.code)
        .where(Event.patient_id == patient_id, Event.code.like(prefix + "%"), Event.time >= since)
        .order_by(Event.time.desc())
    ).all()
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.code in seen:
            continue
        flag = None
        if r.numeric_value is not None and r.ref_high is not None and r.numeric_value > r.ref_high:
            flag = "high"
        elif r.numeric_value is not None and r.ref_low is not None and r.numeric_value < r.ref_low:
            flag = "low"
        seen[r.code] = {
            "code": r.code,
            "name": r.display or r.code.split("//")[-1],
            "time": r.time.isoformat() if r.time else None,
            "value": r.numeric_value,
            "unit": r.unit,
            "text": r.text_value,
            "flag": flag,
        }
        if len(seen) >= limit:
            break
    return list(seen.values())


def previsit_summary(
    s: Session,
    patient_id: int,
    complaint: str,
    assessment: dict[str, Any],
    answers: list[dict[str, Any]],
    own_questions: str = "",
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the doctor reads before the visit. The triage result is labelled as not a diagnosis."""
    now = now or dt.datetime.now()
    return {
        "complaint": complaint.strip(),
        "timeline": {
            "duration_days": assessment.get("duration_days"),
            "severity": assessment.get("severity"),
            "reported_at": now.isoformat(timespec="minutes"),
        },
        "answers": answers,
        "triage": {
            "urgency": assessment.get("urgency"),
            "red_flags": [r.get("name") for r in assessment.get("red_flags", [])],
            "differential_not_a_diagnosis": [
                {"name": d["name"], "icd10": d["icd10"], "probability": d["probability"]}
                for d in assessment.get("differential", [])[:5]
            ],
        },
        "current_medications": _recent(s, patient_id, "MEDICATION//", now - dt.timedelta(days=365), 15),
        "recent_labs": _recent(s, patient_id, "LAB//", now - dt.timedelta(days=365), 12),
        "patient_questions": [q.strip() for q in own_questions.splitlines() if q.strip()],
    }


def request_appointment(
    s: Session,
    patient_id: int,
    doctor_id: int,
    start: dt.datetime,
    reason: str,
    summary: dict[str, Any],
    now: dt.datetime | None = None,
) -> Appointment:
    """Request a free slot of a doctor; the pre-visit summary travels with the request."""
    now = now or dt.datetime.now()
    doctor = s.get(Doctor, doctor_id)
    if doctor is None:
        raise NotFound(f"Doctor {doctor_id} does not exist.")
    if start <= now:
        raise InvalidInput("The appointment time must be in the future.")
    step = dt.timedelta(minutes=doctor.slot_minutes or 20)
    if not any(
        a <= start and start + step <= b and (start - a) % step == dt.timedelta(0)
        for a, b in _windows(doctor, start.date())
    ):
        raise InvalidInput(f"{start:%Y-%m-%d %H:%M} is not one of {doctor.name}'s consultation slots.")
    clash = s.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(Appointment.doctor_id == doctor_id, Appointment.start == start, Appointment.status.in_(ACTIVE))
    )
    if clash:
        raise Conflict("That slot has just been taken; please choose another time.")
    appt = Appointment(
        patient_id=patient_id,
        doctor_id=doctor_id,
        start=start,
        status="requested",
        reason=reason[:2000],
        summary=summary,
    )
    s.add(appt)
    s.flush()
    return appt


def incoming(s: Session, doctor_id: int) -> list[Appointment]:
    """The doctor's requested and confirmed appointments, soonest first."""
    return list(
        s.scalars(
            select(Appointment)
            .where(Appointment.doctor_id == doctor_id, Appointment.status.in_(ACTIVE))
            .order_by(Appointment.start)
        ).all()
    )


def doctor_appointment(s: Session, doctor_id: int, appointment_id: int) -> Appointment:
    appt = s.get(Appointment, appointment_id)
    if appt is None:
        raise NotFound(f"Appointment {appointment_id} does not exist.")
    if appt.doctor_id != doctor_id:
        raise Forbidden("This appointment belongs to another doctor.")
    return appt


def visit_plan(
    visit_day: dt.date,
    medications: list[dict[str, Any]],
    tests: list[dict[str, Any]],
    recheck_in_days: int | None,
    notes: str = "",
) -> dict[str, Any]:
    """A post-visit plan and its reminders. `medications`: [{name, times: ["08:00", "20:00"], days}],
    `tests`: [{name, in_days}]; reminders are dated from the visit day."""
    reminders: list[dict[str, Any]] = []
    for m in medications:
        times = m.get("times") or []
        for t in times:
            dt.time.fromisoformat(t)  # raises ValueError on a bad time; checked by callers
        days = int(m.get("days") or 0)
        reminders.append(
            {
                "kind": "medication",
                "what": m["name"],
                "times": times,
                "from": visit_day.isoformat(),
                "until": (visit_day + dt.timedelta(days=days)).isoformat() if days else None,
            }
        )
    for t in tests:
        reminders.append(
            {
                "kind": "test",
                "what": t["name"],
                "on": (visit_day + dt.timedelta(days=int(t["in_days"]))).isoformat(),
            }
        )
    if recheck_in_days:
        reminders.append(
            {
                "kind": "recheck",
                "what": "follow-up visit",
                "on": (visit_day + dt.timedelta(days=recheck_in_days)).isoformat(),
            }
        )
    return {
        "visit_day": visit_day.isoformat(),
        "medications": medications,
        "tests": tests,
        "recheck_in_days": recheck_in_days,
        "notes": notes,
        "reminders": reminders,
    }


def due_reminders(plan: dict[str, Any], on: dt.date) -> list[dict[str, Any]]:
    """Reminders that apply on day `on` (medications within their course, tests and rechecks that day)."""
    out = []
    for r in plan.get("reminders", []):
        if r["kind"] == "medication":
            if dt.date.fromisoformat(r["from"]) <= on and (
                r["until"] is None or on <= dt.date.fromisoformat(r["until"])
            ):
                out.append(r)
        elif dt.date.fromisoformat(r["on"]) == on:
            out.append(r)
    return out
