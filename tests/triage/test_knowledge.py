"""The knowledge base data files: every entry is checked."""

from __future__ import annotations

import re

import pytest

from medtrio.triage.ddxplus import load_mapping
from medtrio.triage.knowledge import URGENCY_LEVELS, KnowledgeError, _read, load_knowledge

KB = load_knowledge()


class TestConditions:
    def test_at_least_200_conditions(self):
        assert len(KB.conditions) >= 200

    @pytest.mark.parametrize("c", KB.conditions, ids=lambda c: c.id)
    def test_entry(self, c):
        assert c.en and c.zh and re.search(r"[\u4e00-\u9fff]", c.zh)
        assert re.match(r"^[A-Z][0-9]{2}", c.icd10)
        assert c.urgency in URGENCY_LEVELS
        assert c.sources and all(s in KB.sources for s in c.sources)
        assert c.departments and all(d in KB.departments for d in c.departments)
        assert len(c.likelihoods) >= 1 and all(0 < p < 1 for p in c.likelihoods.values())
        assert all(f in KB.findings for f in (*c.likelihoods, *c.red_flags))
        assert sum(c.sex_weights) > 0 and min(c.age_weights) > 0

    def test_covers_the_kinds_of_care(self):
        depts = [d for c in KB.conditions for d in c.departments]
        for dept, at_least in (
            ("emergency", 40),
            ("paediatrics", 15),
            ("obstetrics_gynaecology", 12),
            ("general_practice", 60),
            ("dermatology", 10),
            ("cardiology", 8),
        ):
            assert depts.count(dept) >= at_least, dept
        levels = [c.urgency for c in KB.conditions]
        assert all(levels.count(u) >= 20 for u in URGENCY_LEVELS)

    def test_emergency_conditions_name_their_red_flags(self):
        for c in KB.conditions:
            if c.urgency == "emergency":
                assert c.red_flags, c.id


class TestFindings:
    @pytest.mark.parametrize("f", list(KB.findings.values()), ids=lambda f: f.id)
    def test_entry(self, f):
        assert f.en and f.zh and 0 < f.base < 1
        assert f.question_en.endswith("?") and f.question_zh.endswith("？")

    def test_lay_words_in_both_languages(self):
        assert "tummy ache" in KB.findings["abdominal_pain"].synonyms_en
        assert "拉肚子" in KB.findings["diarrhea"].synonyms_zh

    def test_implications_raise_parent_likelihood(self):
        i = KB.condition_index["acs_mi"]
        assert KB.likelihood[i, KB.finding_index["pain"]] >= KB.likelihood[i, KB.finding_index["chest_pain"]]


class TestRulesAndSources:
    def test_rules_cite_sources(self):
        assert len(KB.rules) >= 30
        for r in KB.rules:
            assert r.sources and all(s in KB.sources for s in r.sources)
            assert r.urgency == "emergency" and r.advice_en and r.advice_zh

    def test_every_source_is_a_citation(self):
        for key, text in KB.sources.items():
            assert re.search(r"(19|20)\d\d", text), key

    def test_ddxplus_mapping_is_valid(self):
        m = load_mapping(KB)
        assert len(m.pathologies) == 49
        assert len(m.mapped_evidences()) >= 200


class TestValidation:
    def test_unquoted_comma_is_refused(self, tmp_path):
        bad = tmp_path / "findings.yaml"
        bad.write_text("findings:\n  x: {en: a cold, pale limb, zh: 冷}\n", encoding="utf-8")
        from medtrio.triage.knowledge import _load_findings

        with pytest.raises(KnowledgeError, match="unknown keys"):
            _load_findings(bad)

    def test_bad_yaml_is_refused(self, tmp_path):
        bad = tmp_path / "x.yaml"
        bad.write_text("a: [\n", encoding="utf-8")
        with pytest.raises(KnowledgeError, match="not valid YAML"):
            _read(bad)
