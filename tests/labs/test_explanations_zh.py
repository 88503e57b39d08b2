"""Chinese plain-language texts (explanations_zh.yaml): complete, Chinese, and with the English numbers."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from medtrio.labs.catalog import load_catalog

CATALOG = load_catalog()
FIELDS = ("hi", "lo", "abn", "next")
WITH_TEXT = [a for a in CATALOG.analytes if any(getattr(a, f) for f in FIELDS)]

CJK = re.compile(r"[\u4e00-\u9fff]")
# A number on its own: not glued to a letter before it (B12, SGLT2, G3a, KDIGO A2, G6PD are names, not
# thresholds) and not the tail of a longer number. "140-199" gives 140 and 199, "5.7 %" and "5.7%" give 5.7.
NUMBER = re.compile(r"(?<![A-Za-z\d.])\d+(?:\.\d+)?")


def numbers(text: str) -> Counter[str]:
    """The numbers in a text, as a multiset; full-width digits and thousands separators normalised."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)
    return Counter(NUMBER.findall(t))


def test_numbers_helper() -> None:
    assert numbers("5.7-6.4% is prediabetes, 6.5 % or more") == Counter({"5.7": 1, "6.4": 1, "6.5": 1})
    assert numbers("B12, SGLT2, KDIGO G3a, A2, G6PD") == Counter()
    assert numbers("CA 19-9 above 1,000 U/mL") == Counter({"19": 1, "9": 1, "1000": 1})
    assert numbers("低于６０并持续3个月") == Counter({"60": 1, "3": 1})
    assert not numbers("低于6.0") >= numbers("below 60")  # a changed threshold is caught


def test_every_analyte_with_english_text_has_chinese_text() -> None:
    assert len(WITH_TEXT) >= 200
    missing = [a.key for a in WITH_TEXT if not a.zh_text]
    assert not missing, f"no Chinese text: {missing}"


@pytest.mark.parametrize("a", WITH_TEXT, ids=lambda a: a.key)
def test_same_fields_chinese_and_numbers_kept(a) -> None:  # noqa: ANN001
    en = {f: getattr(a, f) for f in FIELDS if getattr(a, f)}
    assert set(a.zh_text) == set(en), f"{a.key}: Chinese fields {sorted(a.zh_text)}, English {sorted(en)}"
    for f, text in en.items():
        zh = a.zh_text[f]
        assert CJK.search(zh), f"{a.key}.{f}: no Chinese characters in {zh!r}"
        assert a.text(f, "zh") == zh
        lost = numbers(text) - numbers(zh)
        assert not lost, f"{a.key}.{f}: numbers {sorted(lost.elements())} of {text!r} missing from {zh!r}"


def test_english_fallback_without_chinese_text() -> None:
    hb = CATALOG.by_key["hgb"]
    bare = hb.model_copy(update={"zh_text": {}})
    assert bare.text("lo", "zh") == hb.lo and hb.text("lo", "en") == hb.lo
    assert "贫血" in hb.text("lo", "zh")
