"""A small demo build on each database backend: contents, plausibility, accounts, idempotence."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from medtrio.accounts import authenticate
from medtrio.demo.build import build_demo, count_demo
from medtrio.demo.params import load_hospital, load_population
from medtrio.store import timeline
from medtrio.store.schema import (
    CareAssignment,
    Code,
    Department,
    Doctor,
    Encounter,
    Event,
    Job,
    Patient,
    User,
)

N = 200
P, H = load_population(), load_hospital()


@pytest.fixture(scope="module")
def demo(module_db):
    summary = build_demo(module_db, N, seed=11)
    return module_db, summary


def test_counts(demo):
    db, summary = demo
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == N
        assert s.scalar(select(func.count()).select_from(Department)) == len(H.departments)
        assert s.scalar(select(func.count()).select_from(Doctor)) >= len(H.departments)
        n_events = s.scalar(select(func.count()).select_from(Event))
        assert n_events == summary.events_added > 50 * N
        assert s.scalar(select(func.count()).select_from(Encounter)) == summary.encounters_added > N
        assert s.scalar(select(func.count()).select_from(CareAssignment)) > 0
        # every patient has a home department; every doctor a schedule and languages
        assert s.scalar(select(func.count()).select_from(Patient).where(Patient.department_id.is_(None))) == 0
        for doc in s.scalars(select(Doctor)):
            assert doc.schedule and set(doc.schedule) <= {"mon", "tue", "wed", "thu", "fri"}
            assert set(doc.languages) <= {"en", "zh"} and doc.slot_minutes in H.slot_minutes
        # display names for every code written
        missing = s.scalar(select(func.count()).select_from(Event).outerjoin(Code, Code.code == Event.code)
                           .where(Code.display.is_(None)))
        assert missing == 0
        cats = dict(s.execute(select(Event.category, func.count()).group_by(Event.category)).all())
    for cat in ("demographic", "diagnosis", "lab", "vital", "medication", "encounter", "procedure",
                "immunization", "allergy", "death"):
        assert cats.get(cat, 0) > 0, cat


def test_every_patient_has_birth_and_sex(demo):
    db, _ = demo
    with db.session() as s:
        for code in ("MEDS_BIRTH",):
            n = s.scalar(select(func.count(func.distinct(Event.patient_id))).where(Event.code == code))
            assert n == N
        n_sex = s.scalar(select(func.count(func.distinct(Event.patient_id)))
                         .where(Event.code.in_(["GENDER//F", "GENDER//M"])))
        assert n_sex == N
        for pat in s.scalars(select(Patient)):
            assert pat.sex in ("F", "M") and pat.birth_date is not None and pat.name


def test_labs_are_plausible_with_units_and_ranges(demo):
    db, _ = demo
    bounds = {m.code: m for m in P.labs + P.vitals}
    with db.session() as s:
        rows = s.execute(select(Event.code, Event.numeric_value, Event.unit, Event.ref_low, Event.ref_high,
                                Event.time, Patient.birth_date)
                         .join(Patient, Patient.id == Event.patient_id)
                         .where(Event.category.in_(["lab", "vital"]))).all()
    assert len(rows) > 20 * N
    for code, value, unit, lo, hi, time, birth in rows:
        m = bounds[code]
        assert unit == m.unit
        assert m.bounds[0] <= value <= m.bounds[1], (code, value)
        adult = (time.date() - birth).days / 365.25 >= 18.01
        if adult and m.ref != (None, None):
            assert (lo, hi) in (m.ref, m.ref_female), (code, lo, hi)


def test_diseases_are_more_frequent_in_the_old(demo):
    db, _ = demo
    with db.session() as s:
        chronic = {d.code for d in P.diseases}
        rows = s.execute(select(Patient.id, Patient.birth_date, func.count(Event.id))
                         .outerjoin(Event, (Event.patient_id == Patient.id) & Event.code.in_(chronic))
                         .group_by(Patient.id, Patient.birth_date)).all()
    end = P.simulation.end_date
    young = [n for _, b, n in rows if 18 <= (end - b).days / 365.25 < 40]
    old = [n for _, b, n in rows if (end - b).days / 365.25 >= 60]
    assert sum(1 for n in old if n) / len(old) > 2 * sum(1 for n in young if n) / len(young)


def test_deaths_after_births_and_nothing_after_death(demo):
    db, _ = demo
    with db.session() as s:
        dead = s.execute(select(Patient.id, Patient.birth_date, Patient.death_date)
                         .where(Patient.death_date.is_not(None))).all()
        for pid, birth, death in dead:
            assert death > birth
            last = s.scalar(select(func.max(Event.time)).where(Event.patient_id == pid))
            death_event = s.scalar(select(Event.time)
                                   .where(Event.patient_id == pid, Event.code == "MEDS_DEATH"))
            assert death_event is not None and death_event.date() == death and last == death_event
        births = s.execute(select(Event.patient_id, Event.time).where(Event.code == "MEDS_BIRTH")).all()
        first = dict(s.execute(select(Event.patient_id, func.min(Event.time))
                               .group_by(Event.patient_id)).all())
        for pid, birth in births:
            assert first[pid] == birth
    assert dead, "200 people over 12 years: some die"


def test_accounts_can_sign_in(demo):
    db, summary = demo
    roles = {a.role for a in summary.accounts}
    assert roles == {"admin", "clinician", "patient"}
    with db.session() as s:
        admin = authenticate(s, H.accounts.admin, H.accounts.password)
        assert admin.role == "admin" and not admin.clinical_access
        doc = authenticate(s, f"{H.accounts.clinician_prefix}cardiology", H.accounts.password)
        assert doc.role == "clinician" and doc.doctor_id is not None
        cardiology = s.scalar(select(Department.id).where(Department.code == "cardiology"))
        assert doc.department_id == cardiology
        patients = [a for a in summary.accounts if a.role == "patient"]
        assert len(patients) >= 3
        # argon2 is slow on purpose: sign in with two of them, check the links of all
        for acc in patients[:2]:
            me = authenticate(s, acc.username, H.accounts.password)
            assert me.patient_id is not None and timeline(s, me.patient_id)
        for acc in patients:
            user = s.scalar(select(User).where(User.username == acc.username))
            assert user.role == "patient" and s.get(Patient, user.patient_id) is not None
        assert s.scalar(select(func.count()).select_from(User)) == len(summary.accounts)


def test_rerun_adds_nothing_and_an_interrupted_build_resumes(demo):
    db, _ = demo
    before = count_demo(db)
    again = build_demo(db, N, seed=11)
    assert again.skipped and again.events_added == 0 and count_demo(db) == before
    # the accounts printed at start-up are the stored ones, as the first build printed them
    assert again.accounts == demo[1].accounts
    # a build killed before it finished: its job is not done, every stored batch is skipped
    with db.session() as s:
        s.execute(update(Job).where(Job.kind == "demo").values(status="running"))
        tables = (User, Doctor, Encounter, CareAssignment)
        counts = [s.scalar(select(func.count()).select_from(t)) for t in tables]
    resumed = build_demo(db, N, seed=11)
    assert not resumed.skipped and resumed.events_added == 0 and count_demo(db) == before
    with db.session() as s:
        assert [s.scalar(select(func.count()).select_from(t)) for t in tables] == counts
    other = build_demo(db, N + 1, seed=12)
    assert other.skipped and "another --data-dir" in other.message and count_demo(db) == before
