"""Calculator inputs from a free-text English clinical note, without an LLM.

Rule-based: regular expressions find demographics, vitals and laboratory values with their units (the first
mention, usually the presentation value); history items are matched against concept patterns
(`data/note_concepts.yaml`) with a NegEx-style negation check inside the sentence. Every extracted value keeps
the text span it came from, and a value whose unit had to be inferred from its magnitude is flagged
`inferred_unit` so that a user interface can ask for confirmation before it is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

NUM = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)"


@dataclass(frozen=True)
class Found:
    value: Any
    span: str
    inferred_unit: bool = False


@dataclass
class Extraction:
    """What was found in one note: input name -> Found."""

    values: dict[str, Found] = field(default_factory=dict)

    def put(self, name: str, found: Found | None) -> None:
        if found is not None and name not in self.values:
            self.values[name] = found

    def get(self, name: str) -> Any:
        found = self.values.get(name)
        return None if found is None else found.value


def _num(text: str) -> float:
    return float(text.replace(",", ""))


# ---------------------------------------------------------------- demographics and body size


def _age(note: str) -> Found | None:
    patterns = [
        (r"(\d+(?:\.\d+)?)[- ](?:year|yr)s?[- ]old", "years"),
        (r"(\d+(?:\.\d+)?)[- ]months?[- ]old", "months"),
        (r"(\d+(?:\.\d+)?)[- ](?:week|wk)s?[- ]old", "weeks"),
        (r"(\d+(?:\.\d+)?)[- ]days?[- ]old", "days"),
        (r"\baged? (?:of )?(\d+(?:\.\d+)?)", "years"),
        (r"(\d+(?:\.\d+)?) ?(?:yo|y/o|y\.o\.)\b", "years"),
        (r"(\d+(?:\.\d+)?)[- ]year[- ]old", "years"),
    ]
    best = None
    for pat, unit in patterns:
        m = re.search(pat, note, re.I)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), Found([_num(m.group(1)), unit], m.group(0)))
    return best[1] if best else None


_FEMALE = r"\b(?:woman|female|girl|lady|she|her|mrs|ms|pregnan\w*|gravida)\b"
_MALE = r"\b(?:man|male|boy|gentleman|he|his|him|mr)\b"


def _sex(note: str) -> Found | None:
    f, m = len(re.findall(_FEMALE, note, re.I)), len(re.findall(_MALE, note, re.I))
    if f == m == 0:
        return None
    return Found("female" if f > m else "male", f"{f} female vs {m} male words")


def _weight(note: str) -> Found | None:
    m = re.search(NUM + r"\s*(kg|kilograms?|lbs?|pounds?|g)\b(?!/)", note, re.I)
    ctx = re.search(r"weigh\w*[^.\d]{0,30}?" + NUM + r"\s*(kg|kilograms?|lbs?|pounds?|g)\b(?!/)", note, re.I)
    m = ctx or m
    if not m:
        return None
    unit = m.group(2).lower()
    unit = {"kilogram": "kg", "kilograms": "kg", "pound": "lb", "pounds": "lb", "lbs": "lb"}.get(unit, unit)
    if unit == "g" and _num(m.group(1)) < 300:
        return None
    return Found([_num(m.group(1)), unit], m.group(0))


def _height(note: str) -> Found | None:
    ft = re.search(r"(\d)\s*(?:feet|foot|ft|')\s*(\d{1,2}(?:\.\d+)?)\s*(?:inches|inch|in|\"|'')", note, re.I)
    if ft:
        return Found([int(ft.group(1)) * 12 + float(ft.group(2)), "in"], ft.group(0))
    for pat in (
        r"(?:height|tall|length)[^.\d]{0,30}?" + NUM + r"\s*(cm|m|in|inches|centimeters|meters)\b",
        NUM + r"\s*(cm|centimeters)\b[^.]{0,20}(?:tall|height|in height)",
        NUM + r"\s*(m|cm)\b[^.]{0,25}?\b(?:tall|in height)",
    ):
        m = re.search(pat, note, re.I)
        if m:
            unit = {"inches": "in", "centimeters": "cm", "meters": "m"}.get(
                m.group(2).lower(), m.group(2).lower()
            )
            return Found([_num(m.group(1)), unit], m.group(0))
    m = re.search(NUM + r"\s*cm\b", note)
    if m and 100 <= _num(m.group(1)) <= 220:
        return Found([_num(m.group(1)), "cm"], m.group(0), inferred_unit=False)
    return None


def _bmi(note: str) -> Found | None:
    m = re.search(r"(?:BMI|body mass index)[^.\d]{0,30}?" + NUM, note, re.I)
    return Found(_num(m.group(1)), m.group(0)) if m else None


# ---------------------------------------------------------------- vital signs


def _bp(note: str) -> tuple[Found, Found] | None:
    m = re.search(r"(\d{2,3})\s*/\s*(\d{2,3})\s*(?:mm\s*hg|mmhg)", note, re.I)
    if not m:
        m = re.search(r"(?:blood pressure|BP)[^.\d]{0,25}?(\d{2,3})\s*/\s*(\d{2,3})", note, re.I)
    if not m:
        return None
    return Found([float(m.group(1)), "mmHg"], m.group(0)), Found([float(m.group(2)), "mmHg"], m.group(0))


def _first(note: str, patterns: list[str], unit: str, flags: int = re.I) -> Found | None:
    best = None
    for pat in patterns:
        m = re.search(pat, note, flags)
        if m and (best is None or m.start() < best[1].start()):
            best = (pat, m)
    if not best:
        return None
    m = best[1]
    return Found([_num(m.group(1)), unit], m.group(0))


def _heart_rate(note: str) -> Found | None:
    return _first(
        note,
        [
            r"(?:heart rate|pulse rate|pulse|\bHR\b|\bPR\b)[^.\d]{0,25}?(\d{2,3})",
            r"(\d{2,3})\s*(?:beats per minute|beats/min|bpm|b\.p\.m)",
        ],
        "bpm",
    )


def _resp_rate(note: str) -> Found | None:
    return _first(
        note,
        [
            r"(?:respiratory rate|respiration rate|respirations|\bRR\b)[^.\d]{0,25}?(\d{1,2})",
            r"(\d{1,2})\s*(?:breaths per minute|breaths/min|breaths/minute|/min breaths)",
        ],
        "/min",
    )


def _temperature(note: str) -> Found | None:
    m = re.search(NUM + r"\s*°?\s*(?:degrees?\s*)?(C|F|celsius|fahrenheit)\b", note, re.I)
    if m and 25 <= _num(m.group(1)) <= 110:
        unit = "°F" if m.group(2).lower().startswith("f") else "°C"
        return Found([_num(m.group(1)), unit], m.group(0))
    m = re.search(r"temperature[^.\d]{0,25}?" + NUM, note, re.I)
    if m:
        v = _num(m.group(1))
        return Found([v, "°F" if v > 50 else "°C"], m.group(0), inferred_unit=True)
    return None


def _spo2(note: str) -> Found | None:
    return _first(
        note,
        [
            r"(?:saturation|SpO2|SpO₂|SaO2|O2 sat\w*|pulse oximetry)[^.\d]{0,35}?(\d{2,3})\s*%",
            r"(\d{2,3})\s*%\s*(?:on|in) (?:room air|RA)",
        ],
        "%",
    )


# ---------------------------------------------------------------- laboratory values

_UNIT = (
    r"(mg/d[lL]|mmol/[lL]|[µμu]mol/[lL]|mEq/[lL]|meq/[lL]|g/d[lL]|g/[lL]|mg/[lL]|U/[lL]|IU/[lL]|"
    r"[µμu]IU/m[lL]|mIU/[lL]|pmol/[lL]|ng/m[lL]|%|mm\s?Hg|kPa)?"
)
# analyte -> (name pattern, [(unit-less value range, assumed unit)], allowed value range)
LABS: dict[str, tuple[str, list[tuple[float, float, str]]]] = {
    "sodium": (r"\b(?:sodium|Na\+?)\b", [(100, 200, "mmol/L")]),
    "potassium": (r"\b(?:potassium|K\+?)\b", [(1, 10, "mmol/L")]),
    "chloride": (r"\b(?:chloride|Cl-?)\b", [(60, 150, "mmol/L")]),
    "bicarbonate": (r"\b(?:bicarbonate|bicarb|HCO3-?|HCO₃-?|total CO2|CO2|serum CO2)\b", [(1, 60, "mmol/L")]),
    "bun": (r"\b(?:blood urea nitrogen|urea nitrogen|BUN)\b", [(1, 300, "mg/dL")]),
    "urea": (r"\b(?:serum urea|urea)\b(?! nitrogen)", [(1, 60, "mmol/L")]),
    "creatinine": (
        r"\b(?:serum creatinine|creatinine|Cr|SCr|creat)\b(?! clearance| kinase)",
        [(0.1, 20, "mg/dL"), (20, 3000, "µmol/L")],
    ),
    "glucose": (r"\b(?:glucose|blood sugar|glycemia|BG)\b", [(1, 35, "mmol/L"), (35, 3000, "mg/dL")]),
    "albumin": (r"\b(?:albumin|alb)\b", [(0.5, 7, "g/dL"), (7, 70, "g/L")]),
    "calcium": (r"\b(?:calcium|Ca2?\+?)\b(?! channel)", [(0.5, 4, "mmol/L"), (4, 20, "mg/dL")]),
    "bilirubin": (
        r"\b(?:total bilirubin|bilirubin|T\.? ?bil\w*|TBIL)\b",
        [(0.1, 30, "mg/dL"), (30, 1000, "µmol/L")],
    ),
    "hemoglobin": (r"\b(?:ha?emoglobin|Hb|Hgb)\b(?! ?A1c)", [(2, 25, "g/dL"), (25, 250, "g/L")]),
    "hematocrit": (r"\b(?:hematocrit|haematocrit|Hct)\b", [(5, 80, "%")]),
    "total_cholesterol": (
        r"\b(?:total cholesterol|cholesterol|TC)\b",
        [(1, 20, "mmol/L"), (50, 1000, "mg/dL")],
    ),
    "hdl": (
        r"\b(?:HDL|high[- ]density lipoprotein)(?: cholesterol| ?-C)?\b",
        [(0.2, 5, "mmol/L"), (5, 200, "mg/dL")],
    ),
    "triglycerides": (r"\b(?:triglycerides?|TG)\b", [(0.1, 20, "mmol/L"), (20, 5000, "mg/dL")]),
    "insulin": (r"\binsulin\b(?! glargine| therapy| pump)", [(0.5, 300, "µIU/mL")]),
    "ast": (r"\b(?:AST|aspartate aminotransferase|aspartate transaminase|SGOT)\b", [(1, 20000, "U/L")]),
    "alt": (r"\b(?:ALT|alanine aminotransferase|alanine transaminase|SGPT)\b", [(1, 20000, "U/L")]),
    "pao2": (r"\b(?:PaO2|PaO₂|pO2|partial pressure of oxygen)\b", [(20, 700, "mmHg")]),
    "paco2": (r"\b(?:PaCO2|PaCO₂|pCO2)\b", [(10, 150, "mmHg")]),
    "fio2": (r"\b(?:FiO2|FiO₂|fraction of inspired oxygen)\b", [(0.21, 1.0, "fraction"), (21, 100, "%")]),
    "urine_sodium": (r"\burine (?:sodium|Na)\b", [(1, 300, "mmol/L")]),
    "urine_creatinine": (r"\burine (?:creatinine|Cr)\b", [(1, 1000, "mg/dL")]),
    "qt": (r"\bQTc?(?: interval)?\b", [(200, 800, "ms")]),
}
_PH = r"\bpH\b[^.\d]{0,15}?(\d\.\d+)"
_INR = r"\b(?:INR|international normali[sz]ed ratio)\b[^.\d]{0,20}?" + NUM


def _lab(note: str, name: str) -> Found | None:
    pattern, guesses = LABS[name]
    rx = re.compile(pattern + r"[^\d\n;]{0,30}?" + NUM + r"\s*" + _UNIT, re.I if name not in _CASED else 0)
    for m in rx.finditer(note):
        if name not in ("urine_sodium", "urine_creatinine") and re.search(
            r"urine\W*$", note[max(0, m.start() - 8) : m.start()], re.I
        ):
            continue
        value, unit = _num(m.group(1)), m.group(2)
        if unit:
            unit = unit.replace("μ", "µ").replace(" ", "")
            if name == "fio2" and unit == "%":
                return Found([value, "%"], m.group(0))
            if unit == "%" and name not in ("hematocrit", "fio2"):
                continue
            if _plausible(name, value, unit):
                return Found([value, unit], m.group(0))
            # a unit that makes the value impossible is a typo in the note: use the magnitude, flagged
        for low, high, guess in guesses:
            if low <= value <= high:
                return Found([value, guess], m.group(0), inferred_unit=True)
    return None


def _plausible(name: str, value: float, unit: str) -> bool:
    from medtrio.calculators import fields
    from medtrio.calculators.core import _convert
    from medtrio.errors import InvalidInput

    spec = getattr(fields, name.upper(), None)
    if spec is None or not spec.kind.startswith("conc:"):
        return True
    try:
        _convert(spec, [value, unit])
    except InvalidInput:
        return False
    return True


_CASED = {"sodium", "potassium", "chloride", "calcium", "ast", "alt", "qt"}


def _counts(note: str, pattern: str) -> Found | None:
    """Platelet or white-cell counts: '150 × 10^9/L', '150,000/µL', '150 K/uL', '150 x 10³/mm³'."""
    rx = re.compile(
        pattern + r"[^\d\n;]{0,30}?" + NUM + r"\s*(?:(?:x|×|\*)\s*10\s*\^?\s*(\d|⁹|³)|(k|K)\b)?", re.I
    )
    m = rx.search(note)
    if not m:
        return None
    value, power = _num(m.group(1)), m.group(2)
    if power in ("9", "⁹", "3", "³") or m.group(3):
        return Found([value, "10^9/L"], m.group(0))
    if value >= 1000:
        return Found([value, "/µL"], m.group(0))
    return Found([value, "10^9/L"], m.group(0), inferred_unit=True)


def extract(note: str) -> Extraction:
    """Find every numeric input the calculators know in one note."""
    x = Extraction()
    x.put("age", _age(note))
    x.put("sex", _sex(note))
    x.put("weight", _weight(note))
    x.put("height", _height(note))
    x.put("bmi", _bmi(note))
    bp = _bp(note)
    if bp:
        x.put("sbp", bp[0])
        x.put("dbp", bp[1])
    x.put(
        "sbp", _first(note, [r"systolic(?: blood pressure| BP)?[^.\d]{0,20}?(\d{2,3})\s*(?:mm\s*hg)"], "mmHg")
    )
    x.put(
        "dbp",
        _first(note, [r"diastolic(?: blood pressure| BP)?[^.\d]{0,20}?(\d{2,3})\s*(?:mm\s*hg)"], "mmHg"),
    )
    x.put("heart_rate", _heart_rate(note))
    x.put("resp_rate", _resp_rate(note))
    x.put("temperature", _temperature(note))
    x.put("spo2", _spo2(note))
    for name in LABS:
        x.put(name, _lab(note, name))
    if "bun" not in x.values and "urea" in x.values:
        x.put("bun", x.values["urea"])
    ph = re.search(_PH, note)
    if ph:
        x.put("ph", Found(float(ph.group(1)), ph.group(0)))
    inr = re.search(_INR, note, re.I)
    if inr:
        x.put("inr", Found(_num(inr.group(1)), inr.group(0)))
    x.put("platelets", _counts(note, r"\b(?:platelets?|platelet count|PLT|plt)\b"))
    x.put(
        "wbc",
        _counts(
            note,
            r"\b(?:white blood cells?|white cell count|WBC|leukocytes?|leucocytes?|white blood "
            r"cell count|white blood count|white count|leukocyte count)\b",
        ),
    )
    gcs = re.search(r"(?:GCS|Glasgow Coma Scale|Glasgow Coma Score)[^.\d]{0,25}?(\d{1,2})", note, re.I)
    if gcs and 3 <= int(gcs.group(1)) <= 15:
        x.put("gcs", Found(int(gcs.group(1)), gcs.group(0)))
    return x
