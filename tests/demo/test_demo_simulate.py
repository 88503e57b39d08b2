"""The simulated population: prevalence near the published figures, values that track disease."""

from __future__ import annotations

import numpy as np
import pytest

from medtrio.demo.measure import ckd_epi, creatinine_for
from medtrio.demo.params import load_hospital, load_population
from medtrio.demo.records import catalogue_for, event_columns
from medtrio.demo.simulate import prevalence_in, simulate
from medtrio.demo.visits import INPATIENT, make_visits

P, H = load_population(), load_hospital()


@pytest.fixture(scope="module")
def cohort():
    return simulate(P, 20_000, np.random.default_rng(7))


def test_simulated_prevalence_is_near_the_published_one(cohort):
    for i, d in enumerate(P.diseases):
        target = d.target_prevalence
        got = prevalence_in(cohort, i, *target.age)
        # small cancers have few cases in 20,000 people: a factor of 2.5 either way
        assert target.value / 2.5 <= got <= target.value * 2.5, f"{d.key}: {got:.3f} vs {target.value}"


def test_chronic_diseases_are_more_frequent_in_the_old(cohort):
    for i, d in enumerate(P.diseases):
        if d.key in ("asthma", "depression", "breast_cancer", "prostate_cancer", "lung_cancer",
                     "colorectal_cancer", "hypothyroidism"):
            continue
        young, old = prevalence_in(cohort, i, 18, 40), prevalence_in(cohort, i, 60, 80)
        assert old > 2 * young, f"{d.key}: {old:.3f} at 60-79 vs {young:.3f} at 18-39"


def test_mortality_is_plausible_and_deaths_follow_births(cohort):
    dead = np.isfinite(cohort.death)
    assert 0.03 < dead.mean() < 0.15  # 12 years of a general population
    assert (cohort.death[dead] > cohort.birth[dead]).all()
    assert (cohort.death[dead] >= cohort.window_start).all()
    old = (cohort.end - cohort.birth) > 75
    assert dead[old].mean() > 4 * dead[~old].mean()


def test_onsets_and_medicines_are_ordered(cohort):
    col = {d.key: i for i, d in enumerate(P.diseases)}
    for j, m in enumerate(P.medications):
        started = np.isfinite(cohort.med_start[:, j])
        assert (cohort.med_start[started, j] >= cohort.onset[started, col[m.for_]]).all(), m.key
    onset = np.where(np.isfinite(cohort.onset), cohort.onset, np.inf)
    assert (onset >= cohort.birth[:, None]).all()


def test_ckd_epi_2021_matches_the_published_equation():
    # a 50-year-old man with creatinine 1.0 mg/dL: 142 x (1/0.9)^-1.2 x 0.9938^50 = 91.7
    egfr = ckd_epi(np.array([1.0]), np.array([50.0]), np.array([False]), P.formulas.ckd_epi_2021)
    assert egfr[0] == pytest.approx(91.7, abs=0.1)
    egfr = ckd_epi(np.array([0.6, 2.5]), np.array([40.0, 75.0]), np.array([True, True]),
                   P.formulas.ckd_epi_2021)
    back = creatinine_for(egfr, np.array([40.0, 75.0]), np.array([True, True]), P.formulas.ckd_epi_2021)
    assert back == pytest.approx([0.6, 2.5])


@pytest.fixture(scope="module")
def events():
    rng = np.random.default_rng(3)
    c = simulate(P, 4000, rng)
    v = make_visits(P, H, c, rng)
    cat = catalogue_for(P, H)
    return c, v, cat, event_columns(P, H, c, v, cat, rng)


def _values(events, key):
    c, v, cat, cols = events
    code = cat.index[P.measure(key).code]
    sel = cols.code == code
    t = 1970 + cols.minute[sel] / (1440 * 365.2425)
    return cols.pid[sel], t, cols.value[sel]


def _has(c, key, pid, t):
    i = [d.key for d in P.diseases].index(key)
    return c.onset[pid, i] <= t


def test_values_track_disease(events):
    c = events[0]
    pid, t, a1c = _values(events, "hba1c")
    dm = _has(c, "type2_diabetes", pid, t)
    assert a1c[dm].mean() > a1c[~dm].mean() + 1.0
    assert (a1c[dm] >= 6.5).mean() > 0.5 and (a1c[~dm] < 6.5).mean() > 0.95
    pid, t, egfr = _values(events, "egfr")
    ckd = _has(c, "ckd", pid, t)
    assert egfr[ckd].mean() < 60 < egfr[~ckd].mean()
    pid, t, sbp = _values(events, "sbp")
    htn = _has(c, "hypertension", pid, t)
    assert sbp[htn].mean() > sbp[~htn].mean() + 8
    pid, t, probnp = _values(events, "nt_probnp")
    hf = _has(c, "heart_failure", pid, t)
    assert np.median(probnp[hf]) > 5 * np.median(probnp[~hf])


def test_values_are_within_physiological_bounds(events):
    for m in P.labs + P.vitals:
        _, _, values = _values(events, m.key)
        assert len(values) > 0, m.key
        assert np.isfinite(values).all(), m.key
        assert values.min() >= m.bounds[0] and values.max() <= m.bounds[1], m.key


def test_derived_values_follow_their_formulas(events):
    c, v, cat, cols = events

    def by_visit(key):
        sel = cols.code == cat.index[P.measure(key).code]
        keys = zip(cols.visit[sel].tolist(), cols.minute[sel].tolist(), strict=True)
        return dict(zip(keys, cols.value[sel].tolist(), strict=True))

    ldl, hdl, tg, tc = (by_visit(k) for k in ("ldl", "hdl", "triglycerides", "total_cholesterol"))
    for k, value in list(tc.items())[:200]:
        assert value == pytest.approx(np.clip(ldl[k] + hdl[k] + tg[k] / 5, 60, 500), abs=0.51)
    assert (v.kind == INPATIENT).any()


def _generate(seed: int):
    rng = np.random.default_rng(seed)
    c = simulate(P, 400, rng)
    v = make_visits(P, H, c, rng)
    return event_columns(P, H, c, v, catalogue_for(P, H), rng)


def test_the_same_seed_gives_the_same_population():
    a, b, other = _generate(5), _generate(5), _generate(6)
    for name in ("pid", "minute", "code", "value", "text", "visit"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=name == "value"), name
    assert len(a) != len(other) or not np.array_equal(a.minute, other.minute)


def test_procedures_sit_at_diagnosis_encounters_and_vaccines_follow_the_schedule(events):
    c, v, cat, cols = events
    col = {d.key: i for i, d in enumerate(P.diseases)}
    for proc in P.procedures:
        sel = cols.code == cat.index[proc.code]
        dx = v.dx[cols.visit[sel]]
        assert np.isin(dx, [col[k] for k in proc.at_diagnosis_of]).all(), proc.key
    mmr = cols.code == cat.index["IMMUNIZATION//CVX//03"]
    age = 1970 + cols.minute[mmr] / (1440 * 365.2425) - c.birth[cols.pid[mmr]]
    assert mmr.any() and (abs(age - 1.5) < 0.05).all()
    flu = cols.code == cat.index["IMMUNIZATION//CVX//141"]
    month = (cols.minute[flu] // 1440).astype("datetime64[D]").astype(object)
    assert flu.any() and all(d.month in (9, 10, 11, 12) for d in month)
