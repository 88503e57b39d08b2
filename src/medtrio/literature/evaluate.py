"""`medtrio eval retrieval`: nDCG@10, Recall@100, MRR@10 and latency of the hybrid retriever on a BEIR set,
with a plain FTS5 BM25 baseline measured in the same run over the same index.

Chunk rankings become document rankings by first occurrence (a document scores as its best chunk). Latency is
wall time per query of the full search call (query embedding, both retrievers, fusion, reading the chunks).
The index is built once per corpus file (keyed by its sha1) under `<data_dir>/cache/beir/` and reused.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from medtrio.literature import beir
from medtrio.literature.embed import Embedder
from medtrio.literature.index import LiteratureIndex
from medtrio.literature.metrics import mrr_at, ndcg_at, percentile, recall_at
from medtrio.literature.retrieve import BM25Retriever, DenseRetriever, HybridRetriever, Retriever


@dataclass(frozen=True)
class RetrievalReport:
    n: int
    ndcg10: float
    recall100: float
    mrr10: float
    p50_ms: float
    p95_ms: float
    baseline_ndcg10: float
    baseline_recall100: float
    baseline_mrr10: float
    baseline_p50_ms: float
    baseline_p95_ms: float
    chunks: int
    retriever: str = "hybrid-rrf(bm25, all-MiniLM-L6-v2)"
    lexical: str = ""
    cpu_p95_ms: float = 0.0  # CPU time of the hybrid search (this process), less sensitive to a busy machine
    baseline: str = "fts5-bm25"


def file_key(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def build_index(
    corpus: Path, embedder: Embedder, cache_dir: Path, progress: Callable[[str, int, int], None] | None = None
) -> LiteratureIndex:
    """The index of a BEIR corpus, built (or completed) under cache_dir and reused across runs."""
    index = LiteratureIndex(cache_dir / "beir" / f"{file_key(corpus)}.sqlite")
    if index.counts()["documents"] == 0:
        total = sum(1 for _ in open(corpus, encoding="utf-8"))
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            if progress:
                progress("index", done[0], total)

        index.add(beir.read_corpus(corpus), progress=tick)
    counts = index.counts()
    if counts["vectors"] < counts["chunks"]:
        missing, done2 = counts["chunks"] - counts["vectors"], [0]

        def tick2(n: int) -> None:
            done2[0] += n
            if progress:
                progress("embed", done2[0], missing)

        index.embed_missing(embedder, progress=tick2)
    return index


def _doc_ranking(retriever: Retriever, query: str, depth: int) -> tuple[list[str], float]:
    t = time.perf_counter()
    hits = retriever.search(query, k=depth)
    ms = (time.perf_counter() - t) * 1e3
    return list(dict.fromkeys(h.doc_id for h in hits)), ms


def evaluate(
    corpus: Path,
    queries: Path,
    qrels: Path,
    embedder: Embedder,
    cache_dir: Path,
    progress: Callable[[str, int, int], None] | None = None,
    limit: int | None = None,
    depth: int = 150,
) -> RetrievalReport:
    """Run every judged query through the hybrid retriever and the BM25 baseline; average the metrics."""
    index = build_index(corpus, embedder, cache_dir, progress)
    texts, judged = beir.read_queries(queries), beir.read_qrels(qrels)
    qids = [q for q in judged if q in texts][:limit]
    lexical = BM25Retriever(index)
    from medtrio.literature.lexical_tantivy import lexical_retriever

    hybrid = HybridRetriever(lexical_retriever(index), DenseRetriever(index, embedder))
    embedder.embed([texts[q] for q in qids[:1]])  # load the model before timing
    sums = dict(nd=0.0, rc=0.0, mr=0.0, bnd=0.0, brc=0.0, bmr=0.0)
    lat, blat, cpu = [], [], []
    for n, qid in enumerate(qids, 1):
        rel = judged[qid]
        c0 = time.process_time()
        ranked, ms = _doc_ranking(hybrid, texts[qid], depth)
        cpu.append((time.process_time() - c0) * 1e3)
        branked, bms = _doc_ranking(lexical, texts[qid], depth)
        lat.append(ms)
        blat.append(bms)
        sums["nd"] += ndcg_at(ranked, rel)
        sums["rc"] += recall_at(ranked, rel)
        sums["mr"] += mrr_at(ranked, rel)
        sums["bnd"] += ndcg_at(branked, rel)
        sums["brc"] += recall_at(branked, rel)
        sums["bmr"] += mrr_at(branked, rel)
        if progress:
            progress("query", n, len(qids))
    n = max(len(qids), 1)
    r4 = lambda x: round(x / n, 4)  # noqa: E731
    return RetrievalReport(
        n=len(qids),
        ndcg10=r4(sums["nd"]),
        recall100=r4(sums["rc"]),
        mrr10=r4(sums["mr"]),
        p50_ms=round(percentile(lat, 50), 2),
        p95_ms=round(percentile(lat, 95), 2),
        baseline_ndcg10=r4(sums["bnd"]),
        baseline_recall100=r4(sums["brc"]),
        baseline_mrr10=r4(sums["bmr"]),
        baseline_p50_ms=round(percentile(blat, 50), 2),
        baseline_p95_ms=round(percentile(blat, 95), 2),
        chunks=index.counts()["chunks"],
        lexical=hybrid.bm25.name,
        cpu_p95_ms=round(percentile(cpu, 95), 2),
    )
