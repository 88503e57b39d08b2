"""Literature retrieval benchmarks (issue 7): BioASQ and PubMedQA retrieval quality against an FTS5 BM25
baseline measured in the same run, search latency at >= 100,000 chunks, indexing throughput, and a lexical
engine comparison (SQLite FTS5 vs bm25s vs tantivy) on BioASQ.

    python -m benchmarks.run literature            # appends rows to docs/BENCHMARKS.md
    python -m benchmarks.run literature --quick    # 200 queries per set, 30,000-chunk scale index
    MEDTRIO_BENCH_LITERATURE=scale python -m benchmarks.run literature   # some sections only

The 100,000-chunk index is synthetic in its mix, real in its words: it holds every real chunk of the BioASQ,
PubMedQA and MEDLINE-sample corpora, topped up with chunks made of 2-3 real sentences drawn at random (fixed
seed) from those corpora. A top-up chunk's vector is the normalised mean of the vectors of the chunks its
sentences come from (embedding 85,000 more passages would take hours on this shared 2-core CPU; exact
inner-product search costs the same whatever the vector values). Needs ../shared/data.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.harness import Row

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "literature"
BIOASQ = SHARED / "derived" / "bioasq_7b_11b_snippets_beir"
PUBMEDQA = SHARED / "derived" / "pubmedqa_pqal_beir"
CACHE = ROOT / "var" / "cache"


def _eval_rows(name: str, folder: Path, qrels: str, embedder, limit: int | None) -> list[Row]:
    from medtrio.literature.evaluate import evaluate

    r = evaluate(
        folder / "corpus.jsonl",
        folder / "queries.jsonl",
        folder / "qrels" / qrels,
        embedder,
        CACHE,
        limit=limit,
    )
    cmd = (
        f"medtrio eval retrieval --corpus {folder}/corpus.jsonl --queries {folder}/queries.jsonl "
        f"--qrels {folder}/qrels/{qrels} --json"
    ).replace(str(ROOT.parent), "..")
    base = "FTS5 BM25, same run"
    print(f"{name}: {r}", file=sys.stderr)
    return [
        Row(f"{name} nDCG@10 (hybrid RRF, n={r.n})", r.ndcg10, "", r.baseline_ndcg10, base, cmd),
        Row(f"{name} Recall@100 (hybrid RRF)", r.recall100, "", r.baseline_recall100, base, cmd),
        Row(f"{name} MRR@10 (hybrid RRF)", r.mrr10, "", r.baseline_mrr10, base, cmd),
        Row(
            f"{name} search p95 ({r.chunks:,} chunks, lexical {r.lexical})",
            r.p95_ms,
            "ms",
            r.baseline_p95_ms,
            base,
            cmd,
            False,
        ),
        Row(f"{name} hybrid search CPU-time p95", r.cpu_p95_ms, "ms", None, "", cmd, False),
    ]


def _sentence_pool(articles) -> list[tuple[str, str]]:
    from medtrio.literature.chunking import sentences

    return [(a.doc_id, s) for a in articles for s in sentences(a.abstract) if len(s.split()) >= 4]


def _scale_rows(embedder, target: int, n_queries: int) -> list[Row]:
    from medtrio.literature import beir, pubmed
    from medtrio.literature.index import LiteratureIndex
    from medtrio.literature.records import Article, Section
    from medtrio.literature.retrieve import BM25Retriever, DenseRetriever, HybridRetriever

    real = list(beir.read_corpus(BIOASQ / "corpus.jsonl")) + list(beir.read_corpus(PUBMEDQA / "corpus.jsonl"))
    real += [
        a
        for a in pubmed.parse(SHARED / "pubmed_xml_samples" / "medline16n0902.xml.gz")
        if isinstance(a, Article)
    ]
    path = CACHE / f"scale-{target}.sqlite"
    path.unlink(missing_ok=True)
    index = LiteratureIndex(path)
    t = time.perf_counter()
    index.add(real)
    real_chunks = index.counts()["chunks"]
    index.embed_missing(embedder)  # every real chunk: from the embedding cache when warm
    pool = _sentence_pool(real)
    rng = random.Random(7)
    top_up, all_picks = [], []
    for n in range(target - real_chunks):
        picks = rng.sample(pool, rng.choice((2, 3)))
        all_picks.append(picks)
        top_up.append(
            Article(f"syn{n}", "", (Section("", " ".join(s for _, s in picks)),), source="synthetic")
        )
    t_lex = time.perf_counter()
    index.add(top_up)
    lex_s = time.perf_counter() - t_lex
    # a top-up chunk's vector: normalised mean of its source documents' first-chunk vectors
    ids, mat = index.matrix()
    by_doc = {
        d: i
        for i, d in index.db.execute("SELECT id, doc_id FROM chunks WHERE seq = 0 AND doc_id NOT LIKE 'syn%'")
    }
    row_of = {int(i): j for j, i in enumerate(ids)}
    rows = []
    syn_ids = dict(index.db.execute("SELECT doc_id, id FROM chunks WHERE doc_id LIKE 'syn%'"))
    for n, picks in enumerate(all_picks):
        v = np.mean([mat[row_of[by_doc[d]]] for d, _ in picks if d in by_doc], axis=0)
        rows.append((syn_ids[f"syn{n}"], (v / np.linalg.norm(v)).astype(np.float32).tobytes()))
    with index.db:
        index.db.executemany("INSERT INTO vectors VALUES (?, ?)", rows)
    index._matrix = None
    build_s = time.perf_counter() - t
    counts = index.counts()
    queries = list(beir.read_queries(BIOASQ / "queries.jsonl").values())[:n_queries]
    from medtrio.literature.lexical_tantivy import lexical_retriever

    hybrid = HybridRetriever(lexical_retriever(index), DenseRetriever(index, embedder))
    lexical = BM25Retriever(index)
    t_warm = time.perf_counter()
    hybrid.search(queries[0])  # loads the vectors, builds the tantivy and IVF indexes
    warm_s = time.perf_counter() - t_warm
    exact = DenseRetriever(index, embedder, exact=True)
    overlap = []
    for q in queries[:100]:
        a = {i for i, _ in exact.ranked(q, 100)}
        b = {i for i, _ in hybrid.dense.ranked(q, 100)}
        overlap.append(len(a & b) / max(len(a), 1))
    lat, blat, cpu, parts = [], [], [], {"bm25": [], "dense": []}
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        hybrid.search(q, k=10)
        lat.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
        parts["bm25"].append(hybrid.last_timing_ms["bm25"])
        parts["dense"].append(hybrid.last_timing_ms["dense"])
        t0 = time.perf_counter()
        lexical.search(q, k=10)
        blat.append((time.perf_counter() - t0) * 1e3)
    p = lambda xs, q: statistics.quantiles(xs, n=100)[q - 1]  # noqa: E731

    print(
        f"scale: {counts}, build {build_s:.1f} s, lexical top-up {len(top_up)} chunks in {lex_s:.1f} s; "
        f"hybrid p50 {p(lat, 50):.1f} p95 {p(lat, 95):.1f} (cpu p95 {p(cpu, 95):.1f}); lexical part p95 "
        f"{p(parts['bm25'], 95):.1f}, dense part p95 {p(parts['dense'], 95):.1f}; load {os.getloadavg()}",
        file=sys.stderr,
    )
    cmd = "python -m benchmarks.run literature"
    index.close()
    return [
        Row(
            f"hybrid search p95 at {counts['chunks']:,} chunks ({len(queries)} BioASQ questions)",
            p(lat, 95),
            "ms",
            p(blat, 95),
            "FTS5 BM25 alone, same index",
            cmd,
            False,
        ),
        Row(
            f"hybrid search p50 at {counts['chunks']:,} chunks",
            p(lat, 50),
            "ms",
            p(blat, 50),
            "FTS5 BM25 alone, same index",
            cmd,
            False,
        ),
        Row(
            "dense IVF top-100 overlap with exact search (100 questions)",
            sum(overlap) / len(overlap),
            "",
            None,
            "",
            cmd,
        ),
        Row("first search at 100k: load vectors, build tantivy + IVF", warm_s, "s", None, "", cmd, False),
        Row(
            f"hybrid search CPU-time p95 at {counts['chunks']:,} chunks",
            p(cpu, 95),
            "ms",
            None,
            "",
            cmd,
            False,
        ),
        Row(
            "lexical indexing throughput (parse, chunk, FTS5 insert)",
            len(top_up) / lex_s,
            "chunks/s",
            None,
            "",
            cmd,
        ),
    ]


def _throughput_rows(embedder) -> list[Row]:
    from medtrio.literature.embed import MiniLMEmbedder
    from medtrio.literature.index import LiteratureIndex
    from medtrio.literature.ingest import read_source

    src = SHARED / "pubmed_xml_samples" / "medline16n0902.xml.gz"
    path = CACHE / "throughput.sqlite"
    path.unlink(missing_ok=True)
    index = LiteratureIndex(path)
    t = time.perf_counter()
    stats = index.add(read_source(src))
    parse_s = time.perf_counter() - t
    inner = embedder.inner if hasattr(embedder, "inner") else embedder
    assert isinstance(inner, MiniLMEmbedder)
    t = time.perf_counter()
    index.embed_missing(inner)  # uncached: the real embedding cost
    embed_s = time.perf_counter() - t
    n_chunks = index.counts()["chunks"]
    index.close()
    cmd = f"medtrio literature index --source {src} --json".replace(str(ROOT.parent), "..")
    return [
        Row(
            "MEDLINE XML indexing throughput (lexical, 604-citation file)",
            (stats.added) / parse_s,
            "articles/s",
            None,
            "",
            cmd,
        ),
        Row("embedding throughput (all-MiniLM-L6-v2, CPU)", n_chunks / embed_s, "chunks/s", None, "", cmd),
    ]


def _engine_rows(limit: int | None) -> list[Row]:
    """FTS5 vs bm25s vs tantivy on the BioASQ dev set (documents as they come, default parameters)."""
    import bm25s
    import tantivy

    from medtrio.literature import beir
    from medtrio.literature.evaluate import file_key
    from medtrio.literature.index import LiteratureIndex
    from medtrio.literature.metrics import ndcg_at
    from medtrio.literature.retrieve import BM25Retriever, fts_query

    docs = list(beir.read_corpus(BIOASQ / "corpus.jsonl"))
    texts, judged = beir.read_queries(BIOASQ / "queries.jsonl"), beir.read_qrels(BIOASQ / "qrels" / "dev.tsv")
    qids = [q for q in judged if q in texts][:limit]
    ids = [d.doc_id for d in docs]
    out: dict[str, tuple[float, float]] = {}

    def run(name, search):
        scores, lat = [], []
        for q in qids:
            t = time.perf_counter()
            ranked = search(texts[q])
            lat.append((time.perf_counter() - t) * 1e3)
            scores.append(ndcg_at(ranked, judged[q]))
        out[name] = (sum(scores) / len(scores), statistics.quantiles(lat, n=100)[94])

    fts = BM25Retriever(LiteratureIndex(CACHE / "beir" / f"{file_key(BIOASQ / 'corpus.jsonl')}.sqlite"))
    run("fts5", lambda q: list(dict.fromkeys(h.doc_id for h in fts.search(q, k=20))))
    stemmer = None
    try:
        import Stemmer  # optional PyStemmer, used by bm25s when present

        stemmer = Stemmer.Stemmer("english")
    except ImportError:
        pass
    retr = bm25s.BM25()
    retr.index(
        bm25s.tokenize([d.abstract for d in docs], stopwords="en", stemmer=stemmer, show_progress=False),
        show_progress=False,
    )

    def bm25s_search(q: str) -> list[str]:
        res, _ = retr.retrieve(
            bm25s.tokenize([q], stopwords="en", stemmer=stemmer, show_progress=False),
            k=20,
            show_progress=False,
        )
        return [ids[i] for i in res[0]]

    run("bm25s", bm25s_search)
    schema = (
        tantivy.SchemaBuilder()
        .add_text_field("id", stored=True)
        .add_text_field("body", stored=False, tokenizer_name="en_stem")
        .build()
    )
    tdir = CACHE / "tantivy-bioasq"
    tdir.mkdir(parents=True, exist_ok=True)
    tix = tantivy.Index(schema, path=str(tdir), reuse=False)
    writer = tix.writer()
    for d in docs:
        writer.add_document(tantivy.Document(id=d.doc_id, body=d.abstract))
    writer.commit()
    tix.reload()
    searcher = tix.searcher()

    def tantivy_search(q: str) -> list[str]:
        query = fts_query(q).replace('"', "")
        if not query:
            return []
        parsed = tix.parse_query(query, ["body"])
        return [searcher.doc(a)["id"][0] for _, a in searcher.search(parsed, 20).hits]

    run("tantivy", tantivy_search)
    print(f"lexical engines: {out}", file=sys.stderr)
    cmd = "python -m benchmarks.run literature"
    return (
        [
            Row(f"BioASQ nDCG@10, lexical engine {name}", nd, "", out["fts5"][0], "FTS5", cmd)
            for name, (nd, _) in out.items()
            if name != "fts5"
        ]
        + [
            Row(f"BioASQ lexical search p95, {name}", p95, "ms", out["fts5"][1], "FTS5", cmd, False)
            for name, (_, p95) in out.items()
            if name != "fts5"
        ]
        + [Row("BioASQ nDCG@10, lexical engine fts5", out["fts5"][0], "", None, "", cmd)]
    )


def run(args) -> list[Row]:
    from medtrio.literature.embed import CachedEmbedder, MiniLMEmbedder

    if not SHARED.is_dir():
        print("../shared/data/literature is absent: literature benchmarks skipped", file=sys.stderr)
        return []
    quick = getattr(args, "quick", False)
    limit = 200 if quick else None
    embedder = CachedEmbedder(MiniLMEmbedder(), CACHE)
    sections = [
        lambda: _eval_rows("BioASQ dev", BIOASQ, "dev.tsv", embedder, limit),
        lambda: _eval_rows("PubMedQA known-item (test)", PUBMEDQA, "test.tsv", embedder, limit),
        lambda: _engine_rows(limit),
        lambda: _throughput_rows(embedder),
        lambda: _scale_rows(embedder, 30_000 if quick else 100_000, 100 if quick else 300),
    ]
    names = ("bioasq", "pubmedqa", "engines", "throughput", "scale")
    wanted = set(os.environ.get("MEDTRIO_BENCH_LITERATURE", ",".join(names)).split(","))
    rows: list[Row] = []
    for name, section in zip(names, sections, strict=True):
        if name not in wanted:
            continue
        try:
            rows += section()
        except Exception as exc:  # noqa: BLE001 - one failed section must not discard the others' figures
            print(f"literature benchmark section failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    return rows
