"""Body size calculators: BMI, body surface area, ideal/adjusted/target body weight, maintenance fluids,
free-water deficit. Sources per calculator in data/calculators.yaml."""

from __future__ import annotations

from typing import Any

from medtrio.calculators import fields as F
from medtrio.calculators.core import Input, Trace, calculator

CM_PER_INCH = 2.54


def bmi_value(weight_kg: float, height_cm: float, t: Trace) -> float:
    m = height_cm / 100
    bmi = weight_kg / (m * m)
    t.add(f"BMI = weight / height² = {weight_kg:.4g} kg / ({m:.4g} m)² = {bmi:.4g} kg/m²")
    return bmi


def ideal_body_weight(sex: str, height_cm: float, t: Trace) -> float:
    inches = height_cm / CM_PER_INCH
    base = 50.0 if sex == "male" else 45.5
    ibw = base + 2.3 * (inches - 60)
    t.add(f"IBW (Devine) = {base} kg + 2.3 kg × (height {inches:.4g} in − 60) = {ibw:.5g} kg")
    return ibw


def adjusted_body_weight(sex: str, height_cm: float, weight_kg: float, t: Trace) -> float:
    ibw = ideal_body_weight(sex, height_cm, t)
    abw = ibw + 0.4 * (weight_kg - ibw)
    t.add(
        f"ABW = IBW + 0.4 × (weight − IBW) = {ibw:.5g} + 0.4 × ({weight_kg:.4g} − {ibw:.5g}) = {abw:.5g} kg"
    )
    return abw


@calculator("bmi", "Body mass index (BMI)", "kg/m²", [F.WEIGHT, F.HEIGHT])
def bmi(x: dict[str, Any], t: Trace) -> float:
    return bmi_value(x["weight"], x["height"], t)


@calculator("bsa", "Body surface area (Mosteller)", "m²", [F.WEIGHT, F.HEIGHT])
def bsa(x: dict[str, Any], t: Trace) -> float:
    value = (x["weight"] * x["height"] / 3600) ** 0.5
    t.add(
        f"BSA = √(weight kg × height cm / 3600) = √({x['weight']:.4g} × {x['height']:.4g} / 3600)"
        f" = {value:.5g} m²"
    )
    return value


@calculator("ideal_body_weight", "Ideal body weight (Devine)", "kg", [F.SEX, F.HEIGHT])
def ideal_weight(x: dict[str, Any], t: Trace) -> float:
    return ideal_body_weight(x["sex"], x["height"], t)


@calculator("adjusted_body_weight", "Adjusted body weight", "kg", [F.SEX, F.WEIGHT, F.HEIGHT])
def adjusted_weight(x: dict[str, Any], t: Trace) -> float:
    return adjusted_body_weight(x["sex"], x["height"], x["weight"], t)


@calculator(
    "target_weight",
    "Target weight for a target BMI",
    "kg",
    [Input("target_bmi", "Target BMI", "number", "kg/m²", 10, 60), F.HEIGHT],
)
def target_weight(x: dict[str, Any], t: Trace) -> float:
    m = x["height"] / 100
    value = x["target_bmi"] * m * m
    t.add(f"target weight = target BMI × height² = {x['target_bmi']:.4g} × ({m:.4g} m)² = {value:.5g} kg")
    return value


@calculator("maintenance_fluids", "Maintenance fluids (Holliday-Segar 4-2-1 rule)", "mL/h", [F.WEIGHT])
def maintenance_fluids(x: dict[str, Any], t: Trace) -> float:
    w = x["weight"]
    if w < 10:
        value = 4 * w
        t.add(f"weight < 10 kg: 4 mL/kg/h × {w:.4g} kg = {value:.5g} mL/h")
    elif w <= 20:
        value = 40 + 2 * (w - 10)
        t.add(f"weight 10–20 kg: 40 mL/h + 2 mL/kg/h × ({w:.4g} − 10) kg = {value:.5g} mL/h")
    else:
        value = 60 + (w - 20)
        t.add(f"weight > 20 kg: 60 mL/h + 1 mL/kg/h × ({w:.4g} − 20) kg = {value:.5g} mL/h")
    return value


def total_body_water_fraction(sex: str, age: float, t: Trace) -> float:
    if age < 18:
        frac, who = 0.6, "child"
    elif sex == "male":
        frac, who = (0.5, "elderly man (≥65)") if age >= 65 else (0.6, "adult man")
    else:
        frac, who = (0.45, "elderly woman (≥65)") if age >= 65 else (0.5, "adult woman")
    t.add(f"total body water fraction for a {who}: {frac}")
    return frac


@calculator("free_water_deficit", "Free water deficit", "L", [F.AGE, F.SEX, F.WEIGHT, F.SODIUM])
def free_water_deficit(x: dict[str, Any], t: Trace) -> float:
    frac = total_body_water_fraction(x["sex"], x["age"], t)
    value = frac * x["weight"] * (x["sodium"] / 140 - 1)
    t.add(
        f"FWD = TBW fraction × weight × (Na/140 − 1) = {frac} × {x['weight']:.4g}"
        f" × ({x['sodium']:.4g}/140 − 1)"
        f" = {value:.5g} L"
    )
    return value
