"""Kidney function: Cockcroft-Gault creatinine clearance, CKD-EPI 2021, MDRD, FENa, KDIGO AKI staging."""

from __future__ import annotations

from typing import Any

from medtrio.calculators import fields as F
from medtrio.calculators.body import adjusted_body_weight, bmi_value, ideal_body_weight
from medtrio.calculators.core import Input, Trace, calculator


@calculator(
    "cockcroft_gault",
    "Creatinine clearance (Cockcroft-Gault)",
    "mL/min",
    [F.ADULT_AGE, F.SEX, F.WEIGHT, F.HEIGHT, F.CREATININE],
)
def cockcroft_gault(x: dict[str, Any], t: Trace) -> float:
    bmi = bmi_value(x["weight"], x["height"], t)
    if bmi < 18.5:
        weight = x["weight"]
        t.add("BMI < 18.5 (underweight): use actual body weight")
    elif bmi < 25:
        ibw = ideal_body_weight(x["sex"], x["height"], t)
        weight = min(ibw, x["weight"])
        t.add(f"BMI 18.5–24.9 (normal): use the lower of IBW and actual weight = {weight:.5g} kg")
    else:
        t.add("BMI ≥ 25 (overweight/obese): use adjusted body weight")
        weight = adjusted_body_weight(x["sex"], x["height"], x["weight"], t)
    k = 0.85 if x["sex"] == "female" else 1.0
    value = (140 - x["age"]) * weight * k / (72 * x["creatinine"])
    t.add(
        f"CrCl = (140 − age) × weight × {k} / (72 × Scr) = (140 − {x['age']:.4g}) × {weight:.5g} × {k}"
        f" / (72 × {x['creatinine']:.4g}) = {value:.5g} mL/min"
    )
    return value


@calculator(
    "ckd_epi_2021",
    "eGFR, CKD-EPI 2021 creatinine equation (race-free)",
    "mL/min/1.73m²",
    [F.ADULT_AGE, F.SEX, F.CREATININE],
)
def ckd_epi_2021(x: dict[str, Any], t: Trace) -> float:
    female = x["sex"] == "female"
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    scr = x["creatinine"]
    ratio = scr / kappa
    value = (
        142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.200 * 0.9938 ** x["age"] * (1.012 if female else 1)
    )
    t.add(f"κ = {kappa}, α = {alpha} ({x['sex']}); Scr/κ = {scr:.4g}/{kappa} = {ratio:.5g}")
    t.add(
        f"eGFR = 142 × min(Scr/κ,1)^{alpha} × max(Scr/κ,1)^−1.200 × 0.9938^{x['age']:.4g}"
        f"{' × 1.012' if female else ''} = {value:.5g} mL/min/1.73m²"
    )
    return value


@calculator(
    "mdrd",
    "eGFR, MDRD study equation (IDMS-traceable, 175)",
    "mL/min/1.73m²",
    [F.ADULT_AGE, F.SEX, F.CREATININE, F.flag("black", "Black race (as used by the original equation)")],
)
def mdrd(x: dict[str, Any], t: Trace) -> float:
    sex_k = 0.742 if x["sex"] == "female" else 1.0
    race_k = 1.212 if x["black"] else 1.0
    value = 175 * x["creatinine"] ** -1.154 * x["age"] ** -0.203 * sex_k * race_k
    t.add(
        f"eGFR = 175 × Scr^−1.154 × age^−0.203 × {sex_k} (sex) × {race_k} (race) = 175 × "
        f"{x['creatinine']:.4g}^−1.154 × {x['age']:.4g}^−0.203 × {sex_k} × {race_k} = {value:.5g}"
    )
    return value


@calculator(
    "fena",
    "Fractional excretion of sodium (FENa)",
    "%",
    [
        F.SODIUM,
        F.CREATININE,
        Input("urine_sodium", "Urine sodium", "conc:sodium", "mmol/L", 1, 400),
        Input("urine_creatinine", "Urine creatinine", "conc:creatinine", "mg/dL", 1, 1000),
    ],
)
def fena(x: dict[str, Any], t: Trace) -> float:
    value = 100 * x["urine_sodium"] * x["creatinine"] / (x["sodium"] * x["urine_creatinine"])
    t.add(
        f"FENa = 100 × (UNa × SCr) / (SNa × UCr) = 100 × ({x['urine_sodium']:.4g} × {x['creatinine']:.4g}) / "
        f"({x['sodium']:.4g} × {x['urine_creatinine']:.4g}) = {value:.5g} %"
    )
    return value


@calculator(
    "kdigo_aki_stage",
    "KDIGO acute kidney injury stage",
    "stage",
    [
        F.CREATININE,
        Input("baseline_creatinine", "Baseline serum creatinine", "conc:creatinine", "mg/dL", 0.05, 40),
        Input(
            "urine_output_rate",
            "Lowest urine output rate over the window",
            "number",
            "mL/kg/h",
            0,
            20,
            default=-1.0,
        ),
        Input(
            "urine_output_hours",
            "Hours the urine output stayed at that rate",
            "number",
            "h",
            0,
            96,
            default=0.0,
        ),
        F.flag("rrt", "Renal replacement therapy started"),
    ],
    output="integer",
)
def kdigo_aki_stage(x: dict[str, Any], t: Trace) -> int:
    scr, base = x["creatinine"], x["baseline_creatinine"]
    ratio, rise = scr / base, scr - base
    t.add(f"creatinine {scr:.3g} vs baseline {base:.3g} mg/dL: ratio {ratio:.3g}, rise {rise:.3g} mg/dL")
    if x["rrt"] or ratio >= 3 or scr >= 4.0 and rise > 0:
        stage = 3
    elif ratio >= 2:
        stage = 2
    elif ratio >= 1.5 or rise >= 0.3:
        stage = 1
    else:
        stage = 0
    t.add(f"creatinine criterion: stage {stage}")
    rate, hours = x["urine_output_rate"], x["urine_output_hours"]
    if rate >= 0:
        uo = 0
        if (rate < 0.3 and hours >= 24) or (rate == 0 and hours >= 12):
            uo = 3
        elif rate < 0.5 and hours >= 12:
            uo = 2
        elif rate < 0.5 and hours >= 6:
            uo = 1
        t.add(f"urine output {rate:.3g} mL/kg/h for {hours:.3g} h: stage {uo}")
        stage = max(stage, uo)
    t.add(f"KDIGO stage = highest of the criteria = {stage}")
    return stage
