"""Blood chemistry: anion gap family (delta gap/ratio, albumin-corrected), corrected calcium and sodium,
serum osmolality, Friedewald LDL, HOMA-IR."""

from __future__ import annotations

from typing import Any

from medtrio.calculators import fields as F
from medtrio.calculators.core import Input, Trace, calculator

NORMAL_ANION_GAP = 12.0
NORMAL_BICARBONATE = 24.0
NORMAL_ALBUMIN = 4.0
GAP_INPUTS = [F.SODIUM, F.CHLORIDE, F.BICARBONATE]


def anion_gap_value(x: dict[str, Any], t: Trace) -> float:
    ag = x["sodium"] - (x["chloride"] + x["bicarbonate"])
    t.add(
        f"anion gap = Na − (Cl + HCO₃) = {x['sodium']:.4g} − ({x['chloride']:.4g} + {x['bicarbonate']:.4g})"
        f" = {ag:.5g} mmol/L"
    )
    return ag


def albumin_corrected_gap(x: dict[str, Any], t: Trace) -> float:
    ag = anion_gap_value(x, t)
    value = ag + 2.5 * (NORMAL_ALBUMIN - x["albumin"])
    t.add(
        f"albumin-corrected AG = AG + 2.5 × (4 − albumin g/dL) = {ag:.5g} + 2.5 × (4 − {x['albumin']:.4g})"
        f" = {value:.5g} mmol/L"
    )
    return value


def _ratio(gap: float, x: dict[str, Any], t: Trace, label: str) -> float:
    denom = NORMAL_BICARBONATE - x["bicarbonate"]
    if denom == 0:
        from medtrio.errors import InvalidInput

        raise InvalidInput("bicarbonate: a bicarbonate of exactly 24 mmol/L leaves the delta ratio undefined")
    value = gap / denom
    t.add(f"{label} = delta gap / (24 − HCO₃) = {gap:.5g} / (24 − {x['bicarbonate']:.4g}) = {value:.5g}")
    return value


@calculator("anion_gap", "Anion gap", "mmol/L", GAP_INPUTS)
def anion_gap(x: dict[str, Any], t: Trace) -> float:
    return anion_gap_value(x, t)


@calculator("delta_gap", "Delta gap", "mmol/L", GAP_INPUTS)
def delta_gap(x: dict[str, Any], t: Trace) -> float:
    value = anion_gap_value(x, t) - NORMAL_ANION_GAP
    t.add(f"delta gap = AG − 12 = {value:.5g} mmol/L")
    return value


@calculator("delta_ratio", "Delta ratio", "", GAP_INPUTS)
def delta_ratio(x: dict[str, Any], t: Trace) -> float:
    gap = anion_gap_value(x, t) - NORMAL_ANION_GAP
    t.add(f"delta gap = AG − 12 = {gap:.5g} mmol/L")
    return _ratio(gap, x, t, "delta ratio")


@calculator("albumin_corrected_anion_gap", "Albumin-corrected anion gap", "mmol/L", [*GAP_INPUTS, F.ALBUMIN])
def albumin_corrected_anion_gap(x: dict[str, Any], t: Trace) -> float:
    return albumin_corrected_gap(x, t)


@calculator("albumin_corrected_delta_gap", "Albumin-corrected delta gap", "mmol/L", [*GAP_INPUTS, F.ALBUMIN])
def albumin_corrected_delta_gap(x: dict[str, Any], t: Trace) -> float:
    value = albumin_corrected_gap(x, t) - NORMAL_ANION_GAP
    t.add(f"albumin-corrected delta gap = corrected AG − 12 = {value:.5g} mmol/L")
    return value


@calculator("albumin_corrected_delta_ratio", "Albumin-corrected delta ratio", "", [*GAP_INPUTS, F.ALBUMIN])
def albumin_corrected_delta_ratio(x: dict[str, Any], t: Trace) -> float:
    gap = albumin_corrected_gap(x, t) - NORMAL_ANION_GAP
    t.add(f"albumin-corrected delta gap = corrected AG − 12 = {gap:.5g} mmol/L")
    return _ratio(gap, x, t, "albumin-corrected delta ratio")


@calculator(
    "calcium_correction", "Calcium corrected for hypoalbuminemia (Payne)", "mg/dL", [F.CALCIUM, F.ALBUMIN]
)
def calcium_correction(x: dict[str, Any], t: Trace) -> float:
    value = x["calcium"] + 0.8 * (NORMAL_ALBUMIN - x["albumin"])
    t.add(
        f"corrected Ca = Ca + 0.8 × (4 − albumin) = {x['calcium']:.4g} + 0.8 × (4 − {x['albumin']:.4g})"
        f" = {value:.5g} mg/dL"
    )
    return value


@calculator(
    "sodium_correction", "Sodium corrected for hyperglycemia (Hillier)", "mmol/L", [F.SODIUM, F.GLUCOSE]
)
def sodium_correction(x: dict[str, Any], t: Trace) -> float:
    value = x["sodium"] + 0.024 * (x["glucose"] - 100)
    t.add(
        f"corrected Na = Na + 0.024 × (glucose − 100) = {x['sodium']:.4g}"
        f" + 0.024 × ({x['glucose']:.4g} − 100)"
        f" = {value:.5g} mmol/L"
    )
    return value


@calculator("serum_osmolality", "Calculated serum osmolality", "mOsm/kg", [F.SODIUM, F.BUN, F.GLUCOSE])
def serum_osmolality(x: dict[str, Any], t: Trace) -> float:
    value = 2 * x["sodium"] + x["bun"] / 2.8 + x["glucose"] / 18
    t.add(
        f"osmolality = 2 × Na + BUN/2.8 + glucose/18 = 2 × {x['sodium']:.4g} + {x['bun']:.4g}/2.8 + "
        f"{x['glucose']:.4g}/18 = {value:.5g} mOsm/kg"
    )
    return value


@calculator("ldl_friedewald", "LDL cholesterol (Friedewald)", "mg/dL", [F.TOTAL_CHOL, F.HDL, F.TRIGLYCERIDES])
def ldl_friedewald(x: dict[str, Any], t: Trace) -> float:
    if x["triglycerides"] >= 400:
        t.add("triglycerides ≥ 400 mg/dL: the Friedewald estimate is unreliable; measure LDL directly")
    value = x["total_cholesterol"] - x["hdl"] - x["triglycerides"] / 5
    t.add(
        f"LDL = TC − HDL − TG/5 = {x['total_cholesterol']:.4g} − {x['hdl']:.4g} − {x['triglycerides']:.4g}/5"
        f" = {value:.5g} mg/dL"
    )
    return value


@calculator(
    "homa_ir", "HOMA-IR", "", [F.GLUCOSE, Input("insulin", "Fasting insulin", "insulin", "µIU/mL", 0.1, 1000)]
)
def homa_ir(x: dict[str, Any], t: Trace) -> float:
    value = x["insulin"] * x["glucose"] / 405
    t.add(
        f"HOMA-IR = insulin µIU/mL × glucose mg/dL / 405 = {x['insulin']:.4g} × {x['glucose']:.4g} / 405"
        f" = {value:.5g}"
    )
    return value
