"""`medtrio user create`: add an account, e.g. the first administrator (`medtrio serve` is in demo)."""

from __future__ import annotations

import typer

from medtrio.settings import get_settings


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
    app.add_typer(user_app, name="user")

    @user_app.command("create")
    def user_create_cmd(
        username: str,
        role: str = typer.Option(..., help="admin | clinician | patient"),
        password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
        display_name: str = typer.Option(None),
        doctor_id: int = typer.Option(None, help="for clinicians: their doctors.id"),
        patient_id: int = typer.Option(None, help="for patients: their patients.id"),
    ) -> None:
        """Create an account (e.g. the first administrator of a new installation)."""
        from medtrio.accounts import create_user
        from medtrio.errors import MedtrioError
        from medtrio.store import open_database

        db = open_database(get_settings().db_url)
        try:
            with db.session() as s:
                uid = create_user(
                    s, username, password, role, display_name=display_name, doctor_id=doctor_id,
                    patient_id=patient_id,
                )  # fmt: skip
        except MedtrioError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"created user {uid} ({role}): {username}")
