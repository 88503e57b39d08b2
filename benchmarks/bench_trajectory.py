"""Trajectory model: Delphi-protocol AUCs against both baselines, calibration, speed, MIMIC zero-shot.

    python -m benchmarks.run trajectory

Uses the model folder in MEDTRIO_TRAJECTORY_MODEL (default artifacts/trajectory/small); when it has no
model.pt, it is trained first with the contract command and the training time is reported. Needs
../shared/data (or MEDTRIO_SHARED_DATA); returns no rows without it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.harness import Row

ROOT = Path(__file__).resolve().parents[1]


def _shared() -> Path | None:
    env = os.environ.get("MEDTRIO_SHARED_DATA")
    for p in [Path(env)] if env else [ROOT.parent / "shared" / "data"]:
        if p.is_dir():
            return p
    return None


def _cli(*args: str) -> dict:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "medtrio"), *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(args) -> list[Row]:  # noqa: ANN001
    shared = _shared()
    if shared is None:
        print("bench_trajectory: ../shared/data is absent; nothing measured")
        return []
    data = shared / "delphi_synthetic"
    model = Path(os.environ.get("MEDTRIO_TRAJECTORY_MODEL", ROOT / "artifacts" / "trajectory" / "small"))
    rows: list[Row] = []
    if not (model / "model.pt").is_file():
        cmd = f"medtrio train trajectory --data {data} --out {model} --preset small"
        t0 = time.monotonic()
        _cli("train", "trajectory", "--data", str(data), "--out", str(model), "--preset", "small")
        rows.append(
            Row(
                "trajectory: training wall time, preset small, 2 threads",
                (time.monotonic() - t0) / 60,
                "min",
                command=cmd,
                higher_is_better=False,
            )
        )
    meta = json.loads((model / "metadata.json").read_text())
    rows.append(
        Row(
            "trajectory: training loop time (from metadata.json)",
            meta["train_seconds"] / 60,
            "min",
            command=f"cat {model}/metadata.json",
            higher_is_better=False,
        )
    )
    ev = f"medtrio eval trajectory --model {model} --data {data} --split val --json"
    r = _cli("eval", "trajectory", "--model", str(model), "--data", str(data), "--split", "val", "--json")
    rows += [
        Row(
            "trajectory: mean AUC, val, no gap (vs age-sex)",
            r["mean_auc"],
            "",
            r["baseline_age_sex_mean_auc"],
            "age-sex incidence",
            ev,
        ),
        Row(
            "trajectory: mean AUC, val, no gap (vs bag-of-codes)",
            r["mean_auc"],
            "",
            r["baseline_bag_mean_auc"],
            "bag-of-codes regression",
            ev,
        ),
        Row(
            "trajectory: mean AUC, val, 1-year gap (vs bag-of-codes)",
            r["mean_auc_gap1y"],
            "",
            r["baseline_bag_mean_auc_gap1y"],
            "bag-of-codes regression",
            ev,
        ),
        Row(
            "trajectory: AUC difference model - bag, CI95 "
            + "/".join(f"{x:.3f}" for x in r["diff_vs_bag"]["ci95"]),
            r["diff_vs_bag"]["mean"],
            "",
            None,
            "",
            ev,
        ),
        Row(
            "trajectory: ECE 1-year risk, val",
            r["ece"],
            "",
            r["baseline_age_sex_ece"],
            "age-sex incidence",
            ev,
            higher_is_better=False,
        ),
        Row(
            "trajectory: Brier 1-year risk, val",
            r["brier"],
            "",
            r["baseline_age_sex_brier"],
            "age-sex incidence",
            ev,
            higher_is_better=False,
        ),
        Row("trajectory: death AUC, val, no gap", r["death_auc"], "", None, "", ev),
    ]
    rows += _speed(model, data)
    mimic = shared / "mimic_iv_demo"
    if (mimic / "raw" / "hosp").is_dir():
        maps = shared / "code_maps"
        mc = f"medtrio eval trajectory-mimic --model {model} --data {mimic} --maps {maps} --json"
        m = _cli(
            "eval",
            "trajectory-mimic",
            "--model",
            str(model),
            "--data",
            str(mimic),
            "--maps",
            str(shared / "code_maps"),
            "--json",
        )
        d, de = m["pooled_disease"], m["death"]
        rows += [
            Row(
                "trajectory: MIMIC-IV demo zero-shot pooled AUC (CI95 {:.3f}-{:.3f})".format(*d["auc_ci95"]),
                d["auc"],
                "",
                d["baseline_age_sex_auc"],
                "age-sex incidence",
                mc,
            ),
            Row(
                "trajectory: MIMIC-IV demo zero-shot death AUC (CI95 {:.3f}-{:.3f})".format(*de["auc_ci95"]),
                de["auc"],
                "",
                de["baseline_age_sex_auc"],
                "age-sex incidence",
                mc,
            ),
        ]
    return rows


def _speed(model: Path, data: Path) -> list[Row]:
    """Forecast latency for one patient and batch scoring throughput, in this process on 2 threads."""
    import torch

    from medtrio.trajectory.data import DAYS_PER_YEAR, read_delphi_bin
    from medtrio.trajectory.inference import forecast, score_cohort_end
    from medtrio.trajectory.scoring import load_model

    # one patient is a handful of tiny ops: one thread avoids the tail latency of thread hand-offs on a
    # loaded 2-core machine (p95 ~400 ms with 2 threads vs ~40 ms with 1 in an ad-hoc run)
    torch.set_num_threads(1)
    lm = load_model(model)
    cohort = read_delphi_bin(data / "val.bin", lm.vocab)
    times = []
    for i in range(300):
        a, t = cohort.patient(i)
        t0 = time.perf_counter()
        forecast(lm, a, t, float(a.max()) + DAYS_PER_YEAR / 2, top=10)
        times.append(time.perf_counter() - t0)
    p95 = float(np.percentile(times[20:], 95) * 1000)
    torch.set_num_threads(2)
    seqs = [cohort.patient(i) for i in range(len(cohort))]
    score_cohort_end(lm, seqs[:256])  # warm-up
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        score_cohort_end(lm, seqs)
        rates.append(len(seqs) / (time.perf_counter() - t0))
    rate = float(np.median(rates))
    cmd = "python -m benchmarks.run trajectory"
    return [
        Row(
            "trajectory: forecast one patient p95, 1 thread (risks 1/5/10y + MC band + leave-one-out)",
            p95,
            "ms",
            None,
            "",
            cmd,
            higher_is_better=False,
        ),
        Row(
            "trajectory: batch scoring throughput, val split, 2 threads (median of 3)",
            rate,
            "patients/s",
            None,
            "",
            cmd,
        ),
    ]
