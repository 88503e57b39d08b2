"""`medtrio db ...`: create or upgrade the database and show what it holds."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from medtrio.settings import get_settings


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    db_app = typer.Typer(help="The patient event store.", no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @db_app.command("upgrade")
    def upgrade_cmd(url: str = typer.Option(None, help="database URL (default: settings)")) -> None:
        """Create the database or bring its schema to the newest version."""
        from medtrio.store import open_database

        db = open_database(url or get_settings().db_url)
        typer.echo(f"database ready: {db.url}")

    @db_app.command("info")
    def info_cmd(
        url: str = typer.Option(None, help="database URL (default: settings)"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Count patients and events per source and category."""
        from sqlalchemy import func, select

        from medtrio.store import open_database
        from medtrio.store.events import category_counts
        from medtrio.store.schema import Patient

        db = open_database(url or get_settings().db_url)
        with db.session() as s:
            per_source = dict(s.execute(select(Patient.source, func.count()).group_by(Patient.source)).all())
            cats = category_counts(s)
        if as_json:
            typer.echo(json.dumps({"patients": per_source, "events": cats}))
            return
        table = Table("what", "count")
        for src, n in sorted(per_source.items()):
            table.add_row(f"patients ({src})", str(n))
        for cat, n in sorted(cats.items()):
            table.add_row(f"events: {cat}", str(n))
        Console().print(table)
