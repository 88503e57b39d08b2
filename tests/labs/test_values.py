"""Printed values, reference ranges and flags in English and Chinese conventions."""

from __future__ import annotations

import pytest

from medtrio.labs.values import parse_flag, parse_range, parse_value


class TestParseValue:
    @pytest.mark.parametrize(
        ("text", "number", "comp", "qual"),
        [
            ("5.2", 5.2, None, None),
            ("<0.41", 0.41, "<", None),
            (">40", 40.0, ">", None),
            ("≥1.035", 1.035, ">=", None),
            ("1,234", 1234.0, None, None),
            ("3,6", 3.6, None, None),
            ("Negative", None, None, "NEG"),
            ("阴性", None, None, "NEG"),
            ("阴性(-)", None, None, "NEG"),
            ("+", None, None, "+"),
            ("2+", None, None, "2+"),
            ("阳性", None, None, "阳性"),
            ("Trace", None, None, "TRACE"),
            ("3-5", None, None, "3-5"),
        ],
    )
    def test_forms(self, text: str, number: float | None, comp: str | None, qual: str | None) -> None:
        v = parse_value(text)
        assert v is not None
        assert v.number == number and v.comparator == comp
        if qual:
            assert v.qualitative == qual

    def test_not_a_value(self) -> None:
        assert parse_value("") is None and parse_value("12/34/56") is None


class TestParseRange:
    @pytest.mark.parametrize(
        ("text", "low", "high", "expected"),
        [
            ("3.6-10.0", 3.6, 10.0, None),
            ("3.6～10.0", 3.6, 10.0, None),
            ("3.6 - 10.0", 3.6, 10.0, None),
            ("<5.0", None, 5.0, None),
            (">=60", 60.0, None, None),
            ("≤ 35", None, 35.0, None),
            ("0-40", 0.0, 40.0, None),
            ("Negative", None, None, "NEG"),
            ("阴性", None, None, "NEG"),
            ("(3.5-5.1)", 3.5, 5.1, None),
        ],
    )
    def test_forms(self, text: str, low: float | None, high: float | None, expected: str | None) -> None:
        r = parse_range(text)
        assert r is not None and (r.low, r.high, r.expected) == (low, high, expected)

    def test_reversed_or_garbage(self) -> None:
        assert parse_range("10-3") is None and parse_range("see note") is None and parse_range(None) is None


class TestParseFlag:
    @pytest.mark.parametrize(
        ("text", "flag"),
        [("H", "H"), ("L", "L"), ("↑", "H"), ("↓", "L"), ("*", "A"), ("HH", "HH"), ("偏高", "H"), ("", None)],
    )
    def test_forms(self, text: str, flag: str | None) -> None:
        assert parse_flag(text) == flag
