"""`medtrio demo --no-serve` through the real command line: builds, prints accounts, is idempotent."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from medtrio.demo.cli import register, settings_for
from medtrio.store import open_database
from medtrio.store.schema import Patient
from medtrio.trajectory.registry import active_version, root_of


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app, {})
    return app


def test_demo_builds_prints_accounts_and_is_idempotent(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDTRIO_DATABASE_URL", raising=False)
    runner = CliRunner()
    args = ["demo", "--patients", "60", "--seed", "3", "--data-dir", str(tmp_path), "--no-serve"]
    first = runner.invoke(_app(), args)
    assert first.exit_code == 0, first.output
    assert "Built the demo hospital: 60 patients" in first.output
    for text in ("admin", "dr.cardiology", "patient.", "medtrio-demo"):
        assert text in first.output
    db = open_database(f"sqlite:///{tmp_path / 'medtrio.sqlite'}")
    with db.session() as s:
        assert s.query(Patient).count() == 60
    # forecasts work out of the box: a trajectory model was trained on the cohort and activated
    assert active_version(root_of(tmp_path)) is not None and "trained and active" in first.output
    second = runner.invoke(_app(), args)
    assert second.exit_code == 0, second.output
    assert "already built" in second.output and "dr.cardiology" in second.output
    assert "Training the trajectory model" not in second.output
    with db.session() as s:
        assert s.query(Patient).count() == 60


def test_command_line_options_override_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDTRIO_DATABASE_URL", raising=False)
    s = settings_for(tmp_path, "0.0.0.0", 9001)
    assert s.data_dir == tmp_path and s.host == "0.0.0.0" and s.port == 9001
    assert s.db_url.endswith(f"{tmp_path.name}/medtrio.sqlite")


def test_help_lists_the_options():
    out = CliRunner().invoke(_app(), ["demo", "--help"]).output
    for option in ("--patients", "--seed", "--data-dir", "--no-serve", "--no-model", "--host", "--port"):
        assert option in out
