"""Units: printed unit strings -> UCUM, and conversion into an analyte's catalog unit.

Conversion order: identical unit; the analyte's own `conv` factor (catalog, cited); mass<->molar through
the analyte's molar mass (`mw`); otherwise a UCUM conversion through `ucumvert` (pint with the UCUM
grammar), loaded lazily because it takes about a second. A unit that cannot be converted is never
guessed: the caller marks the value for confirmation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from medtrio.labs.catalog import Analyte

# Printed spellings -> UCUM. Keys are compared after `_clean` (NFKC, lower case, no spaces).
_ALIASES = {
    "k/ul": "10*3/uL",
    "k/mm3": "10*3/uL",
    "x10^3/ul": "10*3/uL",
    "10^3/ul": "10*3/uL",
    "thou/ul": "10*3/uL",
    "10*3/ul": "10*3/uL",
    "10e3/ul": "10*3/uL",
    "/nl": "10*9/L",
    "x10^9/l": "10*9/L",
    "10^9/l": "10*9/L",
    "x109/l": "10*9/L",
    "10*9/l": "10*9/L",
    "109/l": "10*9/L",
    "g/l_cells": "10*9/L",
    "m/ul": "10*6/uL",
    "x10^6/ul": "10*6/uL",
    "10^6/ul": "10*6/uL",
    "10*6/ul": "10*6/uL",
    "mil/ul": "10*6/uL",
    "x10^12/l": "10*12/L",
    "10^12/l": "10*12/L",
    "x1012/l": "10*12/L",
    "10*12/l": "10*12/L",
    "1012/l": "10*12/L",
    "meq/l": "meq/L",
    "mmol/l": "mmol/L",
    "umol/l": "umol/L",
    "µmol/l": "umol/L",
    "μmol/l": "umol/L",
    "nmol/l": "nmol/L",
    "pmol/l": "pmol/L",
    "mg/dl": "mg/dL",
    "g/dl": "g/dL",
    "g/l": "g/L",
    "mg/l": "mg/L",
    "ug/dl": "ug/dL",
    "µg/dl": "ug/dL",
    "mcg/dl": "ug/dL",
    "ng/ml": "ng/mL",
    "ug/l": "ug/L",
    "µg/l": "ug/L",
    "pg/ml": "pg/mL",
    "ng/l": "ng/L",
    "ug/ml": "ug/mL",
    "µg/ml": "ug/mL",
    "mcg/ml": "ug/mL",
    "ng/dl": "ng/dL",
    "ng/dL": "ng/dL",
    "ng/mlfeu": "ng/mL",
    "mg/lfeu": "mg/L",
    "ug/mlfeu": "ug/mL",
    "fl": "fL",
    "pg": "pg",
    "%": "%",
    "l/l": "L/L",
    "ratio": "{ratio}",
    "s": "s",
    "sec": "s",
    "秒": "s",
    "u/l": "U/L",
    "iu/l": "U/L",
    "ui/l": "U/L",
    "mu/ml": "U/L",
    "miu/l": "m[IU]/L",
    "uiu/ml": "u[IU]/mL",
    "µiu/ml": "u[IU]/mL",
    "μiu/ml": "u[IU]/mL",
    "mu/l": "m[IU]/L",
    "miu/ml": "m[IU]/mL",
    "mlu/ml": "m[IU]/mL",  # OCR reads the I of mIU as l
    "mlu/l": "m[IU]/L",
    "ulu/ml": "u[IU]/mL",
    "iu/ml": "[IU]/mL",
    "u/ml": "[U]/mL",
    "ku/l": "[U]/mL",
    "mm/h": "mm/h",
    "mm/hr": "mm/h",
    "mmhg": "mm[Hg]",
    "kpa": "kPa",
    "mosm/kg": "mosm/kg",
    "mosm/kgh2o": "mosm/kg",
    "mg/g": "mg/g",
    "mg/gcr": "mg/g",
    "mg/mmol": "mg/mmol",
    "mg/mg": "mg/mg",
    "mg/mgcr": "mg/mg",
    "ml/min/1.73m2": "mL/min/{1.73_m2}",
    "ml/min/1.73m²": "mL/min/{1.73_m2}",
    "ml/min": "mL/min",
    "/hpf": "/[HPF]",
    "#/hpf": "/[HPF]",
    "/lpf": "/[LPF]",
    "#/lpf": "/[LPF]",
    "个/hp": "/[HPF]",
    "/hp": "/[HPF]",
    "/lp": "/[LPF]",
    "units": "units",
    "ph": "[pH]",
    "inr": "{INR}",
    "mg/24h": "mg/(24.h)",
}


DIMENSIONLESS = frozenset({"1", "[pH]", "{INR}", "{ratio}"})


def _clean(unit: str) -> str:
    s = unicodedata.normalize("NFKC", unit).strip().lower().replace(" ", "")
    return s.replace("×", "x").replace("⁹", "9").replace("¹²", "12").replace("μ", "u").replace("µ", "u")


def to_ucum(unit: str | None) -> str | None:
    """The UCUM code of a printed unit ("K/uL" -> "10*3/uL"); unknown units are returned stripped."""
    if unit is None or not unit.strip():
        return None
    c = _clean(unit)
    if c in _ALIASES:
        return _ALIASES[c]
    c2 = re.sub(r"^x", "", c)
    return _ALIASES.get(c2, unit.strip())


def same_unit(a: str | None, b: str | None) -> bool:
    return (to_ucum(a) or "").lower() == (to_ucum(b) or "").lower()


@lru_cache(maxsize=1)
def _registry():  # type: ignore[no-untyped-def]
    from ucumvert import PintUcumRegistry

    return PintUcumRegistry()


_PREFIX = {"": 1.0, "k": 1e3, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15}
_SIMPLE = re.compile(r"([kdcmunpf]?)(g|mol)/([kdcmunpf]?)L")


def _kind(unit: str) -> str:
    m = _SIMPLE.fullmatch(unit)
    return ("substance" if m.group(2) == "mol" else "mass") if m else "other"


def _simple_factor(src: str, dst: str, mw: float | None) -> float | None:
    """Mass or substance per volume (mg/dL, umol/L, g/L ...) without loading the UCUM grammar: the
    common case, kept exact and fast. Anything else goes to `ucumvert`."""
    a, b = _SIMPLE.fullmatch(src), _SIMPLE.fullmatch(dst)
    if not a or not b:
        return None
    f = _PREFIX[a.group(1)] / _PREFIX[b.group(1)] * _PREFIX[b.group(3)] / _PREFIX[a.group(3)]
    if a.group(2) == b.group(2):
        return f
    if mw is None:
        return None
    return f * mw if a.group(2) == "mol" else f / mw


@lru_cache(maxsize=512)
def _ucum_factor(src: str, dst: str, mw: float | None) -> float | None:
    """Factor turning a value in `src` into `dst` via UCUM, using the molar mass when needed."""
    try:
        ureg = _registry()
        q_src = ureg.from_ucum(src)
        q_dst = ureg.from_ucum(dst)
    except Exception:  # noqa: BLE001 - an unparsable unit is "not convertible", never a crash
        return None
    try:
        return float((1 * q_src).to(q_dst).magnitude)
    except Exception:  # noqa: BLE001 - dimensionality differs: try mass<->molar below
        pass
    if mw is None:
        return None
    molar = ureg.from_ucum("g/mol") * mw
    for attempt in (q_src * molar, q_src / molar):  # molar -> mass, then mass -> molar
        try:
            return float((1 * attempt).to(q_dst).magnitude)
        except Exception:  # noqa: BLE001
            continue
    return None


def conversion_factor(analyte: Analyte, unit: str | None) -> tuple[float | None, str]:
    """(factor to the catalog unit, how it was found). A None factor means: do not convert."""
    target = analyte.unit
    if target is None:
        return (1.0, "qualitative") if unit is None else (None, "qualitative test has no unit")
    if unit is None or not unit.strip():
        if target in DIMENSIONLESS:
            return 1.0, "dimensionless"
        return None, "no unit printed"
    u = to_ucum(unit) or ""
    if u.lower() == target.lower():
        return 1.0, "same unit"
    if any(k.lower() == u.lower() for k in analyte.affine):
        # no single factor: UCUM would turn IFCC mmol/mol into % by x 0.1, silently wrong (use `converter`)
        return None, f"'{unit}' needs the affine conversion of {analyte.en}"
    for k, f in analyte.conv.items():
        if k.lower() == u.lower():
            return f, f"catalog factor {f:g}"
    f, how = _simple_factor(u, target, analyte.mw), "SI prefix conversion"
    if f is None:
        f, how = _ucum_factor(u, target, analyte.mw), "UCUM conversion (ucumvert)"
    if f is not None:
        molar = {_kind(u), _kind(target)} == {"mass", "substance"}
        via = f" using molar mass {analyte.mw:g} g/mol (iupac_mw)" if molar and analyte.mw else ""
        return f, f"{how}{via}"
    return None, f"unit '{unit}' cannot be converted to {target}"


def converter(analyte: Analyte, unit: str | None) -> tuple[Callable[[float], float] | None, str]:
    """(function turning a value in `unit` into the catalog unit, how it was found); None: do not convert.

    Besides the factors of `conversion_factor`, an entry's `affine` units (value x slope + intercept, e.g.
    HbA1c in IFCC mmol/mol to NGSP %) are handled here."""
    u = (to_ucum(unit) or "").lower() if unit else ""
    for k, (slope, intercept) in analyte.affine.items():
        if u and k.lower() == u:
            return (lambda x, m=slope, c=intercept: x * m + c), f"{slope:g} x {unit} + {intercept:g} (affine)"
    f, how = conversion_factor(analyte, unit)
    return (None if f is None else (lambda x: x * f)), how
