"""Safety tables (our own lay-worded cases, EN and ZH): emergencies are always sent to emergency care,
clear self-care cases never are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medtrio.triage.assess import assess_text

DATA = Path(__file__).parent / "data"


def cases(name):
    return [
        json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()
    ]


EMERGENCY = cases("emergency_vignettes.jsonl")
SELF_CARE = cases("selfcare_vignettes.jsonl")


def test_table_sizes():
    for table, at_least in ((EMERGENCY, 60), (SELF_CARE, 40)):
        assert len({c["id"].split("-")[0] for c in table}) >= at_least
        assert {c["lang"] for c in table} == {"en", "zh"}


@pytest.mark.parametrize("case", EMERGENCY, ids=lambda c: c["id"])
def test_emergency_is_escalated(case):
    a = assess_text(case["text"], case["age"], case["sex"], case["lang"])
    assert a.urgency == "emergency", (a.understood, a.differential[:3])
    assert a.department == "emergency"


@pytest.mark.parametrize("case", SELF_CARE, ids=lambda c: c["id"])
def test_self_care_is_not_sent_to_emergency(case):
    a = assess_text(case["text"], case["age"], case["sex"], case["lang"])
    assert a.urgency != "emergency" and a.department != "emergency", (a.understood, a.red_flags)


REGRESSION = cases("regression_vignettes.jsonl")  # later probes; the synonyms were extended after they failed


@pytest.mark.parametrize("case", REGRESSION, ids=lambda c: c["id"])
def test_regression_cases(case):
    a = assess_text(case["text"], case["age"])
    assert (a.urgency == "emergency") == (case["expect"] == "emergency"), (a.understood, a.red_flags)
