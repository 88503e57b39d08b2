"""`medtrio train trajectory` and `medtrio eval trajectory` (the issue's CLI contract), plus the MIMIC check.

Heavy imports (torch, numpy, matplotlib) happen inside the commands so `medtrio --help` stays fast.
"""

# ruff: noqa: B008  (typer declares options as call defaults)

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from medtrio.errors import InvalidInput, MedtrioError


def _threads(n: int | None) -> None:
    import torch

    torch.set_num_threads(n or min(2, os.cpu_count() or 1))


def _fail(exc: MedtrioError) -> None:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(2) from exc


def train_cmd(
    data: Path = typer.Option(None, "--data", help="folder with labels.csv and train.bin (Delphi format)"),
    out: Path = typer.Option(..., "--out", help="model folder to write"),
    preset: str = typer.Option("small", "--preset", help="small | delphi | tiny (see presets.yaml)"),
    meds: Path = typer.Option(None, "--meds", help="MEDS parquet file/folder instead of --data"),
    store: str = typer.Option(
        None, "--store", help="event store URL (e.g. sqlite:///var/medtrio.db) instead"
    ),
    icd9_map: Path = typer.Option(None, "--icd9-map", help="GEM CSV mapping ICD-9 to ICD-10 (MEDS input)"),
    min_count: int = typer.Option(5, help="vocabulary frequency cut-off (MEDS/store input)"),
    resume: bool = typer.Option(False, "--resume", help="continue from MODEL_DIR/last.pt"),
    device: str = typer.Option("auto", help="auto | cpu | cuda"),
    max_minutes: float = typer.Option(None, help="wall-clock budget (overrides the preset)"),
    max_steps: int = typer.Option(None, help="optimizer steps (overrides the preset)"),
    threads: int = typer.Option(None, help="CPU threads (default: 2)"),
) -> None:
    """Train the health-trajectory model (Delphi-style GPT) and its two baselines."""
    _threads(threads)
    from medtrio.trajectory.data import read_delphi_bin
    from medtrio.trajectory.sources import cohort_from_meds, cohort_from_store, read_gem
    from medtrio.trajectory.train import train
    from medtrio.trajectory.vocab import load_delphi_labels

    try:
        if sum(x is not None for x in (data, meds, store)) != 1:
            raise InvalidInput("give exactly one of --data, --meds or --store")
        unknown = {}
        if data is not None:
            vocab = load_delphi_labels(data / "labels.csv")
            cohort = read_delphi_bin(data / "train.bin", vocab)
        elif meds is not None:
            loaded = cohort_from_meds(
                meds, min_count=min_count, icd9_to_10=read_gem(icd9_map) if icd9_map else None
            )
            cohort, vocab, unknown = loaded.cohort, loaded.vocab, loaded.unknown
        else:
            from medtrio.store import open_database

            loaded = cohort_from_store(open_database(store), min_count=min_count)
            cohort, vocab, unknown = loaded.cohort, loaded.vocab, loaded.unknown
        if unknown:
            typer.echo(
                f"{sum(unknown.values())} events with {len(unknown)} codes below the cut-off map to 'Unknown'"
            )
        res = train(
            cohort,
            vocab,
            out,
            preset,
            resume=resume,
            device=device,
            max_minutes=max_minutes,
            max_steps=max_steps,
        )
    except MedtrioError as exc:
        _fail(exc)
    if os.environ.get("RANK", "0") != "0":  # under torchrun, rank 0 reports for all
        return
    typer.echo(
        json.dumps(
            {
                "out": str(res.out_dir),
                "steps": res.steps,
                "stopped": res.stopped,
                "best_holdout_loss": round(res.best_holdout_loss, 4),
                "train_seconds": round(res.seconds, 1),
                "n_params": res.n_params,
            }
        )
    )


def eval_cmd(
    model: Path = typer.Option(..., "--model", help="model folder from `medtrio train trajectory`"),
    data: Path = typer.Option(..., "--data", help="folder with labels.csv and <split>.bin"),
    split: str = typer.Option("val", "--split"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    min_cases: int = typer.Option(25, help="diseases need at least this many patients in the split"),
    plots: Path = typer.Option(None, help="folder for calibration.png and auc_by_chapter.png"),
    per_disease: bool = typer.Option(False, help="include per-disease AUCs in the JSON"),
    threads: int = typer.Option(None),
) -> None:
    """Delphi's evaluation protocol, with both baselines scored in the same run on the same split."""
    _threads(threads)
    from medtrio.trajectory.data import read_delphi_bin
    from medtrio.trajectory.evaluate import evaluate
    from medtrio.trajectory.scoring import load_model
    from medtrio.trajectory.vocab import load_delphi_labels

    try:
        lm = load_model(model)
        vocab = load_delphi_labels(data / "labels.csv")
        if vocab.names != lm.vocab.names:
            raise InvalidInput(f"{data}/labels.csv differs from the vocabulary the model was trained with")
        cohort = read_delphi_bin(data / f"{split}.bin", vocab)
        ref = data / "supplementary_delphi_auc.csv"
        report = evaluate(
            lm,
            cohort,
            min_cases=min_cases,
            delphi_auc=ref if ref.is_file() else None,
            plots_dir=plots or model / f"eval_{split}",
        )
    except MedtrioError as exc:
        _fail(exc)
    if not per_disease:
        report.pop("per_disease")
    if as_json:
        typer.echo(json.dumps(report))
        return
    for key in (
        "mean_auc",
        "mean_auc_gap1y",
        "baseline_age_sex_mean_auc",
        "baseline_bag_mean_auc",
        "ece",
        "brier",
        "death_auc",
        "n_patients",
        "n_diseases",
    ):
        typer.echo(f"{key:28s} {report[key]}")
    typer.echo(f"{'model - bag (95% CI)':28s} {report['diff_vs_bag']}")


def mimic_cmd(
    model: Path = typer.Option(..., "--model"),
    data: Path = typer.Option(..., "--data", help="MIMIC-IV demo folder (with raw/hosp)"),
    maps: Path = typer.Option(..., "--maps", help="folder with icd_cm_9_to_10_mapping.csv.gz"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Zero-shot check: a Delphi-vocabulary model scored on MIMIC-IV demo admissions."""
    _threads(None)
    from medtrio.trajectory.mimic import evaluate_mimic
    from medtrio.trajectory.scoring import load_model

    try:
        report = evaluate_mimic(load_model(model), data, maps / "icd_cm_9_to_10_mapping.csv.gz")
    except MedtrioError as exc:
        _fail(exc)
    typer.echo(json.dumps(report) if as_json else json.dumps(report, indent=2))


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    groups["train"].command("trajectory")(train_cmd)
    groups["eval"].command("trajectory")(eval_cmd)
    groups["eval"].command("trajectory-mimic")(mimic_cmd)
