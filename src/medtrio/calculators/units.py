"""Unit normalisation for calculator inputs.

Every dimensional input arrives as (value, unit) and is converted to the one unit its formula is written
in. Concentrations convert through molar mass and valence (mmol <-> mg, mmol <-> mEq); cell counts through
powers of ten; temperature, length, mass, pressure and time through their fixed factors. A unit we do not
recognise is an error naming the input, never a guess.

Molar masses are the usual clinical chemistry values (the factors printed on SI conversion tables, e.g.
creatinine 88.4 umol/L per mg/dL = 10 / 113.12 g/mol; AMA Manual of Style SI conversion table).
"""

from __future__ import annotations

import re

from medtrio.errors import InvalidInput

# analyte -> (molar mass g/mol, valence). BUN is expressed as urea *nitrogen* (2 N = 28.02 g/mol per urea).
ANALYTES: dict[str, tuple[float, int]] = {
    "creatinine": (113.12, 1),
    "glucose": (180.16, 1),
    "bun": (28.02, 1),
    "bilirubin": (584.66, 1),
    "calcium": (40.08, 2),
    "sodium": (22.99, 1),
    "potassium": (39.10, 1),
    "chloride": (35.45, 1),
    "bicarbonate": (61.02, 1),
    "cholesterol": (386.65, 1),
    "triglycerides": (885.7, 1),
    "albumin": (66_500.0, 1),
    "hemoglobin": (16_114.5, 1),  # per haem monomer, the convention behind g/dL <-> mmol/L (x 0.6206)
}

_MASS = {"kg": 1e3, "g": 1.0, "mg": 1e-3, "µg": 1e-6, "ug": 1e-6, "mcg": 1e-6, "ng": 1e-9, "pg": 1e-12}
_MOLE = {"mol": 1.0, "mmol": 1e-3, "µmol": 1e-6, "umol": 1e-6, "nmol": 1e-9, "pmol": 1e-12}
_EQ = {"eq": 1.0, "meq": 1e-3}
_VOLUME = {"l": 1.0, "dl": 0.1, "ml": 1e-3, "µl": 1e-6, "ul": 1e-6, "mm^3": 1e-6, "mm3": 1e-6, "cl": 0.01}


def _clean(unit: str) -> str:
    u = unit.strip().replace("μ", "µ").replace("³", "^3").replace(" ", "")
    return u


def concentration(value: float, unit: str, target: str, analyte: str, name: str) -> float:
    """Convert a concentration (`mg/dL`, `µmol/L`, `mEq/L`, `g/L`...) of `analyte` into `target` units."""
    src = _parse_conc(unit, name)
    dst = _parse_conc(target, name)
    grams_per_mol, valence = ANALYTES.get(analyte, (None, 1))
    amount = value * src[1] / src[2]  # in src kind per litre
    if src[0] != dst[0]:
        moles = _to_moles(amount, src[0], grams_per_mol, valence, name, unit)
        amount = _from_moles(moles, dst[0], grams_per_mol, valence, name, target)
    return amount * dst[2] / dst[1]


def _parse_conc(unit: str, name: str) -> tuple[str, float, float]:
    u = _clean(unit).lower()
    if "/" not in u:
        raise InvalidInput(f"{name}: '{unit}' is not a concentration unit (expected e.g. mg/dL or mmol/L)")
    num, den = u.split("/", 1)
    den_factor = _VOLUME.get(den)
    if den_factor is None:
        raise InvalidInput(f"{name}: unknown volume unit in '{unit}'")
    for kind, table in (("mass", _MASS), ("mol", _MOLE), ("eq", _EQ)):
        if num in table:
            return kind, table[num], den_factor
    raise InvalidInput(f"{name}: unknown amount unit in '{unit}'")


def _to_moles(amount: float, kind: str, mm: float | None, valence: int, name: str, unit: str) -> float:
    if kind == "mol":
        return amount
    if kind == "eq":
        return amount / valence
    if mm is None:
        raise InvalidInput(f"{name}: cannot convert '{unit}' without a molar mass")
    return amount / mm


def _from_moles(moles: float, kind: str, mm: float | None, valence: int, name: str, unit: str) -> float:
    if kind == "mol":
        return moles
    if kind == "eq":
        return moles * valence
    if mm is None:
        raise InvalidInput(f"{name}: cannot convert to '{unit}' without a molar mass")
    return moles * mm


def _simple(value: float, unit: str, table: dict[str, float], name: str, what: str) -> float:
    u = _clean(unit).lower()
    if u not in table:
        raise InvalidInput(f"{name}: unknown {what} unit '{unit}' (known: {', '.join(sorted(table))})")
    return value * table[u]


_KG = {
    "kg": 1.0,
    "g": 1e-3,
    "lb": 0.453592,
    "lbs": 0.453592,
    "pound": 0.453592,
    "pounds": 0.453592,
    "oz": 0.0283495,
}
_CM = {"cm": 1.0, "m": 100.0, "mm": 0.1, "in": 2.54, "inch": 2.54, "inches": 2.54, "ft": 30.48, "feet": 30.48}
_MMHG = {"mmhg": 1.0, "mm[hg]": 1.0, "mm_hg": 1.0, "kpa": 7.50062, "cmh2o": 0.735559}
_MS = {"ms": 1.0, "msec": 1.0, "millisecond": 1.0, "milliseconds": 1.0, "s": 1000.0, "sec": 1000.0}
_YEARS = {
    "years": 1.0,
    "year": 1.0,
    "y": 1.0,
    "yr": 1.0,
    "yrs": 1.0,
    "months": 1 / 12,
    "month": 1 / 12,
    "weeks": 7 / 365.25,
    "week": 7 / 365.25,
    "days": 1 / 365.25,
    "day": 1 / 365.25,
}
_PER_MIN = {
    "beatsperminute": 1.0,
    "bpm": 1.0,
    "/min": 1.0,
    "perminute": 1.0,
    "breathsperminute": 1.0,
    "breaths/min": 1.0,
    "beats/min": 1.0,
    "min-1": 1.0,
    "1/min": 1.0,
}
# cell counts: canonical 10^9/L; "µL" in MedCalc-Bench means "count per µL"
_PER_L_1E9 = {
    "10^9/l": 1.0,
    "10*9/l": 1.0,
    "x10^9/l": 1.0,
    "g/l": 1.0,
    "10^3/µl": 1.0,
    "10^3/ul": 1.0,
    "k/µl": 1.0,
    "k/ul": 1.0,
    "10^3/mm^3": 1.0,
    "µl": 1e-3,
    "ul": 1e-3,
    "/µl": 1e-3,
    "/ul": 1e-3,
    "cells/µl": 1e-3,
    "/mm^3": 1e-3,
    "mm^3": 1e-3,
    "m^3": 1e-3,
    "count/µl": 1e-3,
    "/l": 1e-9,
}


def weight_kg(value: float, unit: str, name: str) -> float:
    return _simple(value, unit, _KG, name, "mass")


def length_cm(value: float, unit: str, name: str) -> float:
    return _simple(value, unit, _CM, name, "length")


def pressure_mmhg(value: float, unit: str, name: str) -> float:
    return _simple(value, unit, _MMHG, name, "pressure")


def time_ms(value: float, unit: str, name: str) -> float:
    return _simple(value, unit, _MS, name, "time")


def age_years(value: float, unit: str, name: str) -> float:
    return _simple(value, unit, _YEARS, name, "age")


def rate_per_min(value: float, unit: str, name: str) -> float:
    return _simple(value, unit, _PER_MIN, name, "rate")


def count_1e9_per_l(value: float, unit: str, name: str) -> float:
    return _simple(value, unit, _PER_L_1E9, name, "cell count")


def temperature_c(value: float, unit: str, name: str) -> float:
    u = _clean(unit).lower()
    if u in {"c", "°c", "degc", "cel", "[degc]"} or "cels" in u:
        return value
    if u in {"f", "°f", "degf", "[degf]"} or "fahr" in u:
        return (value - 32.0) * 5.0 / 9.0
    raise InvalidInput(f"{name}: unknown temperature unit '{unit}' (use °C or °F)")


def percent(value: float, unit: str, name: str) -> float:
    u = _clean(unit).lower()
    if u in {"%", "percent", "pct"}:
        return value
    if u in {"fraction", "1", "ratio"}:
        return value * 100.0
    raise InvalidInput(f"{name}: unknown unit '{unit}' for a percentage (use %)")


def dose_mg(value: float, unit: str, name: str) -> float:
    return _simple(value, unit, {"mg": 1.0, "g": 1000.0, "µg": 1e-3, "ug": 1e-3, "mcg": 1e-3}, name, "dose")


def dose_ug(value: float, unit: str, name: str) -> float:
    return _simple(value, unit, {"µg": 1.0, "ug": 1.0, "mcg": 1.0, "mg": 1000.0}, name, "dose")


def infusion_mcg_kg_min(value: float, unit: str, name: str) -> float:
    u = re.sub(r"\s", "", unit.lower().replace("μ", "µ"))
    if u in {"mcg/kg/min", "µg/kg/min", "ug/kg/min", "mc/kg/min"}:
        return value
    raise InvalidInput(f"{name}: unknown infusion rate unit '{unit}' (use mcg/kg/min)")


def insulin_uiu_ml(value: float, unit: str, name: str) -> float:
    # 1 µIU/mL = 6 pmol/L (the conversion used by most insulin assays)
    table = {"µiu/ml": 1.0, "uiu/ml": 1.0, "miu/l": 1.0, "µu/ml": 1.0, "uu/ml": 1.0, "pmol/l": 1 / 6}
    return _simple(value, unit, table, name, "insulin")
