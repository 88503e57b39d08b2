"""Liver and gastrointestinal scores: Child-Pugh (points and class), MELD-Na (UNOS/OPTN), FIB-4,
Glasgow-Blatchford bleeding score."""

from __future__ import annotations

import math
from typing import Any

from medtrio.calculators import fields as F
from medtrio.calculators.core import Input, Trace, calculator

ASCITES = ("absent", "slight", "moderate")
ENCEPHALOPATHY = ("none", "grade 1-2", "grade 3-4")
CHILD_INPUTS = [
    F.BILIRUBIN,
    F.ALBUMIN,
    F.INR,
    Input(
        "ascites",
        "Ascites",
        "choice",
        choices=ASCITES,
        default="absent",
        aliases={
            "none": "absent",
            "mild": "slight",
            "severe": "moderate",
            "moderate-severe": "moderate",
            "tense": "moderate",
        },
    ),
    Input(
        "encephalopathy",
        "Hepatic encephalopathy",
        "choice",
        choices=ENCEPHALOPATHY,
        default="none",
        aliases={
            "no encephalopathy": "none",
            "absent": "none",
            "grade 1–2": "grade 1-2",
            "grade 3–4": "grade 3-4",
            "mild": "grade 1-2",
            "severe": "grade 3-4",
        },
    ),
]


def child_pugh_points(x: dict[str, Any], t: Trace) -> int:
    b, a, inr = x["bilirubin"], x["albumin"], x["inr"]
    s = t.points("bilirubin", 1 if b < 2 else 2 if b <= 3 else 3, f"{b:.3g} mg/dL")
    s += t.points("albumin", 1 if a > 3.5 else 2 if a >= 2.8 else 3, f"{a:.3g} g/dL")
    s += t.points("INR", 1 if inr < 1.7 else 2 if inr <= 2.3 else 3, f"{inr:.3g}")
    s += t.points("ascites", ASCITES.index(x["ascites"]) + 1, x["ascites"])
    s += t.points("encephalopathy", ENCEPHALOPATHY.index(x["encephalopathy"]) + 1, x["encephalopathy"])
    t.add(f"Child-Pugh score = {s:g}")
    return int(s)


@calculator("child_pugh", "Child-Pugh score", "points", CHILD_INPUTS, output="integer")
def child_pugh(x: dict[str, Any], t: Trace) -> int:
    return child_pugh_points(x, t)


@calculator("child_pugh_class", "Child-Pugh class", "class", CHILD_INPUTS, output="text")
def child_pugh_class(x: dict[str, Any], t: Trace) -> str:
    pts = child_pugh_points(x, t)
    cls = "A" if pts <= 6 else "B" if pts <= 9 else "C"
    t.add(f"class {cls} (A 5–6, B 7–9, C 10–15)")
    return cls


@calculator(
    "meld_na",
    "MELD-Na (UNOS/OPTN, 2016)",
    "points",
    [
        F.CREATININE,
        F.BILIRUBIN,
        F.INR,
        F.SODIUM,
        F.flag("dialysis", "Dialysis ≥ 2 times in the past week or CVVHD ≥ 24 h"),
    ],
)
def meld_na(x: dict[str, Any], t: Trace) -> float:
    cr = 4.0 if x["dialysis"] else min(max(x["creatinine"], 1.0), 4.0)
    bili, inr = max(x["bilirubin"], 1.0), max(x["inr"], 1.0)
    na = min(max(x["sodium"], 125.0), 137.0)
    t.add(
        f"bounded values: creatinine {cr:.3g} (1–4, 4 if on dialysis), bilirubin {bili:.3g} (≥ 1), "
        f"INR {inr:.3g} (≥ 1), sodium {na:.4g} (125–137)"
    )
    raw = 0.957 * math.log(cr) + 0.378 * math.log(bili) + 1.120 * math.log(inr) + 0.643
    meld = round(raw, 1) * 10
    t.add(f"MELD(i) = 10 × round(0.957 ln Cr + 0.378 ln bili + 1.120 ln INR + 0.643, 1) = {meld:.4g}")
    if meld > 11:
        meld = meld + 1.32 * (137 - na) - 0.033 * meld * (137 - na)
        t.add(f"MELD(i) > 11: MELD-Na = MELD + 1.32 × (137 − Na) − 0.033 × MELD × (137 − Na) = {meld:.5g}")
    value = min(round(meld), 40)
    t.add(f"rounded to an integer and capped at 40: {value}")
    return float(value)


@calculator(
    "fib4",
    "Fibrosis-4 (FIB-4) index",
    "",
    [
        F.AGE,
        Input("ast", "AST", "number", "U/L", 1, 20000),
        Input("alt", "ALT", "number", "U/L", 1, 20000),
        F.PLATELETS,
    ],
)
def fib4(x: dict[str, Any], t: Trace) -> float:
    if x["platelets"] <= 0:
        from medtrio.errors import InvalidInput

        raise InvalidInput("platelets: must be above 0 for FIB-4")
    value = x["age"] * x["ast"] / (x["platelets"] * math.sqrt(x["alt"]))
    t.add(
        f"FIB-4 = age × AST / (platelets 10⁹/L × √ALT) = {x['age']:.3g} × {x['ast']:.4g} / "
        f"({x['platelets']:.4g} × √{x['alt']:.4g}) = {value:.5g}"
    )
    return value


@calculator(
    "glasgow_blatchford",
    "Glasgow-Blatchford bleeding score",
    "points",
    [
        F.BUN,
        F.HEMOGLOBIN,
        F.SEX,
        F.SBP,
        F.HEART_RATE,
        F.flag("melena", "Melena"),
        F.flag("syncope", "Recent syncope"),
        F.flag("hepatic_disease", "Hepatic disease history"),
        F.flag("cardiac_failure", "Cardiac failure"),
    ],
    output="integer",
)
def glasgow_blatchford(x: dict[str, Any], t: Trace) -> int:
    bun, hb, sbp = x["bun"], x["hemoglobin"], x["sbp"]
    s = t.points(
        "BUN",
        6 if bun >= 70 else 4 if bun >= 28 else 3 if bun >= 22.4 else 2 if bun >= 18.2 else 0,
        f"{bun:.3g} mg/dL",
    )
    if x["sex"] == "male":
        hb_pts = 0 if hb >= 13 else 1 if hb >= 12 else 3 if hb >= 10 else 6
    else:
        hb_pts = 0 if hb >= 12 else 1 if hb >= 10 else 6
    s += t.points("hemoglobin", hb_pts, f"{hb:.3g} g/dL ({x['sex']})")
    s += t.points(
        "systolic BP", 0 if sbp >= 110 else 1 if sbp >= 100 else 2 if sbp >= 90 else 3, f"{sbp:.3g} mm Hg"
    )
    s += t.points("pulse ≥ 100", 1 if x["heart_rate"] >= 100 else 0, f"{x['heart_rate']:.3g}/min")
    for key, pts, label in (
        ("melena", 1, "melena"),
        ("syncope", 2, "syncope"),
        ("hepatic_disease", 2, "hepatic disease"),
        ("cardiac_failure", 2, "cardiac failure"),
    ):
        s += t.points(label, pts if x[key] else 0, "present" if x[key] else "absent")
    t.add(f"Glasgow-Blatchford = {s:g}")
    return int(s)
