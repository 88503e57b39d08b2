"""Literature and evidence search: corpus ingestion, hybrid retrieval and offline evidence summaries.

The public interface is small:

- `ingest` parsers turn PubMed/MEDLINE XML, BEIR JSONL, PDFs and plain texts into `Article`s;
- `LiteratureIndex` (SQLite FTS5 + stored embeddings) holds chunks and re-indexes incrementally;
- retrievers (`BM25Retriever`, `DenseRetriever`, `HybridRetriever`) share the `Retriever` protocol;
- `summarize` builds an extractive, cited evidence summary without any LLM.

References: Cormack, Clarke & Buettcher, "Reciprocal rank fusion outperforms Condorcet and individual rank
learning methods", SIGIR 2009 (RRF, k=60); Xiong et al., "Benchmarking retrieval-augmented generation for
medicine" (MIRAGE/MedRAG), 2024; Thakur et al., BEIR, NeurIPS 2021 (corpus/queries/qrels layout).
"""

from medtrio.literature.records import Article, Chunk, Hit

__all__ = ["Article", "Chunk", "Hit"]
