"""Ranking metrics on hand-computed examples."""

from __future__ import annotations

import math

from medtrio.literature.metrics import mrr_at, ndcg_at, percentile, recall_at


class TestMetrics:
    def test_ndcg_perfect_and_partial(self) -> None:
        assert ndcg_at(["a", "b", "x"], {"a": 1, "b": 1}) == 1.0
        # one relevant doc at rank 2 of a single-relevant query: 1/log2(3)
        assert math.isclose(ndcg_at(["x", "a"], {"a": 1}), 1 / math.log2(3))
        assert ndcg_at(["x", "y"], {"a": 1}) == 0.0

    def test_ndcg_uses_linear_graded_gain(self) -> None:
        dcg = 1 / math.log2(2) + 2 / math.log2(3)
        idcg = 2 / math.log2(2) + 1 / math.log2(3)
        assert math.isclose(ndcg_at(["a", "b"], {"a": 1, "b": 2}), dcg / idcg)

    def test_recall_and_mrr(self) -> None:
        assert recall_at(["a", "x", "b"], {"a": 1, "b": 1, "c": 1}) == 2 / 3
        assert mrr_at(["x", "y", "a"], {"a": 1}) == 1 / 3
        assert mrr_at(["x"] * 10 + ["a"], {"a": 1}) == 0.0

    def test_percentile_nearest_rank(self) -> None:
        values = [float(v) for v in range(1, 101)]
        assert percentile(values, 50) == 50.0 and percentile(values, 95) == 95.0 and percentile([], 95) == 0.0
