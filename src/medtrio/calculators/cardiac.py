"""Cardiovascular calculators: MAP, CHA2DS2-VASc, HAS-BLED, HEART, RCRI, Framingham hard CHD, ASCVD pooled
cohort equations, and QTc corrections (Bazett, Fridericia, Framingham, Hodges, Rautaharju)."""

from __future__ import annotations

import math
from typing import Any

from medtrio.calculators import fields as F
from medtrio.calculators.core import Input, Trace, calculator, tables


def mean_arterial_pressure(sbp: float, dbp: float, t: Trace) -> float:
    value = sbp / 3 + 2 * dbp / 3
    t.add(f"MAP = SBP/3 + 2 × DBP/3 = {sbp:.4g}/3 + 2 × {dbp:.4g}/3 = {value:.5g} mm Hg")
    return value


@calculator("map", "Mean arterial pressure", "mm Hg", [F.SBP, F.DBP])
def map_(x: dict[str, Any], t: Trace) -> float:
    return mean_arterial_pressure(x["sbp"], x["dbp"], t)


@calculator(
    "cha2ds2_vasc",
    "CHA2DS2-VASc stroke risk in atrial fibrillation",
    "points",
    [
        F.AGE,
        F.SEX,
        F.flag("chf", "Congestive heart failure"),
        F.flag("hypertension", "Hypertension"),
        F.flag("stroke_tia_te", "Prior stroke, TIA or thromboembolism"),
        F.flag("vascular_disease", "Vascular disease (prior MI, PAD, aortic plaque)"),
        F.flag("diabetes", "Diabetes mellitus"),
    ],
    output="integer",
)
def cha2ds2_vasc(x: dict[str, Any], t: Trace) -> int:
    age = x["age"]
    s = t.points("age", 2 if age >= 75 else 1 if age >= 65 else 0, f"{age:.3g} years")
    s += t.points("sex", 1 if x["sex"] == "female" else 0, x["sex"])
    s += t.points("congestive heart failure", 1 if x["chf"] else 0, _yn(x["chf"]))
    s += t.points("hypertension", 1 if x["hypertension"] else 0, _yn(x["hypertension"]))
    s += t.points("stroke/TIA/thromboembolism", 2 if x["stroke_tia_te"] else 0, _yn(x["stroke_tia_te"]))
    s += t.points("vascular disease", 1 if x["vascular_disease"] else 0, _yn(x["vascular_disease"]))
    s += t.points("diabetes", 1 if x["diabetes"] else 0, _yn(x["diabetes"]))
    t.add(f"CHA2DS2-VASc = {s:g}")
    return int(s)


def _yn(flag: bool) -> str:
    return "present" if flag else "absent"


@calculator(
    "has_bled",
    "HAS-BLED major bleeding risk",
    "points",
    [
        F.AGE,
        F.flag("hypertension", "Uncontrolled hypertension (SBP > 160)"),
        F.flag("renal_disease", "Renal disease (dialysis, transplant, Cr > 2.26 mg/dL)"),
        F.flag("liver_disease", "Liver disease (cirrhosis, or bilirubin > 2× with AST/ALT/AP > 3×)"),
        F.flag("stroke", "Prior stroke"),
        F.flag("bleeding", "Prior major bleeding or predisposition"),
        F.flag("labile_inr", "Labile INR"),
        F.flag("drugs", "Antiplatelet or NSAID use"),
        Input(
            "alcohol_drinks_per_week", "Alcoholic drinks per week", "number", "drinks/week", 0, 200, default=0
        ),
    ],
    output="integer",
)
def has_bled(x: dict[str, Any], t: Trace) -> int:
    s = t.points("age > 65", 1 if x["age"] > 65 else 0, f"{x['age']:.3g} years")
    for key, label in (
        ("hypertension", "hypertension"),
        ("renal_disease", "renal disease"),
        ("liver_disease", "liver disease"),
        ("stroke", "stroke"),
        ("bleeding", "bleeding"),
        ("labile_inr", "labile INR"),
        ("drugs", "drugs predisposing to bleeding"),
    ):
        s += t.points(label, 1 if x[key] else 0, _yn(x[key]))
    drinks = x["alcohol_drinks_per_week"]
    s += t.points("alcohol ≥ 8 drinks/week", 1 if drinks >= 8 else 0, f"{drinks:g} drinks/week")
    t.add(f"HAS-BLED = {s:g}")
    return int(s)


HEART_HISTORY = ("slightly suspicious", "moderately suspicious", "highly suspicious")
HEART_ECG = ("normal", "non-specific repolarization disturbance", "significant st deviation")
HEART_TROPONIN = ("≤ normal limit", "1–3× normal limit", "> 3× normal limit")


@calculator(
    "heart",
    "HEART score for major cardiac events",
    "points",
    [
        Input(
            "history",
            "History (suspicion of ACS)",
            "choice",
            choices=HEART_HISTORY,
            aliases={"slight": HEART_HISTORY[0], "moderate": HEART_HISTORY[1], "high": HEART_HISTORY[2]},
        ),
        Input(
            "ecg",
            "ECG",
            "choice",
            choices=HEART_ECG,
            default="normal",
            aliases={"nonspecific": HEART_ECG[1], "st deviation": HEART_ECG[2]},
        ),
        F.AGE,
        F.flag("hypertension", "Hypertension"),
        F.flag("hypercholesterolemia", "Hypercholesterolemia"),
        F.flag("diabetes", "Diabetes mellitus"),
        F.flag("obesity", "Obesity (BMI > 30)"),
        F.flag("smoking", "Current smoker or quit < 3 months"),
        F.flag("family_history", "Parent or sibling with CVD before 65"),
        F.flag("atherosclerotic_disease", "Known atherosclerotic disease (MI, PCI/CABG, stroke/TIA, PAD)"),
        Input(
            "troponin",
            "Initial troponin",
            "choice",
            choices=HEART_TROPONIN,
            default="≤ normal limit",
            aliases={"normal": HEART_TROPONIN[0], "1-3x": HEART_TROPONIN[1], ">3x": HEART_TROPONIN[2]},
        ),
    ],
    output="integer",
)
def heart(x: dict[str, Any], t: Trace) -> int:
    s = t.points("history", HEART_HISTORY.index(x["history"]), x["history"])
    s += t.points("ECG", HEART_ECG.index(x["ecg"]), x["ecg"])
    age = x["age"]
    s += t.points("age", 2 if age >= 65 else 1 if age >= 45 else 0, f"{age:.3g} years")
    factors = [
        k
        for k in ("hypertension", "hypercholesterolemia", "diabetes", "obesity", "smoking", "family_history")
        if x[k]
    ]
    if x["atherosclerotic_disease"]:
        s += t.points("risk factors", 2, "known atherosclerotic disease")
    else:
        n = len(factors)
        s += t.points(
            "risk factors",
            2 if n >= 3 else 1 if n >= 1 else 0,
            f"{n} present ({', '.join(factors) or 'none'})",
        )
    s += t.points("troponin", HEART_TROPONIN.index(x["troponin"]), x["troponin"])
    t.add(f"HEART = {s:g}")
    return int(s)


@calculator(
    "rcri",
    "Revised Cardiac Risk Index (Lee)",
    "points",
    [
        F.flag("high_risk_surgery", "Intraperitoneal, intrathoracic or suprainguinal vascular surgery"),
        F.flag("ischemic_heart_disease", "Ischemic heart disease"),
        F.flag("heart_failure", "Congestive heart failure"),
        F.flag("cerebrovascular_disease", "Prior stroke or TIA"),
        F.flag("insulin", "Pre-operative insulin treatment"),
        F.CREATININE,
    ],
    output="integer",
)
def rcri(x: dict[str, Any], t: Trace) -> int:
    s = 0.0
    for key, label in (
        ("high_risk_surgery", "elevated-risk surgery"),
        ("ischemic_heart_disease", "ischemic heart disease"),
        ("heart_failure", "heart failure"),
        ("cerebrovascular_disease", "cerebrovascular disease"),
        ("insulin", "insulin treatment"),
    ):
        s += t.points(label, 1 if x[key] else 0, _yn(x[key]))
    s += t.points("creatinine > 2 mg/dL", 1 if x["creatinine"] > 2 else 0, f"{x['creatinine']:.3g} mg/dL")
    t.add(f"RCRI = {s:g}")
    return int(s)


RISK_INPUTS = [
    F.SEX,
    F.TOTAL_CHOL,
    F.HDL,
    F.SBP,
    F.flag("bp_treated", "On blood-pressure medication"),
    F.flag("smoker", "Current smoker"),
]


@calculator(
    "framingham_hard_chd",
    "Framingham risk score, hard CHD (ATP III)",
    "%",
    [Input("age", "Age", "age", "years", 30, 79), *RISK_INPUTS],
)
def framingham_hard_chd(x: dict[str, Any], t: Trace) -> float:
    c = tables()["framingham_hard_chd"][x["sex"]]
    ln_age, ln_tc, ln_hdl, ln_sbp = (math.log(x[k]) for k in ("age", "total_cholesterol", "hdl", "sbp"))
    age_smoke = math.log(min(x["age"], c["smoking_age_cap"]))
    smoker, treated = float(x["smoker"]), float(x["bp_treated"])
    s = (
        c["ln_age"] * ln_age
        + c["ln_tc"] * ln_tc
        + c["ln_hdl"] * ln_hdl
        + c["ln_sbp"] * ln_sbp
        + c["bp_treated"] * treated
        + c["smoker"] * smoker
        + c["ln_age_ln_tc"] * ln_age * ln_tc
        + c["ln_age_smoker"] * age_smoke * smoker
        + c["ln_age_sq"] * ln_age * ln_age
        - c["constant"]
    )
    t.add(
        f"linear predictor ({x['sex']} coefficients; smoking age capped at {c['smoking_age_cap']}) = {s:.5g}"
    )
    risk = (1 - c["s10"] ** math.exp(s)) * 100
    t.add(f"10-year risk = (1 − {c['s10']}^exp({s:.4g})) × 100 = {risk:.5g} %")
    return risk


@calculator(
    "ascvd_pce",
    "10-year ASCVD risk, pooled cohort equations",
    "%",
    [
        Input("age", "Age", "age", "years", 40, 79),
        *RISK_INPUTS,
        F.flag("diabetes", "Diabetes"),
        F.flag("african_american", "African American (the equations were fitted by race)"),
    ],
)
def ascvd_pce(x: dict[str, Any], t: Trace) -> float:
    group = f"{'aa' if x['african_american'] else 'white'}_{x['sex']}"
    c = tables()["ascvd_pce"][group]
    la, ltc, lh, lsbp = (math.log(x[k]) for k in ("age", "total_cholesterol", "hdl", "sbp"))
    tr = x["bp_treated"]
    terms = {
        "ln_age": la,
        "ln_age_sq": la * la,
        "ln_tc": ltc,
        "ln_age_ln_tc": la * ltc,
        "ln_hdl": lh,
        "ln_age_ln_hdl": la * lh,
        "ln_treated_sbp": lsbp if tr else 0.0,
        "ln_age_ln_treated_sbp": la * lsbp if tr else 0.0,
        "ln_untreated_sbp": 0.0 if tr else lsbp,
        "ln_age_ln_untreated_sbp": 0.0 if tr else la * lsbp,
        "smoker": float(x["smoker"]),
        "ln_age_smoker": la * x["smoker"],
        "diabetes": float(x["diabetes"]),
    }
    s = sum(c.get(k, 0.0) * v for k, v in terms.items())
    risk = (1 - c["baseline_survival"] ** math.exp(s - c["mean"])) * 100
    t.add(
        f"group {group}: Σ coefficient × term = {s:.5g}; mean {c['mean']};"
        f" baseline survival {c['baseline_survival']}"
    )
    t.add(f"10-year risk = (1 − S0^exp(Σ − mean)) × 100 = {risk:.5g} %")
    return risk


QTC_INPUTS = [F.HEART_RATE, F.QT]


def _rr(x: dict[str, Any], t: Trace) -> float:
    rr = 60 / x["heart_rate"]
    t.add(f"RR interval = 60 / heart rate = 60 / {x['heart_rate']:.4g} = {rr:.5g} s")
    return rr


@calculator("qtc_bazett", "QTc (Bazett)", "ms", QTC_INPUTS)
def qtc_bazett(x: dict[str, Any], t: Trace) -> float:
    rr = _rr(x, t)
    value = x["qt"] / math.sqrt(rr)
    t.add(f"QTc = QT / √RR = {x['qt']:.4g} / √{rr:.5g} = {value:.5g} ms")
    return value


@calculator("qtc_fridericia", "QTc (Fridericia)", "ms", QTC_INPUTS)
def qtc_fridericia(x: dict[str, Any], t: Trace) -> float:
    rr = _rr(x, t)
    value = x["qt"] / rr ** (1 / 3)
    t.add(f"QTc = QT / RR^(1/3) = {x['qt']:.4g} / {rr:.5g}^(1/3) = {value:.5g} ms")
    return value


@calculator("qtc_framingham", "QTc (Framingham, Sagie)", "ms", QTC_INPUTS)
def qtc_framingham(x: dict[str, Any], t: Trace) -> float:
    rr = _rr(x, t)
    value = x["qt"] + 154 * (1 - rr)
    t.add(f"QTc = QT + 154 × (1 − RR) = {x['qt']:.4g} + 154 × (1 − {rr:.5g}) = {value:.5g} ms")
    return value


@calculator("qtc_hodges", "QTc (Hodges)", "ms", QTC_INPUTS)
def qtc_hodges(x: dict[str, Any], t: Trace) -> float:
    value = x["qt"] + 1.75 * (x["heart_rate"] - 60)
    t.add(
        f"QTc = QT + 1.75 × (HR − 60) = {x['qt']:.4g} + 1.75 × ({x['heart_rate']:.4g} − 60) = {value:.5g} ms"
    )
    return value


@calculator("qtc_rautaharju", "QTc (Rautaharju)", "ms", QTC_INPUTS)
def qtc_rautaharju(x: dict[str, Any], t: Trace) -> float:
    value = x["qt"] * (120 + x["heart_rate"]) / 180
    t.add(
        f"QTc = QT × (120 + HR) / 180 = {x['qt']:.4g} × (120 + {x['heart_rate']:.4g}) / 180 = {value:.5g} ms"
    )
    return value


@calculator(
    "prevent_cvd",
    "AHA PREVENT 10-year total CVD risk (base model)",
    "%",
    [
        Input("age", "Age", "age", "years", 30, 79),
        F.SEX,
        Input("total_cholesterol", "Total cholesterol", "conc:cholesterol", "mg/dL", 130, 320),
        Input("hdl", "HDL cholesterol", "conc:cholesterol", "mg/dL", 20, 100),
        Input("sbp", "Systolic blood pressure", "pressure", "mm Hg", 90, 200),
        F.flag("diabetes", "Diabetes"),
        F.flag("smoker", "Current smoker"),
        Input("egfr", "eGFR", "number", "mL/min/1.73m²", 15, 150),
        F.flag("bp_treated", "On blood-pressure medication"),
        F.flag("statin", "On a statin"),
    ],
)
def prevent_cvd(x: dict[str, Any], t: Trace) -> float:
    table = tables()["prevent_cvd10"]
    c, mmol = table[x["sex"]], table["mg_dl_to_mmol_l"]
    age10 = (x["age"] - 55) / 10
    nonhdl = (x["total_cholesterol"] - x["hdl"]) * mmol - 3.5
    hdl = (x["hdl"] * mmol - 1.3) / 0.3
    sbp_lo, sbp_hi = (min(x["sbp"], 110) - 110) / 20, (max(x["sbp"], 110) - 130) / 20
    egfr_lo, egfr_hi = (min(x["egfr"], 60) - 60) / -15, (max(x["egfr"], 60) - 90) / -15
    dm, smk, bp, st = (float(x[k]) for k in ("diabetes", "smoker", "bp_treated", "statin"))
    terms = {
        "age10": age10,
        "nonhdl": nonhdl,
        "hdl": hdl,
        "sbp_lo": sbp_lo,
        "sbp_hi": sbp_hi,
        "diabetes": dm,
        "smoker": smk,
        "egfr_lo": egfr_lo,
        "egfr_hi": egfr_hi,
        "bp_treated": bp,
        "statin": st,
        "bp_treated_x_sbp_hi": bp * sbp_hi,
        "statin_x_nonhdl": st * nonhdl,
        "age10_x_nonhdl": age10 * nonhdl,
        "age10_x_hdl": age10 * hdl,
        "age10_x_sbp_hi": age10 * sbp_hi,
        "age10_x_diabetes": age10 * dm,
        "age10_x_smoker": age10 * smk,
        "age10_x_egfr_lo": age10 * egfr_lo,
    }
    logit = c["constant"] + sum(c[k] * v for k, v in terms.items())
    risk = 100 * math.exp(logit) / (1 + math.exp(logit))
    t.add(f"{x['sex']} coefficients; log-odds = {logit:.5g}")
    t.add(f"10-year total CVD risk = e^x / (1 + e^x) = {risk:.4g} %")
    return risk
