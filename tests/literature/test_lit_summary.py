"""Offline extractive evidence summary: cited sentences, grouping by claim, conflicts, insufficiency."""

from __future__ import annotations

from medtrio.literature.evidence import level_of, levels
from medtrio.literature.records import Hit
from medtrio.literature.summary import polarity, summarize

HITS = [
    Hit(
        "1#0",
        "1",
        "Statin therapy significantly reduced cardiovascular events in adults at high risk. "
        "The trial enrolled adults from twelve countries.",
        1.0,
    ),
    Hit(
        "2#0",
        "2",
        "Statin therapy did not reduce cardiovascular events in adults older than 75 years. "
        "Muscle symptoms were common.",
        0.9,
    ),
    Hit("3#0", "3", "Metformin lowered HbA1c in adults with newly diagnosed type 2 diabetes.", 0.5),
]


class TestSummary:
    def test_every_sentence_is_copied_and_cited(self) -> None:
        s = summarize("Do statins reduce cardiovascular events?", HITS)
        assert not s.insufficient
        texts = {h.doc_id: h.text for h in HITS}
        for claim in s.claims:
            for c in claim.citations:
                assert c.sentence in texts[c.doc_id]

    def test_opposite_findings_are_grouped_and_flagged(self) -> None:
        s = summarize("Do statins reduce cardiovascular events?", HITS, group_threshold=0.3)
        top = s.claims[0]
        assert set(top.doc_ids) == {"1", "2"} and top.conflict

    def test_semantic_grouping_with_the_real_model(self, embedder) -> None:
        s = summarize("Do statins reduce cardiovascular events?", HITS, embedder=embedder)
        assert s.claims[0].citations[0].doc_id in {"1", "2"}
        assert all("Metformin" not in c.sentence for c in s.claims[0].citations)

    def test_overlapping_chunks_do_not_repeat_a_sentence(self) -> None:
        text = "Statin therapy significantly reduced cardiovascular events in adults at high risk."
        hits = [
            Hit("1#0", "1", "Intro sentence about statins here. " + text, 1.0),
            Hit("1#1", "1", text, 0.9),
        ]
        s = summarize("Do statins reduce cardiovascular events?", hits)
        sents = [c.sentence for claim in s.claims for c in claim.citations]
        assert sents.count(text) == 1

    def test_unrelated_question_is_insufficient(self) -> None:
        s = summarize("What causes malaria in travellers?", HITS)
        assert s.insufficient and not s.claims

    def test_polarity_cues(self) -> None:
        assert polarity("There was no significant difference in mortality.") == "negative"
        assert polarity("Treatment significantly improved survival.") == "positive"
        assert polarity("Patients were enrolled in 2010.") == ""


class TestEvidenceLevels:
    def test_every_entry_has_a_source_and_valid_rank(self) -> None:
        table = levels()
        assert len(table) >= 15
        assert all(e.source.strip() and 1 <= e.rank <= 9 for e in table.values())

    def test_strongest_level_wins(self) -> None:
        lvl = level_of(["Journal Article", "Randomized Controlled Trial", "Meta-Analysis"])
        assert lvl is not None and lvl.level == "systematic review / meta-analysis"
        assert level_of(["Journal Article"]) is None
