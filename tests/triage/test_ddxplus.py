"""DDXPlus evaluation: token mapping, metrics on hand-made cases, and the real dev split (slow)."""

from __future__ import annotations

import json

import pytest

from medtrio.triage.ddxplus import (
    DDXPatient,
    PatientResult,
    evaluate,
    load_mapping,
    patient_findings,
    score,
    token_findings,
)
from medtrio.triage.knowledge import load_knowledge

KB = load_knowledge()
M = load_mapping(KB)


class TestMapping:
    def test_tokens(self):
        assert token_findings(M, "E_91") == {"fever"}
        assert token_findings(M, "E_55_@_V_29") == {"chest_pain"}
        assert token_findings(M, "E_56_@_8") == {"severe_pain"}
        assert token_findings(M, "E_56_@_3") == set()
        assert token_findings(M, "E_204_@_V_1") == {"travel_abroad", "travel_africa"}
        assert token_findings(M, "E_204_@_V_10") == set()  # "N": did not travel
        assert token_findings(M, "E_999") == set()

    def test_implied_parents(self):
        assert {"chest_pain", "pain"} <= patient_findings(KB, M, ["E_55_@_V_29"])


class TestScore:
    def test_metrics_on_hand_made_cases(self):
        pts = [
            DDXPatient(30, "F", "A", (), "E_91", (("A", 0.6), ("B", 0.4))),
            DDXPatient(30, "M", "C", (), "E_91", (("C", 0.5), ("B", 0.5))),
        ]
        res = [
            PatientResult((("A", 0.7), ("B", 0.295), ("C", 0.005)), 3),
            PatientResult((("B", 0.6), ("D", 0.3), ("C", 0.1)), 5),
        ]
        out = score(pts, res, {"A": 1, "B": 4, "C": 2, "D": 5})
        assert out["gtpa1"] == 0.5 and out["gtpa3"] == 1.0
        assert out["ddr"] == pytest.approx(1.0)  # both gold differentials fully recovered
        assert out["ddp"] == pytest.approx((1.0 + 2 / 3) / 2)
        assert out["mean_questions"] == 4
        assert out["severe_recall"] == 1.0 and out["severe_patients"] == 2


@pytest.mark.slow
@pytest.mark.shared
def test_dev_split_acceptance(shared):
    d = shared / "ddxplus"
    out = evaluate(d / "release_conditions.json", d / "release_evidences.json", d / "patients_dev.csv", 20)
    assert out["n"] == 1000
    assert out["gtpa1"] >= 0.60 and out["gtpa5"] >= 0.85
    assert out["severe_recall"] >= 0.95
    assert out["mean_questions"] <= 20
    assert out["pathology_coverage"] == 1.0 and out["evidence_coverage"] > 0.9


@pytest.mark.shared
def test_open_book_reads_ddxplus_knowledge(shared):
    d = shared / "ddxplus"
    out = evaluate(
        d / "release_conditions.json",
        d / "release_evidences.json",
        d / "patients_dev.csv",
        20,
        open_book=True,
        limit=50,
    )
    assert out["mode"] == "open_book_upper_bound" and out["n"] == 50
    assert json.dumps(out)
