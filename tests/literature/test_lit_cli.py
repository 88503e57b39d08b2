"""The CLI contracts of issue 7: `medtrio literature index/search/answer` and `medtrio eval retrieval`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medtrio.cli import app
from medtrio.literature import embed
from medtrio.literature.evaluate import evaluate

FIXTURE = Path(__file__).parent / "fixtures" / "mini_medline.xml"
runner = CliRunner()


def _beir(folder: Path) -> Path:
    docs = {
        "d1": "Aspirin lowers the risk of a second heart attack after myocardial infarction.",
        "d2": "Insulin glargine is a long-acting basal insulin for type 1 and type 2 diabetes.",
        "d3": "Amoxicillin is a first-line antibiotic for acute otitis media in children.",
        "d4": "Hand washing reduces the spread of respiratory infections in schools.",
    }
    queries = {
        "q1": "What helps ear infections in kids?",
        "q2": "long acting insulin",
        "q3": "secondary prevention after a heart attack",
    }
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": k, "title": "", "text": v}) + "\n" for k, v in docs.items())
    )
    (folder / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": k, "text": v}) + "\n" for k, v in queries.items())
    )
    (folder / "qrels" / "dev.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td3\t1\nq2\td2\t1\nq3\td1\t1\n")
    return folder


@pytest.fixture
def shared_embedder(embedder, monkeypatch: pytest.MonkeyPatch):
    """Make the CLI use the session's already-loaded real model instead of loading it again."""
    monkeypatch.setattr(embed, "_DEFAULT", embedder)
    return embedder


class TestIndexAndSearch:
    def test_index_then_search_json(self, tmp_path: Path) -> None:
        idx = tmp_path / "lit.sqlite"
        res = runner.invoke(
            app,
            ["literature", "index", "--source", str(FIXTURE), "--index", str(idx), "--no-embed", "--json"],
        )
        assert res.exit_code == 0, res.output
        stats = json.loads(res.output)
        assert stats["added"] == 3 and stats["documents"] == 3 and stats["articles_per_s"] > 0
        again = json.loads(
            runner.invoke(
                app,
                [
                    "literature",
                    "index",
                    "--source",
                    str(FIXTURE),
                    "--index",
                    str(idx),
                    "--no-embed",
                    "--json",
                ],
            ).output
        )
        assert again["unchanged"] == 3 and again["added"] == 0
        res = runner.invoke(
            app, ["literature", "search", "metformin first-line therapy", "--index", str(idx), "--json"]
        )
        assert res.exit_code == 0, res.output
        out = json.loads(res.output)
        assert out["retriever"] == "bm25" and out["hits"][0]["doc_id"] == "90000003"
        assert out["hits"][0]["evidence_level"] == "randomized controlled trial"

    def test_hybrid_search_with_embeddings(self, tmp_path: Path, shared_embedder) -> None:
        idx = tmp_path / "lit.sqlite"
        assert (
            runner.invoke(
                app, ["literature", "index", "--source", str(FIXTURE), "--index", str(idx)]
            ).exit_code
            == 0
        )
        out = json.loads(
            runner.invoke(
                app,
                [
                    "literature",
                    "search",
                    "blood sugar medicine for diabetics",
                    "--index",
                    str(idx),
                    "--json",
                    "--year-min",
                    "2010",
                ],
            ).output
        )
        assert out["retriever"] == "hybrid" and out["hits"][0]["doc_id"] == "90000003"

    def test_offline_answer_cites_retrieved_documents(self, tmp_path: Path) -> None:
        idx = tmp_path / "lit.sqlite"
        runner.invoke(
            app, ["literature", "index", "--source", str(FIXTURE), "--index", str(idx), "--no-embed"]
        )
        res = runner.invoke(
            app,
            [
                "literature",
                "answer",
                "Do statins reduce cardiovascular events?",
                "--index",
                str(idx),
                "--offline",
                "--json",
            ],
        )
        assert res.exit_code == 0, res.output
        out = json.loads(res.output)
        retrieved = {r["doc_id"] for r in out["retrieved"]}
        cited = {d for c in out["summary"]["claims"] for d in c["doc_ids"]}
        assert out["mode"] == "extractive" and cited and cited <= retrieved

    def test_errors_are_messages_not_tracebacks(self, tmp_path: Path) -> None:
        res = runner.invoke(app, ["literature", "index", "--source", str(tmp_path / "nope.xml")])
        assert res.exit_code == 2 and "no such file" in res.output
        res = runner.invoke(app, ["literature", "search", "x", "--index", str(tmp_path / "empty.sqlite")])
        assert res.exit_code == 2 and "index is empty" in res.output


class TestEvalRetrieval:
    def test_contract_keys(self, tmp_path: Path, shared_embedder) -> None:
        folder = _beir(tmp_path / "set")
        res = runner.invoke(
            app,
            [
                "eval",
                "retrieval",
                "--corpus",
                str(folder / "corpus.jsonl"),
                "--queries",
                str(folder / "queries.jsonl"),
                "--qrels",
                str(folder / "qrels" / "dev.tsv"),
                "--json",
            ],
        )
        assert res.exit_code == 0, res.output
        out = json.loads(res.output)
        for key in (
            "ndcg10",
            "recall100",
            "mrr10",
            "p50_ms",
            "p95_ms",
            "n",
            "baseline_ndcg10",
            "baseline_recall100",
            "baseline_mrr10",
            "baseline_p50_ms",
            "baseline_p95_ms",
        ):
            assert key in out
        assert out["n"] == 3 and out["recall100"] == 1.0

    def test_dense_half_rescues_a_query_without_shared_words(self, tmp_path: Path, embedder) -> None:
        folder = _beir(tmp_path / "set")
        report = evaluate(
            folder / "corpus.jsonl",
            folder / "queries.jsonl",
            folder / "qrels" / "dev.tsv",
            embedder,
            tmp_path / "cache",
        )
        # "ear infections in kids" shares no content word with the otitis media document
        assert report.ndcg10 > report.baseline_ndcg10
