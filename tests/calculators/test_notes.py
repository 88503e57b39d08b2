"""Note extraction without an LLM, on notes written for these tests (not taken from any data set)."""

from __future__ import annotations

import pytest

from medtrio.calculators.note_inputs import inputs_from_note, mentioned
from medtrio.calculators.notes import extract

NOTE = (
    "A 67-year-old woman presented with dyspnea. She has a history of hypertension and type 2 diabetes "
    "but no history of stroke or heart failure. She denies smoking. Blood pressure 150/85 mmHg, "
    "heart rate 112 bpm, respiratory rate 24 breaths/min, temperature 38.6 °C, oxygen saturation 91% on "
    "room air. She weighs 70 kg and is 165 cm tall. Labs: sodium 131 mmol/L, potassium 4.1 mmol/L, "
    "chloride 98 mmol/L, bicarbonate 19 mmol/L, BUN 32 mg/dL, creatinine 1.4 mg/dL, glucose 7.8 mmol/L, "
    "albumin 28 g/L, platelets 145 × 10^9/L, WBC 14,200/µL, INR 1.3."
)


class TestExtract:
    def test_demographics_vitals_and_labs_with_units(self) -> None:
        x = extract(NOTE)
        assert x.get("age") == [67.0, "years"] and x.get("sex") == "female"
        assert x.get("sbp") == [150.0, "mmHg"] and x.get("dbp") == [85.0, "mmHg"]
        assert x.get("heart_rate") == [112.0, "bpm"] and x.get("resp_rate") == [24.0, "/min"]
        assert x.get("temperature") == [38.6, "°C"] and x.get("spo2") == [91.0, "%"]
        assert x.get("weight") == [70.0, "kg"] and x.get("height") == [165.0, "cm"]
        assert x.get("sodium") == [131.0, "mmol/L"] and x.get("creatinine") == [1.4, "mg/dL"]
        assert x.get("glucose") == [7.8, "mmol/L"] and x.get("albumin") == [28.0, "g/L"]
        assert x.get("platelets") == [145.0, "10^9/L"] and x.get("wbc") == [14200.0, "/µL"]
        assert x.get("inr") == 1.3

    def test_unit_inferred_from_magnitude_is_flagged(self) -> None:
        found = extract("Serum creatinine was 132 on admission.").values["creatinine"]
        assert found.value == [132.0, "µmol/L"] and found.inferred_unit

    def test_impossible_unit_falls_back_and_is_flagged(self) -> None:
        found = extract("Albumin, 3.1 mg/dL; total protein 6 g/dL.").values["albumin"]
        assert found.value == [3.1, "g/dL"] and found.inferred_unit


class TestNegation:
    @pytest.mark.parametrize(
        ("concept", "expected"),
        [
            ("hypertension", True),
            ("diabetes", True),
            ("stroke", False),
            ("chf", False),
            ("smoking", False),
            ("copd", None),
        ],
    )
    def test_history_items(self, concept: str, expected: bool | None) -> None:
        assert mentioned(NOTE, concept)[0] is expected

    def test_family_history_is_not_the_patients(self) -> None:
        assert mentioned("Her mother had a stroke at 70.", "stroke")[0] is None


class TestAssembly:
    def test_cha2ds2_vasc_from_note(self) -> None:
        inputs, prov = inputs_from_note("cha2ds2_vasc", NOTE)
        assert inputs["hypertension"] is True and inputs["diabetes"] is True and inputs["chf"] is False
        assert inputs["age"] == [67.0, "years"] and "hypertension" in prov

    def test_templated_doses(self) -> None:
        inputs, _ = inputs_from_note("mme", "The patient takes 10 mg of OxyCODONE 4 times a day.")
        assert inputs["oxycodone_dose"] == [10.0, "mg"] and inputs["oxycodone_doses_per_day"] == 4
