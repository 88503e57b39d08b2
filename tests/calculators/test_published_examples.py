"""Worked examples from the source papers/guidelines and from each score's definition (min/max, anchors).

Each case names where its expected value comes from; tolerances reflect the rounding in the publication.
"""

from __future__ import annotations

import pytest

from medtrio.calculators import calculate

Y = "years"


def calc(name: str, **inputs: object) -> object:
    return calculate(name, inputs).value


class TestPooledCohortEquations:
    # Goff DC et al. 2013 ACC/AHA risk guideline, Table A worked example: 55 years, TC 213, HDL 50,
    # untreated SBP 120, non-smoker, no diabetes -> 2.1 % / 3.0 % / 5.3 % / 6.1 %
    BASE = {"age": [55, Y], "total_cholesterol": [213, "mg/dL"], "hdl": [50, "mg/dL"], "sbp": [120, "mmHg"]}

    @pytest.mark.parametrize(
        ("sex", "aa", "expected"),
        [("female", False, 2.1), ("female", True, 3.0), ("male", False, 5.3), ("male", True, 6.1)],
    )
    def test_table_a(self, sex: str, aa: bool, expected: float) -> None:
        assert calc("ascvd_pce", sex=sex, african_american=aa, **self.BASE) == pytest.approx(
            expected, abs=0.1
        )


class TestPrevent:
    def test_reference_example(self) -> None:
        # example used by the AHA PREVENT documentation (preventr): woman 50, TC 200, HDL 45, SBP 160 treated,
        # diabetes, non-smoker, eGFR 90 -> 10-year total CVD 14.7 %
        value = calc(
            "prevent_cvd",
            age=[50, Y],
            sex="female",
            total_cholesterol=[200, "mg/dL"],
            hdl=[45, "mg/dL"],
            sbp=[160, "mmHg"],
            bp_treated=True,
            diabetes=True,
            smoker=False,
            egfr=90,
        )
        assert value == pytest.approx(14.7, abs=0.1)


class TestKidney:
    def test_cockcroft_gault_textbook(self) -> None:
        # (140 − 60) × 72 kg / (72 × 1.0 mg/dL) = 80 mL/min; BMI 22: the lower of IBW (75 kg) and 72 kg
        assert calc(
            "cockcroft_gault",
            age=[60, Y],
            sex="male",
            weight=[72, "kg"],
            height=[180, "cm"],
            creatinine=[1.0, "mg/dL"],
        ) == pytest.approx(80.0, abs=0.01)

    def test_ckd_epi_2021(self) -> None:
        # Inker 2021: 142 × (1.0/0.7)^-1.200 × 0.9938^60 × 1.012 = 64.5 for a 60-year-old woman, Scr 1.0
        assert calc("ckd_epi_2021", age=[60, Y], sex="female", creatinine=[88.4, "µmol/L"]) == pytest.approx(
            64.5, abs=0.2
        )

    def test_mdrd(self) -> None:
        # Levey 2007: 175 × 1.0^-1.154 × 50^-0.203 = 79.1 for a 50-year-old non-Black man with Scr 1.0
        assert calc("mdrd", age=[50, Y], sex="male", creatinine=[1.0, "mg/dL"]) == pytest.approx(
            79.1, abs=0.1
        )

    def test_fena(self) -> None:
        assert calc(
            "fena",
            sodium=[140, "mmol/L"],
            creatinine=[2, "mg/dL"],
            urine_sodium=[20, "mmol/L"],
            urine_creatinine=[100, "mg/dL"],
        ) == pytest.approx(0.2857, abs=0.001)

    @pytest.mark.parametrize(("scr", "stage"), [(1.2, 0), (1.3, 1), (2.1, 2), (3.1, 3)])
    def test_kdigo_creatinine_criteria(self, scr: float, stage: int) -> None:
        assert calc("kdigo_aki_stage", creatinine=[scr, "mg/dL"], baseline_creatinine=[1.0, "mg/dL"]) == stage


class TestScoresAtTheirAnchors:
    def test_gcs_bounds(self) -> None:
        assert calc("gcs", eye="none", verbal="none", motor="none") == 3
        assert calc("gcs", eye="spontaneous", verbal="oriented", motor="obeys commands") == 15

    def test_gcs_not_testable_is_a_flagged_lower_bound(self) -> None:
        result = calculate("gcs", {"eye": "none", "verbal": "not testable", "motor": "none"})
        assert result.value == 3 and any("lower bound" in s for s in result.steps)

    def test_wells_pe_maximum(self) -> None:
        flags = dict.fromkeys(
            ["dvt_signs", "pe_most_likely", "immobilization", "previous_pe", "hemoptysis", "malignancy"], True
        )
        assert calc("wells_pe", heart_rate=[110, "bpm"], **flags) == 12.5

    def test_curb65_and_qsofa_maximum(self) -> None:
        assert (
            calc(
                "curb65",
                confusion=True,
                bun=[25, "mg/dL"],
                resp_rate=[32, "/min"],
                sbp=[85, "mmHg"],
                dbp=[50, "mmHg"],
                age=[80, Y],
            )
            == 5
        )
        assert calc("qsofa", resp_rate=[24, "/min"], sbp=[95, "mmHg"], altered_mentation=True) == 3

    def test_child_pugh_range_and_class(self) -> None:
        best = {"bilirubin": [1, "mg/dL"], "albumin": [4, "g/dL"], "inr": 1.0}
        worst = {
            "bilirubin": [5, "mg/dL"],
            "albumin": [2, "g/dL"],
            "inr": 3.0,
            "ascites": "moderate",
            "encephalopathy": "grade 3-4",
        }
        assert calc("child_pugh", **best) == 5 and calc("child_pugh_class", **best) == "A"
        assert calc("child_pugh", **worst) == 15 and calc("child_pugh_class", **worst) == "C"

    def test_news2_rcp_chart(self) -> None:
        # RCP 2017 chart: RR 24 (2), SpO2 93 % scale 1 (2), air (0), SBP 105 (1), pulse 115 (2), alert (0),
        # temperature 38.5 (1) -> 8
        assert (
            calc(
                "news2",
                resp_rate=[24, "/min"],
                spo2=[93, "%"],
                sbp=[105, "mmHg"],
                heart_rate=[115, "bpm"],
                temperature=[38.5, "°C"],
            )
            == 8
        )

    def test_cha2ds2_vasc_definition(self) -> None:
        assert calc("cha2ds2_vasc", age=[76, Y], sex="female", hypertension=True) == 4

    def test_meld_na_dialysis_sets_creatinine_to_4(self) -> None:
        result = calculate(
            "meld_na",
            {
                "creatinine": [1.0, "mg/dL"],
                "bilirubin": [1.0, "mg/dL"],
                "inr": 1.0,
                "sodium": [137, "mmol/L"],
                "dialysis": True,
            },
        )
        # 10 × round(0.957 ln 4 + 0.643, 1) = 20
        assert result.value == 20


class TestChemistry:
    def test_gaps(self) -> None:
        lytes = {"sodium": [140, "mmol/L"], "chloride": [100, "mmol/L"], "bicarbonate": [12, "mmol/L"]}
        assert calc("anion_gap", **lytes) == 28
        assert calc("delta_gap", **lytes) == 16
        assert calc("delta_ratio", **lytes) == pytest.approx(16 / 12, abs=1e-4)
        assert calc("albumin_corrected_anion_gap", albumin=[2.0, "g/dL"], **lytes) == 33

    def test_payne_calcium(self) -> None:
        assert calc("calcium_correction", calcium=[8.0, "mg/dL"], albumin=[20, "g/L"]) == pytest.approx(9.6)

    def test_friedewald(self) -> None:
        assert (
            calc(
                "ldl_friedewald",
                total_cholesterol=[200, "mg/dL"],
                hdl=[50, "mg/dL"],
                triglycerides=[150, "mg/dL"],
            )
            == 120
        )

    def test_homa_ir_matthews(self) -> None:
        # Matthews 1985: glucose (mmol/L) × insulin (µU/mL) / 22.5; 5 mmol/L and 22.5 µU/mL -> 5.0
        assert calc("homa_ir", glucose=[5, "mmol/L"], insulin=[22.5, "µIU/mL"]) == pytest.approx(
            5.0, abs=0.01
        )

    def test_osmolality(self) -> None:
        assert (
            calc("serum_osmolality", sodium=[140, "mmol/L"], bun=[14, "mg/dL"], glucose=[90, "mg/dL"]) == 290
        )


class TestBodyAndDoses:
    def test_holliday_segar(self) -> None:
        assert calc("maintenance_fluids", weight=[70, "kg"]) == 110
        assert calc("maintenance_fluids", weight=[15, "kg"]) == 50

    def test_mosteller(self) -> None:
        assert calc("bsa", weight=[70, "kg"], height=[170, "cm"]) == pytest.approx(1.818, abs=0.001)

    def test_steroid_equivalence(self) -> None:
        assert calc(
            "steroid_conversion", from_steroid="prednisone PO", dose=[50, "mg"], to_steroid="dexamethasone IV"
        ) == pytest.approx(7.5)

    def test_mme_cdc_2022(self) -> None:
        # oxycodone 10 mg four times a day × 1.5 = 60 MME/day
        assert calc("mme", oxycodone_dose=[10, "mg"], oxycodone_doses_per_day=4) == 60

    def test_mme_cdc_2016_methadone_tiers(self) -> None:
        assert calc("mme", conversion="cdc2016", methadone_dose=[10, "mg"], methadone_doses_per_day=3) == 240

    def test_qtc_at_60_bpm_equals_qt(self) -> None:
        for name in ("qtc_bazett", "qtc_fridericia", "qtc_framingham", "qtc_hodges"):
            assert calc(name, heart_rate=[60, "bpm"], qt=[400, "ms"]) == pytest.approx(400)


class TestPregnancyDating:
    def test_naegele(self) -> None:
        assert calc("due_date", lmp="2024-01-01") == "10/07/2024"
        assert calc("due_date", lmp="01/01/2024", cycle_length=32) == "10/11/2024"

    def test_conception_and_gestational_age(self) -> None:
        assert calc("conception_date", lmp="2024-01-01") == "01/15/2024"
        assert calc("gestational_age", lmp="2024-01-01", today="2024-03-01") == [8, 4]
