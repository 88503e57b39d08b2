"""Lines of a report -> raw results, and photo table rows from OCR boxes."""

from __future__ import annotations

import math

import pytest

from medtrio.labs.catalog import load_catalog
from medtrio.labs.extract import Token, parse_line, parse_lines, text_to_lines
from medtrio.labs.ocr import Box, rows_from_boxes

C = load_catalog()


def line(text: str, conf: float = 1.0) -> list[Token]:
    return [Token(t, conf) for t in text.split()]


class TestParseLine:
    @pytest.mark.parametrize(
        ("text", "key", "value", "unit", "rng", "flag"),
        [
            ("Hemoglobin 11.2 L g/dL 12.0-15.5", "hgb", "11.2", "g/dL", "12.0-15.5", "L"),
            ("Glucose, Fasting 131 H mg/dL 70 - 99", "glucose_fasting", "131", "mg/dL", "70-99", "H"),
            (
                "1 白细胞计数 WBC 6.5 10^9/L 3.5～9.5",
                "wbc",
                "6.5",
                "10^9/L",
                "3.5~9.5",
                None,
            ),  # NFKC: ～ -> ~
            ("血红蛋白 HGB 105 ↓ g/L 115-150", "hgb", "105", "g/L", "115-150", "↓"),
            ("丙氨酸氨基转移酶ALT 57 ↑ U/L 7~40", "alt", "57", "U/L", "7~40", "↑"),
            ("Troponin I <0.01 ng/mL <0.04", "tni", "<0.01", "ng/mL", "<0.04", None),
            ("HDL Cholesterol 38 L mg/dL >=40", "hdl", "38", "mg/dL", ">=40", "L"),
            ("Potassium 5.6H mmol/L 3.5-5.1", "potassium", "5.6", "mmol/L", "3.5-5.1", "H"),
            ("CA 19-9 12.0 U/mL <37", "ca199", "12.0", "U/mL", "<37", None),
            ("25-OH Vitamin D 18 L ng/mL 30-100", "vitd25", "18", "ng/mL", "30-100", "L"),
        ],
    )
    def test_layouts(self, text: str, key: str, value: str, unit: str, rng: str, flag: str | None) -> None:
        r = parse_line(line(text), C, None)
        assert r is not None and r.analyte is not None
        assert (r.analyte.key, r.value, r.unit, r.range, r.flag) == (key, value, unit, rng, flag)

    def test_urine_section_qualitative(self) -> None:
        r = parse_line(line("Nitrite Positive Negative"), C, "urine")
        assert (
            r is not None and r.analyte.key == "u_nitrite" and (r.value, r.range) == ("Positive", "Negative")
        )

    def test_unknown_analyte_kept_when_it_looks_like_a_result(self) -> None:
        r = parse_line(line("Zonulin 48 ng/mL 0-35"), C, None)
        assert r is not None and r.analyte is None and r.value == "48"

    def test_heading_is_not_a_result(self) -> None:
        assert parse_line(line("COMPLETE BLOOD COUNT"), C, None) is None
        assert parse_line(line("Hemoglobin"), C, None) is None

    def test_ocr_digit_confusion_is_noted(self) -> None:
        r = parse_line(line("Sodium 14O mmol/L 133-145"), C, None)
        assert r is not None and r.value == "140" and r.notes and "confusion" in r.notes[0]


class TestParseLines:
    def test_header_and_sections(self) -> None:
        text = (
            "Sex: F   Age: 61\nCollected: 2024/03/05\nURINALYSIS\nGlucose Negative Negative\n"
            "CHEMISTRY\nGlucose 101 H mg/dL 70-99\n"
        )
        results, meta = parse_lines(text_to_lines(text), C)
        assert (meta.sex, meta.age, meta.date) == ("F", 61.0, "2024-03-05")
        assert [r.analyte.key for r in results] == ["u_glucose", "glucose"]

    def test_chinese_header(self) -> None:
        _, meta = parse_lines(
            text_to_lines("姓名：张三 性别：男 年龄：45岁\n采样时间：2024-05-06 08:00\n"), C
        )
        assert (meta.sex, meta.age, meta.date, meta.lang) == ("M", 45.0, "2024-05-06", "zh")


class TestRowsFromBoxes:
    def test_rotated_rows_stay_together(self) -> None:
        """A 3-degree rotation moves the right end of a row by more than a row height."""
        angle = math.radians(3)
        boxes = []
        for row in range(5):
            for col, text in enumerate(("Sodium", "140", "mmol/L", "133-145")):
                x, y = 100 + col * 300, 100 + row * 40
                boxes.append(
                    Box(
                        f"{text}{row}" if col == 0 else text,
                        0.99,
                        x + 40,
                        y + x * math.tan(angle),
                        x,
                        24,
                        angle,
                    )
                )
        rows = rows_from_boxes(boxes)
        assert len(rows) == 5
        assert all(len(r) == 4 for r in rows)
        assert [r[0].text for r in rows] == [f"Sodium{i}" for i in range(5)]


class TestTwoColumnRows:
    def test_two_results_side_by_side(self) -> None:
        from medtrio.labs.extract import parse_row

        rows = parse_row(
            line("1 白细胞计数 WBC 6.5 10^9/L 3.5-9.5 12 淋巴细胞百分比 LYMPH% 30.1 % 20-50"), C, None
        )
        assert [(r.analyte.key, r.value, r.unit, r.range) for r in rows] == [
            ("wbc", "6.5", "10^9/L", "3.5-9.5"),
            ("lymph_pct", "30.1", "%", "20-50"),
        ]
        assert not rows[0].notes and not rows[1].notes

    def test_english_two_columns_with_flags(self) -> None:
        from medtrio.labs.extract import parse_row

        rows = parse_row(line("Sodium 131 L mmol/L 133-145 Potassium 4.2 mmol/L 3.3-5.1"), C, None)
        assert [(r.analyte.key, r.value, r.flag) for r in rows] == [
            ("sodium", "131", "L"),
            ("potassium", "4.2", None),
        ]
