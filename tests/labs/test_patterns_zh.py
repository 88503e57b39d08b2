"""Pattern wording from data/patterns.yaml: checked on load, every rule's text present in both languages with
the same numbers, and Chinese reports explaining their patterns in Chinese."""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections import Counter
from importlib import resources

import pytest
import yaml

from medtrio.labs.interpret import interpret_bytes
from medtrio.labs.normalize import Result
from medtrio.labs.patterns import (
    PATTERN_KEYS,
    PHRASE_KEYS,
    Pattern,
    Phrase,
    check_texts,
    find_patterns,
    load_texts,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
NUMBER = re.compile(r"(?<![A-Za-z\d.])\d+(?:\.\d+)?")  # as in test_explanations_zh: G3a, A2, T4 are names
# Latin words a Chinese pattern text may keep: test names, units, guideline and stage names.
LATIN_OK = {
    "eGFR", "mL", "min", "m2", "CKD", "EPI", "KDIGO", "HbA1c", "mg", "dL", "OGTT", "LDL", "HDL", "ATP", "III",
    "ADA", "R", "ALT", "ALP", "TSH", "T4", "G1", "G2", "G3a", "G3b", "G4", "G5", "A1", "A2", "A3",
}  # fmt: skip


def numbers(text: str) -> Counter[str]:
    return Counter(NUMBER.findall(unicodedata.normalize("NFKC", text)))


def res(
    key: str, value: float, flag: str = "N", rng: str | None = None, sources: tuple[str, ...] = ()
) -> Result:
    return Result(
        name=key, key=key, loinc=None, value=str(value), number=value, unit=None, range=rng,
        range_source="catalog", flag=flag, critical=False, lab_flag=None, needs_confirmation=False, reason="",
        catalog_value=value, sources=sources,
    )  # fmt: skip


# Results that trigger every pattern and every phrase of data/patterns.yaml.
CASES = {
    "iron_deficiency": [res("hgb", 10.1, "L"), res("mcv", 70, "L"), res("ferritin", 8, "L")],
    "microcytic": [res("hgb", 10.1, "L"), res("mch", 24, "L")],
    "kdigo": [res("egfr", 38.4)],
    "kdigo_acr": [res("egfr", 22), res("uacr", 400)],
    "egfr_from_creatinine": [res("creatinine", 0.9)],
    "diabetes": [
        res("hba1c", 6.8),
        res("glucose_fasting", 131),
        res("glucose_ogtt2h", 210),
        res("glucose", 250),
    ],
    "prediabetes": [res("hba1c", 5.9), res("glucose_fasting", 104), res("glucose_ogtt2h", 150)],
    "lipids_high": [res("ldl_calc", 165.4), res("tg", 220), res("hdl", 35)],
    "lipids_optimal": [res("ldl_direct", 95), res("tg", 120)],
    "lipids_near": [res("ldl_calc", 120), res("tg", 170)],
    "lipids_borderline": [res("ldl_calc", 140), res("tg", 600)],
    "lipids_very_high": [res("ldl_calc", 200)],
    "liver_hepatocellular": [res("alt", 400, "H", "7-40"), res("alp", 120, "N", "40-130")],
    "liver_cholestatic": [res("alt", 50, "H", "7-40"), res("alp", 500, "H", "40-130")],
    "liver_mixed": [res("alt", 200, "H", "7-40"), res("alp", 160, "H", "40-130")],
    **{
        f"thyroid_{t}{f}": [res("tsh", 9 if t == "H" else 0.1, t, sources=("tsh_src",)), res("ft4", 1, f)]
        for t, f in (("H", "L"), ("H", "N"), ("L", "H"), ("L", "N"))
    },
}
FOUND = {name: find_patterns(rs, "F", 54) for name, rs in CASES.items()}
ALL = [(name, p) for name, ps in FOUND.items() for p in ps]


def phrase_keys(args: tuple) -> set[str]:
    out = set()
    for _, a in args:
        for p in a if isinstance(a, tuple) else (a,):
            if isinstance(p, Phrase):
                out |= {p.key, *(["separator"] if isinstance(a, tuple) else [])} | phrase_keys(p.args)
    return out


def test_every_pattern_and_phrase_is_used() -> None:
    assert {p.key for _, p in ALL} == set(PATTERN_KEYS)
    assert set().union(*(phrase_keys(p.args) for _, p in ALL)) == set(PHRASE_KEYS)


@pytest.mark.parametrize(("case", "p"), ALL, ids=[f"{n}-{p.key}" for n, p in ALL])
def test_chinese_text_with_the_english_numbers(case: str, p: Pattern) -> None:
    for en, zh in ((p.title_for("en"), p.title_for("zh")), (p.statement_for("en"), p.statement_for("zh"))):
        assert CJK.search(zh) and not CJK.search(en)
        assert numbers(zh) == numbers(en), f"{case}: {en!r} vs {zh!r}"
        assert set(re.findall(r"[A-Za-z][A-Za-z0-9]*", zh)) <= LATIN_OK, zh
    assert p.title == p.title_for("en") and p.statement == p.statement_for("en")
    zh = p.in_lang("zh")
    assert (zh.title, zh.statement) == (p.title_for("zh"), p.statement_for("zh"))
    assert p.as_dict("zh") == zh.as_dict() and p.as_dict()["statement"] == p.statement
    assert p.statement_for("fr") == p.statement  # a language without texts: English


def test_english_wording_kept() -> None:
    kdigo, dm, lip = FOUND["kdigo_acr"][0], FOUND["diabetes"][0], FOUND["lipids_high"][0]
    assert kdigo.title == "Kidney function: KDIGO G4, A3" and kdigo.severity == "urgent"
    assert kdigo.statement.startswith("eGFR 22 mL/min/1.73 m2 (CKD-EPI 2021) is stage G4, A3. Chronic")
    assert kdigo.sources == ("kdigo2012", "ckdepi2021")
    assert dm.statement.startswith(
        "HbA1c 6.8% is in the diabetes range (6.5% or more); fasting glucose 131 mg/dL is in the diabetes "
        "range (126 or more); 2-hour OGTT glucose 210 mg/dL"
    )
    assert lip.statement == (
        "LDL 165 mg/dL is high; triglycerides 220 mg/dL are high; HDL 35 mg/dL is low (below 40)."
    )
    assert FOUND["thyroid_HL"][0].statement == "TSH high with free T4 low fits primary hypothyroidism."
    assert FOUND["thyroid_HL"][0].sources == ("tsh_src",)  # the thyroid pattern cites its results' sources


def test_chinese_wording() -> None:
    assert FOUND["kdigo"][0].title_for("zh") == "肾功能：KDIGO 分期 G3b"
    assert "符合原发性甲状腺功能减退的表现" in FOUND["thyroid_HL"][0].statement_for("zh")
    assert FOUND["lipids_high"][0].statement_for("zh").count("；") == 2


# --- the data file is checked on load ---------------------------------------------------------------------

DATA = resources.files("medtrio.labs") / "data"
RAW = yaml.safe_load((DATA / "patterns.yaml").read_text(encoding="utf-8"))
SOURCES = set(yaml.safe_load((DATA / "sources.yaml").read_text(encoding="utf-8")))


def broken(edit) -> dict:  # noqa: ANN001
    data = copy.deepcopy(RAW)
    edit(data)
    return data


def test_shipped_file_is_valid() -> None:
    texts = load_texts()
    assert set(texts.titles) == set(texts.statements) == set(PATTERN_KEYS)
    assert texts.sources["thyroid"] == ()
    assert check_texts(RAW, SOURCES) == texts
    used = {s for entry in RAW["patterns"].values() for s in entry.get("sources", [])}
    assert used == {"who2011hb", "who2020ferritin", "kdigo2012", "ckdepi2021", "ada2024", "atp3", "r_ratio"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["patterns"]["kdigo"]["statement"].update(zh="估算肾小球滤过率 {egfr}"),
            r"patterns\.kdigo\.statement: placeholders differ: en \['egfr', 'stage'\], zh \['egfr'\]",
        ),
        (lambda d: d["patterns"]["egfr"]["title"].update(zh="{gfr}"), r"patterns\.egfr\.title: placeholders"),
        (lambda d: d["patterns"]["thyroid"]["title"].pop("zh"), r"patterns\.thyroid\.title needs exactly"),
        (lambda d: d["phrases"]["ldl"].update(fr="x"), r"phrases\.ldl needs exactly \['en', 'zh'\]"),
        (lambda d: d["phrases"]["tg"].update(zh=" "), r"phrases\.tg\.zh is empty"),
        (lambda d: d["patterns"].pop("atp3_lipids"), r"patterns: missing \['atp3_lipids'\]"),
        (lambda d: d["phrases"].pop("liver_mixed"), r"phrases: missing \['liver_mixed'\]"),
        (lambda d: d["phrases"].update(spare={"en": "a", "zh": "甲"}), r"phrases: .*unused \['spare'\]"),
        (
            lambda d: d["phrases"]["ldl"].update(
                en="LDL {value:.0f} is {category}", zh="LDL {value:.0f}{category}"
            ),
            r"phrases\.ldl: \{value\} is not a plain named placeholder",
        ),
        (
            lambda d: d["patterns"]["kdigo"].update(sources=["kdigo2012", "nosuch"]),
            r"patterns\.kdigo\.sources: \['nosuch'\] not in sources\.yaml",
        ),
        (lambda d: d["patterns"]["kdigo"].update(note="x"), r"patterns\.kdigo needs title, statement"),
    ],
)
def test_broken_file_is_refused_naming_the_entry(edit, message: str) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=message):
        check_texts(broken(edit), SOURCES)


# --- Chinese reports ------------------------------------------------------------------------------------

REPORT = """City Hospital Laboratory
Sex: F   Age: 54
Collected: 2024-03-05 08:10
Hemoglobin   10.1   L   g/dL   12.0-15.5
MCV  78.6 L fL 82-98
Ferritin 8 L ng/mL 13-150
Glucose, Fasting 131 H mg/dL 70-99
HbA1c 6.8 H % 4.0-5.6
Creatinine 1.6 H mg/dL 0.5-1.1
"""


def test_chinese_report_explains_patterns_in_chinese() -> None:
    en = interpret_bytes(REPORT.encode(), "report.txt", lang="en")
    zh = interpret_bytes(REPORT.encode(), "report.txt", lang="zh")
    keys = [p.key for p in zh.patterns]
    assert {"iron_deficiency_anaemia", "kdigo", "ada_diabetes"} <= set(keys) and keys == [
        p.key for p in en.patterns
    ]
    d_en, d_zh = en.as_dict(), zh.as_dict()
    blob = json.dumps(d_zh["patterns"], ensure_ascii=False)
    for p_en, p_zh, obj in zip(d_en["patterns"], d_zh["patterns"], zh.patterns, strict=True):
        assert set(p_zh) == {"key", "title", "statement", "uses", "sources", "severity"}
        assert (p_zh["uses"], p_zh["sources"], p_zh["severity"]) == (
            p_en["uses"],
            p_en["sources"],
            p_en["severity"],
        )
        for field in ("title", "statement"):
            assert CJK.search(p_zh[field]) and numbers(p_zh[field]) == numbers(p_en[field])
            assert p_en[field] not in blob and p_en[field] not in zh.summary
            assert (
                p_zh[field] in zh.summary and getattr(obj, field) == p_zh[field]
            )  # web pages use the object
        assert any(p_zh["title"] in q for q in zh.questions)
    kdigo = next(p for p in d_zh["patterns"] if p["key"] == "kdigo")
    assert "G3b" in kdigo["title"] and "38 mL/min/1.73 m2" in kdigo["statement"]
    assert "符合缺铁性贫血的表现" in zh.summary and "6.8%" in zh.summary and "126 或以上" in zh.summary
    # the clinician summary stays English; English reports unchanged
    assert (
        zh.clinician_summary == en.clinician_summary and "Kidney function: KDIGO G3b" in en.clinician_summary
    )
    assert all(f"Pattern - {p['title']}: {p['statement']}" in en.summary for p in d_en["patterns"])
