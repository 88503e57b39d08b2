"""Unit conversion (UCUM, molar mass) and the per-result flag rules."""

from __future__ import annotations

import pytest

from medtrio.labs.catalog import load_catalog
from medtrio.labs.flags import flag_result
from medtrio.labs.units import conversion_factor, to_ucum
from medtrio.labs.values import Value, parse_range

C = load_catalog()


class TestUnits:
    @pytest.mark.parametrize(
        ("key", "unit", "value", "expected"),
        [
            ("glucose", "mmol/L", 5.5, 99.1),  # x 18.016 (molar mass of glucose)
            ("creatinine", "μmol/L", 88.4, 1.0),  # / 88.4
            ("hgb", "g/L", 135, 13.5),
            ("wbc", "×10⁹/L", 6.2, 6.2),
            ("chol_total", "mmol/L", 5.2, 201.1),
            ("tbil", "µmol/L", 17.1, 1.0),
            ("bun", "mmol/L", 5.0, 14.0),  # urea mmol/L -> urea nitrogen mg/dL
            ("ft4", "pmol/L", 15.0, 1.165),
        ],
    )
    def test_converts_into_catalog_unit(self, key: str, unit: str, value: float, expected: float) -> None:
        factor, how = conversion_factor(C.by_key[key], unit)
        assert factor is not None, how
        assert value * factor == pytest.approx(expected, rel=0.01)

    def test_unconvertible_unit_is_not_guessed(self) -> None:
        assert conversion_factor(C.by_key["hgb"], "kg")[0] is None
        assert conversion_factor(C.by_key["hgb"], None)[0] is None

    def test_dimensionless_needs_no_unit(self) -> None:
        assert conversion_factor(C.by_key["inr"], "")[0] == 1.0

    def test_aliases(self) -> None:
        assert to_ucum("K/uL") == "10*3/uL" and to_ucum("10^9/L") == "10*9/L" and to_ucum("mg/dl") == "mg/dL"


def _v(x: float, comp: str | None = None) -> Value:
    return Value(str(x), x, comp)


class TestFlag:
    def test_printed_range_first(self) -> None:
        f = flag_result(
            C.by_key["hgb"], _v(11.9), printed=parse_range("12.0-15.5"), catalog_value=_v(11.9), sex="M"
        )
        assert (f.flag, f.basis) == ("L", "printed range")

    def test_catalog_by_sex_when_no_printed_range(self) -> None:
        a = C.by_key["hgb"]
        assert flag_result(a, _v(13.0), catalog_value=_v(13.0), sex="M").flag == "L"
        assert flag_result(a, _v(13.0), catalog_value=_v(13.0), sex="F").flag == "N"
        assert (
            flag_result(a, _v(13.0), catalog_value=_v(13.0), sex=None).flag is None
        )  # sex-specific: cannot tell

    def test_age_band(self) -> None:
        a = C.by_key["ntprobnp"]
        assert flag_result(a, _v(300), catalog_value=_v(300), age=60).flag == "H"
        assert flag_result(a, _v(300), catalog_value=_v(300), age=80).flag == "N"

    def test_censored_values(self) -> None:
        a = C.by_key["tnt"]
        assert flag_result(a, _v(0.01, "<"), printed=parse_range("0-0.01")).flag == "N"
        assert flag_result(a, _v(0.5, ">"), printed=parse_range("<0.01")).flag == "H"
        assert flag_result(C.by_key["egfr"], _v(60, ">"), printed=parse_range(">=60")).flag == "N"

    def test_zero_differential_not_low(self) -> None:
        f = flag_result(C.by_key["eos_pct"], _v(0), printed=parse_range("1-7"))
        assert f.flag == "N" and "zero_not_low" in f.rule
        assert flag_result(C.by_key["neut_pct"], _v(0), printed=parse_range("34-71")).flag == "L"

    def test_critical_in_catalog_units(self) -> None:
        f = flag_result(C.by_key["potassium"], _v(6.8), printed=parse_range("3.5-5.1"), catalog_value=_v(6.8))
        assert f.flag == "H" and f.critical

    def test_qualitative(self) -> None:
        u = C.by_key["u_nitrite"]
        assert flag_result(u, Value("Positive", qualitative="POSITIVE")).flag == "A"
        assert flag_result(u, Value("阴性", qualitative="NEG")).flag == "N"
        assert (
            flag_result(u, Value("Positive", qualitative="POSITIVE"), printed=parse_range("Negative")).flag
            == "A"
        )
