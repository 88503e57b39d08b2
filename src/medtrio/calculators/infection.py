"""Infection and pneumonia scores: Centor (McIsaac), FeverPAIN, CURB-65, Pneumonia Severity Index."""

from __future__ import annotations

from typing import Any

from medtrio.calculators import fields as F
from medtrio.calculators.core import Input, Trace, calculator


def _yn(flag: bool) -> str:
    return "present" if flag else "absent"


@calculator(
    "centor_mcisaac",
    "Centor score, McIsaac modification",
    "points",
    [
        F.AGE,
        F.flag("exudate", "Tonsillar exudate or swelling"),
        F.flag("lymph_nodes", "Tender/swollen anterior cervical nodes"),
        F.TEMPERATURE,
        F.flag("cough_absent", "Cough absent"),
    ],
    output="integer",
)
def centor(x: dict[str, Any], t: Trace) -> int:
    age = x["age"]
    s = t.points("age", 1 if 3 <= age < 15 else -1 if age >= 45 else 0, f"{age:.3g} years")
    s += t.points("exudate or swelling on tonsils", 1 if x["exudate"] else 0, _yn(x["exudate"]))
    s += t.points(
        "tender/swollen anterior cervical nodes", 1 if x["lymph_nodes"] else 0, _yn(x["lymph_nodes"])
    )
    s += t.points("temperature > 38 °C", 1 if x["temperature"] > 38 else 0, f"{x['temperature']:.3g} °C")
    s += t.points("cough absent", 1 if x["cough_absent"] else 0, "yes" if x["cough_absent"] else "no")
    t.add(f"Centor (McIsaac) = {s:g}")
    return int(s)


@calculator(
    "feverpain",
    "FeverPAIN score for streptococcal pharyngitis",
    "points",
    [
        F.flag("fever", "Fever in the past 24 h"),
        F.flag("purulence", "Purulent tonsils"),
        F.flag("attend_rapidly", "Symptom onset ≤ 3 days"),
        F.flag("inflamed_tonsils", "Severely inflamed tonsils"),
        F.flag("no_cough_coryza", "No cough or coryza"),
    ],
    output="integer",
)
def feverpain(x: dict[str, Any], t: Trace) -> int:
    s = 0.0
    for key, label in (
        ("fever", "fever in past 24 h"),
        ("purulence", "purulent tonsils"),
        ("attend_rapidly", "onset ≤ 3 days"),
        ("inflamed_tonsils", "severe tonsil inflammation"),
        ("no_cough_coryza", "absence of cough or coryza"),
    ):
        s += t.points(label, 1 if x[key] else 0, _yn(x[key]))
    t.add(f"FeverPAIN = {s:g}")
    return int(s)


@calculator(
    "curb65",
    "CURB-65 pneumonia severity",
    "points",
    [F.flag("confusion", "Confusion"), F.BUN, F.RESP_RATE, F.SBP, F.DBP, F.AGE],
    output="integer",
)
def curb65(x: dict[str, Any], t: Trace) -> int:
    s = t.points("confusion", 1 if x["confusion"] else 0, _yn(x["confusion"]))
    s += t.points("BUN > 19 mg/dL (urea > 7 mmol/L)", 1 if x["bun"] > 19 else 0, f"{x['bun']:.3g} mg/dL")
    s += t.points("respiratory rate ≥ 30", 1 if x["resp_rate"] >= 30 else 0, f"{x['resp_rate']:.3g}/min")
    low = x["sbp"] < 90 or x["dbp"] <= 60
    s += t.points("SBP < 90 or DBP ≤ 60", 1 if low else 0, f"{x['sbp']:.3g}/{x['dbp']:.3g} mm Hg")
    s += t.points("age ≥ 65", 1 if x["age"] >= 65 else 0, f"{x['age']:.3g} years")
    t.add(f"CURB-65 = {s:g}")
    return int(s)


def _opt(name: str, base: Any) -> Input:
    return Input(name, base.label, base.kind, base.unit, base.low, base.high, optional=True)


@calculator(
    "psi",
    "Pneumonia Severity Index (PSI/PORT)",
    "points",
    [
        F.AGE,
        F.SEX,
        F.flag("nursing_home", "Nursing home resident"),
        F.flag("neoplastic_disease", "Neoplastic disease"),
        F.flag("liver_disease", "Liver disease"),
        F.flag("chf", "Congestive heart failure"),
        F.flag("cerebrovascular_disease", "Cerebrovascular disease"),
        F.flag("renal_disease", "Renal disease"),
        F.flag("altered_mental_status", "Altered mental status"),
        _opt("resp_rate", F.RESP_RATE),
        _opt("sbp", F.SBP),
        _opt("temperature", F.TEMPERATURE),
        _opt("heart_rate", F.HEART_RATE),
        _opt("ph", F.PH),
        _opt("bun", F.BUN),
        _opt("sodium", F.SODIUM),
        _opt("glucose", F.GLUCOSE),
        _opt("hematocrit", F.HEMATOCRIT),
        _opt("pao2", F.PAO2),
        F.flag("pleural_effusion", "Pleural effusion on x-ray"),
    ],
    output="integer",
)
def psi(x: dict[str, Any], t: Trace) -> int:
    age = x["age"]
    s = t.points(
        "age",
        age - 10 if x["sex"] == "female" else age,
        f"{age:g} years{' − 10 (female)' if x['sex'] == 'female' else ''}",
    )
    for key, pts, label in (
        ("nursing_home", 10, "nursing home resident"),
        ("neoplastic_disease", 30, "neoplastic disease"),
        ("liver_disease", 20, "liver disease"),
        ("chf", 10, "heart failure"),
        ("cerebrovascular_disease", 10, "cerebrovascular disease"),
        ("renal_disease", 10, "renal disease"),
        ("altered_mental_status", 20, "altered mental status"),
        ("pleural_effusion", 10, "pleural effusion"),
    ):
        s += t.points(label, pts if x[key] else 0, _yn(x[key]))
    checks = (
        ("resp_rate", 20, lambda v: v >= 30, "respiratory rate ≥ 30"),
        ("sbp", 20, lambda v: v < 90, "systolic BP < 90"),
        ("temperature", 15, lambda v: v < 35 or v >= 40, "temperature < 35 or ≥ 40 °C"),
        ("heart_rate", 10, lambda v: v >= 125, "pulse ≥ 125"),
        ("ph", 30, lambda v: v < 7.35, "arterial pH < 7.35"),
        ("bun", 20, lambda v: v >= 30, "BUN ≥ 30 mg/dL"),
        ("sodium", 20, lambda v: v < 130, "sodium < 130 mmol/L"),
        ("glucose", 10, lambda v: v >= 250, "glucose ≥ 250 mg/dL"),
        ("hematocrit", 10, lambda v: v < 30, "hematocrit < 30 %"),
        ("pao2", 10, lambda v: v < 60, "PaO₂ < 60 mm Hg"),
    )
    for key, pts, test, label in checks:
        if x[key] is None:
            t.add(f"{label}: not given, scored 0")
            continue
        s += t.points(label, pts if test(x[key]) else 0, f"{x[key]:.4g}")
    t.add(f"PSI = {s:g}")
    return int(s)
