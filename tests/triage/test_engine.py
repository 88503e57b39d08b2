"""Posterior, red flags and urgency: negative answers count; red flags are never out-voted."""

from __future__ import annotations

import numpy as np

from medtrio.triage.assess import assessment_from
from medtrio.triage.engine import decide_urgency, fired_rules, log_posterior, normalise
from medtrio.triage.knowledge import load_knowledge

KB = load_knowledge()


def prob(answers, cid, age=30, sex="F"):
    p = normalise(log_posterior(KB, answers, age, sex))
    return p[KB.condition_index[cid]]


class TestPosterior:
    def test_negative_answer_lowers_a_condition(self):
        base = {"cough": True, "fever": True}
        assert prob({**base, "myalgia": False}, "influenza") < prob(base, "influenza")

    def test_positive_answer_raises_a_condition(self):
        base = {"sore_throat": True}
        assert prob({**base, "tonsil_exudate": True, "fever": True}, "strep_throat") > prob(
            base, "strep_throat"
        )

    def test_sex_specific_conditions(self):
        assert prob({"lower_abdominal_pain": True}, "ectopic_pregnancy", sex="M") == 0
        assert prob({"testicular_pain": True}, "testicular_torsion", sex="F") == 0

    def test_age_prior(self):
        answers = {"cough": True, "wheeze": True, "nasal_congestion": True}
        assert prob(answers, "bronchiolitis", age=0.5) > 10 * prob(answers, "bronchiolitis", age=40)


class TestRedFlags:
    def test_red_flag_cannot_be_outvoted(self):
        answers = {"nasal_congestion": True, "sore_throat": True, "cough": True, "suicidal_thoughts": True}
        a = assessment_from(KB, answers, 25, "M")
        assert a.differential[0]["id"] != "suicidal_crisis"  # the differential may lean elsewhere ...
        assert a.urgency == "emergency"  # ... the urgency does not
        assert [r["id"] for r in a.red_flags] == ["suicidal"]

    def test_infant_fever_needs_the_age(self):
        assert [r.id for r in fired_rules(KB, {"fever": True}, 0.1, None)] == ["infant_fever"]
        assert fired_rules(KB, {"fever": True}, 2, None) == []
        assert fired_rules(KB, {"fever": True}, None, None) == []

    def test_sex_limited_rule(self):
        answers = {"pregnant": True, "vaginal_bleeding": True}
        assert fired_rules(KB, answers, 30, "F")
        assert fired_rules(KB, answers, 30, None)  # unknown sex never blocks a red flag

    def test_urgency_from_differential(self):
        probs = np.zeros(len(KB.conditions))
        probs[KB.condition_index["common_cold"]] = 0.75
        probs[KB.condition_index["pneumonia"]] = 0.25
        assert decide_urgency(KB, probs, []) == ("urgent", "differential")
        probs[:] = 0
        probs[KB.condition_index["common_cold"]] = 1.0
        assert decide_urgency(KB, probs, []) == ("self_care", "differential")


class TestAssessment:
    def test_explanations_and_sources(self):
        a = assessment_from(KB, {"chest_pain": True, "sweating": True, "pain_radiates_arm": True}, 60, "M")
        top = a.differential[0]
        assert top["id"] in ("acs_mi", "unstable_angina")
        assert {e["finding"] for e in top["for"]} >= {"chest_pain", "pain_radiates_arm"}
        assert top["sources"]
        assert a.department == "emergency"
        ps = [d["probability"] for d in a.differential]
        assert ps == sorted(ps, reverse=True) and sum(ps) <= 1.0001

    def test_never_certain(self):
        a = assessment_from(
            KB, {"nasal_congestion": True, "sore_throat": True, "cough": True, "sick_contact": True}, 30, "F"
        )
        assert a.differential[0]["probability"] < 0.99
        assert len(a.differential) > 1


class TestInputs:
    def test_lenient_sex_and_age_spellings(self):
        from medtrio.triage.assess import assess_text

        a = assess_text("cough and runny nose", "45", "female")
        assert a.sex == "F" and a.age == 45
        assert assess_text("咳嗽", None, "男").sex == "M"

    def test_bad_inputs_are_refused(self):
        import pytest

        from medtrio.errors import InvalidInput
        from medtrio.triage.assess import assess_text

        for args in (("", None, None), ("cough", 200, None), ("cough", "old", None), ("cough", None, "X")):
            with pytest.raises(InvalidInput):
                assess_text(*args)
