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


class TestHbA1cIfcc:
    """HbA1c printed in IFCC mmol/mol is converted to NGSP % with the master equation (Hoelzel 2004)."""

    def test_master_equation(self) -> None:
        from medtrio.labs.units import converter

        to_pct, how = converter(C.by_key["hba1c"], "mmol/mol")
        assert to_pct is not None and "affine" in how
        assert to_pct(48) == pytest.approx(6.5, abs=0.05)  # the ADA/WHO diabetes threshold in both units
        assert to_pct(39) == pytest.approx(5.7, abs=0.05)  # prediabetes from 39 mmol/mol = 5.7 %
        assert converter(C.by_key["hba1c"], "%")[0](6.1) == 6.1
        assert conversion_factor(C.by_key["hba1c"], "mmol/mol")[0] is None  # no single factor exists

    @pytest.mark.parametrize(
        ("line", "flag", "basis"),
        [
            ("HbA1c 58 mmol/mol 20-42", "H", "printed"),
            ("HbA1c 58 mmol/mol", "H", "catalog"),  # 58 mmol/mol = 7.5 %: above the catalog's 5.6 %
            ("HbA1c 34 mmol/mol", "N", "catalog"),  # 5.26 %
        ],
    )
    def test_report_line(self, line: str, flag: str, basis: str) -> None:
        from medtrio.labs.interpret import interpret_bytes

        [r] = interpret_bytes(line.encode(), "report.txt").results
        assert r.key == "hba1c" and r.flag == flag and r.range_source == basis
        assert not r.needs_confirmation, r.reason
        assert r.catalog_unit == "%" and r.catalog_value == pytest.approx(0.09148 * r.number + 2.152)
