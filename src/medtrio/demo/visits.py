"""Encounters of the simulated people inside the observed window.

Three sources of encounters: routine outpatient visits (rate by age band plus a rate per chronic
disease, in the department of one of the person's diseases), the encounter at which a disease is
diagnosed (outpatient, or an emergency visit followed by an admission, or a direct admission), and
short illnesses (`acute` in population.yaml). Outpatient visits fall on weekdays in clinic hours.
Times are kept both as decimal years (for the simulation) and as minutes since 1970 (for storage).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from medtrio.demo.params import HospitalFile, PopulationFile
from medtrio.demo.simulate import DAYS_PER_YEAR, Cohort, band_of

OUTPATIENT, EMERGENCY, INPATIENT = 0, 1, 2
KINDS = ("OUTPATIENT", "EMERGENCY", "INPATIENT")
MIN_PER_YEAR = DAYS_PER_YEAR * 1440


def to_minutes(t: np.ndarray) -> np.ndarray:
    return np.floor((t - 1970) * MIN_PER_YEAR).astype(np.int64)


def to_years(minutes: np.ndarray) -> np.ndarray:
    return 1970 + minutes / MIN_PER_YEAR


def clinic_time(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Minutes since 1970 for outpatient visits: moved off weekends, between 08:00 and 16:30."""
    day = np.floor((t - 1970) * DAYS_PER_YEAR).astype(np.int64)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    day = day + np.where(weekday == 5, 2, 0) + np.where(weekday == 6, 1, 0)
    return day * 1440 + 480 + (rng.integers(0, 103, len(t)) * 5)


@dataclass
class Visits:
    """One entry per encounter, sorted by patient then start."""

    pid: np.ndarray
    start: np.ndarray  # minutes since 1970
    end: np.ndarray
    kind: np.ndarray
    dept: np.ndarray  # index into hospital.departments
    dx: np.ndarray  # index into diseases + acute illnesses, -1 for none

    def __len__(self) -> int:
        return len(self.pid)

    @property
    def t(self) -> np.ndarray:
        return to_years(self.start)


def make_visits(p: PopulationFile, h: HospitalFile, c: Cohort, rng: np.random.Generator) -> Visits:
    dept = {d.code: i for i, d in enumerate(h.departments)}
    dis_dept = np.array([dept[d.department] for d in p.diseases])
    dis_child = np.array([dept[d.child_department or d.department] for d in p.diseases])
    chronic = np.array([d.derived != "bmi_at_least_30" for d in p.diseases])
    parts: list[tuple[np.ndarray, ...]] = []  # (pid, t, kind, dept, dx)
    stop = np.minimum(c.death, c.end)
    ws, years = c.window_start, p.simulation.history_years
    vp = p.population.visits_per_year
    base = np.asarray(vp.values)

    for k in range(years):
        lo = np.maximum(ws + k, c.birth)
        exposure = np.clip(np.minimum(ws + k + 1, stop) - lo, 0, None)
        b = band_of(ws + k + 0.5 - c.birth, p.age_bands)
        n_active = ((c.onset <= ws + k) & chronic).sum(1)
        counts = rng.poisson((base[b] + vp.per_condition * np.minimum(n_active, 4)) * exposure)
        pid = np.repeat(np.arange(c.n), counts)
        t = lo[pid] + rng.random(len(pid)) * exposure[pid]
        active = (c.onset[pid] <= t[:, None]) & chronic
        pick = np.argmax(active * rng.random(active.shape), axis=1)
        child = t - c.birth[pid] < 18
        default = np.where(child, dept["paediatrics"],
                           np.where(rng.random(len(pid)) < 0.6, dept["general_practice"],
                                    dept["internal_medicine"]))
        own = np.where(child, dis_child[pick], dis_dept[pick])
        d = np.where(active.any(1), own, default)
        parts.append((pid, t, np.full(len(pid), OUTPATIENT), d, np.full(len(pid), -1)))
        for a_i, a in enumerate(p.acute):
            rate = np.asarray(a.rate)[b] * (c.female if a.sex == "F" else ~c.female if a.sex == "M" else 1)
            counts = rng.poisson(rate * exposure)
            pid = np.repeat(np.arange(c.n), counts)
            t = lo[pid] + rng.random(len(pid)) * exposure[pid]
            adult_dept = dept[a.department]
            child_dept = dept[a.child_department or a.department]
            d = np.where(t - c.birth[pid] < 18, child_dept, adult_dept)
            kind = EMERGENCY if a.encounter == "emergency" else OUTPATIENT
            parts.append((pid, t, np.full(len(pid), kind), d, np.full(len(pid), len(p.diseases) + a_i)))

    # the encounter at which a disease is diagnosed, for onsets inside the window
    pid, col = np.nonzero((c.onset >= ws) & np.isfinite(c.onset))
    t = c.onset[pid, col]
    d = np.where(t - c.birth[pid] < 18, dis_child[col], dis_dept[col])
    kind = np.array([("outpatient", "emergency", "inpatient").index(p.diseases[i].onset_encounter)
                     for i in col], dtype=np.int64)
    parts.append((pid, t, kind, d, col))
    # an emergency diagnosis is followed by an admission to the disease's department
    ed = kind == EMERGENCY
    parts.append((pid[ed], t[ed] + 3 / (24 * DAYS_PER_YEAR), np.full(ed.sum(), INPATIENT), d[ed],
                  np.full(ed.sum(), -1)))

    pid, t, kind, d, dx = (np.concatenate(x) for x in zip(*parts, strict=True))
    last = to_minutes(stop)[pid] - 1
    clinic = clinic_time(t, rng)
    start = np.where((kind == OUTPATIENT) & (clinic < last), clinic, to_minutes(t))
    stay_days = np.where(kind == INPATIENT, rng.integers(3, 11, len(pid)), 0)
    discharge = (start // 1440 + stay_days) * 1440 + 600 + rng.integers(0, 24, len(pid)) * 5
    end = np.where(kind == INPATIENT, discharge,
                   start + np.where(kind == EMERGENCY, rng.integers(60, 300, len(pid)), 20))
    # nothing after death or the end of the record; nothing before birth
    keep = (start < last) & (start > to_minutes(c.birth)[pid])
    end = np.minimum(end, last)
    order = np.lexsort((start, pid))
    order = order[keep[order]]
    return Visits(pid[order], start[order], np.maximum(end[order], start[order]), kind[order], d[order],
                  dx[order])
