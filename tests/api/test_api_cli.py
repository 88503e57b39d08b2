"""`medtrio user create`: the first administrator of a fresh installation, and a clear error on a clash."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from medtrio.accounts import authenticate
from medtrio.api.cli import register
from medtrio.settings import get_settings
from medtrio.store import open_database


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEDTRIO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MEDTRIO_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    app = typer.Typer()
    register(app, {})
    yield app
    get_settings.cache_clear()


def test_user_create_then_sign_in(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    r = runner.invoke(cli, ["user", "create", "boss", "--role", "admin", "--password", "long-password-1"])
    assert r.exit_code == 0 and "created user" in r.output
    db = open_database(f"sqlite:///{tmp_path / 'medtrio.sqlite'}")
    with db.session() as s:
        assert authenticate(s, "boss", "long-password-1").role == "admin"
    db.dispose()
    r = runner.invoke(cli, ["user", "create", "boss", "--role", "admin", "--password", "long-password-1"])
    assert r.exit_code == 1 and "is taken" in r.output
    r = runner.invoke(cli, ["user", "create", "pat", "--role", "patient", "--password", "long-password-1"])
    assert r.exit_code == 1 and "linked to a patient record" in r.output
