"""Charlson Comorbidity Index (age-adjusted, as in Charlson 1987 / 1994 combined age-comorbidity score)."""

from __future__ import annotations

from typing import Any

from medtrio.calculators import fields as F
from medtrio.calculators.core import Input, Trace, calculator

LIVER = ("none", "mild", "moderate to severe")
DIABETES = ("none or diet-controlled", "uncomplicated", "end-organ damage")
TUMOR = ("none", "localized", "metastatic")
FLAGS: tuple[tuple[str, str, int], ...] = (
    ("myocardial_infarction", "myocardial infarction", 1),
    ("chf", "congestive heart failure", 1),
    ("peripheral_vascular_disease", "peripheral vascular disease", 1),
    ("cerebrovascular_disease", "cerebrovascular accident or TIA", 1),
    ("dementia", "dementia", 1),
    ("copd", "chronic pulmonary disease", 1),
    ("connective_tissue_disease", "connective tissue disease", 1),
    ("peptic_ulcer_disease", "peptic ulcer disease", 1),
    ("hemiplegia", "hemiplegia", 2),
    ("ckd", "moderate to severe chronic kidney disease", 2),
    ("leukemia", "leukemia", 2),
    ("lymphoma", "lymphoma", 2),
    ("aids", "AIDS", 6),
)


@calculator(
    "charlson",
    "Charlson Comorbidity Index",
    "points",
    [
        F.AGE,
        Input(
            "liver_disease",
            "Liver disease",
            "choice",
            choices=LIVER,
            default="none",
            aliases={
                "moderate": "moderate to severe",
                "severe": "moderate to severe",
                "false": "none",
                "true": "mild",
                "absent": "none",
            },
        ),
        Input(
            "diabetes",
            "Diabetes mellitus",
            "choice",
            choices=DIABETES,
            default="none or diet-controlled",
            aliases={
                "none": "none or diet-controlled",
                "false": "none or diet-controlled",
                "true": "uncomplicated",
                "diet-controlled": "none or diet-controlled",
            },
        ),
        Input(
            "solid_tumor",
            "Solid tumour",
            "choice",
            choices=TUMOR,
            default="none",
            aliases={"false": "none", "true": "localized", "local": "localized"},
        ),
        *(F.flag(key, label) for key, label, _ in FLAGS),
    ],
    output="integer",
)
def charlson(x: dict[str, Any], t: Trace) -> int:
    age = x["age"]
    s = t.points(
        "age",
        4 if age >= 80 else 3 if age >= 70 else 2 if age >= 60 else 1 if age >= 50 else 0,
        f"{age:.3g} years",
    )
    for key, label, pts in FLAGS:
        s += t.points(label, pts if x[key] else 0, "present" if x[key] else "absent")
    s += t.points(
        "liver disease",
        {"none": 0, "mild": 1, "moderate to severe": 3}[x["liver_disease"]],
        x["liver_disease"],
    )
    s += t.points("diabetes", DIABETES.index(x["diabetes"]), x["diabetes"])
    s += t.points(
        "solid tumour", {"none": 0, "localized": 2, "metastatic": 6}[x["solid_tumor"]], x["solid_tumor"]
    )
    t.add(f"Charlson = {s:g}")
    return int(s)
