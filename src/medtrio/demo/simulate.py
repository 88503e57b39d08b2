"""Life-course simulation of the demo population (numpy, vectorised over patients).

One pass over calendar years, from the oldest birth to the end date: each year every living person
may develop each disease (incidence by age band and sex, times the relative risks of the diseases and
risk factors they already have); obesity follows the BMI trajectory (BMI >= 30) and CKD the eGFR
trajectory (eGFR < 60); during the observed window people may die (background mortality times the
hazard ratios of their diseases). Medicines start after diagnoses. All parameters come from
`population.yaml`; times are decimal years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from medtrio.demo.params import PopulationFile

DAYS_PER_YEAR = 365.2425
NEVER = np.inf


def to_year(day: dt.date) -> float:
    return 1970 + (day - dt.date(1970, 1, 1)).days / DAYS_PER_YEAR


def band_of(ages: np.ndarray, bands: list[float]) -> np.ndarray:
    """Index of the age band of each age (ages below 0 fall in the first band)."""
    return np.clip(np.searchsorted(np.asarray(bands), ages, side="right") - 1, 0, len(bands) - 1)


@dataclass
class Cohort:
    """The simulated people: one entry per patient, one column per disease or medicine."""

    female: np.ndarray  # bool
    birth: np.ndarray  # decimal years
    death: np.ndarray  # decimal years, inf while alive at the end
    smoker: np.ndarray  # bool (ever-smoker from 18)
    onset: np.ndarray  # (patients, diseases): decimal years, inf = never
    med_start: np.ndarray  # (patients, medications): decimal years, inf = never
    height_adult: np.ndarray  # cm
    bmi18: np.ndarray
    bmi_gain: np.ndarray
    egfr_grid: np.ndarray  # (patients, years+1): latent eGFR at each year of the window
    window_start: float
    end: float

    @property
    def n(self) -> int:
        return len(self.birth)


def growth_height(p: PopulationFile, age: np.ndarray, female: np.ndarray, adult: np.ndarray) -> np.ndarray:
    """Height (cm) at `age`: the growth-table median scaled to the person's adult height."""
    g = p.population.child_growth
    hm = np.interp(age, g.ages, g.height_male)
    hf = np.interp(age, g.ages, g.height_female)
    table = np.where(female, hf, hm)
    at18 = np.where(female, g.height_female[-1], g.height_male[-1])
    return table * adult / at18


def bmi_at(p: PopulationFile, age: np.ndarray, bmi18: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """BMI at `age`: growth-table median (scaled to the person) before 18, then gain to 60, loss after 70."""
    g, b = p.population.child_growth, p.population.bmi_adult
    child = np.interp(age, g.ages, g.bmi) * bmi18 / g.bmi[-1]
    adult = bmi18 + gain * (np.clip(age, 18, 60) - 18) - b.loss_per_year_after_70 * np.clip(age - 70, 0, None)
    return np.where(age < 18, child, adult)


def simulate(p: PopulationFile, n: int, rng: np.random.Generator) -> Cohort:
    """Simulate `n` people whose histories end at the file's end date."""
    pop, sim = p.population, p.simulation
    end = to_year(sim.end_date) + 1 / DAYS_PER_YEAR
    window_start = end - sim.history_years
    bands = p.age_bands

    female = rng.random(n) < pop.female_share.value
    band = rng.choice(len(bands), size=n, p=np.asarray(pop.age_share.values))
    upper = np.append(np.asarray(bands[1:]), bands[-1] + 10)
    age_end = np.asarray(bands)[band] + rng.random(n) * (upper[band] - np.asarray(bands)[band])
    birth = end - age_end
    smoker = rng.random(n) < np.where(female, pop.smoking.female, pop.smoking.male)
    hs = pop.height_cm
    height_adult = np.where(female, rng.normal(hs.female.mean, hs.female.sd, n),
                            rng.normal(hs.male.mean, hs.male.sd, n))
    bmi18 = np.clip(rng.normal(pop.bmi_adult.at_18.mean, pop.bmi_adult.at_18.sd, n), 15, 45)
    bmi_gain = rng.normal(pop.bmi_adult.gain_per_year.mean, pop.bmi_adult.gain_per_year.sd, n)
    egfr = rng.normal(pop.egfr.at_30.mean, pop.egfr.at_30.sd, n)
    egfr_slope = np.clip(rng.normal(pop.egfr.decline_per_year.mean, pop.egfr.decline_per_year.sd, n), 0, None)

    keys = [d.key for d in p.diseases]
    col = {k: i for i, k in enumerate(keys)}
    onset = np.full((n, len(keys)), NEVER)
    death = np.full(n, NEVER)
    rates = {d.key: (np.asarray(d.male) / 1000, np.asarray(d.female) / 1000)
             for d in p.diseases if not d.derived}
    mort_m, mort_f = np.asarray(pop.mortality.male) / 1000, np.asarray(pop.mortality.female) / 1000
    extra = pop.egfr.extra_decline_per_year
    history = sim.history_years
    egfr_grid = np.zeros((n, history + 1))

    first = int(np.floor(window_start - birth.min())) + 1
    for step in range(-first, history):
        t = window_start + step
        alive = (birth < t + 1) & (death > t)
        age = t + 0.5 - birth
        b = band_of(age, bands)
        has = onset <= t  # diseases present at the start of this year
        factors = {k: has[:, i] for k, i in col.items()} | {"smoker": smoker & (age >= 18)}
        for d in p.diseases:
            i = col[d.key]
            free = alive & ~has[:, i]
            if d.derived == "bmi_at_least_30":
                new = free & (age >= 18) & (bmi_at(p, age, bmi18, bmi_gain) >= 30)
            elif d.derived == "egfr_below_60":
                new = free & (egfr < 60)
            else:
                male_rate, female_rate = rates[d.key]
                hazard = np.where(female, female_rate[b], male_rate[b])
                for k, rr in d.rr.items():
                    hazard = hazard * np.where(factors[k], rr, 1.0)
                new = free & (rng.random(n) < -np.expm1(-hazard))
            onset[new, i] = np.maximum(t + rng.random(new.sum()), birth[new] + 0.01)
        # kidney function: stable to 40, then the person's decline plus extra for some diseases
        decline = egfr_slope * (age > 40)
        for k, v in extra.items():
            decline = decline + v * has[:, col[k]]
        egfr = np.where(alive, np.clip(egfr - decline, 4, None), egfr)
        if step >= 0:
            egfr_grid[:, step + 1] = egfr
            q = np.where(female, mort_f[b], mort_m[b])
            hr = np.ones(n)
            for d in p.diseases:
                hr = hr * np.where(has[:, col[d.key]], d.mortality_hr, 1.0)
            dies = alive & (rng.random(n) < 1 - (1 - q) ** hr)
            death[dies] = np.maximum(t + rng.random(dies.sum()), birth[dies] + 0.01)
        elif step == -1:
            egfr_grid[:, 0] = egfr
    death = np.where(death < end, death, NEVER)
    onset[onset >= np.minimum(death, end)[:, None]] = NEVER

    med_start = np.full((n, len(p.medications)), NEVER)
    for j, m in enumerate(p.medications):
        o = onset[:, col[m.for_]]
        start = o + (m.delay_days * (0.5 + rng.random(n))) / DAYS_PER_YEAR
        take = np.isfinite(o) & (rng.random(n) < m.prob) & (start < np.minimum(death, end))
        med_start[take, j] = start[take]
    return Cohort(female, birth, death, smoker, onset, med_start, height_adult, bmi18, bmi_gain,
                  egfr_grid, window_start, end)


def class_start(p: PopulationFile, cohort: Cohort) -> dict[str, np.ndarray]:
    """When each patient first took a medicine of each class (inf = never)."""
    out: dict[str, np.ndarray] = {}
    for j, m in enumerate(p.medications):
        prev = out.get(m.klass, np.full(cohort.n, NEVER))
        out[m.klass] = np.minimum(prev, cohort.med_start[:, j])
    return out


def prevalence(p: PopulationFile, cohort: Cohort, at: float | None = None) -> dict[str, dict[str, float]]:
    """Share of living people with each disease by age band at time `at` (default: the end date)."""
    at = cohort.end - 1e-6 if at is None else at
    alive = (cohort.birth < at) & (cohort.death > at)
    b = band_of(at - cohort.birth, p.age_bands)
    out: dict[str, dict[str, float]] = {}
    for i, d in enumerate(p.diseases):
        row = {}
        for j, lo in enumerate(p.age_bands):
            sel = alive & (b == j)
            row[str(int(lo))] = float((cohort.onset[sel, i] <= at).mean()) if sel.any() else float("nan")
        out[d.key] = row
    return out


def prevalence_in(cohort: Cohort, disease_col: int, lo: float, hi: float, at: float | None = None) -> float:
    """Share of living people aged [lo, hi) at `at` who have the disease."""
    at = cohort.end - 1e-6 if at is None else at
    age = at - cohort.birth
    sel = (cohort.birth < at) & (cohort.death > at) & (age >= lo) & (age < hi)
    return float((cohort.onset[sel, disease_col] <= at).mean()) if sel.any() else float("nan")
