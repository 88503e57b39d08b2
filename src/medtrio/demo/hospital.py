"""The demo hospital: departments, doctors with weekly schedules, names, home departments and accounts.

Everything here is idempotent: departments are found by code, doctors by (department, name), users
by username, care assignments by (doctor, patient), so a second run adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from medtrio.accounts import create_user, hash_password
from medtrio.demo.params import HospitalFile, PopulationFile
from medtrio.demo.simulate import Cohort
from medtrio.store.schema import CareAssignment, Department, Doctor, User

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    about: str


def person_names(h: HospitalFile, female: np.ndarray, rng: np.random.Generator) -> list[str]:
    """A name per person: Chinese (surname + given name) or English (given name + surname)."""
    nm = h.names
    zh = rng.random(len(female)) < h.chinese_name_share
    out = []
    for is_f, is_zh, a, b in zip(female.tolist(), zh.tolist(), rng.random(len(female)).tolist(),
                                 rng.random(len(female)).tolist(), strict=True):
        if is_zh:
            given = nm.zh_given_female if is_f else nm.zh_given_male
            out.append(nm.zh_surnames[int(a * len(nm.zh_surnames))] + given[int(b * len(given))])
        else:
            given = nm.en_given_female if is_f else nm.en_given_male
            out.append(f"{given[int(b * len(given))]} {nm.en_surnames[int(a * len(nm.en_surnames))]}")
    return out


def setup_departments(s: Session, h: HospitalFile, rng: np.random.Generator) -> dict[str, int]:
    """Departments and their doctors; returns department code -> id."""
    ids: dict[str, int] = {}
    for d in h.departments:
        dep = s.scalar(select(Department).where(Department.code == d.code))
        if dep is None:
            dep = Department(code=d.code, name_en=d.en, name_zh=d.zh)
            s.add(dep)
            s.flush()
        ids[d.code] = dep.id
    for d in h.departments:
        names = person_names(h, rng.random(d.doctors) < 0.5, rng)
        existing = set(s.scalars(select(Doctor.name).where(Doctor.department_id == ids[d.code])))
        for i, name in enumerate(names):
            langs = ["en", "zh"] if rng.random() < 0.6 else ["en"] if name.isascii() else ["zh"]
            schedule = _schedule(h, d.shifts, rng)
            slot = int(rng.choice(h.slot_minutes))
            full = f"Dr {name}" if name.isascii() else f"{name}医生"
            if full in existing:
                continue
            s.add(Doctor(name=full, department_id=ids[d.code], specialty=d.specialty, languages=langs,
                         schedule=schedule, slot_minutes=slot))
            existing.add(full)
            if i == 0:
                s.flush()
    s.flush()
    return ids


def _schedule(h: HospitalFile, shifts: bool, rng: np.random.Generator) -> dict[str, list[str]]:
    sessions = h.shifts if shifts else h.sessions
    n = int(rng.integers(3, 7))
    chosen = sorted(rng.choice(len(WEEKDAYS) * len(sessions), size=n, replace=False).tolist())
    out: dict[str, list[str]] = {}
    for k in chosen:
        out.setdefault(WEEKDAYS[k // len(sessions)], []).append(sessions[k % len(sessions)])
    return out


def home_departments(p: PopulationFile, h: HospitalFile, c: Cohort, rng: np.random.Generator) -> list[str]:
    """Each patient's home department code, from their diseases at the end of their record."""
    col = {d.key: i for i, d in enumerate(p.diseases)}
    dept = {d.key: d.department for d in p.diseases}
    at = np.minimum(c.death, c.end) - 1e-6
    has = c.onset <= at[:, None]
    child = at - c.birth < 18
    default = np.where(rng.random(c.n) < 0.6, "general_practice", "internal_medicine")
    out = np.where(child, "paediatrics", default).astype(object)
    assigned = child.copy()
    for key in h.home_priority:
        new = has[:, col[key]] & ~assigned
        out[new] = dept[key]
        assigned |= new
    return out.tolist()


def care_assignments(s: Session, h: HospitalFile, visits_pid: np.ndarray, visits_dept: np.ndarray,
                     patient_ids: list[int], homes: list[str], dept_ids: dict[str, int],
                     rng: np.random.Generator) -> int:
    """Assign some patients seen in another department than their own to a doctor of that department."""
    doctors: dict[int, list[int]] = {}
    for doc_id, dep in s.execute(select(Doctor.id, Doctor.department_id).order_by(Doctor.id)):
        doctors.setdefault(dep, []).append(doc_id)
    existing = {tuple(r) for r in s.execute(select(CareAssignment.doctor_id, CareAssignment.patient_id))}
    codes = [d.code for d in h.departments]
    pairs = np.unique(np.stack([visits_pid, visits_dept], axis=1), axis=0) if len(visits_pid) else []
    draw = rng.random(len(pairs))
    rows = []
    for (k, dep), x in zip(np.asarray(pairs).tolist(), draw.tolist(), strict=True):
        if codes[dep] == homes[k] or x >= h.accounts.care_assignment_share or k >= len(patient_ids):
            continue
        docs = doctors[dept_ids[codes[dep]]]
        pair = (docs[int(x / h.accounts.care_assignment_share * len(docs))], patient_ids[k])
        if pair not in existing:
            existing.add(pair)
            rows.append({"doctor_id": pair[0], "patient_id": pair[1]})
    if rows:
        s.execute(CareAssignment.__table__.insert(), rows)
    return len(rows)


def pick_account_patients(p: PopulationFile, h: HospitalFile, c: Cohort) -> dict[str, int]:
    """The simulated patient (index) behind each patient account: the first who matches."""
    col = {d.key: i for i, d in enumerate(p.diseases)}
    alive_at_end = ~np.isfinite(c.death)
    has = c.onset <= c.end
    age = c.end - c.birth
    out: dict[str, int] = {}
    for acc in h.accounts.patients:
        ok = alive_at_end & (age >= acc.min_age) & (age < acc.max_age)
        if acc.none:
            ok &= ~has.any(1)
        if acc.smoker is not None:
            ok &= c.smoker == acc.smoker
        # the most of the wanted diseases (a small population may have nobody with all of them)
        score = np.zeros(c.n, int)
        for key in acc.has:
            score += has[:, col[key]]
        score = np.where(ok, score, -1)
        best = int(np.argmax(score))
        if score[best] >= 0 and (score[best] > 0 or not acc.has):
            out[acc.username] = best
    return out


def create_accounts(s: Session, h: HospitalFile, dept_ids: dict[str, int], patients: dict[str, int],
                    names: dict[str, str]) -> list[DemoAccount]:
    """The admin, one clinician per department, and the patient accounts (one shared demo password)."""
    acc = h.accounts
    taken = set(s.scalars(select(User.username)))
    pw_hash = hash_password(acc.password)
    out = [DemoAccount(acc.admin, "admin", "hospital administrator (/admin)")]
    if acc.admin not in taken:
        create_user(s, acc.admin, acc.password, "admin", display_name="Demo administrator",
                    password_hash=pw_hash)
    for d in h.departments:
        doctor = s.scalar(select(Doctor).where(Doctor.department_id == dept_ids[d.code]).order_by(Doctor.id))
        username = f"{acc.clinician_prefix}{d.code}"
        out.append(DemoAccount(username, "clinician", f"{doctor.name if doctor else ''}, {d.en} (/clinic)"))
        if username not in taken and doctor is not None:
            create_user(s, username, acc.password, "clinician", display_name=doctor.name, doctor_id=doctor.id,
                        password_hash=pw_hash, language="zh" if doctor.languages == ["zh"] else "en")
    about = {a.username: a.about for a in acc.patients}
    for username, patient_id in patients.items():
        name = names[username]
        out.append(DemoAccount(username, "patient", f"{name}: {about[username]} (/me)"))
        if username not in taken:
            zh = not name.isascii()
            create_user(s, username, acc.password, "patient", display_name=name, patient_id=patient_id,
                        password_hash=pw_hash, language="zh" if zh else "en")
    return out
