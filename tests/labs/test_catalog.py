"""The lab catalog: every entry validated, sourced and internally coherent."""

from __future__ import annotations

import csv

import pytest

from medtrio.labs.catalog import Analyte, load_catalog, loinc_check_digit_ok
from medtrio.labs.units import conversion_factor

CATALOG = load_catalog()


class TestLoad:
    def test_at_least_150_analytes_with_sources(self) -> None:
        assert len(CATALOG.analytes) >= 150
        for a in CATALOG.analytes:
            assert a.src and all(k in CATALOG.sources for k in a.src), a.key

    @pytest.mark.parametrize(
        "keys",
        [
            ("wbc", "hgb", "plt", "neut_pct", "lymph_abs"),  # blood count with differential
            (
                "sodium",
                "potassium",
                "chloride",
                "bicarb",
                "bun",
                "creatinine",
                "calcium",
                "albumin",
                "alt",
                "ast",
            ),
            ("chol_total", "hdl", "ldl_calc", "tg", "hba1c", "glucose_fasting", "glucose", "glucose_pp2h"),
            (
                "tsh",
                "ft4",
                "ft3",
                "egfr",
                "uacr",
                "pt",
                "inr",
                "aptt",
                "u_protein",
                "u_nitrite",
                "iron",
                "ferritin",
            ),
            (
                "crp",
                "esr",
                "tni",
                "tnt",
                "ntprobnp",
                "b12",
                "folate",
                "vitd25",
                "psa",
                "cea",
                "afp",
                "ca125",
                "hcg",
            ),
        ],
    )
    def test_required_groups_present(self, keys: tuple[str, ...]) -> None:
        assert all(k in CATALOG.by_key for k in keys)


@pytest.mark.parametrize("a", CATALOG.analytes, ids=lambda a: a.key)
class TestEveryEntry:
    def test_names_and_loinc(self, a: Analyte) -> None:
        assert loinc_check_digit_ok(a.loinc)
        assert a.en and a.zh and a.next
        assert CATALOG.lookup(a.en, a.spec) is a or CATALOG.lookup(a.zh, a.spec) is a

    def test_interval_inside_plausible_window(self, a: Analyte) -> None:
        if a.kind == "qual" or a.ref is None:
            return
        for sex in ("M", "F"):
            lo, hi = a.interval(sex, 40) or (None, None)
            assert a.plaus is not None
            if lo is not None:
                assert lo == 0 or a.plaus[0] <= lo, a.key  # a zero lower limit means "none"
            if hi is not None:
                assert hi <= a.plaus[1], a.key
            if a.crit and lo is not None and a.crit[0] is not None:
                assert a.crit[0] <= lo
            if a.crit and hi is not None and a.crit[1] is not None:
                assert a.crit[1] >= hi

    def test_conversion_factors_positive(self, a: Analyte) -> None:
        for unit, f in a.conv.items():
            assert f > 0
            assert conversion_factor(a, unit)[0] == pytest.approx(f)


class TestLoincCheckDigit:
    def test_known_codes(self) -> None:
        assert (
            loinc_check_digit_ok("2160-0")
            and loinc_check_digit_ok("718-7")
            and loinc_check_digit_ok("4548-4")
        )
        assert not loinc_check_digit_ok("2160-1") and not loinc_check_digit_ok("1668-1")


class TestLookup:
    @pytest.mark.parametrize(
        ("name", "spec", "key"),
        [
            ("Hemoglobin", None, "hgb"),
            ("血红蛋白", None, "hgb"),
            ("HGB", None, "hgb"),
            ("谷丙转氨酶", None, "alt"),
            ("Glucose", "urine", "u_glucose"),
            ("Glucose", "blood", "glucose"),
            ("钾(K)", None, "potassium"),
            ("Asparate Aminotransferase (AST)", "blood", "ast"),
            ("WBC", "urine", "u_wbc"),
            ("空腹血糖", None, "glucose_fasting"),
        ],
    )
    def test_synonyms(self, name: str, spec: str | None, key: str) -> None:
        a = CATALOG.lookup(name, spec)
        assert a is not None and a.key == key

    def test_unknown_name(self) -> None:
        assert CATALOG.lookup("Flux capacitor level") is None

    def test_specimen_mismatch_is_not_guessed(self) -> None:
        assert CATALOG.lookup("Potassium", "urine") is None


class TestAgainstLoincLists:
    def test_codes_appear_in_public_lists(self, shared) -> None:  # type: ignore[no-untyped-def]
        """Every catalog code should be a real LOINC code used in practice (Top-2000 or the MIMIC map)."""
        base = shared / "labs"
        known: set[str] = set()
        for name in ("LOINC_1.6_Top2000CommonLabResultsUS.csv", "LOINC_1.6_Top2000CommonLabResultsSI.csv"):
            with (base / "loinc-top2000-themis" / name).open(encoding="utf-8", errors="replace") as fh:
                known |= {row[0].strip('"') for row in csv.reader(fh) if row}
        with (base / "mimic-code-loinc-map" / "d_labitems_to_loinc.csv").open(encoding="utf-8") as fh:
            for row in csv.reader(fh):
                known |= {c for c in row if loinc_check_digit_ok(c)}
        missing = [a.loinc for a in CATALOG.analytes if a.loinc not in known]
        # newer codes (e.g. CKD-EPI 2021 eGFR 98979-8) postdate these lists; keep them few
        assert len(missing) <= 0.05 * len(CATALOG.analytes), missing


class TestChineseExplanations:
    def test_chinese_text_with_english_fallback(self) -> None:
        hb = CATALOG.by_key["hgb"]
        assert "贫血" in hb.text("lo", "zh") and hb.text("lo", "en") == hb.lo
        untranslated = CATALOG.by_key["vitd25"].model_copy(update={"zh_text": {}})
        assert untranslated.text("lo", "zh") == untranslated.lo  # no Chinese text: English, never empty
        assert all(a.zh_text for a in CATALOG.analytes)  # every entry has Chinese text
