"""The `medtrio` command. Each domain adds its own commands through `register(app, groups)`.

Domains import their heavy dependencies (torch, OCR) inside their commands, so `medtrio --help`
stays fast.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="Medtrio: one medical AI system, three terminals.", no_args_is_help=True)
groups = {
    "train": typer.Typer(help="Train models on your own data.", no_args_is_help=True),
    "eval": typer.Typer(
        help="Evaluate engines on benchmark data (prints JSON with --json).", no_args_is_help=True
    ),
}
for _name, _group in groups.items():
    app.add_typer(_group, name=_name)

# One line per domain: the module's `register(app, groups)` adds its commands.
DOMAIN_CLIS = (
    "medtrio.store.cli",
    "medtrio.labs.cli",
    "medtrio.ingest.cli",
    "medtrio.demo.cli",
    "medtrio.calculators.cli",
    "medtrio.triage.cli",
    "medtrio.literature.cli",
    "medtrio.mcpserver.cli",
    "medtrio.api.cli",
    "medtrio.trajectory.cli",
)

for _module in DOMAIN_CLIS:
    importlib.import_module(_module).register(app, groups)


def main() -> None:
    app()


if __name__ == "__main__":  # `python -m medtrio.cli`, as torchrun launches training
    main()
