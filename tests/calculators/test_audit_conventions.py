"""Conventions confirmed by the MedCalc-Bench disagreement audit (docs/calculators.md), each pinned to the
calculator's published definition. Every case is constructed here (no benchmark rows); the expected values
are worked by hand in the comments, so a later change that drifts towards a label quirk fails loudly."""

from __future__ import annotations

import pytest

from medtrio.calculators import calculate

Y = "years"


def calc(name: str, **inputs: object) -> object:
    return calculate(name, inputs).value


class TestSofaVincent1996:
    def test_respiration_3_and_4_need_respiratory_support(self) -> None:
        # Vincent 1996: PaO2/FiO2 < 200 scores 3 (< 100: 4) only "with respiratory support"; without it the
        # ratio 80/0.5 = 160 stays at 2 points. Nothing else abnormal.
        base = {"pao2": [80, "mmHg"], "fio2": [50, "%"]}
        assert calc("sofa", **base, mechanical_ventilation=False) == 2
        assert calc("sofa", **base, mechanical_ventilation=True) == 3

    def test_renal_urine_output_below_200_is_4_points(self) -> None:
        # < 500 mL/day -> 3, < 200 mL/day -> 4
        assert calc("sofa", urine_output=450) == 3
        assert calc("sofa", urine_output=150) == 4

    def test_catecholamine_thresholds(self) -> None:
        # epinephrine or norepinephrine ≤ 0.1 -> 3, > 0.1 -> 4; dopamine ≤ 5 or any dobutamine -> 2
        assert calc("sofa", epinephrine=[0.08, "mcg/kg/min"]) == 3
        assert calc("sofa", norepinephrine=[0.25, "mcg/kg/min"]) == 4
        assert calc("sofa", dobutamine=[4, "mcg/kg/min"]) == 2


class TestMeldNaOptn2016:
    def test_meld_i_is_rounded_to_tenths_not_integers(self) -> None:
        # Cr 1.0, bilirubin 1.2, INR 1.0: 0.378 ln 1.2 + 0.643 = 0.712 -> 0.7 × 10 = 7 (not 1 × 10 = 10);
        # MELD(i) ≤ 11, so the sodium term is not applied.
        assert calc(
            "meld_na", creatinine=[1.0, "mg/dL"], bilirubin=[1.2, "mg/dL"], inr=1.0, sodium=[140, "mmol/L"]
        ) == 7

    def test_dialysis_and_sodium_bounds(self) -> None:
        # dialysis: Cr = 4; 0.957 ln 4 + 1.120 ln 1.8 + 0.643 = 2.628 -> 26; Na 150 is bounded to 137,
        # so the sodium term adds nothing.
        assert calc(
            "meld_na",
            creatinine=[6.0, "mg/dL"],
            bilirubin=[0.8, "mg/dL"],
            inr=1.8,
            sodium=[150, "mmol/L"],
            dialysis=True,
        ) == 26


class TestSirsBone1992:
    def test_white_cell_limits_are_strict(self) -> None:
        # WBC criterion: > 12 or < 4 × 10⁹/L; 4.2 does not meet it, 3.9 does. Heart rate 120 meets its own.
        vitals = {"temperature": [37.0, "°C"], "heart_rate": [120, "bpm"], "resp_rate": [16, "/min"]}
        assert calc("sirs", **vitals, wbc=[4200, "/µL"]) == 1
        assert calc("sirs", **vitals, wbc=[3900, "/µL"]) == 2


class TestCharlson1987Quan:
    def test_diet_controlled_diabetes_scores_nothing(self) -> None:
        # age 60–69 (2) + CHF (1) + COPD (1) + moderate-severe CKD (2); diet-controlled diabetes 0 -> 6
        assert calc(
            "charlson", age=[65, Y], chf=True, copd=True, ckd=True, diabetes="none or diet-controlled"
        ) == 6

    def test_metastatic_tumour_replaces_localised(self) -> None:
        # age 70–79 (3) + mild liver disease (1) + metastatic solid tumour (6, not 6 + 2) = 10
        assert calc("charlson", age=[75, Y], liver_disease="mild", solid_tumor="metastatic") == 10


class TestCaprini2005:
    def test_arthroplasty_and_bed_rest(self) -> None:
        # age 61–74 (2) + elective major lower-extremity arthroplasty (5) + bed rest (1)
        # + stroke < 1 month (5) + elevated homocysteine (3) = 16
        assert calc(
            "caprini",
            age=[62, Y],
            sex="male",
            surgery="elective major lower extremity arthroplasty",
            mobility="on bed rest",
            recent_stroke=True,
            homocysteine=True,
        ) == 16


class TestFraminghamAtpIII:
    def test_male_equation(self) -> None:
        # ATP III hard-CHD equation (mg/dL inputs): man 55, TC 213, HDL 50, SBP 120 untreated, non-smoker:
        # L = 52.00961 ln55 + 20.014077 ln213 − 0.905964 ln50 + 1.305784 ln120 − 4.605038 ln55·ln213
        #     − 2.93323 (ln55)² − 172.300168 = 0.0875; risk = 1 − 0.9402^exp(L) = 6.51 %
        value = calc(
            "framingham_hard_chd",
            sex="male",
            age=[55, Y],
            total_cholesterol=[213, "mg/dL"],
            hdl=[50, "mg/dL"],
            sbp=[120, "mmHg"],
            smoker=False,
            bp_treated=False,
        )
        assert value == pytest.approx(6.5085, abs=0.01)

    def test_smoking_term_uses_age_capped_at_70_for_men(self) -> None:
        # same man at 75 and smoking: the ln(age) × smoker term uses ln 70 -> L = 1.0026, risk 15.47 %
        value = calc(
            "framingham_hard_chd",
            sex="male",
            age=[75, Y],
            total_cholesterol=[213, "mg/dL"],
            hdl=[50, "mg/dL"],
            sbp=[120, "mmHg"],
            smoker=True,
            bp_treated=False,
        )
        assert value == pytest.approx(15.468, abs=0.01)


class TestDatesAndGaps:
    def test_due_date_short_cycle_moves_earlier(self) -> None:
        # Naegele: LMP + 280 days, then + (cycle − 28): 2024-01-01 + 280 = 2024-10-07; cycle 24 -> 10/03/2024
        assert calc("due_date", lmp="2024-01-01", cycle_length=24) == "10/03/2024"

    def test_conception_follows_cycle_length(self) -> None:
        # ovulation ~14 days before the next menses: LMP + (cycle − 14); 30-day cycle -> 2024-01-17
        assert calc("conception_date", lmp="2024-01-01", cycle_length=30) == "01/17/2024"

    def test_delta_gap_is_anion_gap_minus_12(self) -> None:
        # AG = 140 − (104 + 18) = 18; delta gap = 18 − 12 = 6 (not the "delta-delta" 6 − (24 − 18) = 0)
        lytes = {"sodium": [140, "mmol/L"], "chloride": [104, "mmol/L"], "bicarbonate": [18, "mmol/L"]}
        assert calc("delta_gap", **lytes) == 6
