"""The literature domain's entry points for the CLI, the API and the MCP server: index, search, answer.

The default index lives at `<data_dir>/literature/index.sqlite`. The embedder is optional: when the model
package is missing, indexing and search fall back to BM25 with a logged warning, so everything works offline
and without the model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from medtrio.errors import NotFound
from medtrio.literature.embed import Embedder as Embedder
from medtrio.literature.embed import EmbeddingUnavailable, default_embedder
from medtrio.literature.index import IndexStats, LiteratureIndex
from medtrio.literature.ingest import read_source
from medtrio.literature.records import Hit
from medtrio.literature.retrieve import (
    BM25Retriever,
    DenseRetriever,
    Filters,
    HybridRetriever,
    Retriever,
)
from medtrio.literature.summary import EvidenceSummary, summarize
from medtrio.settings import get_settings

log = logging.getLogger(__name__)
MODES = ("hybrid", "bm25", "dense")


def default_index_path() -> Path:
    return get_settings().data_dir / "literature" / "index.sqlite"


@lru_cache(maxsize=4)
def open_index(path: Path | None = None) -> LiteratureIndex:
    """The index at `path` (default: the installation's), opened once per process (vectors stay in memory)."""
    return LiteratureIndex(path or default_index_path())


def get_embedder() -> Embedder | None:
    """The embedding model, or None (logged) when it is not installed."""
    try:
        return default_embedder()
    except EmbeddingUnavailable as exc:
        log.warning("dense retrieval off: %s", exc.message)
        return None


def index_source(
    source: str | Path,
    fmt: str | None = None,
    path: Path | None = None,
    embed: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> IndexStats:
    """Add a source to the index (incrementally) and embed its new chunks."""
    index = open_index(path)
    stats = index.add(
        read_source(source, fmt), progress=(lambda n: progress("index", n)) if progress else None
    )
    embedded = 0
    if embed:
        embedder = get_embedder()
        if embedder is not None:
            embedded = index.embed_missing(
                embedder, progress=(lambda n: progress("embed", n)) if progress else None
            )
    return IndexStats(stats.added, stats.updated, stats.unchanged, stats.deleted, stats.chunks, embedded)


@dataclass(frozen=True)
class SearchResult:
    question: str
    retriever: str
    hits: tuple[Hit, ...]
    timing_ms: float


def retriever_for(index: LiteratureIndex, mode: str = "hybrid", evidence_boost: float = 0.0) -> Retriever:
    """The retriever for `mode`; hybrid and dense fall back to BM25 (logged) without vectors or model."""
    if mode not in MODES:
        from medtrio.errors import InvalidInput

        raise InvalidInput(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
    lexical = BM25Retriever(index)
    if mode == "bm25":
        return lexical
    embedder = get_embedder() if index.has("vectors") else None
    if embedder is None:
        log.warning("searching with BM25 only: the index has no vectors or the model is missing")
        return lexical
    from medtrio.literature.lexical_tantivy import lexical_retriever

    dense = DenseRetriever(index, embedder)
    if mode == "dense":
        return dense
    return HybridRetriever(lexical_retriever(index), dense, evidence_boost=evidence_boost)


def search(
    question: str,
    k: int = 10,
    filters: Filters | None = None,
    mode: str = "hybrid",
    path: Path | None = None,
    evidence_boost: float = 0.0,
) -> SearchResult:
    """The k best passages for a question (`evidence_boost` > 0 lifts graded evidence; off by default)."""
    import time

    index = open_index(path)
    if not index.has("chunks"):
        raise NotFound("the literature index is empty: run `medtrio literature index --source PATH` first")
    retriever = retriever_for(index, mode, evidence_boost)
    t = time.perf_counter()
    hits = retriever.search(question, k=k, filters=filters)
    return SearchResult(question, retriever.name, tuple(hits), round((time.perf_counter() - t) * 1e3, 2))


def evidence_summary(
    question: str, k: int = 8, filters: Filters | None = None, path: Path | None = None
) -> tuple[SearchResult, EvidenceSummary]:
    """Search, then build the offline extractive summary of the hits."""
    result = search(question, k=k, filters=filters, path=path)
    embedder = get_embedder() if result.retriever != "bm25" else None
    return result, summarize(question, list(result.hits), embedder)
