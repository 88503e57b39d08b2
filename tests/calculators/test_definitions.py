"""Worked examples built from each score's published definition (every item's points or the formula), for
the calculators not covered by test_published_examples.py. Expected values are worked by hand in comments."""

from __future__ import annotations

import pytest

from medtrio.calculators import calculate

Y = "years"


def calc(name: str, **inputs: object) -> object:
    return calculate(name, inputs).value


class TestBody:
    def test_devine_ideal_and_adjusted_weight(self) -> None:
        # 70 in = 177.8 cm: IBW = 50 + 2.3 × 10 = 73 kg; ABW = 73 + 0.4 × (100 − 73) = 83.8 kg
        assert calc("ideal_body_weight", sex="male", height=[70, "in"]) == pytest.approx(73.0, abs=1e-3)
        assert calc(
            "adjusted_body_weight", sex="male", height=[70, "in"], weight=[100, "kg"]
        ) == pytest.approx(83.8, abs=1e-3)

    def test_target_weight(self) -> None:
        assert calc("target_weight", target_bmi=22, height=[1.75, "m"]) == pytest.approx(67.375)

    def test_free_water_deficit(self) -> None:
        # 0.6 × 70 × (160/140 − 1) = 6.0 L (Adrogué & Madias 2000 worked example)
        assert calc(
            "free_water_deficit", age=[40, Y], sex="male", weight=[70, "kg"], sodium=[160, "mmol/L"]
        ) == pytest.approx(6.0)

    def test_sodium_correction(self) -> None:
        assert calc("sodium_correction", sodium=[130, "mmol/L"], glucose=[600, "mg/dL"]) == pytest.approx(
            142.0
        )


class TestCardiacScores:
    def test_has_bled_maximum(self) -> None:
        flags = dict.fromkeys(
            ["hypertension", "renal_disease", "liver_disease", "stroke", "bleeding", "labile_inr", "drugs"],
            True,
        )
        assert calc("has_bled", age=[70, Y], alcohol_drinks_per_week=8, **flags) == 9

    def test_heart_extremes(self) -> None:
        assert (
            calc(
                "heart",
                history="highly suspicious",
                ecg="significant st deviation",
                age=[70, Y],
                atherosclerotic_disease=True,
                troponin="> 3× normal limit",
            )
            == 10
        )
        assert calc("heart", history="slightly suspicious", age=[30, Y]) == 0

    def test_rcri_all_items(self) -> None:
        flags = dict.fromkeys(
            [
                "high_risk_surgery",
                "ischemic_heart_disease",
                "heart_failure",
                "cerebrovascular_disease",
                "insulin",
            ],
            True,
        )
        assert calc("rcri", creatinine=[2.5, "mg/dL"], **flags) == 6

    def test_qtc_rautaharju_at_60(self) -> None:
        assert calc("qtc_rautaharju", heart_rate=[60, "bpm"], qt=[400, "ms"]) == pytest.approx(400)


class TestCriticalCare:
    def test_apache_ii_constructed_case(self) -> None:
        # age 70 (5) + temp 39.5 (3) + MAP 60 (2) + HR 120 (2) + RR 30 (1) + PaO2 65 on FiO2 40 % (1)
        # + pH 7.30 (2) + Na 128 (2) + K 3.2 (1) + creatinine 2.2 with ARF (3 × 2 = 6) + Hct 28 (2)
        # + WBC 18 (1)
        # + GCS 13 (2) = 30
        value = calc(
            "apache_ii",
            age=[70, Y],
            temperature=[39.5, "°C"],
            sbp=[90, "mmHg"],
            dbp=[45, "mmHg"],
            heart_rate=[120, "bpm"],
            resp_rate=[30, "/min"],
            fio2=[40, "%"],
            pao2=[65, "mmHg"],
            ph=7.30,
            sodium=[128, "mmol/L"],
            potassium=[3.2, "mmol/L"],
            creatinine=[2.2, "mg/dL"],
            acute_renal_failure=True,
            hematocrit=[28, "%"],
            wbc=[18, "10^9/L"],
            gcs=13,
        )
        assert value == 30

    def test_sofa_constructed_case(self) -> None:
        # P/F 250 (2) + platelets 120 (1) + GCS 14 (1) + bilirubin 1.5 (1) + MAP 63 (1)
        # + creatinine 2.5 (2) = 8
        assert (
            calc(
                "sofa",
                pao2=[100, "mmHg"],
                fio2=[40, "%"],
                platelets=[120, "10^9/L"],
                gcs=14,
                bilirubin=[1.5, "mg/dL"],
                sbp=[85, "mmHg"],
                dbp=[52, "mmHg"],
                creatinine=[2.5, "mg/dL"],
            )
            == 8
        )


class TestInfection:
    def test_centor_mcisaac(self) -> None:
        assert (
            calc(
                "centor_mcisaac",
                age=[10, Y],
                exudate=True,
                lymph_nodes=True,
                temperature=[38.5, "°C"],
                cough_absent=True,
            )
            == 5
        )
        assert calc("centor_mcisaac", age=[50, Y], temperature=[37, "°C"]) == -1

    def test_feverpain_maximum(self) -> None:
        flags = dict.fromkeys(
            ["fever", "purulence", "attend_rapidly", "inflamed_tonsils", "no_cough_coryza"], True
        )
        assert calc("feverpain", **flags) == 5

    def test_psi(self) -> None:
        # woman 80 (80 − 10) + nursing home 10 + respiratory rate 32 (20) = 100
        assert calc("psi", age=[80, Y], sex="female", nursing_home=True, resp_rate=[32, "/min"]) == 100


class TestLiverAndBleeding:
    def test_fib4(self) -> None:
        # 50 × 40 / (200 × √25) = 2.0
        assert calc("fib4", age=[50, Y], ast=40, alt=25, platelets=[200, "10^9/L"]) == pytest.approx(2.0)

    def test_glasgow_blatchford(self) -> None:
        # BUN 30 (4) + Hb 11 in a man (3) + SBP 95 (2) + pulse 110 (1) + melena (1) = 11
        assert (
            calc(
                "glasgow_blatchford",
                bun=[30, "mg/dL"],
                hemoglobin=[11, "g/dL"],
                sex="male",
                sbp=[95, "mmHg"],
                heart_rate=[110, "bpm"],
                melena=True,
            )
            == 11
        )


class TestThrombosisAndComorbidity:
    def test_wells_dvt_with_alternative_diagnosis(self) -> None:
        assert calc("wells_dvt", active_cancer=True, calf_swelling=True, alternative_diagnosis=True) == 0

    def test_perc(self) -> None:
        assert calc("perc", age=[55, Y], heart_rate=[110, "bpm"], spo2=[93, "%"]) == 3

    def test_caprini(self) -> None:
        # age 65 (2) + major surgery (2) + malignancy (2) + BMI 30 (1) = 7
        assert calc("caprini", age=[65, Y], sex="female", surgery="major", malignancy=True, bmi=30) == 7

    def test_charlson(self) -> None:
        # age 72 (3) + MI (1) + diabetes with end-organ damage (2) + metastatic solid tumour (6) = 12
        assert (
            calc(
                "charlson",
                age=[72, Y],
                myocardial_infarction=True,
                diabetes="end-organ damage",
                solid_tumor="metastatic",
            )
            == 12
        )
