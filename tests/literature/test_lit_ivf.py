"""The IVF index finds nearly what exact search finds, scanning a fraction of the vectors."""

from __future__ import annotations

import numpy as np

from medtrio.literature.ivf import build_ivf


def _clustered(n: int, dim: int = 32, centers: int = 40, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mids = rng.normal(size=(centers, dim))
    x = mids[rng.integers(0, centers, n)] + 0.35 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


class TestIVF:
    def test_recall_against_exact(self) -> None:
        mat = _clustered(6000)
        ivf = build_ivf(mat, n_lists=64)
        assert ivf.offsets[-1] == len(mat) and sorted(ivf.rows.tolist()) == list(range(len(mat)))
        overlap = []
        for q in mat[:50]:
            exact = set(np.argsort(-(mat @ q))[:20].tolist())
            rows, scores = ivf.search(q, 20, nprobe=8)
            assert np.all(np.diff(scores) <= 1e-6)  # best first
            overlap.append(len(exact & set(rows.tolist())) / 20)
        assert np.mean(overlap) >= 0.9

    def test_scores_are_true_inner_products(self) -> None:
        mat = _clustered(1000)
        ivf = build_ivf(mat, n_lists=16)
        rows, scores = ivf.search(mat[3], 5, nprobe=16)  # all lists: exact
        assert rows[0] == 3 and np.allclose(scores, mat[rows] @ mat[3], atol=1e-5)
