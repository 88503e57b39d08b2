"""`medtrio labs interpret FILE` and `medtrio eval labflags --file F` (the stable CLI contract).

medtrio labs interpret report.pdf --lang zh --json
medtrio eval labflags --file labevents_flag_eval.csv.gz --json
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from medtrio.errors import MedtrioError


def _fail(exc: MedtrioError, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"error": type(exc).__name__, "detail": exc.message}, ensure_ascii=False))
    else:
        typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(2)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    labs_app = typer.Typer(help="Lab reports: read, check and explain results.", no_args_is_help=True)
    app.add_typer(labs_app, name="labs")

    @labs_app.command("interpret")
    def interpret_cmd(
        file: Path = typer.Argument(..., help="PDF, photo (JPEG/PNG), text, FHIR JSON or HL7 v2 file"),  # noqa: B008
        lang: str = typer.Option(None, "--lang", help="en or zh (default: the report's language)"),
        sex: str = typer.Option(None, "--sex", help="M or F, when the report does not say"),
        age: float = typer.Option(None, "--age", help="age in years, when the report does not say"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Extract, flag and explain every result of a lab report (nothing is stored)."""
        from medtrio.errors import InvalidInput
        from medtrio.labs.interpret import interpret_bytes

        try:
            if not file.is_file():
                raise InvalidInput(f"file not found: {file}")
            if lang not in (None, "en", "zh"):
                raise InvalidInput("--lang must be en or zh")
            result = interpret_bytes(file.read_bytes(), file.name, lang=lang, sex=sex, age=age)
        except MedtrioError as exc:
            _fail(exc, as_json)
            return
        if as_json:
            typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
            return
        for r in result.results:
            mark = " !!" if r.critical else ""
            conf = f"  [confirm: {r.reason}]" if r.needs_confirmation else ""
            typer.echo(
                f"{r.name:<28} {r.value or '':>10} {r.unit or '':<10} {r.range or '':<14} "
                f"{r.flag or '?'}{mark}{conf}"
            )
        typer.echo("")
        typer.echo(result.urgency_text)
        typer.echo(result.summary)

    @groups["eval"].command("labflags")
    def labflags_cmd(
        file: Path = typer.Option(..., "--file", help="CSV(.gz) in the labevents_flag_eval format"),  # noqa: B008
        limit: int = typer.Option(None, help="only the first N rows"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Agreement of our flags with the laboratory's own abnormal flags."""
        from medtrio.labs.flags_eval import evaluate

        try:
            out = evaluate(file, limit)
        except MedtrioError as exc:
            _fail(exc, as_json)
            return
        if as_json:
            typer.echo(json.dumps(out, ensure_ascii=False))
        else:
            for k, v in out.items():
                typer.echo(f"{k}: {v}")
