"""Ingestion of BEIR JSONL, PDFs and knowledge texts, and chunking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medtrio.errors import InvalidInput
from medtrio.literature.beir import read_corpus, read_qrels, read_queries
from medtrio.literature.chunking import chunk_article, sentences
from medtrio.literature.ingest import detect_format, read_source
from medtrio.literature.records import Article, Section


def _pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with a text layer (hand-written PDF syntax)."""
    stream = "BT /F1 12 Tf 72 720 Td " + " ".join(f"({ln}) Tj 0 -16 Td" for ln in lines) + " ET"
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer << /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


class TestBeir:
    def test_corpus_queries_qrels(self, tmp_path: Path) -> None:
        (tmp_path / "corpus.jsonl").write_text(
            json.dumps({"_id": "d1", "title": "T", "text": "Body."}) + "\n"
        )
        (tmp_path / "queries.jsonl").write_text(json.dumps({"_id": "q1", "text": "question?"}) + "\n")
        (tmp_path / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\n")
        (doc,) = read_corpus(tmp_path / "corpus.jsonl")
        assert doc.doc_id == "d1" and doc.abstract == "Body."
        assert read_queries(tmp_path / "queries.jsonl") == {"q1": "question?"}
        assert read_qrels(tmp_path / "qrels.tsv") == {"q1": {"d1": 1}}
        assert detect_format(tmp_path) == "beir"

    def test_bad_rows_are_clear_errors(self, tmp_path: Path) -> None:
        (tmp_path / "corpus.jsonl").write_text('{"_id": "d1"}\n')
        with pytest.raises(InvalidInput, match="line 1"):
            list(read_corpus(tmp_path / "corpus.jsonl"))
        (tmp_path / "q.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\n")
        with pytest.raises(InvalidInput, match="line 2"):
            read_qrels(tmp_path / "q.tsv")


class TestPdfAndText:
    def test_pdf_text_layer(self, tmp_path: Path) -> None:
        (tmp_path / "guideline.pdf").write_bytes(
            _pdf(["Hypertension guideline", "Start treatment at 140/90."])
        )
        (art,) = read_source(tmp_path / "guideline.pdf")
        assert art.doc_id.startswith("pdf:guideline:") and "140/90" in art.abstract

    def test_pdf_without_text_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "scan.pdf").write_bytes(_pdf([]))
        with pytest.raises(InvalidInput, match="no text layer"):
            list(read_source(tmp_path / "scan.pdf"))

    def test_knowledge_text(self, tmp_path: Path) -> None:
        (tmp_path / "potassium.md").write_text("# Potassium\nHigh potassium can cause arrhythmia.\n")
        (art,) = read_source(tmp_path, "text")
        assert art.doc_id == "kb:potassium" and art.title == "Potassium"

    def test_unknown_format(self, tmp_path: Path) -> None:
        (tmp_path / "x.docx").write_text("x")
        with pytest.raises(InvalidInput, match="--format"):
            list(read_source(tmp_path / "x.docx"))


class TestChunking:
    def test_sentences(self) -> None:
        assert sentences("First one. Second (two)! 3 is third? e.g. not split") == [
            "First one.",
            "Second (two)!",
            "3 is third? e.g. not split",
        ]

    def test_long_text_is_cut_at_sentences_with_overlap(self) -> None:
        body = " ".join(f"Sentence number {i} has exactly seven words." for i in range(60))
        chunks = list(chunk_article(Article("d", "T", (Section("Results", body),)), max_words=50))
        assert len(chunks) > 5 and all(len(c.text.split()) <= 60 for c in chunks)
        assert chunks[0].text.startswith("Results: ") and [c.seq for c in chunks] == list(range(len(chunks)))
        last_of_first = sentences(chunks[0].text)[-1]
        assert chunks[1].text.startswith(last_of_first)
