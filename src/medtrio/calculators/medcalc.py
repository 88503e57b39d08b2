"""MedCalc-Bench adapter: map the benchmark's `Relevant Entities` onto our calculators' inputs, and grade.

MedCalc-Bench (Khandekar et al., NeurIPS 2024 Datasets & Benchmarks) ships each row with a Python dict literal
of the entities a calculator needs, keyed by the benchmark's own spellings. This module translates those keys,
values and units to our inputs; it holds no answers. Grading follows the benchmark's rules: integer and date
outputs must match exactly, decimals must fall within [Lower Limit, Upper Limit].
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from medtrio.calculators.core import calculate, get
from medtrio.errors import InvalidInput, MedtrioError

# medcalc calculator id -> our calculator name
CALCULATORS: dict[int, str] = {
    2: "cockcroft_gault",
    3: "ckd_epi_2021",
    4: "cha2ds2_vasc",
    5: "map",
    6: "bmi",
    7: "calcium_correction",
    8: "wells_pe",
    9: "mdrd",
    10: "ideal_body_weight",
    11: "qtc_bazett",
    13: "due_date",
    15: "child_pugh",
    16: "wells_dvt",
    17: "rcri",
    18: "heart",
    19: "fib4",
    20: "centor_mcisaac",
    21: "gcs",
    22: "maintenance_fluids",
    23: "meld_na",
    24: "steroid_conversion",
    25: "has_bled",
    26: "sodium_correction",
    27: "glasgow_blatchford",
    28: "apache_ii",
    29: "psi",
    30: "serum_osmolality",
    31: "homa_ir",
    32: "charlson",
    33: "feverpain",
    36: "caprini",
    38: "free_water_deficit",
    39: "anion_gap",
    40: "fena",
    43: "sofa",
    44: "ldl_friedewald",
    45: "curb65",
    46: "framingham_hard_chd",
    48: "perc",
    49: "mme",
    51: "sirs",
    56: "qtc_fridericia",
    57: "qtc_framingham",
    58: "qtc_hodges",
    59: "qtc_rautaharju",
    60: "bsa",
    61: "target_weight",
    62: "adjusted_body_weight",
    63: "delta_gap",
    64: "delta_ratio",
    65: "albumin_corrected_anion_gap",
    66: "albumin_corrected_delta_gap",
    67: "albumin_corrected_delta_ratio",
    68: "conception_date",
    69: "gestational_age",
}

# benchmark entity key -> our input name; a calculator-specific table wins over the common one
COMMON_KEYS: dict[str, str] = {
    "age": "age",
    "sex": "sex",
    "weight": "weight",
    "height": "height",
    "creatinine": "creatinine",
    "Sodium": "sodium",
    "Potassium": "potassium",
    "Chloride": "chloride",
    "Bicarbonate": "bicarbonate",
    "Albumin": "albumin",
    "Calcium": "calcium",
    "Glucose": "glucose",
    "Bilirubin": "bilirubin",
    "Blood Urea Nitrogen (BUN)": "bun",
    "Hemoglobin": "hemoglobin",
    "Hematocrit": "hematocrit",
    "Platelet count": "platelets",
    "White blood cell count": "wbc",
    "international normalized ratio": "inr",
    "pH": "ph",
    "Glasgow Coma Score": "gcs",
    "Heart Rate or Pulse": "heart_rate",
    "respiratory rate": "resp_rate",
    "Systolic Blood Pressure": "sbp",
    "Diastolic Blood Pressure": "dbp",
    "Temperature": "temperature",
    "FiO₂": "fio2",
    "Partial pressure of oxygen (PaO₂) for Apache II": "pao2",
    "O₂ saturation percentage": "spo2",
    "QT interval": "qt",
    "Total cholesterol": "total_cholesterol",
    "high-density lipoprotein cholesterol": "hdl",
    "Triglycerides": "triglycerides",
    "Body Mass Index (BMI)": "bmi",
    "Insulin": "insulin",
    "Congestive Heart Faliure": "chf",
    "Hypertension history": "hypertension",
    "Previously documented Deep Vein Thrombosis": "previous_dvt",
    "Previously Documented Pulmonary Embolism": "previous_pe",
    "Hemoptysis": "hemoptysis",
    "Chronic Obstructive Pulmonary Disease": "copd",
    "Alanine aminotransferase": "alt",
    "Aspartate aminotransferase": "ast",
    "Urine sodium": "urine_sodium",
    "Urine creatinine": "urine_creatinine",
    "Last menstrual date": "lmp",
    "cycle length": "cycle_length",
    "Current Date": "today",
    "Race": "black",
    "Ascites": "ascites",
    "Encephalopathy": "encephalopathy",
}

SPECIFIC_KEYS: dict[str, dict[str, str]] = {
    "cha2ds2_vasc": {
        "Stroke": "stroke_tia_te",
        "Transient Ischemic Attacks History": "stroke_tia_te",
        "Thromboembolism history": "stroke_tia_te",
        "Vascular disease history": "vascular_disease",
        "Diabetes history": "diabetes",
    },
    "wells_pe": {
        "Clinical signs and symptoms of Deep Vein Thrombosis": "dvt_signs",
        "Pulmonary Embolism is #1 diagnosis OR equally likely": "pe_most_likely",
        "Immobilization for at least 3 days": "immobilization",
        "Surgery in the previous 4 weeks": "recent_surgery",
        "Malignancy with treatment within 6 months or palliative": "malignancy",
    },
    "wells_dvt": {
        "Active cancer": "active_cancer",
        "Bedridden recently >3 days or major surgery within 12 weeks": "bedridden",
        "Major surgery within 12 weeks": "major_surgery",
        "Calf swelling >3 centimeters compared to the other leg": "calf_swelling",
        "Collateral (nonvaricose) superficial veins present": "collateral_veins",
        "Entire Leg Swollen": "entire_leg_swollen",
        "Localized tenderness along the deep venous system": "localized_tenderness",
        "Pitting edema, confined to symptomatic leg": "pitting_edema",
        "Paralysis, paresis, or recent plaster immobilization of the lower extremity": "paralysis_or_cast",
        "Alternative diagnosis to Deep Vein Thrombosis as likely or more likely": "alternative_diagnosis",
    },
    "rcri": {
        "History of cerebrovascular disease": "cerebrovascular_disease",
        "Cerebrovascular disease history": "cerebrovascular_disease",
        "Pre-operative treatment with insulin": "insulin",
        "Congestive Heart Failure criteria for the Cardiac Risk Index rule": "heart_failure",
        "Pre-operative creatinine": "creatinine",
        "History of ischemic heart disease": "ischemic_heart_disease",
        "Elevated-risk surgery": "high_risk_surgery",
    },
    "heart": {
        "Suspicion History": "history",
        "Electrocardiogram Test": "ecg",
        "Diabetes mellitus criteria for CCI rule": "diabetes",
        "atherosclerotic disease": "atherosclerotic_disease",
        "Transient Ischemic Attacks History": "atherosclerotic_disease",
        "Initial troponin": "troponin",
        "hypercholesterolemia": "hypercholesterolemia",
        "obesity": "obesity",
        "smoking": "smoking",
        "parent or sibling with Cardiovascular disease before age 65": "family_history",
    },
    "centor_mcisaac": {
        "Cough Absent": "cough_absent",
        "Exudate or swelling on tonsils": "exudate",
        "Tender/swollen anterior cervical lymph nodes": "lymph_nodes",
    },
    "gcs": {"Best eye response": "eye", "Best verbal response": "verbal", "Best motor response": "motor"},
    "meld_na": {
        "Continuous veno-venous hemodialysis for ≥24 hours in the past week": "dialysis",
        "Dialysis at least twice in the past week": "dialysis",
    },
    "has_bled": {
        "Stroke": "stroke",
        "Medication usage predisposing to bleeding": "drugs",
        "Liver disease criteria for the HAS-BLED rule": "liver_disease",
        "Number of Alcoholic Drinks Per Week": "alcohol_drinks_per_week",
        "Labile international normalized ratio": "labile_inr",
        "Renal disease criteria for the HAS-BLED rule": "renal_disease",
        "Prior major bleeding or predisposition to bleeding": "bleeding",
    },
    "glasgow_blatchford": {
        "Hepatic disease history": "hepatic_disease",
        "Recent syncope": "syncope",
        "Cardiac failure present": "cardiac_failure",
        "Melena present": "melena",
    },
    "apache_ii": {
        "Acute renal failure": "acute_renal_failure",
        "Chronic Renal Failure": "chronic_renal_failure",
        "History of severe organ failure or immunocompromise": "chronic_health",
        "A-a gradient": "aa_gradient",
        "Surgery Type": "admission",
    },
    "psi": {
        "Renal disease": "renal_disease",
        "Cerebrovascular disease history": "cerebrovascular_disease",
        "Liver disease severity": "liver_disease",
        "Neoplastic disease": "neoplastic_disease",
        "Altered mental status": "altered_mental_status",
        "Pleural effusion on x-ray": "pleural_effusion",
        "Nursing home resident": "nursing_home",
    },
    "charlson": {
        "Transient Ischemic Attacks History": "cerebrovascular_disease",
        "Cerebrovascular Accident": "cerebrovascular_disease",
        "Lymphoma": "lymphoma",
        "Solid tumor": "solid_tumor",
        "Dementia": "dementia",
        "Leukemia": "leukemia",
        "Myocardial infarction": "myocardial_infarction",
        "Hemiplegia": "hemiplegia",
        "Moderate to severe Chronic Kidney Disease": "ckd",
        "Diabetes mellitus criteria for CCI rule": "diabetes",
        "Connective tissue disease": "connective_tissue_disease",
        "Peptic ulcer disease": "peptic_ulcer_disease",
        "Liver disease severity": "liver_disease",
        "Peripheral vascular disease": "peripheral_vascular_disease",
        "AIDS": "aids",
    },
    "feverpain": {
        "Purulent tonsils": "purulence",
        "Symptom onset ≤3 days": "attend_rapidly",
        "Severe tonsil inflammation": "inflamed_tonsils",
        "Fever in past 24 hours": "fever",
        "Absence of cough or coryza": "no_cough_coryza",
    },
    "caprini": {
        "Surgery Type": "surgery",
        "Major Surgery in the last month": "recent_major_surgery",
        "Congestive Heart Failure in the last month": "recent_chf",
        "Sepsis in the last month": "recent_sepsis",
        "Pneumonia in the last month": "recent_pneumonia",
        "Immobilizing plaster cast in the last month": "plaster_cast",
        "Hip, pelvis, or leg fracture in the last month": "fracture",
        "Stroke in the last month": "recent_stroke",
        "Multiple trauma in the last month": "multiple_trauma",
        "Acute spinal cord injury causing paralysis in the last month": "spinal_cord_injury",
        "Varicose veins": "varicose_veins",
        "Current swollen legs": "swollen_legs",
        "Current central venous access": "central_venous_access",
        "Previously documented Deep Vein Thrombosis": "history_vte",
        "Previously Documented Pulmonary Embolism": "history_vte",
        "Family history of thrombosis": "family_history_thrombosis",
        "Positive Factor V Leiden": "factor_v_leiden",
        "Positive prothrombin 20210A": "prothrombin_20210a",
        "Elevated serum homocysteine": "homocysteine",
        "Positive lupus anticoagulant": "lupus_anticoagulant",
        "Elevated anticardiolipin antibody": "anticardiolipin",
        "Heparin-induced thrombocytopenia": "hit",
        "Other congenital or acquired thrombophilia": "other_thrombophilia",
        "Mobility": "mobility",
        "History of inflammatory bowel disease": "ibd",
        "Acute Myocardial infarction": "acute_mi",
        "Present or previous malignancy": "malignancy",
    },
    "sofa": {
        "Continuous veno-venous hemodialysis for ≥24 hours in the past week": None,
        "On mechanical ventilation": "mechanical_ventilation",
        "Continous positive airway pressure": "cpap",
        "EPINEPHrine": "epinephrine",
        "norEPINEPHrine": "norepinephrine",
        "DOPamine": "dopamine",
        "DOBUTamine": "dobutamine",
        "Hypotension": "hypotension",
        "Urine Output": "urine_output",
    },
    "curb65": {"Confusion": "confusion"},
    "framingham_hard_chd": {"Smoker": "smoker", "Blood pressure being treated with medicines": "bp_treated"},
    "perc": {
        "Recent surgery or trauma": "recent_surgery_trauma",
        "Unilateral Leg Swelling": "unilateral_leg_swelling",
        "Hormone use": "hormone_use",
        "Previously Documented Pulmonary Embolism": "previous_pe_dvt",
        "Previously documented Deep Vein Thrombosis": "previous_pe_dvt",
    },
    "target_weight": {"Body Mass Index (BMI)": "target_bmi"},
    "sirs": {},
}

# Conventions the benchmark's physician-checked labels follow where a calculator offers a choice.
CONVENTIONS = {"mme": "cdc2016"}

_HEART_TROPONIN = {
    "less than or equal to normal limit": "≤ normal limit",
    "between the normal limit or up to three times the normal limit": "1–3× normal limit",
    "greater than three times normal limit": "> 3× normal limit",
}


def to_inputs(calc_id: int, entities: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Translate one row's entities into (calculator name, raw inputs)."""
    name = CALCULATORS[calc_id]
    calc = get(name)
    allowed = {i.name for i in calc.inputs}
    specific = SPECIFIC_KEYS.get(name, {})
    out: dict[str, Any] = {}
    if name == "mme":
        return name, _mme(entities)
    if name == "steroid_conversion":
        src = entities["input steroid"]
        return name, {
            "from_steroid": src[0],
            "dose": [src[1], src[2]],
            "to_steroid": entities["target steroid"],
        }
    for key, value in entities.items():
        target = specific[key] if key in specific else COMMON_KEYS.get(key)
        if target is None or target not in allowed:
            continue
        value = _value(name, target, value)
        if isinstance(value, bool) and isinstance(out.get(target), bool):
            out[target] = out[target] or value  # several benchmark flags feed one of ours (stroke/TIA/TE)
        else:
            out[target] = value
    return name, out


def _value(name: str, target: str, value: Any) -> Any:
    if target == "black":
        return str(value).lower() == "black"
    if target == "troponin":
        return _HEART_TROPONIN.get(value, value)
    if target in ("bmi", "target_bmi") and isinstance(value, list):
        return value[0]
    if target in ("insulin",) and isinstance(value, list):
        return value
    if target == "urine_output" and isinstance(value, list):
        return value[0]
    if target in ("sbp", "dbp", "pao2") and isinstance(value, list):
        return [value[0], value[1].replace(" ", "")]
    if target in ("liver_disease",) and name == "psi":
        return bool(value) if isinstance(value, bool) else True
    if target in ("liver_disease", "diabetes", "solid_tumor") and name == "charlson":
        return str(value).lower() if not isinstance(value, bool) else str(value).lower()
    if target == "admission":
        return {
            "elective": "elective postoperative",
            "nonoperative": "nonoperative",
            "emergency": "emergency postoperative",
        }.get(str(value).strip().lower(), str(value).strip().lower())
    if target == "surgery":
        return str(value).strip().lower()
    return value


def _mme(entities: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"conversion": CONVENTIONS["mme"]}
    for key, value in entities.items():
        m = re.match(r"(.+?) Dose( Per Day)?$", key)
        if not m:
            continue
        drug = m.group(1).lower().replace(" ", "_")
        if m.group(2):
            out[f"{drug}_doses_per_day"] = value[0] if isinstance(value, list) else value
        else:
            dose, unit = value
            if drug == "fentanyl_patch" and unit == "mg":
                unit = "µg"  # patches are dosed in µg/h; the benchmark labels the rate "mg"
            out[f"{drug}_dose"] = [dose, unit]
    return out


def parse_entities(text: str) -> dict[str, Any]:
    return ast.literal_eval(text)


def compute_row(calc_id: int, entities: Mapping[str, Any]) -> Any:
    name, inputs = to_inputs(calc_id, entities)
    return calculate(name, inputs).value


def grade(output_type: str, value: Any, answer: str, low: str, high: str) -> bool:
    """True when `value` is correct under MedCalc-Bench's rules."""
    if value is None:
        return False
    if output_type == "date":
        return str(value) == answer.strip()
    if isinstance(value, list):  # gestational age: (weeks, days)
        nums = [int(n) for n in re.findall(r"\d+", answer)]
        if len(nums) == 1:  # the corrected labels give the age in days
            return nums[0] == value[0] * 7 + value[1]
        return nums == list(value)
    if output_type == "integer":
        try:
            return round(float(value)) == round(float(answer))
        except ValueError:
            return False
    try:
        return float(low) <= float(value) <= float(high)
    except ValueError:
        return False


def safe_compute(calc_id: int, entities: Mapping[str, Any]) -> tuple[Any, str]:
    """Compute, returning (value, error message) instead of raising on bad input."""
    try:
        return compute_row(calc_id, entities), ""
    except (MedtrioError, InvalidInput) as exc:
        return None, str(exc)
