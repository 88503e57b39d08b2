"""`medtrio literature index|search|answer` and `medtrio eval retrieval` (issue 7 contracts, kept stable)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from medtrio.errors import MedtrioError


def _fail(exc: MedtrioError) -> None:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(2)


def _hit_json(h) -> dict:
    return {
        "doc_id": h.doc_id,
        "chunk_id": h.chunk_id,
        "score": round(h.score, 6),
        "title": h.title,
        "year": h.year,
        "evidence_level": h.evidence_level,
        "pub_types": list(h.pub_types),
        "ranks": h.ranks,
        "text": h.text,
    }


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    lit = typer.Typer(help="Literature and evidence search.", no_args_is_help=True)
    app.add_typer(lit, name="literature")

    @lit.command("index")
    def index_cmd(
        source: Annotated[Path, typer.Option("--source", help="file or folder to index")],
        fmt: str = typer.Option(None, "--format", help="pubmed-xml | beir | pdf | text (default: guessed)"),
        index: Annotated[
            Path | None,
            typer.Option("--index", help="index file (default <data_dir>/literature/index.sqlite)"),
        ] = None,
        no_embed: bool = typer.Option(False, "--no-embed", help="lexical index only (no dense vectors)"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Add PubMed XML, a BEIR corpus, PDFs or knowledge texts to the index (incremental)."""
        import time

        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from medtrio.literature.service import index_source, open_index

        t = time.perf_counter()
        try:
            with Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("{task.completed:,}"),
                TimeElapsedColumn(),
                transient=True,
                disable=as_json,
            ) as bar:
                tasks: dict[str, int] = {}

                def progress(stage: str, n: int) -> None:
                    if stage not in tasks:
                        tasks[stage] = bar.add_task(
                            {"index": "articles read", "embed": "chunks embedded"}[stage]
                        )
                    bar.advance(tasks[stage], n)

                stats = index_source(source, fmt, index, embed=not no_embed, progress=progress)
        except MedtrioError as exc:
            _fail(exc)
        seconds = time.perf_counter() - t
        out = {**asdict(stats), **open_index(index).counts(), "seconds": round(seconds, 2)}
        read = stats.added + stats.updated + stats.unchanged
        out["articles_per_s"] = round(read / seconds, 1) if seconds else None
        typer.echo(
            json.dumps(out)
            if as_json
            else f"indexed: {stats.added} new, {stats.updated} updated, {stats.unchanged} unchanged, "
            f"{stats.deleted} deleted, {stats.embedded} chunks embedded in {seconds:.1f} s "
            f"(index: {out['documents']} documents, {out['chunks']} chunks)"
        )

    @lit.command("search")
    def search_cmd(
        question: str = typer.Argument(..., help="the clinical question"),
        k: int = typer.Option(10, "--k", min=1, max=200, help="how many passages"),
        mode: str = typer.Option("hybrid", help="hybrid | bm25 | dense"),
        evidence_boost: float = typer.Option(
            0.0,
            min=0.0,
            max=4.0,
            help="lift guidelines/reviews/RCTs (hybrid only; unmeasured, off by default)",
        ),
        year_min: int = typer.Option(None, help="published in or after"),
        year_max: int = typer.Option(None, help="published in or before"),
        pub_type: Annotated[
            list[str] | None, typer.Option("--pub-type", help="publication type (repeatable)")
        ] = None,
        index: Annotated[Path | None, typer.Option("--index", help="index file")] = None,
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Search the indexed literature."""
        from medtrio.literature.retrieve import Filters
        from medtrio.literature.service import search

        filters = Filters(year_min=year_min, year_max=year_max, pub_types=tuple(pub_type or ()))
        try:
            result = search(
                question, k=k, filters=filters, mode=mode, path=index, evidence_boost=evidence_boost
            )
        except MedtrioError as exc:
            _fail(exc)
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "question": question,
                        "retriever": result.retriever,
                        "ms": result.timing_ms,
                        "hits": [_hit_json(h) for h in result.hits],
                    }
                )
            )
            return
        # the listing shows each article once (its best passage); --json keeps every passage
        first = list({h.doc_id: h for h in reversed(result.hits)}.values())[::-1]
        for n, h in enumerate(first, 1):
            meta = ", ".join(str(x) for x in (h.year, h.evidence_level) if x)
            typer.echo(f"{n:2}. [{h.doc_id}] {h.title or h.text[:80]}" + (f" ({meta})" if meta else ""))

    @lit.command("answer")
    def answer_cmd(
        question: str = typer.Argument(..., help="the clinical question"),
        k: int = typer.Option(8, "--k", min=1, max=50),
        offline: bool = typer.Option(False, "--offline", help="never call the LLM, even when configured"),
        index: Annotated[Path | None, typer.Option("--index", help="index file")] = None,
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """A cited answer: grounded LLM answer when configured, else an extractive evidence summary."""
        from medtrio.llm.grounded import answer_question

        try:
            result = answer_question(question, k=k, use_llm=not offline, path=index)
        except MedtrioError as exc:
            _fail(exc)
        typer.echo(json.dumps(result) if as_json else result["text"])

    @groups["eval"].command("retrieval")
    def eval_retrieval_cmd(
        corpus: Annotated[Path, typer.Option(help="BEIR corpus.jsonl")],
        queries: Annotated[Path, typer.Option(help="BEIR queries.jsonl")],
        qrels: Annotated[Path, typer.Option(help="BEIR qrels .tsv")],
        limit: int = typer.Option(None, help="evaluate only the first N judged queries"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """nDCG@10, Recall@100, MRR@10, latency: hybrid retriever vs a plain FTS5 BM25 baseline."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from medtrio.literature.embed import default_embedder
        from medtrio.literature.evaluate import evaluate
        from medtrio.settings import get_settings

        try:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                transient=True,
            ) as bar:
                tasks: dict[str, int] = {}

                def progress(stage: str, done: int, total: int) -> None:
                    if stage not in tasks:
                        tasks[stage] = bar.add_task(stage, total=total)
                    bar.update(tasks[stage], completed=done, total=total)

                report = evaluate(
                    corpus,
                    queries,
                    qrels,
                    default_embedder(),
                    get_settings().data_dir / "cache",
                    progress=progress,
                    limit=limit,
                )
        except MedtrioError as exc:
            _fail(exc)
        out = asdict(report)
        if as_json:
            typer.echo(json.dumps(out))
        else:
            for key, value in out.items():
                typer.echo(f"{key:20} {value}")
