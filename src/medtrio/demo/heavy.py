"""A patient with a very long record (default 10,000 events), for timeline benchmarks and page tests.

A 72-year-old man with hypertension, type 2 diabetes, hyperlipidaemia, CKD, ischaemic heart disease,
atrial fibrillation and heart failure, seen often over ten years: every visit records every vital sign
and every lab of population.yaml, with values from the same models as the demo population.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, insert, select

from medtrio.demo.measure import Occasions, measure_all
from medtrio.demo.params import load_hospital, load_population
from medtrio.demo.simulate import DAYS_PER_YEAR, NEVER, Cohort, to_year
from medtrio.demo.visits import to_minutes
from medtrio.errors import InvalidInput
from medtrio.store import Actor, Database, ensure_codes, insert_events, upsert_patient, with_occurrences
from medtrio.store.audit import record
from medtrio.store.codes import MEDS_BIRTH
from medtrio.store.schema import Department, Encounter, Event

SOURCE = "demo-heavy"
EPOCH = np.datetime64("1970-01-01T00:00", "m")
# disease -> years before the end of the record at which it began
HISTORY = {"hypertension": 20, "type2_diabetes": 15, "hyperlipidaemia": 14, "ckd": 8, "ihd": 7,
           "atrial_fibrillation": 5, "heart_failure": 4}  # fmt: skip


def _cohort(seed: int) -> Cohort:
    p = load_population()
    end = to_year(p.simulation.end_date) + 1 / DAYS_PER_YEAR
    rng = np.random.default_rng(seed)
    keys = [d.key for d in p.diseases]
    onset = np.full((1, len(keys)), NEVER)
    for key, years in HISTORY.items():
        onset[0, keys.index(key)] = end - years + rng.random() * 0.2
    med = np.full((1, len(p.medications)), NEVER)
    for j, m in enumerate(p.medications):
        if m.for_ in HISTORY:
            med[0, j] = onset[0, keys.index(m.for_)] + m.delay_days / DAYS_PER_YEAR
    years = p.simulation.history_years
    egfr = np.linspace(78, 34, years + 1)[None, :]
    return Cohort(np.array([False]), np.array([end - 72.4]), np.array([NEVER]), np.array([True]), onset, med,
                  np.array([170.0]), np.array([22.5]), np.array([0.14]), egfr, end - years, end)


def add_heavy_patient(db: Database, n_events: int = 10_000, seed: int = 0) -> int:
    """Add (once) a patient with exactly `n_events` events; returns the patient's id."""
    if n_events < 100:
        raise InvalidInput("A heavy patient needs at least 100 events.")
    p, h = load_population(), load_hospital()
    c = _cohort(seed)
    rng = np.random.default_rng(seed)
    measures = p.labs + p.vitals
    per_visit = len(measures) + 1  # the encounter event
    static = [(MEDS_BIRTH, to_minutes(c.birth)[0] // 1440 * 1440, None, None, None), ("GENDER//M", None, None,
              None, None)]
    for i, d in enumerate(p.diseases):
        if np.isfinite(c.onset[0, i]):
            static.append((d.code, int(to_minutes(c.onset[0, i : i + 1])[0]), None, None, None))
    for j, m in enumerate(p.medications):
        if np.isfinite(c.med_start[0, j]):
            static.append((m.code, int(to_minutes(c.med_start[0, j : j + 1])[0]), None, m.dose, None))
    n_visits = -(-(n_events - len(static)) // per_visit)
    span = min(10.0, p.simulation.history_years)
    t = np.sort(c.end - span + rng.random(n_visits) * (span - 0.01))
    minute = to_minutes(t) // 1440 * 1440 + 480 + rng.integers(0, 100, n_visits) * 5
    o = Occasions(p, c, np.zeros(n_visits, dtype=int), 1970 + minute / (1440 * DAYS_PER_YEAR))
    values = {k: v.tolist() for k, v in measure_all(p, o, rng).items()}

    dept = next(d for d in h.departments if d.code == "internal_medicine")
    with db.session() as s:
        dep_id = s.scalar(select(Department.id).where(Department.code == dept.code))
        if dep_id is None:
            s.add(Department(code=dept.code, name_en=dept.en, name_zh=dept.zh))
            s.flush()
            dep_id = s.scalar(select(Department.id).where(Department.code == dept.code))
        pid = upsert_patient(s, SOURCE, f"HEAVY-{seed}-{n_events}", name="Heavy Record (demo)", sex="M",
                             birth_date=(EPOCH + to_minutes(c.birth)[0]).astype("datetime64[D]").item(),
                             department_id=dep_id)
        stored = s.scalar(select(func.count()).select_from(Event).where(Event.patient_id == pid)) or 0
        if stored >= n_events:
            return pid
        times = (EPOCH + minute).tolist()
        keys = [f"heavy-visit-{k}" for k in range(n_visits)]
        known = set(s.scalars(select(Encounter.source_key).where(Encounter.patient_id == pid)))
        new = [{"patient_id": pid, "source_key": k, "kind": "outpatient", "start": when, "end": when,
                "department_id": dep_id} for k, when in zip(keys, times, strict=True) if k not in known]
        if new:
            s.execute(insert(Encounter), new)
        enc = dict(s.execute(select(Encounter.source_key, Encounter.id)
                             .where(Encounter.patient_id == pid)).all())
        rows = [{"patient_id": pid, "code": code, "source": SOURCE, "text_value": text,
                 "time": None if m is None else (EPOCH + np.int64(m)).item()}
                for code, m, _, text, _ in static]
        for k, when in enumerate(times):
            e = enc[keys[k]]
            rows.append({"patient_id": pid, "time": when, "code": "ENCOUNTER//OUTPATIENT", "source": SOURCE,
                         "text_value": dept.en, "encounter_id": e})
            for m in measures:
                rows.append({"patient_id": pid, "time": when, "code": m.code, "unit": m.unit,
                             "numeric_value": values[m.key][k], "ref_low": m.ref[0], "ref_high": m.ref[1],
                             "source": SOURCE, "encounter_id": e})
        rows = with_occurrences(rows[:n_events])
        for k in range(0, len(rows), 20_000):
            insert_events(s, rows[k : k + 20_000])
        displays = {m.code: m.display for m in measures} | {d.code: d.display for d in p.diseases}
        displays |= {m.code: m.display for m in p.medications}
        ensure_codes(s, {r["code"] for r in rows}, displays)
        record(s, Actor.system("demo"), "write", "events", patient_id=pid, route="add_heavy_patient",
               reason=f"synthetic record of {n_events} events")
    return pid
