"""Venous thromboembolism: Wells for PE, Wells for DVT, PERC rule, Caprini (2005)."""

from __future__ import annotations

from typing import Any

from medtrio.calculators import fields as F
from medtrio.calculators.core import Input, Trace, calculator


def _yn(flag: bool) -> str:
    return "present" if flag else "absent"


@calculator(
    "wells_pe",
    "Wells' criteria for pulmonary embolism",
    "points",
    [
        F.flag("dvt_signs", "Clinical signs and symptoms of DVT"),
        F.flag("pe_most_likely", "PE is the most likely diagnosis"),
        F.HEART_RATE,
        F.flag("immobilization", "Immobilization ≥ 3 days"),
        F.flag("recent_surgery", "Surgery in the previous 4 weeks"),
        F.flag("previous_pe", "Previous PE"),
        F.flag("previous_dvt", "Previous DVT"),
        F.flag("hemoptysis", "Hemoptysis"),
        F.flag("malignancy", "Malignancy (treated ≤ 6 months or palliative)"),
    ],
)
def wells_pe(x: dict[str, Any], t: Trace) -> float:
    s = t.points("signs of DVT", 3 if x["dvt_signs"] else 0, _yn(x["dvt_signs"]))
    s += t.points("PE most likely diagnosis", 3 if x["pe_most_likely"] else 0, _yn(x["pe_most_likely"]))
    s += t.points("heart rate > 100", 1.5 if x["heart_rate"] > 100 else 0, f"{x['heart_rate']:.3g}/min")
    imm = x["immobilization"] or x["recent_surgery"]
    s += t.points("immobilization ≥ 3 days or surgery ≤ 4 weeks", 1.5 if imm else 0, _yn(imm))
    prev = x["previous_pe"] or x["previous_dvt"]
    s += t.points("previous PE or DVT", 1.5 if prev else 0, _yn(prev))
    s += t.points("hemoptysis", 1 if x["hemoptysis"] else 0, _yn(x["hemoptysis"]))
    s += t.points("malignancy", 1 if x["malignancy"] else 0, _yn(x["malignancy"]))
    t.add(f"Wells PE = {s:g}")
    return s


@calculator(
    "wells_dvt",
    "Wells' criteria for DVT",
    "points",
    [
        F.flag("active_cancer", "Active cancer"),
        F.flag("bedridden", "Bedridden > 3 days"),
        F.flag("major_surgery", "Major surgery within 12 weeks"),
        F.flag("calf_swelling", "Calf swelling > 3 cm vs the other leg"),
        F.flag("collateral_veins", "Collateral (non-varicose) superficial veins"),
        F.flag("entire_leg_swollen", "Entire leg swollen"),
        F.flag("localized_tenderness", "Tenderness along the deep venous system"),
        F.flag("pitting_edema", "Pitting edema confined to the symptomatic leg"),
        F.flag("paralysis_or_cast", "Paralysis, paresis or recent plaster immobilisation of the leg"),
        F.flag("previous_dvt", "Previously documented DVT"),
        F.flag("alternative_diagnosis", "Alternative diagnosis at least as likely"),
    ],
    output="integer",
)
def wells_dvt(x: dict[str, Any], t: Trace) -> int:
    s = t.points("active cancer", 1 if x["active_cancer"] else 0, _yn(x["active_cancer"]))
    bed = x["bedridden"] or x["major_surgery"]
    s += t.points("bedridden > 3 days or major surgery ≤ 12 weeks", 1 if bed else 0, _yn(bed))
    for key, label in (
        ("calf_swelling", "calf swelling > 3 cm"),
        ("collateral_veins", "collateral veins"),
        ("entire_leg_swollen", "entire leg swollen"),
        ("localized_tenderness", "localized tenderness"),
        ("pitting_edema", "pitting edema"),
        ("paralysis_or_cast", "paralysis/paresis/cast"),
        ("previous_dvt", "previous DVT"),
    ):
        s += t.points(label, 1 if x[key] else 0, _yn(x[key]))
    s += t.points(
        "alternative diagnosis as likely",
        -2 if x["alternative_diagnosis"] else 0,
        _yn(x["alternative_diagnosis"]),
    )
    t.add(f"Wells DVT = {s:g}")
    return int(s)


@calculator(
    "perc",
    "PERC rule for pulmonary embolism (criteria met)",
    "criteria",
    [
        F.AGE,
        F.HEART_RATE,
        F.SPO2,
        F.flag("unilateral_leg_swelling", "Unilateral leg swelling"),
        F.flag("hemoptysis", "Hemoptysis"),
        F.flag("recent_surgery_trauma", "Surgery or trauma ≤ 4 weeks"),
        F.flag("previous_pe_dvt", "Prior PE or DVT"),
        F.flag("hormone_use", "Hormone use"),
    ],
    output="integer",
)
def perc(x: dict[str, Any], t: Trace) -> int:
    s = t.points("age ≥ 50", 1 if x["age"] >= 50 else 0, f"{x['age']:.3g} years")
    s += t.points("heart rate ≥ 100", 1 if x["heart_rate"] >= 100 else 0, f"{x['heart_rate']:.3g}/min")
    s += t.points("SpO₂ < 95 %", 1 if x["spo2"] < 95 else 0, f"{x['spo2']:.3g} %")
    for key, label in (
        ("unilateral_leg_swelling", "unilateral leg swelling"),
        ("hemoptysis", "hemoptysis"),
        ("recent_surgery_trauma", "recent surgery or trauma"),
        ("previous_pe_dvt", "prior PE or DVT"),
        ("hormone_use", "hormone use"),
    ):
        s += t.points(label, 1 if x[key] else 0, _yn(x[key]))
    t.add(f"PERC criteria met = {s:g} ({'PE not ruled out by PERC' if s else 'PERC negative'})")
    return int(s)


SURGERY = ("none", "minor", "major", "arthroplasty")
MOBILITY = ("normal", "bed rest", "confined > 72 h")
CAPRINI_FLAGS: tuple[tuple[str, str, int], ...] = (
    ("recent_major_surgery", "major surgery in the last month", 1),
    ("recent_chf", "heart failure in the last month", 1),
    ("recent_sepsis", "sepsis in the last month", 1),
    ("recent_pneumonia", "pneumonia in the last month", 1),
    ("plaster_cast", "immobilizing plaster cast in the last month", 2),
    ("fracture", "hip, pelvis or leg fracture in the last month", 5),
    ("recent_stroke", "stroke in the last month", 5),
    ("multiple_trauma", "multiple trauma in the last month", 5),
    ("spinal_cord_injury", "acute spinal cord injury with paralysis in the last month", 5),
    ("varicose_veins", "varicose veins", 1),
    ("swollen_legs", "current swollen legs", 1),
    ("central_venous_access", "current central venous access", 2),
    ("history_vte", "history of DVT or PE", 3),
    ("family_history_thrombosis", "family history of thrombosis", 3),
    ("factor_v_leiden", "factor V Leiden", 3),
    ("prothrombin_20210a", "prothrombin 20210A", 3),
    ("homocysteine", "elevated serum homocysteine", 3),
    ("lupus_anticoagulant", "lupus anticoagulant", 3),
    ("anticardiolipin", "elevated anticardiolipin antibody", 3),
    ("hit", "heparin-induced thrombocytopenia", 3),
    ("other_thrombophilia", "other congenital or acquired thrombophilia", 3),
    ("ibd", "inflammatory bowel disease", 1),
    ("acute_mi", "acute myocardial infarction", 1),
    ("copd", "COPD", 1),
    ("malignancy", "present or previous malignancy", 2),
)


@calculator(
    "caprini",
    "Caprini VTE risk score (2005)",
    "points",
    [
        F.AGE,
        F.SEX,
        Input(
            "surgery",
            "Type of surgery",
            "choice",
            choices=SURGERY,
            default="none",
            aliases={
                "major >45 min": "major",
                "laparoscopic": "major",
                "arthroscopic": "major",
                "elective major lower extremity arthroplasty": "arthroplasty",
            },
        ),
        Input(
            "mobility",
            "Mobility",
            "choice",
            choices=MOBILITY,
            default="normal",
            aliases={
                "on bed rest": "bed rest",
                "confined to bed >72 hours": "confined > 72 h",
                "normal, out of bed": "normal",
            },
        ),
        Input("bmi", "Body mass index", "number", "kg/m²", 8, 120, optional=True),
        *(F.flag(key, label) for key, label, _ in CAPRINI_FLAGS),
    ],
    output="integer",
)
def caprini(x: dict[str, Any], t: Trace) -> int:
    age = x["age"]
    s = t.points("age", 3 if age >= 75 else 2 if age >= 61 else 1 if age >= 41 else 0, f"{age:.3g} years")
    s += t.points(
        "surgery", {"none": 0, "minor": 1, "major": 2, "arthroplasty": 5}[x["surgery"]], x["surgery"]
    )
    s += t.points("mobility", MOBILITY.index(x["mobility"]), x["mobility"])
    if x["bmi"] is not None:
        s += t.points("BMI > 25", 1 if x["bmi"] > 25 else 0, f"{x['bmi']:.3g} kg/m²")
    for key, label, pts in CAPRINI_FLAGS:
        if x[key]:
            s += t.points(label, pts, "present")
    t.add(f"Caprini = {s:g}")
    return int(s)
