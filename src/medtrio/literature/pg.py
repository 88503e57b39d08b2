"""The scale-out literature backend: the same index on PostgreSQL, behind the same retriever protocol.

Tables (created on first use, prefixed `lit_`, in the database given by URL, which may be the application's
or a separate one): `lit_docs`, `lit_chunks` with a stored `tsvector` (english configuration, GIN index)
and the chunk embedding. Lexical ranking is PostgreSQL full-text `ts_rank_cd` with length normalisation
(flag 32), a BM25-style tf/length-normalised score (not Okapi BM25 itself). Dense ranking uses the pgvector
extension when the server has it (`vector(384)` column, inner-product operator `<#>`); without it the vectors
are stored as bytea and searched exactly in memory, like the SQLite backend. The hybrid fusion is the same
`HybridRetriever`. Reference: PostgreSQL 15 documentation, "Controlling Text Search" (ts_rank_cd);
pgvector README (operators and index types).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

import numpy as np
from sqlalchemy import create_engine, text

from medtrio.literature.chunking import chunk_article, embedding_text
from medtrio.literature.embed import Embedder
from medtrio.literature.evidence import level_of
from medtrio.literature.index import IndexStats, _hash
from medtrio.literature.pubmed import Deletion
from medtrio.literature.records import Article, Hit
from medtrio.literature.retrieve import Filters, _hits, fts_query

log = logging.getLogger(__name__)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS lit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS lit_docs (doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, journal TEXT,"
    " year INT, authors TEXT, mesh TEXT, pub_types TEXT, doi TEXT, source TEXT, abstract TEXT,"
    " hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS lit_chunks (id BIGSERIAL PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL,"
    " doc_id TEXT NOT NULL REFERENCES lit_docs(doc_id) ON DELETE CASCADE, seq INT NOT NULL,"
    " title TEXT NOT NULL, text TEXT NOT NULL, year INT, level_rank INT, pub_types TEXT,"
    " tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', title || ' ' || text)) STORED, vec BYTEA)",
    "CREATE INDEX IF NOT EXISTS lit_chunks_tsv ON lit_chunks USING GIN (tsv)",
    "CREATE INDEX IF NOT EXISTS lit_chunks_doc ON lit_chunks (doc_id)",
)


class PgLiteratureIndex:
    """Same reading interface as `LiteratureIndex` (counts, matrix, chunk_rows, article, generation)."""

    def __init__(self, url: str) -> None:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        self.engine = create_engine(url, pool_pre_ping=True)
        with self.engine.begin() as conn:
            for stmt in SCHEMA:
                conn.execute(text(stmt))
            self.pgvector = bool(
                conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first()
            )
            if self.pgvector:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
                conn.execute(text("ALTER TABLE lit_chunks ADD COLUMN IF NOT EXISTS pgvec vector(384)"))
        log.info(
            "PostgreSQL literature index, pgvector %s", "on" if self.pgvector else "absent (exact search)"
        )
        self._matrix: tuple[np.ndarray, np.ndarray] | None = None

    def close(self) -> None:
        self.engine.dispose()

    def add(
        self, items: Iterable[Article | Deletion], progress: Callable[[int], None] | None = None
    ) -> IndexStats:
        counts = dict(added=0, updated=0, unchanged=0, deleted=0, chunks=0)
        with self.engine.begin() as conn:
            for item in items:
                if isinstance(item, Deletion):
                    gone = conn.execute(
                        text("DELETE FROM lit_docs WHERE doc_id = :d"), {"d": item.pmid}
                    ).rowcount
                    counts["deleted"] += gone
                    continue
                digest = _hash(item)
                old = conn.execute(
                    text("SELECT hash FROM lit_docs WHERE doc_id = :d"), {"d": item.doc_id}
                ).first()
                if old and old[0] == digest:
                    counts["unchanged"] += 1
                    continue
                if old:
                    conn.execute(text("DELETE FROM lit_docs WHERE doc_id = :d"), {"d": item.doc_id})
                level = level_of(item.pub_types)
                conn.execute(
                    text(
                        "INSERT INTO lit_docs VALUES (:doc_id, :title, :journal, :year, :authors, :mesh,"
                        " :pub_types,"
                        " :doi, :source, :abstract, :hash)"
                    ),
                    {
                        "doc_id": item.doc_id,
                        "title": item.title,
                        "journal": item.journal,
                        "year": item.year,
                        "authors": json.dumps(item.authors),
                        "mesh": json.dumps(item.mesh),
                        "pub_types": json.dumps(item.pub_types),
                        "doi": item.doi,
                        "source": item.source,
                        "abstract": item.abstract,
                        "hash": digest,
                    },
                )
                rows = [
                    {
                        "chunk_id": c.chunk_id,
                        "doc_id": c.doc_id,
                        "seq": c.seq,
                        "title": c.title,
                        "text": c.text,
                        "year": c.year,
                        "level_rank": level.rank if level else None,
                        "pub_types": json.dumps(c.pub_types),
                    }
                    for c in chunk_article(item)
                ]
                conn.execute(
                    text(
                        "INSERT INTO lit_chunks (chunk_id, doc_id, seq, title, text, year, level_rank,"
                        " pub_types)"
                        " VALUES (:chunk_id, :doc_id, :seq, :title, :text, :year, :level_rank, :pub_types)"
                    ),
                    rows,
                )
                counts["updated" if old else "added"] += 1
                counts["chunks"] += len(rows)
                if progress:
                    progress(1)
            conn.execute(
                text(
                    "INSERT INTO lit_meta VALUES ('generation', '1') ON CONFLICT (key) DO UPDATE "
                    "SET value = (lit_meta.value::int + 1)::text"
                )
            )
        self._matrix = None
        return IndexStats(**counts)

    def embed_missing(self, embedder: Embedder, progress: Callable[[int], None] | None = None) -> int:
        with self.engine.connect() as conn:
            todo = conn.execute(
                text("SELECT id, title, text FROM lit_chunks WHERE vec IS NULL ORDER BY id")
            ).all()
        if not todo:
            return 0
        vecs = embedder.embed([embedding_text(t, x) for _, t, x in todo], progress)
        with self.engine.begin() as conn:
            params = [
                {"id": i, "v": vecs[j].tobytes(), "p": str(vecs[j].tolist())}
                for j, (i, _, _) in enumerate(todo)
            ]
            if self.pgvector:
                conn.execute(
                    text("UPDATE lit_chunks SET vec = :v, pgvec = CAST(:p AS vector) WHERE id = :id"), params
                )
            else:
                conn.execute(
                    text("UPDATE lit_chunks SET vec = :v WHERE id = :id"),
                    [{"id": p["id"], "v": p["v"]} for p in params],
                )
        self._matrix = None
        return len(todo)

    def filtered_ids(self, filters: Filters) -> np.ndarray:
        where, params = _filter_sql(filters)
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT c.id FROM lit_chunks c WHERE true{where}"), params).all()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def has(self, table: str) -> bool:
        column = {"chunks": "id", "vectors": "vec", "docs": "doc_id"}[table]
        table_name = "lit_docs" if table == "docs" else "lit_chunks"
        with self.engine.connect() as conn:
            sql = f"SELECT 1 FROM {table_name} WHERE {column} IS NOT NULL LIMIT 1"
            return conn.execute(text(sql)).first() is not None

    def generation(self) -> int:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT value FROM lit_meta WHERE key = 'generation'")).first()
        return int(row[0]) if row else 0

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            docs = conn.execute(text("SELECT count(*) FROM lit_docs")).scalar_one()
            chunks, vecs = conn.execute(text("SELECT count(*), count(vec) FROM lit_chunks")).one()
        return {"documents": docs, "chunks": chunks, "vectors": vecs}

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        if self._matrix is None:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT id, vec FROM lit_chunks WHERE vec IS NOT NULL ORDER BY id")
                ).all()
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            mat = (
                np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype=np.float32).reshape(len(rows), -1)
                if rows
                else np.zeros((0, 0), dtype=np.float32)
            )
            self._matrix = (ids, mat)
        return self._matrix

    def chunk_rows(self, ids: list[int]) -> dict[int, tuple]:
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, chunk_id, doc_id, title, text, year, level_rank, pub_types FROM lit_chunks"
                    " WHERE id = ANY(:ids)"
                ),
                {"ids": list(ids)},
            ).all()
        return {r[0]: tuple(r[1:]) for r in rows}

    def article(self, doc_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    text(
                        "SELECT doc_id, title, journal, year, authors, mesh, pub_types, doi, source,"
                        " abstract FROM lit_docs WHERE doc_id = :d"
                    ),
                    {"d": doc_id},
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        rec = dict(row)
        for k in ("authors", "mesh", "pub_types"):
            rec[k] = json.loads(rec[k] or "[]")
        return rec


def _filter_sql(filters: Filters | None) -> tuple[str, dict]:
    where, args = (filters or Filters()).sql()
    params: dict = {}
    for n, value in enumerate(args):
        where = where.replace("?", f":f{n}", 1)
        params[f"f{n}"] = value
    return where, params


class PgTextRetriever:
    """Full-text ranking in PostgreSQL (ts_rank_cd, english stemming), the question's terms OR-ed."""

    name = "pg-fulltext"

    def __init__(self, index: PgLiteratureIndex) -> None:
        self.index = index

    def ranked(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        terms = [t.strip('"') for t in fts_query(query).split(" OR ") if t.strip('"')]
        if not terms:
            return []
        where, params = _filter_sql(filters)
        # each term through plainto_tsquery, then OR-ed: no user text ever reaches tsquery syntax
        or_query = (
            "(SELECT string_agg(x, ' | ')::tsquery FROM (SELECT plainto_tsquery('english', t)::text AS x"
            " FROM unnest(CAST(:terms AS text[])) AS t) s WHERE x <> '')"
        )
        sql = (
            f"SELECT c.id, ts_rank_cd(c.tsv, q, 32) AS s FROM lit_chunks c, {or_query} AS tq(q)"
            f" WHERE q IS NOT NULL AND c.tsv @@ q{where} ORDER BY s DESC LIMIT :k"
        )
        with self.index.engine.connect() as conn:
            rows = conn.execute(text(sql), {"terms": terms, "k": k, **params}).all()
        return [(int(i), float(s)) for i, s in rows]

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return _hits(self.index, self.ranked(query, k, filters), self.name)  # type: ignore[arg-type]


class PgVectorRetriever:
    """Dense search inside PostgreSQL with pgvector's inner-product operator (exact, no ANN index)."""

    name = "pgvector"

    def __init__(self, index: PgLiteratureIndex, embedder: Embedder) -> None:
        if not index.pgvector:
            raise RuntimeError("the pgvector extension is not installed on this server")
        self.index, self.embedder = index, embedder

    def ranked(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        q = getattr(self.embedder, "inner", self.embedder).embed([query])[0]
        where, params = _filter_sql(filters)
        sql = (
            "SELECT c.id, -(c.pgvec <#> CAST(:q AS vector)) AS s FROM lit_chunks c WHERE c.pgvec IS NOT NULL"
            + where
            + " ORDER BY c.pgvec <#> CAST(:q AS vector) LIMIT :k"
        )
        with self.index.engine.connect() as conn:
            rows = conn.execute(text(sql), {"q": str(q.tolist()), "k": k, **params}).all()
        return [(int(i), float(s)) for i, s in rows]

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return _hits(self.index, self.ranked(query, k, filters), self.name)  # type: ignore[arg-type]
