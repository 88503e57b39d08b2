"""Readers for the BEIR layout: `corpus.jsonl` ({_id, title, text}), `queries.jsonl` ({_id, text}) and
`qrels/*.tsv` (query-id, corpus-id, score with a header line).

Reference: Thakur et al., "BEIR: A heterogeneous benchmark for zero-shot evaluation of information retrieval
models", NeurIPS Datasets and Benchmarks 2021.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from medtrio.errors import InvalidInput
from medtrio.literature.records import Article, Section


def _lines(path: Path) -> Iterator[tuple[int, dict]]:
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInput(f"{path.name} line {n} is not JSON: {exc.msg}") from exc


def read_corpus(path: str | Path) -> Iterator[Article]:
    """Documents of a BEIR corpus.jsonl as Articles (metadata year/pub_types used when present)."""
    path = Path(path)
    for n, row in _lines(path):
        if "_id" not in row or "text" not in row:
            raise InvalidInput(f"{path.name} line {n}: a corpus row needs '_id' and 'text'")
        meta = row.get("metadata") or {}
        year = meta.get("year")
        yield Article(
            doc_id=str(row["_id"]),
            title=row.get("title") or "",
            sections=(Section("", row["text"]),),
            year=int(year) if str(year or "").isdigit() else None,
            pub_types=tuple(meta.get("pub_types") or ()),
            source=f"beir:{path.parent.name}",
        )


def read_queries(path: str | Path) -> dict[str, str]:
    path = Path(path)
    out: dict[str, str] = {}
    for n, row in _lines(path):
        if "_id" not in row or "text" not in row:
            raise InvalidInput(f"{path.name} line {n}: a query row needs '_id' and 'text'")
        out[str(row["_id"])] = row["text"]
    return out


def read_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """query-id -> {corpus-id: relevance}; rows with relevance <= 0 are dropped."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such qrels file: {path}")
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.rstrip("\n").split("\t")
            if n == 1 and parts[0] == "query-id":
                continue
            if len(parts) < 3:
                raise InvalidInput(f"{path.name} line {n}: expected query-id, corpus-id, score")
            try:
                score = int(float(parts[2]))
            except ValueError as exc:
                raise InvalidInput(f"{path.name} line {n}: score {parts[2]!r} is not a number") from exc
            if score > 0:
                qrels.setdefault(parts[0], {})[parts[1]] = score
    return qrels
