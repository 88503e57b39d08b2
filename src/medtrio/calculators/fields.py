"""Shared input definitions (name, unit, valid range) so every calculator asks for a value the same way.

Valid ranges are physiological limits wide enough for critical illness and narrow enough to reject unit
mix-ups (a creatinine of 90 "mg/dL" is a µmol/L value in the wrong box).
"""

from __future__ import annotations

from medtrio.calculators.core import Input


def flag(name: str, label: str) -> Input:
    return Input(name, label, "bool")


SEX = Input(
    "sex",
    "Sex",
    "choice",
    choices=("male", "female"),
    aliases={"m": "male", "f": "female", "man": "male", "woman": "female"},
)
AGE = Input("age", "Age", "age", "years", 0, 125)
ADULT_AGE = Input("age", "Age", "age", "years", 18, 125)
WEIGHT = Input("weight", "Weight", "weight", "kg", 0.3, 400)
HEIGHT = Input("height", "Height", "length", "cm", 30, 260)
BMI = Input("bmi", "Body mass index", "number", "kg/m²", 8, 120)

CREATININE = Input("creatinine", "Serum creatinine", "conc:creatinine", "mg/dL", 0.05, 40)
BUN = Input("bun", "Blood urea nitrogen", "conc:bun", "mg/dL", 0.5, 300)
GLUCOSE = Input("glucose", "Glucose", "conc:glucose", "mg/dL", 5, 3000)
SODIUM = Input("sodium", "Sodium", "conc:sodium", "mmol/L", 80, 220)
POTASSIUM = Input("potassium", "Potassium", "conc:potassium", "mmol/L", 0.5, 15)
CHLORIDE = Input("chloride", "Chloride", "conc:chloride", "mmol/L", 40, 180)
BICARBONATE = Input("bicarbonate", "Bicarbonate", "conc:bicarbonate", "mmol/L", 0.5, 70)
ALBUMIN = Input("albumin", "Albumin", "conc:albumin", "g/dL", 0.3, 7)
CALCIUM = Input("calcium", "Total calcium", "conc:calcium", "mg/dL", 2, 25)
BILIRUBIN = Input("bilirubin", "Total bilirubin", "conc:bilirubin", "mg/dL", 0.05, 80)
INR = Input("inr", "INR", "number", "", 0.5, 20)
PH = Input("ph", "Arterial pH", "number", "", 6.5, 8.0)
GCS = Input("gcs", "Glasgow Coma Scale", "number", "", 3, 15, default=15)
PLATELETS = Input("platelets", "Platelet count", "count", "10^9/L", 0, 3000)
WBC = Input("wbc", "White blood cell count", "count", "10^9/L", 0, 500)
HEMATOCRIT = Input("hematocrit", "Hematocrit", "percent", "%", 5, 80)
HEMOGLOBIN = Input("hemoglobin", "Hemoglobin", "conc:hemoglobin", "g/dL", 1, 25)

SBP = Input("sbp", "Systolic blood pressure", "pressure", "mm Hg", 20, 320)
DBP = Input("dbp", "Diastolic blood pressure", "pressure", "mm Hg", 5, 220)
HEART_RATE = Input("heart_rate", "Heart rate", "rate", "/min", 10, 350)
RESP_RATE = Input("resp_rate", "Respiratory rate", "rate", "/min", 0, 90)
TEMPERATURE = Input("temperature", "Temperature", "temperature", "°C", 20, 46)
SPO2 = Input("spo2", "Oxygen saturation", "percent", "%", 20, 100)
FIO2 = Input("fio2", "FiO₂", "percent", "%", 21, 100, default=21.0)
PAO2 = Input("pao2", "PaO₂", "pressure", "mm Hg", 10, 700)
QT = Input("qt", "QT interval", "time", "ms", 150, 800)

TOTAL_CHOL = Input("total_cholesterol", "Total cholesterol", "conc:cholesterol", "mg/dL", 50, 1000)
HDL = Input("hdl", "HDL cholesterol", "conc:cholesterol", "mg/dL", 5, 200)
TRIGLYCERIDES = Input("triglycerides", "Triglycerides", "conc:triglycerides", "mg/dL", 10, 5000)
