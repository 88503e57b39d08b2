"""The PostgreSQL literature backend against the local server (skips when it is not reachable)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from medtrio.literature.pg import PgLiteratureIndex, PgTextRetriever, PgVectorRetriever
from medtrio.literature.pubmed import Deletion, parse
from medtrio.literature.retrieve import DenseRetriever, Filters, HybridRetriever

FIXTURE = Path(__file__).parent / "fixtures" / "mini_medline.xml"
pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_index(pg_url: str):
    index = PgLiteratureIndex(pg_url)
    with index.engine.begin() as conn:
        conn.execute(text("TRUNCATE lit_docs, lit_chunks, lit_meta"))
    index.add(parse(FIXTURE))
    yield index
    index.close()


class TestPgBackend:
    def test_incremental_add_and_deletion(self, pg_index: PgLiteratureIndex) -> None:
        assert pg_index.counts()["documents"] == 3
        again = pg_index.add(parse(FIXTURE))
        assert again.unchanged == 3 and again.added == 0
        assert pg_index.add([Deletion("90000003")]).deleted == 1
        assert pg_index.counts()["documents"] == 2 and pg_index.article("90000003") is None

    def test_full_text_ranking_and_filters(self, pg_index: PgLiteratureIndex) -> None:
        lexical = PgTextRetriever(pg_index)
        assert lexical.search("metformin HbA1c diabetes")[0].doc_id == "90000003"
        lexical.search("it's 'quoted' & | ! (syntax)")  # must not raise a tsquery syntax error
        recent = lexical.search("statins cardiovascular", filters=Filters(year_min=2000))
        assert [h.doc_id for h in recent] == ["90000001"]

    def test_hybrid_on_postgres(self, pg_index: PgLiteratureIndex, embedder) -> None:
        assert pg_index.embed_missing(embedder) == pg_index.counts()["chunks"]
        dense = (
            PgVectorRetriever(pg_index, embedder) if pg_index.pgvector else DenseRetriever(pg_index, embedder)
        )
        hybrid = HybridRetriever(PgTextRetriever(pg_index), dense)  # type: ignore[arg-type]
        assert hybrid.search("blood sugar medicine for diabetics")[0].doc_id == "90000003"
        filtered = hybrid.search("statins", filters=Filters(pub_types=("Meta-Analysis",)))
        assert {h.doc_id for h in filtered} == {"90000001"}
