"""The engine's contracts: registry, input validation, unit normalisation, sources for every calculator."""

from __future__ import annotations

import pytest

from medtrio.calculators import all_calculators, calculate, get
from medtrio.calculators.core import metadata, tables
from medtrio.calculators.units import concentration
from medtrio.errors import InvalidInput, NotFound

MEDCALC_NAMES = 55


class TestRegistry:
    def test_every_calculator_has_a_source_year_and_schema(self) -> None:
        calcs = all_calculators()
        assert len(calcs) >= 60
        for calc in calcs:
            meta = metadata(calc.name)
            assert meta["source"] and int(meta["year"]) > 1900, calc.name
            info = calc.info()
            assert info["inputs"], calc.name
            for spec in info["inputs"]:
                assert spec["name"] and spec["label"] and spec["type"], (calc.name, spec)

    def test_all_medcalc_bench_calculators_are_covered(self) -> None:
        ids = {metadata(c.name).get("medcalc_id") for c in all_calculators()} - {None}
        assert len(ids) == MEDCALC_NAMES

    def test_every_table_names_its_source(self) -> None:
        for name, table in tables().items():
            assert table["source"], name

    def test_unknown_calculator(self) -> None:
        with pytest.raises(NotFound, match="unknown calculator"):
            get("no_such_score")


class TestValidation:
    def test_unitless_value_is_rejected_naming_the_input(self) -> None:
        with pytest.raises(InvalidInput, match="weight"):
            calculate("bmi", {"weight": 80, "height": [180, "cm"]})

    def test_empty_unit_is_rejected(self) -> None:
        with pytest.raises(InvalidInput, match="height: the unit is missing"):
            calculate("bmi", {"weight": [80, "kg"], "height": [180, ""]})

    def test_out_of_range_value_is_rejected(self) -> None:
        # 90 "mg/dL" creatinine is a µmol/L value typed in the wrong unit
        with pytest.raises(InvalidInput, match="creatinine: 90 mg/dL is outside the valid range"):
            calculate("ckd_epi_2021", {"age": [50, "years"], "sex": "female", "creatinine": [90, "mg/dL"]})

    def test_unknown_unit_is_rejected(self) -> None:
        with pytest.raises(InvalidInput, match="height: unknown length unit"):
            calculate("bmi", {"weight": [80, "kg"], "height": [180, "furlongs"]})

    def test_missing_required_input_is_listed(self) -> None:
        with pytest.raises(InvalidInput, match="missing required input.*creatinine"):
            calculate("ckd_epi_2021", {"age": [50, "years"], "sex": "female"})

    def test_unknown_input_is_rejected(self) -> None:
        with pytest.raises(InvalidInput, match="unknown input"):
            calculate("bmi", {"weight": [80, "kg"], "height": [180, "cm"], "colour": "blue"})

    @pytest.mark.parametrize("bad", ["abc", float("nan"), True, None, [1, 2, 3]])
    def test_non_numbers_never_give_a_number(self, bad: object) -> None:
        with pytest.raises(InvalidInput):
            calculate(
                "bmi", {"weight": [bad, "kg"] if bad is not None else [None, "kg"], "height": [180, "cm"]}
            )

    def test_bad_choice_lists_the_allowed_ones(self) -> None:
        with pytest.raises(InvalidInput, match="sex: 'x' is not one of"):
            calculate("ideal_body_weight", {"sex": "x", "height": [170, "cm"]})

    def test_booleans_default_to_absent_and_say_so(self) -> None:
        result = calculate("cha2ds2_vasc", {"age": [70, "years"], "sex": "male"})
        assert result.value == 1
        assert any("assumed absent" in s for s in result.assumed)


class TestUnits:
    def test_creatinine_umol_to_mg(self) -> None:
        assert concentration(88.4, "µmol/L", "mg/dL", "creatinine", "x") == pytest.approx(1.0, abs=0.001)

    def test_glucose_mmol_to_mg(self) -> None:
        assert concentration(5.0, "mmol/L", "mg/dL", "glucose", "x") == pytest.approx(90.08, abs=0.01)

    def test_calcium_meq_and_mmol(self) -> None:
        assert concentration(2.5, "mmol/L", "mg/dL", "calcium", "x") == pytest.approx(10.02, abs=0.01)
        assert concentration(5.0, "mEq/L", "mmol/L", "calcium", "x") == pytest.approx(2.5)

    def test_albumin_g_per_l(self) -> None:
        assert concentration(35, "g/L", "g/dL", "albumin", "x") == pytest.approx(3.5)

    def test_fahrenheit_and_pounds_and_inches(self) -> None:
        r = calculate("bmi", {"weight": [176.37, "lb"], "height": [70.87, "in"]})
        assert r.value == pytest.approx(24.69, abs=0.02)
        s = calculate(
            "sirs",
            {
                "temperature": [100.4, "°F"],
                "heart_rate": [80, "bpm"],
                "resp_rate": [12, "/min"],
                "wbc": [8, "10^9/L"],
            },
        )
        assert s.value == 0  # 38.0 °C is not > 38


class TestResultShape:
    def test_contract_fields(self) -> None:
        out = calculate("map", {"sbp": [120, "mmHg"], "dbp": [80, "mmHg"]}).as_dict()
        assert set(out) >= {"value", "unit", "steps", "source"}
        assert out["value"] == pytest.approx(93.33333)
        assert out["steps"] and out["source"]
