"""`medtrio import fhir|meds|omop|mimic PATH` and `medtrio export meds|fhir`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from medtrio.settings import get_settings


def _progress_bar():  # type: ignore[no-untyped-def]
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                    TimeElapsedColumn())


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    export_app = typer.Typer(help="Export patient records (MEDS parquet, FHIR Bundle).", no_args_is_help=True)
    app.add_typer(export_app, name="export")

    @app.command("import")
    def import_cmd(
        fmt: str = typer.Argument(..., help="fhir | meds | omop | mimic | auto"),
        path: Path = typer.Argument(..., help="file or folder to import"),  # noqa: B008
        database_url: str = typer.Option(None, "--database-url", help="database URL (default: settings)"),
        batch_size: int = typer.Option(50_000, help="events per transaction"),
        as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
    ) -> None:
        """Import FHIR R4 (Bundle/NDJSON), MEDS parquet, OMOP CDM CSV or MIMIC-IV hosp csv.gz."""
        from rich.console import Console
        from rich.table import Table

        from medtrio.errors import MedtrioError
        from medtrio.ingest.service import run_import
        from medtrio.store import open_database

        settings = get_settings()
        db = open_database(database_url or settings.db_url)
        try:
            with _progress_bar() as bar:
                task = bar.add_task(f"import {fmt}", total=1.0)
                report = run_import(db, path, None if fmt == "auto" else fmt, batch_size=batch_size,
                                    progress=lambda f, what: bar.update(task, completed=f,
                                                                        description=f"{fmt}: {what}"))
                bar.update(task, completed=1.0)
        except MedtrioError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from None
        if as_json:
            typer.echo(json.dumps(report.to_dict()))
            return
        table = Table("what", "count", title=f"{report.format} import of {path}")
        table.add_row("patients", f"{report.patients:,} ({report.patients_added:,} new)")
        for cat, n in sorted(report.events_read.items()):
            table.add_row(f"events read: {cat}", f"{n:,}")
        table.add_row("events added (new)", f"{report.events_added:,}")
        table.add_row("records skipped (errors)", f"{report.skipped:,}")
        for kind, n in sorted(report.ignored.items()):
            table.add_row(f"not imported: {kind}", f"{n:,}")
        table.add_row("seconds", f"{report.seconds:.1f}")
        Console().print(table)
        if report.error_file:
            typer.echo(f"errors: {report.error_file}")

    @export_app.command("meds")
    def export_meds_cmd(
        out: Path = typer.Argument(..., help="parquet file to write"),  # noqa: B008
        patient: list[int] = typer.Option(None, "--patient", help="patient id(s); default all"),  # noqa: B008
        database_url: str = typer.Option(None, "--database-url"),
    ) -> None:
        """Write events as a MEDS parquet file (subject_id, time, code, numeric_value, text_value, unit)."""
        from medtrio.ingest.meds import export_meds
        from medtrio.store import open_database

        db = open_database(database_url or get_settings().db_url)
        n = export_meds(db, out, patient_ids=patient or None)
        typer.echo(f"{n:,} events written to {out}")

    @export_app.command("fhir")
    def export_fhir_cmd(
        patient: int = typer.Option(..., "--patient", help="patient id"),
        out: Path = typer.Option(None, "--out", help="JSON file to write (default: stdout)"),  # noqa: B008
        database_url: str = typer.Option(None, "--database-url"),
    ) -> None:
        """Export one patient as a FHIR R4 Bundle (validated by fhir.resources)."""
        from medtrio.errors import MedtrioError
        from medtrio.ingest.fhir_export import export_fhir, patient_bundle
        from medtrio.store import open_database

        db = open_database(database_url or get_settings().db_url)
        try:
            if out is None:
                typer.echo(json.dumps(patient_bundle(db, patient), indent=1))
            else:
                export_fhir(db, patient, out)
                typer.echo(f"patient {patient} written to {out}")
        except MedtrioError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from None
