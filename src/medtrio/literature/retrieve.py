"""Retrievers behind one `Retriever` protocol: FTS5 BM25, dense (embedding) and hybrid reciprocal-rank fusion.

- `BM25Retriever`: SQLite FTS5 `bm25()` over chunk title+text (Robertson & Zaragoza 2009, k1=1.2, b=0.75 as
  FTS5 fixes them); the question's content words are OR-ed, so partial matches still rank.
- `DenseRetriever`: exact inner product over the in-memory matrix of normalised MiniLM vectors.
- `HybridRetriever`: RRF, score = sum_r w_r / (k + rank_r) with k = 60 (Cormack et al., SIGIR 2009), over the
  top `depth` of each retriever; then an optional evidence-level boost (off by default: it must be measured on
  a set with publication types before it is switched on, see docs/literature.md).

Filters (year range, publication types, strongest evidence rank) apply inside each retriever, before ranking.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

import numpy as np

from medtrio.literature.embed import Embedder
from medtrio.literature.evidence import levels
from medtrio.literature.index import LiteratureIndex
from medtrio.literature.records import Hit

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")


@dataclass(frozen=True)
class Filters:
    year_min: int | None = None
    year_max: int | None = None
    pub_types: tuple[str, ...] = ()
    max_level_rank: int | None = None  # e.g. 3 = RCTs or stronger

    def sql(self) -> tuple[str, list]:
        parts, args = [], []
        if self.year_min is not None:
            parts.append("c.year >= ?")
            args.append(self.year_min)
        if self.year_max is not None:
            parts.append("c.year <= ?")
            args.append(self.year_max)
        if self.max_level_rank is not None:
            parts.append("c.level_rank <= ?")
            args.append(self.max_level_rank)
        if self.pub_types:
            parts.append("(" + " OR ".join("c.pub_types LIKE ?" for _ in self.pub_types) + ")")
            args.extend(f'%"{p}"%' for p in self.pub_types)
        return (" AND " + " AND ".join(parts)) if parts else "", args

    @property
    def active(self) -> bool:
        return bool(self.sql()[0])


class Retriever(Protocol):
    name: str

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """The k best chunks for the query, best first."""
        ...


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("medtrio.literature").joinpath("data/stopwords.txt").read_text()
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def fts_query(question: str) -> str:
    """An FTS5 OR-query of the question's content words, each quoted so FTS syntax cannot leak in."""
    words = [w.lower().strip("-") for w in _WORD.findall(question)]
    terms = list(dict.fromkeys(w for w in words if w and w not in stopwords()))
    return " OR ".join(f'"{t}"' for t in terms)


def _hits(index: LiteratureIndex, ranked: list[tuple[int, float]], source: str) -> list[Hit]:
    rows = index.chunk_rows([i for i, _ in ranked])
    table = {e.rank: e.level for e in levels().values()}
    out = []
    for rank, (i, score) in enumerate(ranked, 1):
        chunk_id, doc_id, title, text, year, level_rank, pub_types = rows[i]
        out.append(
            Hit(
                chunk_id=chunk_id,
                doc_id=doc_id,
                text=text,
                score=float(score),
                title=title,
                year=year,
                pub_types=tuple(json.loads(pub_types or "[]")),
                evidence_level=table.get(level_rank, "") if level_rank else "",
                ranks={source: rank},
            )
        )
    return out


class BM25Retriever:
    name = "bm25"

    def __init__(self, index: LiteratureIndex) -> None:
        self.index = index

    def ranked(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        match = fts_query(query)
        if not match:
            return []
        where, args = (filters or Filters()).sql()
        sql = (
            "SELECT c.id, -bm25(chunks_fts) AS s FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid "
            f"WHERE chunks_fts MATCH ?{where} ORDER BY bm25(chunks_fts) LIMIT ?"
        )
        return [(int(i), float(s)) for i, s in self.index.db.execute(sql, [match, *args, k])]

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return _hits(self.index, self.ranked(query, k, filters), self.name)


def _one_blas_thread():  # type: ignore[no-untyped-def]
    """A matrix-vector product is memory-bound: a second BLAS thread only spin-waits on a busy CPU."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


class DenseRetriever:
    name = "dense"

    # exact search below this many vectors; above it an IVF index (about sqrt(N) lists, `nprobe` scanned)
    IVF_MIN = 50_000

    def __init__(
        self, index: LiteratureIndex, embedder: Embedder, nprobe: int = 48, exact: bool = False
    ) -> None:
        self.index, self.embedder, self.nprobe, self.exact = index, embedder, nprobe, exact
        self._ivf: tuple[int, object] | None = None

    def _ivf_for(self, mat: np.ndarray):  # type: ignore[no-untyped-def]
        from medtrio.literature.ivf import build_ivf

        if self._ivf is None or self._ivf[0] != id(mat):
            with _one_blas_thread():
                self._ivf = (id(mat), build_ivf(mat))
        return self._ivf[1]

    def ranked(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        ids, mat = self.index.matrix()
        if len(ids) == 0:
            return []
        # queries bypass the embedding cache: their latency is part of every search and is measured as such
        q = getattr(self.embedder, "inner", self.embedder).embed([query])[0]  # (dim,)
        filtered = filters is not None and filters.active
        if len(ids) >= self.IVF_MIN and not self.exact and not filtered:
            with _one_blas_thread():
                rows, found = self._ivf_for(mat).search(q, k, self.nprobe)
            return [(int(ids[r]), float(v)) for r, v in zip(rows, found, strict=True)]
        with _one_blas_thread():
            scores = mat @ q  # (N,)
        if filtered:
            allowed = self.index.filtered_ids(filters)  # type: ignore[union-attr]
            scores = np.where(np.isin(ids, allowed), scores, -np.inf)
        k = min(k, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(ids[j]), float(scores[j])) for j in top if np.isfinite(scores[j])]

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return _hits(self.index, self.ranked(query, k, filters), self.name)


@dataclass
class HybridRetriever:
    """RRF of BM25 and dense rankings; `evidence_boost` multiplies a graded chunk's fused score by
    1 + boost * (9 - rank) / 8 (rank 1 = guideline ... 8 = opinion)."""

    bm25: Any  # BM25Retriever or TantivyRetriever: anything with ranked(query, k, filters) and .index
    dense: DenseRetriever
    k_rrf: int = 60
    depth: int = 100
    weights: dict[str, float] = field(default_factory=lambda: {"bm25": 1.0, "dense": 1.0})
    evidence_boost: float = 0.0
    name: str = "hybrid"
    last_timing_ms: dict[str, float] = field(default_factory=dict)

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        t0 = time.perf_counter()
        lexical = self.bm25.ranked(query, self.depth, filters)
        t1 = time.perf_counter()
        semantic = self.dense.ranked(query, self.depth, filters)
        t2 = time.perf_counter()
        fused: dict[int, float] = {}
        ranks: dict[int, dict[str, int]] = {}
        for source, ranking in (("bm25", lexical), ("dense", semantic)):
            for rank, (i, _) in enumerate(ranking, 1):
                fused[i] = fused.get(i, 0.0) + self.weights[source] / (self.k_rrf + rank)
                ranks.setdefault(i, {})[source] = rank
        if self.evidence_boost:
            ids = list(fused)
            rows = self.bm25.index.chunk_rows(ids)
            for i in ids:
                level_rank = rows[i][5]
                if level_rank:
                    fused[i] *= 1 + self.evidence_boost * (9 - level_rank) / 8
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        hits = _hits(self.bm25.index, best, self.name)
        for h, (i, _) in zip(hits, best, strict=True):
            h.ranks.clear()
            h.ranks.update(ranks[i])
        self.last_timing_ms = {
            "bm25": (t1 - t0) * 1e3,
            "dense": (t2 - t1) * 1e3,
            "total": (time.perf_counter() - t0) * 1e3,
        }
        return hits


def open_retriever(index: LiteratureIndex, embedder: Embedder | None) -> Retriever:
    """Hybrid when the index has vectors and an embedder is available, else BM25 alone."""
    from medtrio.literature.lexical_tantivy import lexical_retriever

    if embedder is not None and index.has("vectors"):
        return HybridRetriever(lexical_retriever(index), DenseRetriever(index, embedder))
    return BM25Retriever(index)
