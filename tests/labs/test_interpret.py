"""The interpretation pipeline end to end on pasted text, FHIR and HL7 inputs (no OCR: fast)."""

from __future__ import annotations

import datetime as dt
import json

from medtrio.labs.interpret import Previous, interpret_bytes

REPORT = """City Hospital Laboratory
Sex: F   Age: 54
Collected: 2024-03-05 08:10
COMPLETE BLOOD COUNT
Hemoglobin   10.1   L   g/dL   12.0-15.5
Hematocrit   33.0   L   %   36-46
RBC    4.20    M/uL   3.9-5.2
MCV  78.6 L fL 82-98
Ferritin 8 L ng/mL 13-150
CHEMISTRY
Glucose, Fasting 131 H mg/dL 70-99
HbA1c 6.8 H % 4.0-5.6
Creatinine 1.6 H mg/dL 0.5-1.1
URINALYSIS
Nitrite  Positive   Negative
"""


def run(text: str, **kw):  # type: ignore[no-untyped-def]
    return interpret_bytes(text.encode(), "report.txt", **kw)


class TestTextReport:
    def test_results_flags_and_patterns(self) -> None:
        it = run(REPORT)
        by = {r.key: r for r in it.results}
        assert by["hgb"].flag == "L" and by["glucose_fasting"].flag == "H" and by["u_nitrite"].flag == "A"
        assert not any(r.needs_confirmation for r in it.results)
        keys = {p.key for p in it.patterns}
        assert {"iron_deficiency_anaemia", "kdigo", "ada_diabetes"} <= keys
        kdigo = next(p for p in it.patterns if p.key == "kdigo")
        assert "G3b" in kdigo.title  # CKD-EPI 2021: creatinine 1.6 mg/dL, 54-year-old woman -> 38
        assert all(p.sources for p in it.patterns)
        assert it.urgency == "soon"

    def test_contract_shape(self) -> None:
        d = run(REPORT).as_dict()
        assert {"results", "summary", "urgency"} <= d.keys()
        for r in d["results"]:
            assert {
                "name",
                "loinc",
                "value",
                "unit",
                "range",
                "flag",
                "needs_confirmation",
                "reason",
            } <= r.keys()
        json.dumps(d, ensure_ascii=False)

    def test_chinese_summary(self) -> None:
        it = run(REPORT, lang="zh")
        assert "偏低" in it.summary and "不能替代" in it.summary

    def test_critical_escalates_even_when_unsure(self) -> None:
        it = run("Potassium 7.4 H mmol/L 3.5-5.1\nSodium 139 mmol/L 133-145\n")
        assert it.urgency == "critical" and it.results[0].critical

    def test_implausible_value_needs_confirmation(self) -> None:
        it = run("Potassium 41 H mmol/L 3.5-5.1\n")
        r = it.results[0]
        assert r.needs_confirmation and "implausible" in r.reason and "decimal" in r.reason

    def test_broken_relation_marks_every_member(self) -> None:
        # MCHC should be Hgb/Hct*100 = 33.3; 38.3 means one of the three numbers is misread
        it = run("Hemoglobin 12.0 g/dL 12-15.5\nHematocrit 36.0 % 36-46\nMCHC 38.3 H g/dL 32-36\n")
        assert all(r.needs_confirmation and "inconsistent" in r.reason for r in it.results)
        assert not it.patterns

    def test_lab_flag_disagreement_needs_confirmation(self) -> None:
        it = run("Sodium 139 L mmol/L 133-145\n")
        assert it.results[0].needs_confirmation and "flag" in it.results[0].reason

    def test_unknown_analyte_needs_confirmation(self) -> None:
        it = run("Zonulin 48 ng/mL 0-35\nSodium 139 mmol/L 133-145\n")
        assert it.results[0].key is None and it.results[0].needs_confirmation

    def test_trend_uses_reference_change_value(self) -> None:
        prev = [
            Previous("creatinine", 1.0, dt.datetime(2023, 9, 1)),
            Previous("hgb", 10.3, dt.datetime(2023, 9, 1)),
        ]
        it = run(REPORT, previous=prev)
        t = {x["analyte"]: x for x in it.trends}
        assert t["creatinine"]["significant"] is True  # +60% > RCV 14%
        assert t["hgb"]["significant"] is False  # -2% < RCV 8%


class TestStructuredInputs:
    def test_fhir_bundle(self) -> None:
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"resource": {"resourceType": "Patient", "gender": "male"}},
                {
                    "resource": {
                        "resourceType": "Observation",
                        "status": "final",
                        "effectiveDateTime": "2024-02-01T08:00:00Z",
                        "code": {
                            "coding": [
                                {"system": "http://loinc.org", "code": "2823-3", "display": "Potassium"}
                            ]
                        },
                        "valueQuantity": {"value": 5.9, "unit": "mmol/L", "code": "mmol/L"},
                        "referenceRange": [{"low": {"value": 3.5}, "high": {"value": 5.1}}],
                    }
                },
                {
                    "resource": {
                        "resourceType": "Observation",
                        "status": "final",
                        "code": {"text": "Hemoglobin"},
                        "valueQuantity": {"value": 128, "unit": "g/L"},
                    }
                },
            ],
        }
        it = interpret_bytes(json.dumps(bundle).encode(), "b.json")
        k, hb = it.results
        assert (k.key, k.flag, k.range_source) == ("potassium", "H", "printed")
        assert (
            hb.key == "hgb" and hb.catalog_value == 12.8 and hb.range_source == "catalog" and hb.flag == "L"
        )
        assert it.meta.sex == "M" and it.meta.date == "2024-02-01" and it.method == "fhir"

    def test_hl7_oru(self) -> None:
        msg = "\r".join(
            [
                "MSH|^~\\&|LAB|HOSP|MEDTRIO|X|20240305083000||ORU^R01|123|P|2.5",
                "PID|1||12345||DOE^JANE||19700101|F",
                "OBR|1||555|CBC^Complete blood count|||20240305080000",
                "OBX|1|NM|718-7^Hemoglobin^LN||11.2|g/dL|12.0-15.5|L|||F",
                "OBX|2|ST|5802-4^Nitrite^LN||Negative||Negative|N|||F",
            ]
        )
        it = interpret_bytes(msg.encode(), "m.hl7")
        hb, nit = it.results
        assert (hb.key, hb.flag, nit.key, nit.flag) == ("hgb", "L", "u_nitrite", "N")
        assert it.meta.sex == "F" and it.meta.date == "2024-03-05"


class TestOcrArrowAsOne:
    def test_one_after_a_high_value_is_the_arrow(self) -> None:
        it = run("总胆固醇 TC 6.94 1 mmol/L <5.20\n")
        assert it.results[0].flag == "H" and not it.results[0].needs_confirmation

    def test_one_after_a_low_value_is_the_down_arrow(self) -> None:
        assert not run("钾 K 3.01 1 mmol/L 3.50-5.30\n").results[0].needs_confirmation

    def test_one_after_a_normal_value_needs_confirmation(self) -> None:
        it = run("总胆固醇 TC 4.10 1 mmol/L <5.20\n")
        assert it.results[0].needs_confirmation and "mark" in it.results[0].reason


def test_chinese_questions_name_results_in_chinese() -> None:
    """An English report read by a Chinese-speaking patient: the questions use the catalog's Chinese name."""
    from medtrio.labs.interpret import interpret_bytes

    out = interpret_bytes(b"Hemoglobin 9.1 g/dL 12.0-16.0\n", "r.txt", lang="zh").as_dict()
    assert any("我的血红蛋白异常" in q for q in out["questions"]), out["questions"]
    assert not any("Hemoglobin" in q for q in out["questions"])
