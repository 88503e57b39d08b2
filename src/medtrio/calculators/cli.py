"""`medtrio calc ...` and `medtrio eval medcalc ...`: the calculator engine's command-line contracts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer


def _load_json(text: str) -> dict:
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("--input must be a JSON object")
    return data


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    @app.command("calc")
    def calc_cmd(
        name: str = typer.Argument(..., help="calculator name, or 'list' to list them"),
        input_json: str = typer.Option("{}", "--input", help="inputs as JSON (or @file.json)"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Run one clinical calculator (`medtrio calc list` shows them and their inputs)."""
        from medtrio.calculators import all_calculators, calculate
        from medtrio.errors import MedtrioError

        if name == "list":
            infos = [c.info() for c in all_calculators()]
            if as_json:
                typer.echo(json.dumps(infos, ensure_ascii=False))
            else:
                for info in infos:
                    typer.echo(f"{info['name']:32s} {info['title']} [{info['unit']}]")
            return
        try:
            result = calculate(name, _load_json(input_json))
        except (MedtrioError, ValueError) as exc:
            message = getattr(exc, "message", str(exc))
            if as_json:
                typer.echo(json.dumps({"error": message}, ensure_ascii=False))
            else:
                typer.echo(f"error: {message}", err=True)
            raise typer.Exit(2) from exc
        out = result.as_dict()
        if as_json:
            typer.echo(json.dumps(out, ensure_ascii=False))
            return
        for step in out["steps"]:
            typer.echo(f"  - {step}")
        typer.echo(f"{result.calculator} = {result.value} {result.unit}   (source: {result.source})")

    @app.command("case")
    def case_cmd(
        patient_id: int = typer.Argument(..., help="Medtrio patient id"),
        complaint: str = typer.Option(None, "--complaint", help="presenting complaint, e.g. 'unconscious'"),
        url: str = typer.Option(None, help="database URL (default: settings)"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
        pdf: Path = typer.Option(None, "--pdf", help="also write the report as PDF to this file"),  # noqa: B008
    ) -> None:
        """Stepwise case analysis of one patient (audited as a read by the CLI)."""
        from medtrio.reasoning import analyse
        from medtrio.settings import get_settings
        from medtrio.store import open_database
        from medtrio.store.audit import Actor
        from medtrio.trajectory.registry import active_model

        settings = get_settings()
        db = open_database(url or settings.db_url)
        with db.session() as s:
            model = active_model(settings.data_dir)
            report = analyse(s, patient_id, complaint, actor=Actor.system("cli"), trajectory=model)
        if pdf is not None:
            from medtrio.reasoning.pdf import report_pdf

            pdf.write_bytes(report_pdf(report, f"patient {patient_id}"))
        if as_json:
            typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, default=str))
            return
        for step in report.steps:
            typer.echo(f"{step.number}. {step.title}")
            for st in step.statements:
                mark = "" if st.severity == "info" else f"[{st.severity}] "
                typer.echo(f"   - {mark}{st.text}")
        typer.echo(f"({report.seconds:.2f} s; {report.disclaimer})")

    @groups["eval"].command("medcalc")
    def eval_medcalc_cmd(
        file: Path = typer.Option(..., "--file", exists=True, dir_okay=False, help="MedCalc-Bench CSV"),  # noqa: B008
        from_notes: bool = typer.Option(False, "--from-notes", help="extract inputs from the patient note"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
        show_errors: bool = typer.Option(False, "--errors", help="list every disagreement"),
        use_llm: bool = typer.Option(False, "--llm", help="with --from-notes: also ask the configured LLM "
                                     "gateway and cross-check its values against the note (MEDTRIO_LLM_*)"),
    ) -> None:
        """Score the calculators on MedCalc-Bench rows (entities, or the note with --from-notes)."""
        from medtrio.calculators.evaluate import evaluate_file

        client = None
        if use_llm:
            from medtrio.llm import client_from_settings

            client = client_from_settings()
            if client is None:
                typer.echo("error: --llm needs MEDTRIO_LLM_BASE_URL and MEDTRIO_LLM_MODEL", err=True)
                raise typer.Exit(2)
        report = evaluate_file(file, from_notes=from_notes, progress=not as_json, llm=client)
        if not show_errors:
            report.pop("disagreements", None)
        if as_json:
            typer.echo(json.dumps(report, ensure_ascii=False))
            return
        typer.echo(
            f"n={report['n']} accuracy={report['accuracy']:.4f} "
            f"accuracy_corrected={report['accuracy_corrected']:.4f}"
        )
        for name, row in sorted(report["per_calculator"].items()):
            typer.echo(
                f"  {name:32s} n={row['n']:3d} acc={row['accuracy']:.3f} corr={row['accuracy_corrected']:.3f}"
            )
        sys.stdout.flush()
