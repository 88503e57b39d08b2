"""BM25 over the same chunks with tantivy (the Rust search library, via its PyPI wheel), used as the lexical
half of the hybrid retriever when installed.

Why: at 100,000 chunks SQLite FTS5 scores every chunk matching any OR-ed term, which costs tens of ms per
question, while tantivy's block-max WAND skips most of them; on BioASQ both give the same nDCG@10 (measured,
docs/literature.md). FTS5 stays the baseline, the fallback when tantivy is missing, and the engine for
filtered searches (year, publication type, evidence rank live in SQL).

The tantivy folder sits beside the SQLite file (`<index>.tantivy/`) and records the SQLite index's
generation; it is rebuilt from the chunks table whenever the generation differs (a rebuild of 100,000
chunks takes seconds). Reference: tantivy documentation (BM25 k1=1.2, b=0.75; en_stem tokenizer).
"""

from __future__ import annotations

import logging
import shutil

from medtrio.literature.index import LiteratureIndex
from medtrio.literature.records import Hit
from medtrio.literature.retrieve import BM25Retriever, Filters, _hits, fts_query

log = logging.getLogger(__name__)


def available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


class TantivyRetriever:
    name = "bm25-tantivy"

    def __init__(self, index: LiteratureIndex) -> None:
        import tantivy

        self.index = index
        self._fallback = BM25Retriever(index)
        self.folder = index.path.with_name(index.path.name + ".tantivy")
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("cid", stored=True, indexed=True, fast=True)
        builder.add_text_field("body", stored=False, tokenizer_name="en_stem")
        self._schema = builder.build()
        self._tix = None
        self._built_for = None

    def _generation(self) -> str:
        # one indexed meta lookup per search (counting rows would cost more than the search itself)
        return f"{self.index.uid()}:{self.index.generation()}"

    def _ensure(self) -> None:
        import tantivy

        gen = self._generation()
        if self._tix is not None and self._built_for == gen:
            return
        stamp = self.folder / "generation.txt"
        if self.folder.is_dir() and stamp.exists() and stamp.read_text() == gen:
            self._tix = tantivy.Index(self._schema, path=str(self.folder), reuse=True)
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            self._tix = tantivy.Index(self._schema, path=str(self.folder), reuse=False)
            writer = self._tix.writer()
            for cid, title, text in self.index.db.execute("SELECT id, title, text FROM chunks"):
                writer.add_document(tantivy.Document(cid=cid, body=f"{title}\n{text}"))
            writer.commit()
            writer.wait_merging_threads()
            stamp.write_text(gen)
            log.info("tantivy index rebuilt at %s", self.folder)
        self._tix.reload()
        self._searcher = self._tix.searcher()
        self._built_for = gen

    def ranked(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        if filters is not None and filters.active:
            return self._fallback.ranked(query, k, filters)
        self._ensure()
        # tantivy's parser treats a leading '-' as NOT and quotes as phrases: keep bare terms only
        terms = fts_query(query).replace('"', "").replace(" OR ", " ").replace("-", " ")
        if not terms.strip():
            return []
        parsed = self._tix.parse_query(terms, ["body"])
        # count=False skips counting every match; the chunk id comes from the fast field, not the doc store
        hits = self._searcher.search(parsed, k, count=False).hits
        cids = self._searcher.fast_field_values("cid", [addr for _, addr in hits])
        return [(int(cid), float(score)) for (score, _), cid in zip(hits, cids, strict=True)]

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return _hits(self.index, self.ranked(query, k, filters), self.name)


def lexical_retriever(index: LiteratureIndex) -> BM25Retriever | TantivyRetriever:
    """tantivy when installed (logged), else SQLite FTS5."""
    if available():
        return TantivyRetriever(index)
    log.warning("tantivy is not installed: lexical search uses SQLite FTS5 (slower at 100,000+ chunks)")
    return BM25Retriever(index)
