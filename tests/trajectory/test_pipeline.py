"""Training, evaluation, inference and the CLI contract on the tiny generated cohort."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from medtrio.cli import app
from medtrio.errors import Conflict
from medtrio.trajectory.data import read_delphi_bin
from medtrio.trajectory.evaluate import _auc, bootstrap_diff
from medtrio.trajectory.inference import forecast, sample_futures, score_cohort_end
from medtrio.trajectory.scoring import load_model
from medtrio.trajectory.train import train
from medtrio.trajectory.vocab import FEMALE, NO_EVENT, load_delphi_labels


class TestTrain:
    def test_model_folder(self, tiny_model: Path) -> None:
        for name in ("model.pt", "last.pt", "baselines.pt", "metadata.json", "train_log.jsonl"):
            assert (tiny_model / name).is_file()
        ck = torch.load(tiny_model / "model.pt", weights_only=False)
        assert ck["model_config"]["n_layer"] == 2 and ck["preset"] == "tiny"
        log = [json.loads(line) for line in (tiny_model / "train_log.jsonl").read_text().splitlines()]
        assert log and all(np.isfinite(r["holdout_loss"]) for r in log)

    def test_resume_continues_and_refuses_other_config(self, tiny_data: Path, tmp_path: Path) -> None:
        vocab = load_delphi_labels(tiny_data / "labels.csv")
        cohort = read_delphi_bin(tiny_data / "train.bin", vocab)
        seen: list[dict] = []
        first = train(cohort, vocab, tmp_path, "tiny", max_steps=20, progress=False, on_eval=seen.append)
        again = train(cohort, vocab, tmp_path, "tiny", max_steps=40, resume=True, progress=False)
        assert first.steps == 20 and again.steps == 40
        # the progress callback sees every evaluation; the step budget is used up at the last one
        assert [r["step"] for r in seen] == sorted(r["step"] for r in seen) and seen[-1]["step"] == 20
        assert seen[-1]["fraction"] == 1.0 and all(0 < r["fraction"] <= 1 for r in seen)
        with pytest.raises(Conflict):
            train(cohort, vocab, tmp_path, "small", max_steps=41, resume=True, progress=False)


class TestMetrics:
    def test_auc_matches_sklearn(self) -> None:
        from sklearn.metrics import roc_auc_score

        rng = np.random.default_rng(0)
        cases, controls = rng.normal(1, 1, 30).round(1), rng.normal(0, 1, 200).round(1)
        expected = roc_auc_score([1] * 30 + [0] * 200, np.concatenate([cases, controls]))
        assert _auc(cases, np.sort(controls)) == pytest.approx(expected)

    def test_bootstrap_interval_contains_mean(self) -> None:
        out = bootstrap_diff(np.array([0.7, 0.8, 0.75, np.nan]), np.array([0.6, 0.6, 0.7, 0.5]))
        assert out["n_diseases"] == 3 and out["ci95"][0] <= out["mean"] <= out["ci95"][1]


class TestCli:
    def test_eval_json_contract(self, tiny_model: Path, tiny_data: Path, tmp_path: Path) -> None:
        res = CliRunner().invoke(
            app,
            [
                "eval",
                "trajectory",
                "--model",
                str(tiny_model),
                "--data",
                str(tiny_data),
                "--split",
                "val",
                "--json",
                "--min-cases",
                "5",
                "--plots",
                str(tmp_path),
            ],
        )
        assert res.exit_code == 0, res.output
        out = json.loads(res.output)
        for key in (
            "mean_auc",
            "mean_auc_gap1y",
            "baseline_age_sex_mean_auc",
            "baseline_bag_mean_auc",
            "ece",
            "n_patients",
            "n_diseases",
        ):
            assert key in out
        assert out["n_patients"] == 240 and out["n_diseases"] > 0
        assert 0 <= out["mean_auc"] <= 1 and 0 <= out["ece"] <= 1
        assert (tmp_path / "calibration.png").stat().st_size > 1000
        assert (tmp_path / "auc_by_chapter.png").stat().st_size > 1000

    def test_train_cli_and_bad_input(self, tiny_data: Path, tmp_path: Path) -> None:
        runner = CliRunner()
        res = runner.invoke(
            app,
            [
                "train",
                "trajectory",
                "--data",
                str(tiny_data),
                "--out",
                str(tmp_path / "m"),
                "--preset",
                "tiny",
                "--max-steps",
                "5",
                "--threads",
                "1",
            ],
        )
        assert res.exit_code == 0, res.output
        assert json.loads(res.output.strip().splitlines()[-1])["steps"] == 5
        res = runner.invoke(
            app, ["train", "trajectory", "--data", str(tmp_path), "--out", str(tmp_path / "x")]
        )
        assert res.exit_code == 2 and "labels" in res.output
        res = runner.invoke(
            app, ["eval", "trajectory", "--model", str(tmp_path / "none"), "--data", str(tiny_data)]
        )
        assert res.exit_code == 2 and "model.pt" in res.output


class TestForecast:
    def test_forecast_with_history(self, tiny_model: Path) -> None:
        lm = load_model(tiny_model)
        ages = np.array([0.0, 50 * 365.25, 55 * 365.25])
        toks = np.array([FEMALE, lm.vocab.id_of("I10"), lm.vocab.id_of("E11")])
        f = forecast(lm, ages, toks, 60 * 365.25, top=5, n_samples=4, unknown_codes=("Q87",))
        assert f.basis == "model" and len(f.risks) == 5 and len(f.samples) == 4
        names = {r.name for r in f.risks}
        assert lm.vocab.names[toks[1]] not in names  # a recorded disease is not forecast again
        for r in f.risks:
            assert 0 <= r.risk["1y"] <= r.risk["5y"] <= r.risk["10y"] <= 1
            assert r.low["5y"] <= r.high["5y"]
        assert any("not in the model's vocabulary" in n for n in f.notes)
        for future in f.samples:
            assert all(60 <= age <= 70.01 for age, _ in future)
            assert len({n for _, n in future}) == len(future)  # no repeats

    def test_batched_rates_and_drivers_equal_separate_passes(self, tiny_model: Path) -> None:
        """The forecast runs the history and its leave-one-out copies in one padded batch, head only at
        the last position; each number must equal a plain full forward pass of that one sequence."""
        lm = load_model(tiny_model)
        ages = np.array([0.0, 45 * 365.25, 50 * 365.25, 55 * 365.25])
        toks = np.array([FEMALE, lm.vocab.id_of("I10"), lm.vocab.id_of("J45"), lm.vocab.id_of("E11")])
        now = 60 * 365.25
        f = forecast(lm, ages, toks, now, top=3, mc_passes=0)

        def last(a: np.ndarray, t: np.ndarray) -> np.ndarray:
            a = np.append(a, now) / 365.25
            t = np.append(t, NO_EVENT)
            x = lm.model(torch.from_numpy(t[None]), torch.from_numpy(a[None].astype(np.float32)))
            return x[0, -1].detach().numpy()

        full = last(ages, toks)
        for r in f.risks:
            assert np.isclose(r.rate_per_year, np.exp(full[r.token]), rtol=1e-4)
            assert r.low == r.high == r.risk  # no MC passes: the band is the point estimate
            effects = {
                int(toks[i]): full[r.token] - last(np.delete(ages, i), np.delete(toks, i))[r.token]
                for i in (1, 2, 3)
            }
            for d in r.drivers:
                assert np.isclose(d.effect, effects[d.token], atol=1e-4) and d.effect > 0
            assert len(r.drivers) == min(3, sum(e > 0 for e in effects.values()))

    def test_no_history_gets_labelled_prior(self, tiny_model: Path) -> None:
        lm = load_model(tiny_model)
        f = forecast(lm, np.array([0.0]), np.array([FEMALE]), 50 * 365.25)
        assert f.basis.startswith("age-sex prior") and f.risks and f.notes

    def test_sampler_stops_at_death(self, tiny_model: Path) -> None:
        lm = load_model(tiny_model)
        a, t = np.array([0.0, 60 * 365.25]), np.array([FEMALE, NO_EVENT])
        for future in sample_futures(lm, a / 365.25 * 365.25, t, 8, horizon_years=40, seed=1):
            names = [n for _, n in future]
            assert "Death" not in names[:-1]

    def test_batch_scoring_shape(self, tiny_model: Path, tiny_data: Path) -> None:
        lm = load_model(tiny_model)
        c = read_delphi_bin(tiny_data / "val.bin", lm.vocab)
        out = score_cohort_end(lm, [c.patient(i) for i in range(len(c))])
        assert out.shape == (len(c), len(lm.vocab)) and np.isfinite(out[:, lm.vocab.death]).all()
        for i in (0, 7, len(c) - 1):  # batching sorts by length: rows must come back in input order
            a, t = c.patient(i)
            one = lm.model(torch.from_numpy(t[None]), torch.from_numpy((a / 365.25)[None].astype(np.float32)))
            assert np.allclose(out[i], one[0, -1].detach().numpy(), atol=1e-4)


@pytest.mark.slow
def test_torchrun_ddp_on_cpu(tiny_data: Path, tmp_path: Path) -> None:
    """Two processes with the gloo backend: the DDP path of the loop (batches per rank, all-reduced
    gradients, one stop decision) runs to the end and rank 0 writes one model folder."""
    import os
    import subprocess
    import sys

    torchrun = Path(sys.executable).parent / "torchrun"
    out = tmp_path / "ddp"
    cmd = [str(torchrun), "--standalone", "--nproc_per_node=2", "-m", "medtrio.cli", "train", "trajectory",
           "--data", str(tiny_data), "--out", str(out), "--preset", "tiny", "--max-steps", "12"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    reports = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == 1 and reports[0]["steps"] == 12  # only rank 0 reports
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["world_size"] == 2 and meta["steps"] == 12
    assert load_model(out).model.num_params() == meta["n_params"]
