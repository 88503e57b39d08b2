"""Critical care scores: APACHE II, SOFA, qSOFA, NEWS2, SIRS, Glasgow Coma Scale."""

from __future__ import annotations

from typing import Any

from medtrio.calculators import fields as F
from medtrio.calculators.cardiac import mean_arterial_pressure
from medtrio.calculators.core import Input, Trace, band, calculator

LOW = float("-inf")

APACHE_BANDS: dict[str, list[tuple[float, float]]] = {
    "age": [(75, 6), (65, 5), (55, 3), (45, 2), (LOW, 0)],
    "temperature": [(41, 4), (39, 3), (38.5, 1), (36, 0), (34, 1), (32, 2), (30, 3), (LOW, 4)],
    "map": [(160, 4), (130, 3), (110, 2), (70, 0), (50, 2), (LOW, 4)],
    "heart_rate": [(180, 4), (140, 3), (110, 2), (70, 0), (55, 2), (40, 3), (LOW, 4)],
    "resp_rate": [(50, 4), (35, 3), (25, 1), (12, 0), (10, 1), (6, 2), (LOW, 4)],
    "ph": [(7.7, 4), (7.6, 3), (7.5, 1), (7.33, 0), (7.25, 2), (7.15, 3), (LOW, 4)],
    "sodium": [(180, 4), (160, 3), (155, 2), (150, 1), (130, 0), (120, 2), (111, 3), (LOW, 4)],
    "potassium": [(7, 4), (6, 3), (5.5, 1), (3.5, 0), (3, 1), (2.5, 2), (LOW, 4)],
    "creatinine": [(3.5, 4), (2, 3), (1.5, 2), (0.6, 0), (LOW, 2)],
    "hematocrit": [(60, 4), (50, 2), (46, 1), (30, 0), (20, 2), (LOW, 4)],
    "wbc": [(40, 4), (20, 2), (15, 1), (3, 0), (1, 2), (LOW, 4)],
    "aa_gradient": [(500, 4), (350, 3), (200, 2), (LOW, 0)],
    "pao2": [(70.0001, 0), (61, 1), (55, 3), (LOW, 4)],
}
ADMISSION = ("nonoperative", "emergency postoperative", "elective postoperative")


@calculator(
    "apache_ii",
    "APACHE II score",
    "points",
    [
        F.AGE,
        F.TEMPERATURE,
        F.SBP,
        F.DBP,
        F.HEART_RATE,
        F.RESP_RATE,
        F.FIO2,
        Input("pao2", "PaO₂", "pressure", "mm Hg", 10, 700, optional=True),
        Input("aa_gradient", "A–a gradient", "number", "mm Hg", 0, 800, optional=True),
        F.PH,
        F.SODIUM,
        F.POTASSIUM,
        F.CREATININE,
        F.flag("acute_renal_failure", "Acute renal failure"),
        F.flag("chronic_renal_failure", "Chronic renal failure"),
        F.HEMATOCRIT,
        F.WBC,
        F.GCS,
        F.flag("chronic_health", "History of severe organ insufficiency or immunocompromise"),
        Input(
            "admission",
            "Admission type",
            "choice",
            choices=ADMISSION,
            default="nonoperative",
            aliases={
                "elective": "elective postoperative",
                "emergency": "emergency postoperative",
                "nonsurgical": "nonoperative",
            },
        ),
    ],
    output="integer",
)
def apache_ii(x: dict[str, Any], t: Trace) -> int:
    s = t.points("age", band(x["age"], APACHE_BANDS["age"]), f"{x['age']:.3g} years")
    if x["chronic_health"]:
        pts = 2 if x["admission"] == "elective postoperative" else 5
        s += t.points("chronic health", pts, f"severe organ insufficiency/immunocompromise, {x['admission']}")
    else:
        s += t.points("chronic health", 0, "none")
    s += t.points(
        "temperature", band(x["temperature"], APACHE_BANDS["temperature"]), f"{x['temperature']:.3g} °C"
    )
    mean = mean_arterial_pressure(x["sbp"], x["dbp"], t)
    s += t.points("mean arterial pressure", band(mean, APACHE_BANDS["map"]), f"{mean:.4g} mm Hg")
    s += t.points(
        "heart rate", band(x["heart_rate"], APACHE_BANDS["heart_rate"]), f"{x['heart_rate']:.3g}/min"
    )
    s += t.points(
        "respiratory rate", band(x["resp_rate"], APACHE_BANDS["resp_rate"]), f"{x['resp_rate']:.3g}/min"
    )
    s += _oxygenation(x, t)
    s += t.points("arterial pH", band(x["ph"], APACHE_BANDS["ph"]), f"{x['ph']:.3g}")
    s += t.points("sodium", band(x["sodium"], APACHE_BANDS["sodium"]), f"{x['sodium']:.4g} mmol/L")
    s += t.points(
        "potassium", band(x["potassium"], APACHE_BANDS["potassium"]), f"{x['potassium']:.3g} mmol/L"
    )
    cr = band(x["creatinine"], APACHE_BANDS["creatinine"])
    if x["acute_renal_failure"]:
        s += t.points("creatinine", 2 * cr, f"{x['creatinine']:.3g} mg/dL, doubled for acute renal failure")
    else:
        s += t.points("creatinine", cr, f"{x['creatinine']:.3g} mg/dL")
    s += t.points("hematocrit", band(x["hematocrit"], APACHE_BANDS["hematocrit"]), f"{x['hematocrit']:.3g} %")
    s += t.points("white cell count", band(x["wbc"], APACHE_BANDS["wbc"]), f"{x['wbc']:.3g} × 10⁹/L")
    s += t.points("Glasgow Coma Scale", 15 - x["gcs"], f"15 − GCS {x['gcs']:g}")
    t.add(f"APACHE II = {s:g}")
    return int(s)


def _oxygenation(x: dict[str, Any], t: Trace) -> float:
    if x["fio2"] >= 50:
        if x["aa_gradient"] is not None:
            return t.points(
                "oxygenation",
                band(x["aa_gradient"], APACHE_BANDS["aa_gradient"]),
                f"FiO₂ {x['fio2']:.3g} % ≥ 50 %: A–a gradient {x['aa_gradient']:.4g} mm Hg",
            )
        t.add("oxygenation: FiO₂ ≥ 50 % but no A–a gradient given: scored 0 (ask for it)")
        return 0
    if x["pao2"] is not None:
        return t.points(
            "oxygenation",
            band(x["pao2"], APACHE_BANDS["pao2"]),
            f"FiO₂ {x['fio2']:.3g} % < 50 %: PaO₂ {x['pao2']:.4g} mm Hg",
        )
    t.add("oxygenation: no PaO₂ given: scored 0 (ask for it)")
    return 0


@calculator(
    "sofa",
    "Sequential Organ Failure Assessment (SOFA)",
    "points",
    [
        Input("pao2", "PaO₂", "pressure", "mm Hg", 10, 700, optional=True),
        F.FIO2,
        F.flag("mechanical_ventilation", "Mechanical ventilation"),
        F.flag("cpap", "CPAP"),
        Input("platelets", "Platelet count", "count", "10^9/L", 0, 3000, optional=True),
        F.GCS,
        Input("bilirubin", "Total bilirubin", "conc:bilirubin", "mg/dL", 0.05, 80, optional=True),
        Input("sbp", "Systolic blood pressure", "pressure", "mm Hg", 20, 320, optional=True),
        Input("dbp", "Diastolic blood pressure", "pressure", "mm Hg", 5, 220, optional=True),
        F.flag("hypotension", "Hypotension (MAP < 70 mm Hg)"),
        Input("dopamine", "Dopamine", "infusion", "mcg/kg/min", 0, 100, default=0.0),
        Input("dobutamine", "Dobutamine", "infusion", "mcg/kg/min", 0, 100, default=0.0),
        Input("epinephrine", "Epinephrine", "infusion", "mcg/kg/min", 0, 10, default=0.0),
        Input("norepinephrine", "Norepinephrine", "infusion", "mcg/kg/min", 0, 10, default=0.0),
        Input("creatinine", "Serum creatinine", "conc:creatinine", "mg/dL", 0.05, 40, optional=True),
        Input("urine_output", "Urine output", "number", "mL/day", 0, 20000, optional=True),
    ],
    output="integer",
)
def sofa(x: dict[str, Any], t: Trace) -> int:
    s = 0.0
    if x["pao2"] is not None:
        ratio = x["pao2"] / (x["fio2"] / 100)
        supported = x["mechanical_ventilation"] or x["cpap"]
        if ratio >= 200:
            pts = band(ratio, [(400, 0), (300, 1), (200, 2)])
        elif supported:
            pts = 3 if ratio >= 100 else 4
        else:
            pts = 2
        s += t.points("respiration", pts, f"PaO₂/FiO₂ = {ratio:.4g}, respiratory support {_yn(supported)}")
    else:
        t.add("respiration: no PaO₂ given: scored 0")
    if x["platelets"] is not None:
        s += t.points(
            "coagulation",
            band(x["platelets"], [(150, 0), (100, 1), (50, 2), (20, 3), (LOW, 4)]),
            f"platelets {x['platelets']:.4g} × 10⁹/L",
        )
    s += t.points(
        "central nervous system",
        band(x["gcs"], [(15, 0), (13, 1), (10, 2), (6, 3), (LOW, 4)]),
        f"GCS {x['gcs']:g}",
    )
    if x["bilirubin"] is not None:
        s += t.points(
            "liver",
            band(x["bilirubin"], [(12, 4), (6, 3), (2, 2), (1.2, 1), (LOW, 0)]),
            f"bilirubin {x['bilirubin']:.3g} mg/dL",
        )
    s += _sofa_cardio(x, t)
    renal = 0.0
    if x["creatinine"] is not None:
        renal = band(x["creatinine"], [(5, 4), (3.5, 3), (2, 2), (1.2, 1), (LOW, 0)])
        t.add(f"renal: creatinine {x['creatinine']:.3g} mg/dL -> {renal:g}")
    if x["urine_output"] is not None:
        uo = 4 if x["urine_output"] < 200 else 3 if x["urine_output"] < 500 else 0
        t.add(f"renal: urine output {x['urine_output']:.4g} mL/day -> {uo}")
        renal = max(renal, uo)
    s += t.points("renal (worse of creatinine and urine output)", renal, "")
    t.add(f"SOFA = {s:g}")
    return int(s)


def _sofa_cardio(x: dict[str, Any], t: Trace) -> float:
    dop, dob, epi, nor = x["dopamine"], x["dobutamine"], x["epinephrine"], x["norepinephrine"]
    if dop > 15 or epi > 0.1 or nor > 0.1:
        return t.points("cardiovascular", 4, "dopamine > 15, or epinephrine/norepinephrine > 0.1 mcg/kg/min")
    if dop > 5 or epi > 0 or nor > 0:
        return t.points("cardiovascular", 3, "dopamine > 5, or epinephrine/norepinephrine ≤ 0.1 mcg/kg/min")
    if dop > 0 or dob > 0:
        return t.points("cardiovascular", 2, "dopamine ≤ 5 or any dobutamine")
    low_map = x["hypotension"]
    if x["sbp"] is not None and x["dbp"] is not None:
        low_map = low_map or mean_arterial_pressure(x["sbp"], x["dbp"], t) < 70
    return t.points("cardiovascular", 1 if low_map else 0, "MAP < 70 mm Hg" if low_map else "no hypotension")


def _yn(flag: bool) -> str:
    return "present" if flag else "absent"


@calculator(
    "qsofa",
    "quick SOFA (qSOFA)",
    "points",
    [F.RESP_RATE, F.SBP, F.flag("altered_mentation", "Altered mentation (GCS < 15)")],
    output="integer",
)
def qsofa(x: dict[str, Any], t: Trace) -> int:
    s = t.points("respiratory rate ≥ 22", 1 if x["resp_rate"] >= 22 else 0, f"{x['resp_rate']:.3g}/min")
    s += t.points("systolic BP ≤ 100", 1 if x["sbp"] <= 100 else 0, f"{x['sbp']:.3g} mm Hg")
    s += t.points("altered mentation", 1 if x["altered_mentation"] else 0, _yn(x["altered_mentation"]))
    t.add(f"qSOFA = {s:g}")
    return int(s)


CONSCIOUSNESS = ("alert", "new confusion", "voice", "pain", "unresponsive")


@calculator(
    "news2",
    "National Early Warning Score 2 (NEWS2)",
    "points",
    [
        F.RESP_RATE,
        F.SPO2,
        F.flag("hypercapnic_target", "SpO₂ scale 2 (target 88–92 %, hypercapnic failure)"),
        F.flag("supplemental_oxygen", "On supplemental oxygen"),
        F.SBP,
        F.HEART_RATE,
        Input(
            "consciousness",
            "Consciousness (ACVPU)",
            "choice",
            choices=CONSCIOUSNESS,
            default="alert",
            aliases={
                "a": "alert",
                "c": "new confusion",
                "confused": "new confusion",
                "v": "voice",
                "p": "pain",
                "u": "unresponsive",
            },
        ),
        F.TEMPERATURE,
    ],
    output="integer",
)
def news2(x: dict[str, Any], t: Trace) -> int:
    rr = x["resp_rate"]
    s = t.points("respiration rate", band(rr, [(25, 3), (21, 2), (12, 0), (9, 1), (LOW, 3)]), f"{rr:.3g}/min")
    s += _news2_spo2(x, t)
    s += t.points(
        "air or oxygen", 2 if x["supplemental_oxygen"] else 0, "oxygen" if x["supplemental_oxygen"] else "air"
    )
    s += t.points(
        "systolic BP",
        band(x["sbp"], [(220, 3), (111, 0), (101, 1), (91, 2), (LOW, 3)]),
        f"{x['sbp']:.3g} mm Hg",
    )
    s += t.points(
        "pulse",
        band(x["heart_rate"], [(131, 3), (111, 2), (91, 1), (51, 0), (41, 1), (LOW, 3)]),
        f"{x['heart_rate']:.3g}/min",
    )
    s += t.points("consciousness", 0 if x["consciousness"] == "alert" else 3, x["consciousness"])
    temp = round(x["temperature"], 1)
    s += t.points(
        "temperature", band(temp, [(39.1, 2), (38.1, 1), (36.1, 0), (35.1, 1), (LOW, 3)]), f"{temp} °C"
    )
    t.add(f"NEWS2 = {s:g}")
    return int(s)


def _news2_spo2(x: dict[str, Any], t: Trace) -> float:
    spo2 = round(x["spo2"])
    if not x["hypercapnic_target"]:
        return t.points("SpO₂ (scale 1)", band(spo2, [(96, 0), (94, 1), (92, 2), (LOW, 3)]), f"{spo2} %")
    if spo2 >= 93 and x["supplemental_oxygen"]:
        pts = band(spo2, [(97, 3), (95, 2), (93, 1)])
    else:
        pts = band(spo2, [(88, 0), (86, 1), (84, 2), (LOW, 3)])
    return t.points("SpO₂ (scale 2)", pts, f"{spo2} %")


@calculator(
    "sirs",
    "SIRS criteria",
    "criteria",
    [
        F.TEMPERATURE,
        F.HEART_RATE,
        F.RESP_RATE,
        Input("paco2", "PaCO₂", "pressure", "mm Hg", 5, 200, optional=True),
        F.WBC,
        Input("bands", "Band forms", "percent", "%", 0, 100, optional=True),
    ],
    output="integer",
)
def sirs(x: dict[str, Any], t: Trace) -> int:
    temp = x["temperature"]
    s = t.points("temperature > 38 or < 36 °C", 1 if temp > 38 or temp < 36 else 0, f"{temp:.4g} °C")
    s += t.points("heart rate > 90", 1 if x["heart_rate"] > 90 else 0, f"{x['heart_rate']:.3g}/min")
    resp = x["resp_rate"] > 20 or (x["paco2"] is not None and x["paco2"] < 32)
    s += t.points("respiratory rate > 20 or PaCO₂ < 32", 1 if resp else 0, f"{x['resp_rate']:.3g}/min")
    wbc = x["wbc"] > 12 or x["wbc"] < 4 or (x["bands"] is not None and x["bands"] > 10)
    s += t.points("WBC > 12 or < 4 × 10⁹/L or bands > 10 %", 1 if wbc else 0, f"{x['wbc']:.4g} × 10⁹/L")
    t.add(f"SIRS criteria met = {s:g}")
    return int(s)


EYE = ("spontaneous", "to verbal command", "to pain", "none", "not testable")
VERBAL = ("oriented", "confused", "inappropriate words", "incomprehensible sounds", "none", "not testable")
MOTOR = (
    "obeys commands",
    "localizes pain",
    "withdrawal from pain",
    "flexion to pain",
    "extension to pain",
    "none",
    "not testable",
)
_GCS_ALIASES = {
    "eyes open spontaneously": "spontaneous",
    "eye opening to verbal command": "to verbal command",
    "eye opening to pain": "to pain",
    "no eye opening": "none",
    "no verbal response": "none",
    "no motor response": "none",
    "abnormal flexion to pain": "flexion to pain",
}


@calculator(
    "gcs",
    "Glasgow Coma Scale",
    "points",
    [
        Input("eye", "Best eye response", "choice", choices=EYE, aliases=_GCS_ALIASES),
        Input("verbal", "Best verbal response", "choice", choices=VERBAL, aliases=_GCS_ALIASES),
        Input("motor", "Best motor response", "choice", choices=MOTOR, aliases=_GCS_ALIASES),
    ],
    output="integer",
)
def gcs(x: dict[str, Any], t: Trace) -> int:
    s = 0.0
    for key, options, top in (("eye", EYE, 4), ("verbal", VERBAL, 5), ("motor", MOTOR, 6)):
        if x[key] == "not testable":
            s += t.points(
                key, 1, "not testable (e.g. intubated, 'T'): scored 1, so the total is a lower bound"
            )
        else:
            s += t.points(key, top - options.index(x[key]), x[key])
    t.add(f"GCS = {s:g}")
    return int(s)
