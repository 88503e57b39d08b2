"""Report-level consistency checks: results that a laboratory derives from one another must agree.

A misread digit in any one of them breaks the relation, so every result in a broken relation is marked
for confirmation (we cannot tell which one is wrong). All relations are in catalog units:
- red-cell indices: MCHC = Hgb/Hct*100, MCH = Hgb/RBC*10, MCV = Hct/RBC*10 (ICSH definitions);
- differential: the five percentages add up to about 100; each absolute count = % x WBC / 100;
- anion gap = Na - (Cl + HCO3) (or with K added); globulin = total protein - albumin;
- indirect bilirubin = total - direct; Friedewald LDL = TC - HDL - TG/5 (mg/dL); non-HDL = TC - HDL;
- eAG = 28.7 x HbA1c - 46.7 (ADAG study, Nathan et al. Diabetes Care 2008).
"""

from __future__ import annotations

from collections.abc import Callable

from medtrio.labs.normalize import Result

Rel = tuple[str, tuple[str, ...], Callable[[dict[str, float]], tuple[float, float, float]]]


def _rel(
    target: str, inputs: tuple[str, ...], f: Callable[..., float], tol_abs: float, tol_rel: float
) -> Rel:
    def check(v: dict[str, float]) -> tuple[float, float, float]:
        expected = f(*[v[k] for k in inputs])
        return v[target], expected, max(tol_abs, abs(expected) * tol_rel)

    return target, inputs, check


RELATIONS: list[Rel] = [
    _rel("mchc", ("hgb", "hct"), lambda hb, hct: hb / hct * 100, 0.3, 0.02),
    _rel("mch", ("hgb", "rbc"), lambda hb, rbc: hb / rbc * 10, 0.4, 0.025),
    _rel("mcv", ("hct", "rbc"), lambda hct, rbc: hct / rbc * 10, 1.0, 0.025),
    *[_rel(f"{c}_abs", (f"{c}_pct", "wbc"), lambda p, w: p * w / 100, 0.06, 0.08)
      for c in ("neut", "lymph", "mono", "eos", "baso")],
    _rel("globulin", ("total_protein", "albumin"), lambda tp, alb: tp - alb, 0.15, 0.0),
    _rel("ibil", ("tbil", "dbil"), lambda t, d: t - d, 0.15, 0.0),
    _rel("ldl_calc", ("chol_total", "hdl", "tg"), lambda tc, h, tg: tc - h - tg / 5, 4.0, 0.0),
    _rel("non_hdl", ("chol_total", "hdl"), lambda tc, h: tc - h, 3.0, 0.0),
    _rel("eag", ("hba1c",), lambda a1c: 28.7 * a1c - 46.7, 4.0, 0.0),
]  # fmt: skip
DIFF = ("neut_pct", "lymph_pct", "mono_pct", "eos_pct", "baso_pct")


def check_report(results: list[Result]) -> list[Result]:
    """Return the results with a confirmation reason added wherever a relation does not hold."""
    values: dict[str, float] = {}
    index: dict[str, int] = {}
    for i, r in enumerate(results):
        if (
            r.key
            and r.catalog_value is not None
            and r.key not in index
            and r.value
            and r.value[:1] not in "<>"
        ):
            values[r.key] = r.catalog_value
            index[r.key] = i
    out = list(results)
    broken: list[tuple[tuple[str, ...], str]] = []
    for target, inputs, check in RELATIONS:
        if target in values and all(k in values for k in inputs):
            got, expected, tol = check(values)
            if abs(got - expected) > tol:
                broken.append(
                    ((target, *inputs), f"{target} should be about {expected:.3g} from {', '.join(inputs)}")
                )
    if all(k in values for k in DIFF):
        total = sum(values[k] for k in DIFF)
        if abs(total - 100) > 2.0:
            broken.append((DIFF, f"the differential adds up to {total:.1f}% instead of 100%"))
    if all(k in values for k in ("anion_gap", "sodium", "chloride", "bicarb")):
        ag = values["sodium"] - values["chloride"] - values["bicarb"]
        with_k = ag + values.get("potassium", 0)
        if min(abs(values["anion_gap"] - ag), abs(values["anion_gap"] - with_k)) > 2.0:
            broken.append(
                (("anion_gap", "sodium", "chloride", "bicarb"), f"anion gap should be about {ag:.0f}")
            )
    for keys, why in broken:
        for k in keys:
            out[index[k]] = out[index[k]].confirm(f"inconsistent with related results: {why}")
    return out
