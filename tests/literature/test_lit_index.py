"""The literature index: incremental re-indexing, deletions, filters, and the three retrievers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from medtrio.errors import InvalidInput
from medtrio.literature.index import LiteratureIndex
from medtrio.literature.pubmed import Deletion, parse
from medtrio.literature.retrieve import BM25Retriever, DenseRetriever, Filters, HybridRetriever, fts_query

FIXTURE = Path(__file__).parent / "fixtures" / "mini_medline.xml"


class TestIncremental:
    def test_first_pass_adds_and_second_skips(self, lexical_index: LiteratureIndex) -> None:
        assert lexical_index.counts()["documents"] == 3
        again = lexical_index.add(parse(FIXTURE))
        assert (again.added, again.unchanged, again.updated) == (0, 3, 0)

    def test_changed_article_is_replaced(self, lexical_index: LiteratureIndex) -> None:
        art = next(a for a in parse(FIXTURE) if not isinstance(a, Deletion))
        stats = lexical_index.add([replace(art, title="Statins: an updated meta-analysis.")])
        assert stats.updated == 1
        assert lexical_index.article("90000001")["title"] == "Statins: an updated meta-analysis."
        assert lexical_index.counts()["documents"] == 3

    def test_deletion_removes_article_chunks_and_vectors(self, dense_index: LiteratureIndex) -> None:
        before = dense_index.counts()
        stats = dense_index.add([Deletion("90000003")])
        after = dense_index.counts()
        assert stats.deleted == 1 and dense_index.article("90000003") is None
        assert after["documents"] == before["documents"] - 1 and after["vectors"] == after["chunks"]
        assert not BM25Retriever(dense_index).search("metformin HbA1c")

    def test_only_new_chunks_are_embedded(self, dense_index: LiteratureIndex, embedder) -> None:
        assert dense_index.embed_missing(embedder) == 0

    def test_metadata_is_kept(self, lexical_index: LiteratureIndex) -> None:
        rec = lexical_index.article("90000001")
        assert rec["journal"] == "Journal of Invented Cardiology" and rec["pub_types"][-1] == "Meta-Analysis"
        assert rec["mesh"] and rec["authors"] == ["Doe J", "Invented Trialists Group"]


class TestRetrievers:
    def test_fts_query_quotes_terms_and_drops_stopwords(self) -> None:
        assert (
            fts_query('What is the "effect" of statins AND NEAR(x)?')
            == '"effect" OR "statins" OR "near" OR "x"'
        )

    def test_bm25_ranks_the_matching_article_first(self, lexical_index: LiteratureIndex) -> None:
        hits = BM25Retriever(lexical_index).search("metformin HbA1c type 2 diabetes")
        assert hits[0].doc_id == "90000003" and hits[0].evidence_level == "randomized controlled trial"

    def test_dense_finds_a_paraphrase_without_shared_words(
        self, dense_index: LiteratureIndex, embedder
    ) -> None:
        hits = DenseRetriever(dense_index, embedder).search("blood sugar medicine for diabetics", k=1)
        assert hits[0].doc_id == "90000003"

    def test_hybrid_fuses_both_rankings(self, dense_index: LiteratureIndex, embedder) -> None:
        hybrid = HybridRetriever(BM25Retriever(dense_index), DenseRetriever(dense_index, embedder))
        hits = hybrid.search("do statins prevent heart attacks", k=3)
        assert {h.doc_id for h in hits[:2]} == {"90000001", "90000002"}
        assert set(hits[0].ranks) <= {"bm25", "dense"} and hits[0].ranks
        assert hybrid.last_timing_ms["total"] > 0

    def test_filters_year_and_pub_type(self, dense_index: LiteratureIndex, embedder) -> None:
        hybrid = HybridRetriever(BM25Retriever(dense_index), DenseRetriever(dense_index, embedder))
        recent = hybrid.search("statins cardiovascular events", filters=Filters(year_min=2000))
        assert recent[0].doc_id == "90000001" and all(h.year >= 2000 for h in recent)
        assert "90000002" not in {h.doc_id for h in recent}
        trials = hybrid.search("statins", filters=Filters(pub_types=("Randomized Controlled Trial",)))
        assert {h.doc_id for h in trials} <= {"90000003"}
        strong = BM25Retriever(dense_index).search("statins", filters=Filters(max_level_rank=2))
        assert [h.doc_id for h in strong] == ["90000001"]

    def test_evidence_boost_lifts_the_meta_analysis(self, dense_index: LiteratureIndex, embedder) -> None:
        plain = HybridRetriever(BM25Retriever(dense_index), DenseRetriever(dense_index, embedder))
        boosted = HybridRetriever(
            BM25Retriever(dense_index), DenseRetriever(dense_index, embedder), evidence_boost=1.0
        )
        q = "statins older adults cardiovascular events"
        pos = lambda hits: [h.doc_id for h in hits].index("90000001")  # noqa: E731
        assert pos(boosted.search(q)) <= pos(plain.search(q))

    def test_index_refuses_other_model_vectors(self, dense_index: LiteratureIndex) -> None:
        class Other:
            name, dim = "other-model", 8

        with pytest.raises(InvalidInput, match="all-MiniLM-L6-v2"):
            dense_index.embed_missing(Other())  # type: ignore[arg-type]


class TestTantivy:
    def test_same_ranking_as_fts5_and_follows_deletions(self, lexical_index: LiteratureIndex) -> None:
        from medtrio.literature.lexical_tantivy import TantivyRetriever

        tv = TantivyRetriever(lexical_index)
        q = "metformin HbA1c type 2 diabetes"
        assert tv.search(q)[0].doc_id == BM25Retriever(lexical_index).search(q)[0].doc_id == "90000003"
        lexical_index.add([Deletion("90000003")])
        assert "90000003" not in {h.doc_id for h in tv.search(q)}

    def test_filtered_search_uses_sql(self, lexical_index: LiteratureIndex) -> None:
        from medtrio.literature.lexical_tantivy import TantivyRetriever

        hits = TantivyRetriever(lexical_index).search("statins", filters=Filters(max_level_rank=2))
        assert [h.doc_id for h in hits] == ["90000001"]
