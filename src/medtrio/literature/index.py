"""The literature index: one SQLite file holding articles, their chunks, an FTS5 index and chunk embeddings.

Layout (all in `<path>`):
- `docs`: one row per article (PMID for PubMed) with its metadata and a content hash;
- `chunks`: the passages (`id` integer, `chunk_id` "<doc_id>#<seq>"), year and evidence rank copied
  from the doc;
- `chunks_fts`: FTS5 external-content table over chunk title+text (porter stemming), kept in sync by triggers;
- `vectors`: chunk id -> float32 embedding of the model named in `meta`.

Re-indexing is incremental: an article whose content hash is unchanged is skipped, a changed one has its
chunks replaced, and `Deletion`s from PubMed update files remove the article. Only chunks without a vector
are embedded afterwards. Reference: SQLite FTS5 documentation (bm25(), external content tables).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from medtrio.errors import InvalidInput
from medtrio.literature.chunking import chunk_article, embedding_text
from medtrio.literature.embed import Embedder
from medtrio.literature.evidence import level_of
from medtrio.literature.pubmed import Deletion
from medtrio.literature.records import Article

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
  doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, journal TEXT, year INTEGER, authors TEXT, mesh TEXT,
  pub_types TEXT, doi TEXT, source TEXT, abstract TEXT, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL REFERENCES docs(doc_id),
  seq INTEGER NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, year INTEGER, level_rank INTEGER,
  pub_types TEXT);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
  title, text, content='chunks', content_rowid='id', tokenize='porter unicode61');
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
  DELETE FROM vectors WHERE id = old.id; END;
CREATE TABLE IF NOT EXISTS vectors (id INTEGER PRIMARY KEY, v BLOB NOT NULL);
"""


@dataclass(frozen=True)
class IndexStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    chunks: int = 0
    embedded: int = 0


def _hash(a: Article) -> str:
    payload = json.dumps([a.title, a.abstract, a.journal, a.year, a.authors, a.mesh, a.pub_types, a.doi])
    return hashlib.sha1(payload.encode()).hexdigest()


class LiteratureIndex:
    """An open index file. Not thread-safe for writes; searches may run from several threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._matrix: tuple[np.ndarray, np.ndarray] | None = None

    def close(self) -> None:
        self.db.close()

    # -- writing ---------------------------------------------------------------------------------------
    def add(
        self,
        items: Iterable[Article | Deletion],
        progress: Callable[[int], None] | None = None,
        batch: int = 500,
    ) -> IndexStats:
        """Insert new articles, replace changed ones, skip unchanged ones, honour deletions."""
        counts = dict(added=0, updated=0, unchanged=0, deleted=0, chunks=0)
        pending: list[Article | Deletion] = []

        def flush() -> None:
            with self.db:
                for item in pending:
                    self._apply(item, counts)
            if progress:
                progress(len(pending))
            pending.clear()

        for item in items:
            pending.append(item)
            if len(pending) >= batch:
                flush()
        flush()
        self._bump()
        self._matrix = None
        return IndexStats(**counts)

    def _apply(self, item: Article | Deletion, counts: dict[str, int]) -> None:
        if isinstance(item, Deletion):
            if self.db.execute("SELECT 1 FROM docs WHERE doc_id=?", (item.pmid,)).fetchone():
                self._remove(item.pmid)
                counts["deleted"] += 1
            return
        if not item.doc_id:
            raise InvalidInput("an article without an id cannot be indexed")
        digest = _hash(item)
        old = self.db.execute("SELECT hash FROM docs WHERE doc_id=?", (item.doc_id,)).fetchone()
        if old and old[0] == digest:
            counts["unchanged"] += 1
            return
        if old:
            self._remove(item.doc_id)
        level = level_of(item.pub_types)
        self.db.execute(
            "INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                item.doc_id,
                item.title,
                item.journal,
                item.year,
                json.dumps(item.authors),
                json.dumps(item.mesh),
                json.dumps(item.pub_types),
                item.doi,
                item.source,
                item.abstract,
                digest,
            ),
        )
        rows = [
            (
                c.chunk_id,
                c.doc_id,
                c.seq,
                c.title,
                c.text,
                c.year,
                level.rank if level else None,
                json.dumps(c.pub_types),
            )
            for c in chunk_article(item)
        ]
        self.db.executemany(
            "INSERT INTO chunks (chunk_id, doc_id, seq, title, text, year, level_rank, pub_types) "
            "VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )
        counts["updated" if old else "added"] += 1
        counts["chunks"] += len(rows)

    def _bump(self) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE SET "
                "value = CAST(value AS INTEGER) + 1"
            )

    def has(self, table: str) -> bool:
        """Whether `chunks` or `vectors` holds any row (cheap, unlike counting)."""
        if table not in ("chunks", "vectors", "docs"):
            raise ValueError(table)
        return self.db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None

    def uid(self) -> str:
        """A random id given to this index file when it was created (derived indexes check it)."""
        row = self.db.execute("SELECT value FROM meta WHERE key='uid'").fetchone()
        if row is None:
            import uuid

            with self.db:
                self.db.execute("INSERT OR IGNORE INTO meta VALUES ('uid', ?)", (uuid.uuid4().hex,))
            row = self.db.execute("SELECT value FROM meta WHERE key='uid'").fetchone()
        return row[0]

    def generation(self) -> int:
        """Increases with every add/delete, so derived indexes (tantivy) know when to rebuild."""
        row = self.db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def _remove(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        self.db.execute("DELETE FROM docs WHERE doc_id=?", (doc_id,))

    def embed_missing(
        self, embedder: Embedder, progress: Callable[[int], None] | None = None, batch: int = 4096
    ) -> int:
        """Embed every chunk that has no vector yet; returns how many were embedded."""
        self._check_model(embedder)
        todo = self.db.execute(
            "SELECT c.id, c.title, c.text FROM chunks c LEFT JOIN vectors v ON v.id = c.id "
            "WHERE v.id IS NULL ORDER BY c.id"
        ).fetchall()
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            vecs = embedder.embed([embedding_text(t, x) for _, t, x in part], progress)
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(i, vecs[j].tobytes()) for j, (i, _, _) in enumerate(part)],
                )
        self._matrix = None
        return len(todo)

    def _check_model(self, embedder: Embedder) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key='embedding_model'").fetchone()
        if row is None:
            with self.db:
                self.db.execute("INSERT INTO meta VALUES ('embedding_model', ?)", (embedder.name,))
        elif row[0] != embedder.name:
            raise InvalidInput(
                f"this index holds {row[0]} vectors; it cannot be searched with {embedder.name}"
            )

    # -- reading ---------------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        one = lambda q: self.db.execute(q).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT count(*) FROM docs"),
            "chunks": one("SELECT count(*) FROM chunks"),
            "vectors": one("SELECT count(*) FROM vectors"),
        }

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids (N,), vectors (N, dim)) of every embedded chunk, loaded once and kept in memory."""
        if self._matrix is None:
            rows = self.db.execute("SELECT id, v FROM vectors ORDER BY id").fetchall()
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            mat = (
                np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
                if rows
                else np.zeros((0, 0), dtype=np.float32)
            )
            self._matrix = (ids, mat)
        return self._matrix

    def filtered_ids(self, filters) -> np.ndarray:  # type: ignore[no-untyped-def]
        """Ids of the chunks passing `filters` (a retrieve.Filters)."""
        where, args = filters.sql()
        rows = self.db.execute(f"SELECT c.id FROM chunks c WHERE 1=1{where}", args)
        return np.fromiter((r[0] for r in rows), dtype=np.int64)

    def chunk_rows(self, ids: list[int]) -> dict[int, tuple]:
        """id -> (chunk_id, doc_id, title, text, year, level_rank, pub_types json)."""
        out: dict[int, tuple] = {}
        for start in range(0, len(ids), 900):
            part = ids[start : start + 900]
            q = (
                "SELECT id, chunk_id, doc_id, title, text, year, level_rank, pub_types FROM chunks "
                f"WHERE id IN ({','.join('?' * len(part))})"
            )
            out.update((r[0], r[1:]) for r in self.db.execute(q, part))
        return out

    def article(self, doc_id: str) -> dict | None:
        row = self.db.execute(
            "SELECT doc_id, title, journal, year, authors, mesh, pub_types, doi, source, "
            "abstract FROM docs WHERE doc_id=?",
            (doc_id,),
        ).fetchone()
        if row is None:
            return None
        keys = (
            "doc_id",
            "title",
            "journal",
            "year",
            "authors",
            "mesh",
            "pub_types",
            "doi",
            "source",
            "abstract",
        )
        rec = dict(zip(keys, row, strict=True))
        for k in ("authors", "mesh", "pub_types"):
            rec[k] = json.loads(rec[k] or "[]")
        return rec
