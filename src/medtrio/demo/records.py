"""Turning the simulated cohort and its encounters into MEDS-style event columns.

Events are kept as parallel numpy columns (patient, minute, code, value, text, encounter) until a
batch is written, so that building 5,000 life histories stays fast. What is recorded: birth, sex,
smoking status, diagnoses (at their encounter, or as past history when they precede the window),
medicine starts with their dose, encounters, vitals at every encounter, labs as ordered by the
panels of population.yaml, and death.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from medtrio.demo.measure import Occasions, measure_all
from medtrio.demo.params import HospitalFile, PopulationFile
from medtrio.demo.simulate import Cohort
from medtrio.demo.visits import EMERGENCY, INPATIENT, KINDS, OUTPATIENT, Visits, to_minutes
from medtrio.store.codes import MEDS_BIRTH, MEDS_DEATH

NO_TIME = np.iinfo(np.int64).min
SMOKING = "OBSERVATION//LOINC//72166-2"


@dataclass(frozen=True)
class CodeInfo:
    code: str
    display: str | None = None
    unit: str | None = None
    ref: tuple[float | None, float | None] = (None, None)
    ref_female: tuple[float | None, float | None] | None = None


@dataclass
class Catalogue:
    """Every code the demo writes, with display name, unit and adult reference ranges."""

    entries: list[CodeInfo] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    text_index: dict[str, int] = field(default_factory=dict)

    def add(self, info: CodeInfo) -> int:
        if info.code not in self.index:
            self.index[info.code] = len(self.entries)
            self.entries.append(info)
        return self.index[info.code]

    def text(self, value: str) -> int:
        if value not in self.text_index:
            self.text_index[value] = len(self.texts)
            self.texts.append(value)
        return self.text_index[value]


def catalogue_for(p: PopulationFile, h: HospitalFile) -> Catalogue:
    cat = Catalogue()
    for d in p.diseases + p.acute:
        cat.add(CodeInfo(d.code, d.display))
    for m in p.medications + p.procedures + p.allergies + p.immunizations:
        cat.add(CodeInfo(m.code, m.display))
    for m in p.labs + p.vitals:
        cat.add(CodeInfo(m.code, m.display, m.unit, m.ref, m.ref_female))
    for kind in KINDS:
        cat.add(CodeInfo(f"ENCOUNTER//{kind}", f"{kind.title()} encounter"))
    cat.add(CodeInfo(MEDS_BIRTH, "Birth"))
    cat.add(CodeInfo(MEDS_DEATH, "Death"))
    cat.add(CodeInfo("GENDER//F", "Female"))
    cat.add(CodeInfo("GENDER//M", "Male"))
    cat.add(CodeInfo(SMOKING, "Tobacco smoking status"))
    return cat


@dataclass
class Columns:
    """Events as parallel arrays, sorted by patient."""

    pid: np.ndarray
    minute: np.ndarray  # minutes since 1970, NO_TIME for static facts
    code: np.ndarray
    value: np.ndarray  # nan when there is none
    text: np.ndarray  # index into Catalogue.texts, -1 for none
    visit: np.ndarray  # index into Visits, -1 for none
    adult: np.ndarray  # reference ranges are adult ranges: children get none

    def __len__(self) -> int:
        return len(self.pid)


class _Collector:
    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, pid, minute, code, value=None, text=None, visit=None, adult=None):  # type: ignore[no-untyped-def]
        n = len(pid)

        def col(x, fill, dtype):  # type: ignore[no-untyped-def]
            return np.full(n, fill, dtype) if x is None else np.broadcast_to(np.asarray(x, dtype), (n,))

        self.parts.append((np.asarray(pid, np.int64), col(minute, NO_TIME, np.int64), col(code, 0, np.int64),
                           col(value, np.nan, float), col(text, -1, np.int64), col(visit, -1, np.int64),
                           col(adult, True, bool)))

    def columns(self) -> Columns:
        cols = [np.concatenate(x) for x in zip(*self.parts, strict=True)]
        order = np.argsort(cols[0], kind="stable")
        return Columns(*(x[order] for x in cols))


def event_columns(p: PopulationFile, h: HospitalFile, c: Cohort, v: Visits, cat: Catalogue,
                  rng: np.random.Generator) -> Columns:
    out = _Collector()
    everyone = np.arange(c.n)
    birth_min, death_min = to_minutes(c.birth) // 1440 * 1440, to_minutes(c.death[np.isfinite(c.death)])
    out.add(everyone, birth_min, cat.index[MEDS_BIRTH])
    out.add(everyone, None, np.where(c.female, cat.index["GENDER//F"], cat.index["GENDER//M"]))
    dead = np.flatnonzero(np.isfinite(c.death))
    out.add(dead, death_min, cat.index[MEDS_DEATH])

    # encounters, and the diagnoses made at them
    dept_name = [cat.text(d.en) for d in h.departments]
    kind_code = np.array([cat.index[f"ENCOUNTER//{k}"] for k in KINDS])
    vid = np.arange(len(v))
    out.add(v.pid, v.start, kind_code[v.kind], text=np.array(dept_name)[v.dept], visit=vid)
    dx_codes = np.array([cat.index[d.code] for d in p.diseases + p.acute])
    has_dx = v.dx >= 0
    out.add(v.pid[has_dx], v.start[has_dx] + 15, dx_codes[v.dx[has_dx]], visit=vid[has_dx])
    # diseases that began before the window: past history, no encounter
    pid, col = np.nonzero(np.isfinite(c.onset) & (c.onset < c.window_start))
    out.add(pid, to_minutes(c.onset[pid, col]) // 1440 * 1440 + 540, dx_codes[col])
    for j, m in enumerate(p.medications):
        pid = np.flatnonzero(np.isfinite(c.med_start[:, j]))
        out.add(pid, to_minutes(c.med_start[pid, j]) // 1440 * 1440 + 600 + rng.integers(0, 60, len(pid)) * 5,
                cat.index[m.code], text=cat.text(m.dose))
    # smoking status, asked at each adult's first encounter
    first = np.flatnonzero(np.r_[True, v.pid[1:] != v.pid[:-1]]) if len(v) else np.array([], int)
    first = first[(v.t[first] - c.birth[v.pid[first]]) >= 18]
    status = np.where(c.smoker[v.pid[first]], cat.text("Current or former smoker"), cat.text("Never smoker"))
    out.add(v.pid[first], v.start[first] + 10, cat.index[SMOKING], text=status, visit=first)

    _measurements(p, c, v, cat, rng, out, first)
    _procedures_allergies_vaccines(p, c, v, cat, rng, out)
    return out.columns()


def _day_time(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Minutes since 1970: the day of `t`, between 09:00 and 16:00."""
    return to_minutes(t) // 1440 * 1440 + 540 + rng.integers(0, 84, len(t)) * 5


def _procedures_allergies_vaccines(p: PopulationFile, c: Cohort, v: Visits, cat: Catalogue,
                                   rng: np.random.Generator, out: _Collector) -> None:
    """Procedures at diagnosis encounters, allergies at the first encounter, vaccinations by schedule."""
    col = {d.key: i for i, d in enumerate(p.diseases)}
    at_dx = np.flatnonzero((v.dx >= 0) & (v.dx < len(p.diseases)))
    for proc in p.procedures:
        hit = at_dx[np.isin(v.dx[at_dx], [col[k] for k in proc.at_diagnosis_of])]
        hit = hit[rng.random(len(hit)) < proc.prob]
        out.add(v.pid[hit], v.start[hit] + 60, cat.index[proc.code], visit=hit)
    first = np.flatnonzero(np.r_[True, v.pid[1:] != v.pid[:-1]]) if len(v) else np.array([], int)
    for allergy in p.allergies:
        hit = first[rng.random(len(first)) < allergy.prob]
        out.add(v.pid[hit], v.start[hit] + 12, cat.index[allergy.code], visit=hit)
    stop = np.minimum(c.death, c.end)
    everyone = np.arange(c.n)
    for vac in p.immunizations:
        if vac.seasonal:
            for year in range(int(np.floor(c.window_start)), int(np.ceil(c.end))):
                t = year + 0.75 + rng.random(c.n) * 0.16  # October to November
                eligible = (t - c.birth >= vac.min_age)
                if vac.or_chronic:
                    eligible |= (c.onset <= t[:, None]).any(1) & (t - c.birth >= 18)
                ok = eligible & (t > c.window_start) & (t < stop) & (rng.random(c.n) < vac.prob)
                out.add(everyone[ok], _day_time(t[ok], rng), cat.index[vac.code])
        for age in vac.ages:
            t = c.birth + age + rng.random(c.n) * 0.02
            ok = (t >= c.window_start) & (t < stop) & (rng.random(c.n) < vac.prob)
            out.add(everyone[ok], _day_time(t[ok], rng), cat.index[vac.code])


def _measurements(p: PopulationFile, c: Cohort, v: Visits, cat: Catalogue, rng: np.random.Generator,
                  out: _Collector, first: np.ndarray) -> None:
    """Vitals at every encounter (and at discharge), labs as the panels order them."""
    stay = np.flatnonzero(v.kind == INPATIENT)
    visit = np.concatenate([np.arange(len(v)), stay])
    minute = np.concatenate([v.start, v.end[stay] - 120])
    discharge = np.r_[np.zeros(len(v), bool), np.ones(len(stay), bool)]
    acute = (v.kind[visit] != OUTPATIENT) | discharge
    o = Occasions(p, c, v.pid[visit], 1970 + minute / (1440 * 365.2425))
    values = measure_all(p, o, rng)
    adult, n = o.age >= 18, len(visit)
    is_first = np.zeros(n, bool)
    is_first[first] = True

    def emit(key: str, keep: np.ndarray, offset: int) -> None:
        m = p.measure(key)
        if m.sex is not None:
            keep = keep & (o.female == (m.sex == "F"))
        out.add(o.pid[keep], minute[keep] + offset, cat.index[m.code], value=values[key][keep],
                visit=visit[keep], adult=adult[keep])

    always = np.ones(n, bool)
    for key in ("heart_rate", "weight", "bmi"):
        emit(key, always, 5)
    bp = adult | ((o.age >= 3) & (rng.random(n) < 0.3))
    emit("sbp", bp, 5)
    emit("dbp", bp, 5)
    emit("height", ~adult | is_first | ((v.kind[visit] == OUTPATIENT) & (rng.random(n) < 0.1)), 5)
    emit("temperature", acute | ~adult, 5)
    emit("resp_rate", acute | ~adult, 5)
    emit("spo2", acute & adult, 5)

    for panel in p.panels:
        prob = np.where(acute, panel.acute_prob * np.where(discharge, 0.6, 1.0), panel.prob)
        for name, pr in panel.when.items():
            prob = np.where(~acute & o.present(name), np.maximum(prob, pr), prob)
        eligible = (adult | panel.children) & (o.age >= panel.min_age)
        if panel.key not in ("basic_metabolic", "blood_count"):
            eligible &= ~discharge
        ordered = eligible & (rng.random(n) < prob)
        for key in panel.labs:
            emit(key, ordered, 30)


def kind_name(kind: int) -> str:
    return {OUTPATIENT: "outpatient", EMERGENCY: "emergency", INPATIENT: "inpatient"}[kind]
