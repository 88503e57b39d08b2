"""Lab and vital-sign values at the simulated encounters (numpy, vectorised over encounters).

Each measure has a population mean (by sex), an age slope, a patient's own offset (`sd_between`),
visit-to-visit noise (`sd_within`) and additive (normal scale) or multiplicative (log scale)
effects of the diseases and medicine classes the patient has at that moment. Derived values follow
their formulas: creatinine inverts CKD-EPI 2021 from the patient's latent kidney function and the
reported eGFR is CKD-EPI 2021 of that creatinine; total cholesterol is Friedewald solved for TC;
weight is BMI x height^2 and the reported BMI is weight / height^2.
"""

from __future__ import annotations

import numpy as np

from medtrio.demo.params import CkdEpi, Measure, PopulationFile
from medtrio.demo.simulate import NEVER, Cohort, bmi_at, class_start, growth_height


def ckd_epi(creatinine: np.ndarray, age: np.ndarray, female: np.ndarray, f: CkdEpi) -> np.ndarray:
    """CKD-EPI 2021 eGFR (mL/min/1.73 m2) from serum creatinine (mg/dL)."""
    kappa = np.where(female, f.kappa["female"], f.kappa["male"])
    alpha = np.where(female, f.alpha["female"], f.alpha["male"])
    x = creatinine / kappa
    return (f.constant * np.minimum(x, 1) ** alpha * np.maximum(x, 1) ** f.beta * f.age_base**age
            * np.where(female, f.female_factor, 1.0))


def creatinine_for(egfr: np.ndarray, age: np.ndarray, female: np.ndarray, f: CkdEpi) -> np.ndarray:
    """The creatinine (mg/dL) at which CKD-EPI 2021 gives `egfr` (the inverse of `ckd_epi`)."""
    kappa = np.where(female, f.kappa["female"], f.kappa["male"])
    alpha = np.where(female, f.alpha["female"], f.alpha["male"])
    r = egfr / (f.constant * f.age_base**age * np.where(female, f.female_factor, 1.0))
    x = np.where(r >= 1, r ** (1 / alpha), r ** (1 / f.beta))
    return x * kappa


class Occasions:
    """Moments at which something is measured: (patient, time in decimal years), plus context."""

    def __init__(self, p: PopulationFile, c: Cohort, pid: np.ndarray, t: np.ndarray) -> None:
        self.p, self.c, self.pid, self.t = p, c, pid, t
        self.age = t - c.birth[pid]
        self.female = c.female[pid]
        starts = {d.key: c.onset[:, i] for i, d in enumerate(p.diseases)}
        starts |= class_start(p, c)
        starts["smoker"] = np.where(c.smoker, c.birth + 18, NEVER)
        self._starts = starts

    def present(self, name: str) -> np.ndarray:
        return self._starts[name][self.pid] <= self.t

    def years_since(self, name: str) -> np.ndarray:
        return np.clip(self.t - self._starts[name][self.pid], 0, None)

    def latent_egfr(self) -> np.ndarray:
        grid = self.c.egfr_grid
        k = np.clip(self.t - self.c.window_start, 0, grid.shape[1] - 1 - 1e-9)
        i = np.floor(k).astype(int)
        frac = k - i
        return grid[self.pid, i] * (1 - frac) + grid[self.pid, i + 1] * frac


def _simulated(m: Measure, o: Occasions, z: np.ndarray, noise: np.ndarray) -> np.ndarray:
    mean = np.where(o.female & (m.mean_female is not None), m.mean_female or 0.0, m.mean)
    age_term = m.age_slope * np.clip(o.age - 18, 0, None)
    if m.scale == "log":
        mu = np.log(mean) + age_term
        for e in m.effects:
            mu = mu + o.present(e.when) * (np.log(e.factor or 1.0) + e.per_year * o.years_since(e.when))
        value = np.exp(mu + m.sd_between * z + m.sd_within * noise)
        if m.child is not None:
            child = np.exp(np.log(m.child.mean) + m.child.sd * (0.6 * z + 0.8 * noise))
            value = np.where(o.age < 18, child, value)
        return value
    mu = mean + age_term
    for e in m.effects:
        mu = mu + o.present(e.when) * ((e.shift or 0.0) + e.per_year * o.years_since(e.when))
    value = mu + m.sd_between * z + m.sd_within * noise
    if m.child is not None:
        value = np.where(o.age < 18, m.child.mean + m.child.sd * (0.6 * z + 0.8 * noise), value)
    return value


def measure_all(p: PopulationFile, o: Occasions, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every lab and vital at every occasion (callers keep the ones that were ordered)."""
    c, pid, n = o.c, o.pid, len(o.pid)
    measures = p.labs + p.vitals
    z = rng.standard_normal((c.n, len(measures)))  # each patient's own offset per measure
    out: dict[str, np.ndarray] = {}
    for j, m in enumerate(measures):
        noise = rng.standard_normal(n)
        if m.model is None:
            out[m.key] = _simulated(m, o, z[pid, j], noise)
        elif m.model == "creatinine_from_egfr":
            true_egfr = o.latent_egfr() * np.exp(m.sd_within * noise)
            age = np.maximum(o.age, 18)
            out[m.key] = creatinine_for(true_egfr, age, o.female, p.formulas.ckd_epi_2021)
        elif m.model == "height":
            height = growth_height(p, o.age, o.female, c.height_adult[pid])
            out["_height_true"] = height
            out[m.key] = height * (1 + m.sd_within * noise)
        elif m.model == "weight":
            h = growth_height(p, o.age, o.female, c.height_adult[pid]) / 100
            out[m.key] = bmi_at(p, o.age, c.bmi18[pid], c.bmi_gain[pid]) * h**2 * (1 + m.sd_within * noise)
    out = {k: _finish(p.measure(k), v) if not k.startswith("_") else v for k, v in out.items()}
    for m in measures:  # values computed from the rounded, reported ones
        if m.model == "ckd_epi_2021":
            value = ckd_epi(out["creatinine"], np.maximum(o.age, 18), o.female, p.formulas.ckd_epi_2021)
        elif m.model == "friedewald":
            value = out["ldl"] + out["hdl"] + out["triglycerides"] / 5
        elif m.model == "bmi":
            value = out["weight"] / (out.pop("_height_true") / 100) ** 2
        else:
            continue
        out[m.key] = _finish(m, value)
    return out


def _finish(m: Measure, value: np.ndarray) -> np.ndarray:
    return np.round(np.clip(value, *m.bounds), m.decimals)
