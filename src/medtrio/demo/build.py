"""Building the demo installation: simulate, then write patients, encounters and events in batches.

The whole population is simulated first (deterministic for a seed), then written batch by batch,
each batch in one transaction (patients, their encounters and events together). A batch whose
patients are already stored is skipped, so an interrupted build resumes and a finished one is a
no-op; the `jobs` table records the build (kind ``demo``) with its parameters and progress.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from medtrio.demo.hospital import (
    DemoAccount,
    care_assignments,
    create_accounts,
    home_departments,
    person_names,
    pick_account_patients,
    setup_departments,
)
from medtrio.demo.params import HospitalFile, load_hospital, load_population
from medtrio.demo.records import NO_TIME, Catalogue, Columns, catalogue_for, event_columns
from medtrio.demo.simulate import simulate
from medtrio.demo.visits import KINDS, Visits, make_visits, to_minutes
from medtrio.errors import InvalidInput
from medtrio.store import Actor, Database, ensure_codes, insert_events, with_occurrences
from medtrio.store.audit import record
from medtrio.store.schema import Department, Doctor, Encounter, Event, Job, Patient, User, utcnow

SOURCE = "demo"
BATCH = 250
EPOCH = np.datetime64("1970-01-01T00:00", "m")
Progress = Callable[[int, int], None]


@dataclass
class DemoSummary:
    patients: int
    seed: int
    events_added: int = 0
    encounters_added: int = 0
    skipped: bool = False
    seconds: float = 0.0
    accounts: list[DemoAccount] = field(default_factory=list)
    password: str = ""
    message: str = ""


def external_id(i: int) -> str:
    return f"DEMO-{i:06d}"


def build_demo(
    db: Database, patients: int = 5000, seed: int = 0, progress: Progress | None = None
) -> DemoSummary:
    """Build (or finish building) the demo hospital in `db`; a complete build is left as it is."""
    if patients < 1:
        raise InvalidInput("--patients must be at least 1.")
    started = time.perf_counter()
    p, h = load_population(), load_hospital()
    summary = DemoSummary(patients, seed, password=h.accounts.password)
    params = {"patients": patients, "seed": seed}
    with db.session() as s:
        jobs = list(s.scalars(select(Job).where(Job.kind == "demo").order_by(Job.id)))
        done = next((j for j in jobs if j.status == "done"), None)
        job = next((j for j in jobs if j.params == params), None)
    if done is not None:
        summary.skipped = True
        same = done.params == params
        summary.message = ("The demo is already built here" + ("" if same else
                           f" (with {done.params.get('patients')} patients, seed {done.params.get('seed')}); "
                           "use another --data-dir for a different one") + ": nothing added.")
        with db.session() as s:
            summary.accounts = stored_accounts(s, h)
        summary.seconds = time.perf_counter() - started
        return summary

    rng = np.random.default_rng(seed)
    cohort = simulate(p, patients, rng)
    names = person_names(h, cohort.female, rng)
    visits = make_visits(p, h, cohort, rng)
    cat = catalogue_for(p, h)
    cols = event_columns(p, h, cohort, visits, cat, rng)
    homes = home_departments(p, h, cohort, rng)
    with db.session() as s:
        if job is None:
            job = Job(kind="demo", status="running", params=params, started_at=utcnow(),
                      message="building the demo hospital")
            s.add(job)
        else:
            job = s.merge(job)
            job.status = "running"
        dept_ids = setup_departments(s, h, rng)
        ensure_codes(s, [e.code for e in cat.entries], {e.code: e.display for e in cat.entries if e.display})
        s.flush()
        job_id = job.id
    for lo in range(0, patients, BATCH):
        hi = min(lo + BATCH, patients)
        with db.session() as s:
            added = _write_batch(s, lo, hi, cohort, names, homes, dept_ids, visits, cols, cat, h)
            summary.events_added += added[0]
            summary.encounters_added += added[1]
            s.get(Job, job_id).progress = hi / patients  # type: ignore[union-attr]
        if progress:
            progress(hi, patients)
    with db.session() as s:
        ids = _patient_ids(s, 0, patients)
        care_assignments(s, h, visits.pid, visits.dept, ids, homes, dept_ids, np.random.default_rng(seed + 1))
        summary.accounts = _accounts(s, p, h, cohort, names)
        job = s.get(Job, job_id)
        job.status, job.progress, job.finished_at = "done", 1.0, utcnow()
        job.result = {"events_added": summary.events_added, "encounters_added": summary.encounters_added}
        record(s, Actor.system("demo"), "write", "demo", route="medtrio demo",
               reason=f"built demo: {patients} patients, seed {seed}")
    summary.seconds = time.perf_counter() - started
    summary.message = f"Built the demo hospital: {patients} patients, {summary.events_added} events."
    return summary


def _patient_ids(s: Session, lo: int, hi: int) -> list[int]:
    wanted = [external_id(i) for i in range(lo, hi)]
    found = dict(s.execute(select(Patient.external_id, Patient.id).where(
        Patient.source == SOURCE, Patient.external_id.in_(wanted))).all())
    return [found[w] for w in wanted if w in found]


def _accounts(s, p, h, cohort, names) -> list[DemoAccount]:  # type: ignore[no-untyped-def]
    picks = pick_account_patients(p, h, cohort)
    ids = {u: _patient_ids(s, i, i + 1) for u, i in picks.items()}
    linked = {u: v[0] for u, v in ids.items() if v}
    dept_ids = {code: i for code, i in s.execute(select(Department.code, Department.id)).all()}
    return create_accounts(s, h, dept_ids, linked, {u: names[picks[u]] for u in linked})


def stored_accounts(s: Session, h: HospitalFile) -> list[DemoAccount]:
    """The demo accounts as stored (for printing at start-up when the demo is already built)."""
    acc = h.accounts
    about = {a.username: a.about for a in acc.patients}
    wanted = [acc.admin] + [f"{acc.clinician_prefix}{d.code}" for d in h.departments] + list(about)
    users = {u.username: u for u in s.scalars(select(User).where(User.username.in_(wanted)))}
    depts = dict(s.execute(select(Doctor.id, Department.name_en)
                           .join(Department, Department.id == Doctor.department_id)).all())
    out = []
    for name in wanted:
        user = users.get(name)
        if user is None:
            continue
        if user.role == "admin":
            out.append(DemoAccount(name, "admin", "hospital administrator (/admin)"))
        elif user.role == "clinician":
            dept = depts.get(user.doctor_id)
            out.append(DemoAccount(name, "clinician", f"{user.display_name}, {dept} (/clinic)"))
        else:
            out.append(DemoAccount(name, "patient", f"{user.display_name}: {about[name]} (/me)"))
    return out


def _write_batch(s: Session, lo: int, hi: int, cohort, names, homes, dept_ids, visits: Visits,  # type: ignore[no-untyped-def]
                 cols: Columns, cat: Catalogue, h) -> tuple[int, int]:
    if len(_patient_ids(s, lo, hi)) == hi - lo:
        return 0, 0  # written by an earlier run
    birth = (EPOCH + to_minutes(cohort.birth[lo:hi])).astype("datetime64[D]").tolist()
    death_min = to_minutes(np.where(np.isfinite(cohort.death[lo:hi]), cohort.death[lo:hi], 0))
    death = (EPOCH + death_min).astype("datetime64[D]").tolist()
    rows = [{"source": SOURCE, "external_id": external_id(i), "name": names[i],
             "sex": "F" if cohort.female[i] else "M", "birth_date": birth[i - lo],
             "death_date": death[i - lo] if np.isfinite(cohort.death[i]) else None,
             "department_id": dept_ids[homes[i]], "created_at": utcnow()} for i in range(lo, hi)]
    s.execute(insert(Patient), rows)
    ids = _patient_ids(s, lo, hi)

    v_lo, v_hi = np.searchsorted(visits.pid, [lo, hi])
    dept_codes = [d.code for d in h.departments]
    enc_rows = [{"patient_id": ids[pid - lo], "source_key": f"demo-visit-{k}", "kind": KINDS[kind].lower(),
                 "start": start, "end": end, "department_id": dept_ids[dept_codes[dep]]}
                for k, pid, kind, start, end, dep in zip(
                    range(v_lo, v_hi), visits.pid[v_lo:v_hi].tolist(), visits.kind[v_lo:v_hi].tolist(),
                    (EPOCH + visits.start[v_lo:v_hi]).tolist(), (EPOCH + visits.end[v_lo:v_hi]).tolist(),
                    visits.dept[v_lo:v_hi].tolist(), strict=True)]
    if enc_rows:
        s.execute(insert(Encounter), enc_rows)
    enc_ids = dict(s.execute(select(Encounter.source_key, Encounter.id).where(
        Encounter.patient_id.in_(ids), Encounter.source_key.like("demo-visit-%"))).all())

    e_lo, e_hi = np.searchsorted(cols.pid, [lo, hi])
    sl = slice(e_lo, e_hi)
    static = cols.minute[sl] == NO_TIME
    times = (EPOCH + np.where(static, 0, cols.minute[sl])).tolist()
    entries, texts = cat.entries, cat.texts
    female = cohort.female
    events = []
    for pid, minute_is_static, when, code, value, text, visit, adult in zip(
        cols.pid[sl].tolist(), static.tolist(), times, cols.code[sl].tolist(), cols.value[sl].tolist(),
        cols.text[sl].tolist(), cols.visit[sl].tolist(), cols.adult[sl].tolist(), strict=True,
    ):
        info = entries[code]
        ref = (info.ref_female if female[pid] and info.ref_female else info.ref) if adult else (None, None)
        has_value = value == value  # not nan
        events.append({
            "patient_id": ids[pid - lo], "time": None if minute_is_static else when, "code": info.code,
            "numeric_value": value if has_value else None, "unit": info.unit if has_value else None,
            "text_value": texts[text] if text >= 0 else None, "ref_low": ref[0] if has_value else None,
            "ref_high": ref[1] if has_value else None, "source": SOURCE,
            "encounter_id": enc_ids[f"demo-visit-{visit}"] if visit >= 0 else None,
        })
    events = with_occurrences(events)
    added = 0
    for k in range(0, len(events), 20_000):
        added += insert_events(s, events[k:k + 20_000])
    return added, len(enc_rows)


def count_demo(db: Database) -> dict[str, int]:
    """How many demo patients and events are stored."""
    with db.session() as s:
        n_pat = s.scalar(select(func.count()).select_from(Patient).where(Patient.source == SOURCE)) or 0
        n_ev = s.scalar(select(func.count()).select_from(Event).where(Event.source == SOURCE)) or 0
    return {"patients": n_pat, "events": n_ev}
