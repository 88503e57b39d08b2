"""Evaluation following Delphi-2M's protocol (Shmatko et al., Nature 2025, Methods "Evaluation").

For every disease with at least `min_cases` patients in the split:
- a case is a patient whose first record of the disease falls at age e; their score is the predicted
  log-rate of the disease at their last position before e ("no gap": age < e) or at least one year
  before e ("1-year gap": age <= e - 1 year);
- a control is a patient who never has the disease; in each 5-year age band they are scored at one
  position drawn at random (fixed seed) among their positions in that band;
- cases and controls are grouped by the age at the scored position (5-year bands from 40 to 80, as
  Delphi's evaluate_auc.py) and sex; the AUC is computed in each cell with at least one case and one
  control, and the cells are averaged; the mean over diseases is `mean_auc`.
The model and both baselines (`baselines.py`) are scored on the same positions in the same run.

Calibration: at one random position per patient with at least a year of follow-up, the 1-year risk
of each evaluated disease not yet recorded is 1 - exp(-rate * 1 year); observed is whether the disease
is recorded within that year. ECE = sum over 10 equal-count bins of |mean predicted - observed| x
bin share; Brier = mean squared error over the same (patient, disease) pairs.
"""

from __future__ import annotations

import csv
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from medtrio.trajectory.data import DAYS_PER_YEAR, Cohort, crop, insert_no_events, pad_batch
from medtrio.trajectory.scoring import LoadedModel, load_model, log_rates
from medtrio.trajectory.vocab import FEMALE, MALE, PAD

SCORERS = ("model", "bag", "age_sex")
AGE_BAND_YEARS = 5
AGE_BANDS = tuple(range(40, 80, AGE_BAND_YEARS))  # lower edges, as in Delphi's evaluation
GAPS = {"no_gap": 0.0, "gap1y": 1.0}
NO_GAP_OFFSET_YEARS = 0.1 / 365.25  # Delphi's evaluate_auc.py scores "no gap" at least 0.1 day before onset


@dataclass
class Positions:
    """Every scored position of every patient: log-rates of the evaluated diseases per scorer."""

    patient: np.ndarray  # (N,) patient index
    age: np.ndarray  # (N,) years
    logr: dict[str, np.ndarray]  # scorer -> (N, D)


def score_positions(
    lm: LoadedModel,
    cohort: Cohort,
    diseases: np.ndarray,
    seed: int = 0,
    batch_size: int = 256,
    no_event_every_years: float = 5.0,
) -> Positions:
    """Run the model and baselines over each patient's record (NO_EVENTs added with a fixed seed)."""
    rng = np.random.default_rng(seed)
    block = lm.model.cfg.block_size
    pats, ages, logr = [], [], {s: [] for s in SCORERS}
    for s in range(0, len(cohort), batch_size):
        seqs = []
        for i in range(s, min(s + batch_size, len(cohort))):
            a, t = insert_no_events(*cohort.patient(i), rng, no_event_every_years)
            seqs.append(crop(a, t, block, None))
        age, tok = pad_batch(seqs)
        real = tok != PAD
        b_idx, _ = np.nonzero(real)
        pats.append(b_idx + s)
        ages.append(age[real])
        for name in SCORERS:
            logr[name].append(log_rates(lm, name, age, tok)[real][:, diseases])
    return Positions(
        np.concatenate(pats),
        np.concatenate(ages),
        {k: np.concatenate(v).astype(np.float32) for k, v in logr.items()},
    )


def _auc(cases: np.ndarray, controls_sorted: np.ndarray) -> float:
    lo = np.searchsorted(controls_sorted, cases, side="left")
    hi = np.searchsorted(controls_sorted, cases, side="right")
    return float(np.mean((lo + 0.5 * (hi - lo)) / len(controls_sorted)))


def first_ages(cohort: Cohort, diseases: np.ndarray) -> np.ndarray:
    """(P, D) age in years of each patient's first record of each disease; NaN if never."""
    col = {int(k): j for j, k in enumerate(diseases)}
    out = np.full((len(cohort), len(diseases)), np.nan)
    for i in range(len(cohort)):
        a, t = cohort.patient(i)
        for age, tok in zip(a[::-1], t[::-1], strict=True):  # reversed: the first record wins
            j = col.get(int(tok))
            if j is not None:
                # rounded like the float32 position ages: a position *at* the onset never counts as before it
                out[i, j] = np.float32(age / DAYS_PER_YEAR)
    return out


def stratified_aucs(
    pos: Positions, onset: np.ndarray, sex: np.ndarray, gap_years: float, seed: int = 1
) -> dict[str, np.ndarray]:
    """Per scorer, (D,) mean over (age band, sex) cells of the AUC; NaN where no cell qualifies."""
    n_pat, n_dis = onset.shape
    rng = np.random.default_rng(seed)
    band = (pos.age // AGE_BAND_YEARS).astype(int)
    # one random control position per (patient, band): shuffle, then keep the first of each pair
    order = rng.permutation(len(pos.age))
    _, first = np.unique(pos.patient[order] * 1000 + band[order], return_index=True)
    ctrl_rows = np.sort(order[first])
    # the last position before each onset (minus the gap): positions are sorted by patient, then age
    starts = np.searchsorted(pos.patient, np.arange(n_pat))
    ends = np.searchsorted(pos.patient, np.arange(n_pat), side="right")
    out = {s: np.full(n_dis, np.nan) for s in pos.logr}
    for j in range(n_dis):
        case_pat = np.flatnonzero(~np.isnan(onset[:, j]))
        cut = onset[case_pat, j] - gap_years - NO_GAP_OFFSET_YEARS
        rows = np.array(
            [
                starts[p] + np.searchsorted(pos.age[starts[p] : ends[p]], c - 1e-9, side="left") - 1
                for p, c in zip(case_pat, cut, strict=True)
            ],
            dtype=np.int64,
        )
        ok = rows >= starts[case_pat]
        case_pat, rows = case_pat[ok], rows[ok]
        case_band = band[rows]
        is_case = np.zeros(n_pat, dtype=bool)
        is_case[~np.isnan(onset[:, j])] = True
        ctrl = ctrl_rows[~is_case[pos.patient[ctrl_rows]]]
        ctrl_band, ctrl_sex = band[ctrl], sex[pos.patient[ctrl]]
        for scorer, logr in pos.logr.items():
            cells = []
            for b in np.intersect1d(np.unique(case_band), np.array(AGE_BANDS) // AGE_BAND_YEARS):
                for s in (FEMALE, MALE):
                    cm = (case_band == b) & (sex[case_pat] == s)
                    km = (ctrl_band == b) & (ctrl_sex == s)
                    if cm.any() and km.any():
                        cells.append(_auc(logr[rows[cm], j], np.sort(logr[ctrl[km], j])))
            if cells:
                out[scorer][j] = float(np.mean(cells))
    return out


def calibration(
    pos: Positions,
    cohort: Cohort,
    onset: np.ndarray,
    seed: int = 2,
    bins: int = 10,
    horizon_years: float = 1.0,
) -> dict[str, dict]:
    """Per scorer: ECE, Brier and the (predicted, observed) pairs by equal-count bin of predicted risk."""
    rng = np.random.default_rng(seed)
    last_age = np.array([cohort.patient(i)[0].max() / DAYS_PER_YEAR for i in range(len(cohort))])
    died = ~np.isnan(onset[:, -1])  # Death is the last evaluated column
    eligible = np.flatnonzero((pos.age + horizon_years <= last_age[pos.patient]) | died[pos.patient])
    order = rng.permutation(eligible)
    _, first = np.unique(pos.patient[order], return_index=True)
    rows = order[first]
    pat, age = pos.patient[rows], pos.age[rows][:, None]
    on = onset[pat]
    at_risk = ~(on <= age)  # not yet recorded (NaN compares False: never recorded is at risk)
    observed = (on > age) & (on <= age + horizon_years)
    out = {}
    for scorer, logr in pos.logr.items():
        p = 1.0 - np.exp(-np.exp(logr[rows].astype(np.float64)) * horizon_years)
        pr, ob = p[at_risk], observed[at_risk].astype(float)
        idx = np.argsort(pr, kind="stable")
        groups = np.array_split(idx, bins)
        table = [(float(pr[g].mean()), float(ob[g].mean()), len(g)) for g in groups]
        ece = sum(abs(a - b) * n for a, b, n in table) / len(pr)
        out[scorer] = {
            "ece": ece,
            "brier": float(np.mean((pr - ob) ** 2)),
            "n_pairs": int(len(pr)),
            "deciles": [{"predicted": a, "observed": b, "n": n} for a, b, n in table],
        }
    return out


def bootstrap_diff(a: np.ndarray, b: np.ndarray, reps: int = 2000, seed: int = 3) -> dict:
    """Mean of paired per-disease differences a - b with a 95% percentile bootstrap CI over diseases."""
    ok = ~np.isnan(a) & ~np.isnan(b)
    d = a[ok] - b[ok]
    rng = np.random.default_rng(seed)
    boots = d[rng.integers(0, len(d), (reps, len(d)))].mean(axis=1)
    return {
        "mean": float(d.mean()),
        "ci95": [float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))],
        "n_diseases": int(ok.sum()),
    }


def read_delphi_reference(path: Path) -> dict[int, dict]:
    """Delphi's published per-disease AUCs (supplementary table), keyed by token id."""
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                out[int(row["Index"])] = {
                    "name": row["Name"],
                    "female": float(row["AUC Female, (no gap)"] or "nan"),
                    "male": float(row["AUC Male, (no gap)"] or "nan"),
                }
            except (KeyError, ValueError):
                continue
    return out


def evaluate(
    lm: LoadedModel,
    cohort: Cohort,
    *,
    min_cases: int = 25,
    delphi_auc: Path | None = None,
    plots_dir: Path | None = None,
) -> dict:
    """The full report (see the module docstring); plots are written when `plots_dir` is given."""
    t0 = time.monotonic()
    vocab = lm.vocab
    counts = np.zeros(len(vocab), dtype=np.int64)
    for i in range(len(cohort)):
        counts[np.unique(cohort.patient(i)[1])] += 1
    diseases = np.array(
        [k for k in vocab.diagnoses if counts[k] >= min_cases and k != vocab.death] + [vocab.death]
    )
    pos = score_positions(lm, cohort, diseases)
    onset = first_ages(cohort, diseases)
    sex = cohort.sex()
    aucs = {g: stratified_aucs(pos, onset, sex, gy) for g, gy in GAPS.items()}
    cal = calibration(pos, cohort, onset)
    names = [vocab.names[k] for k in diseases]

    def mean(x: np.ndarray) -> float:
        return float(np.nanmean(x)) if np.isfinite(x).any() else float("nan")

    report = {
        "mean_auc": mean(aucs["no_gap"]["model"]),
        "mean_auc_gap1y": mean(aucs["gap1y"]["model"]),
        "baseline_age_sex_mean_auc": mean(aucs["no_gap"]["age_sex"]),
        "baseline_age_sex_mean_auc_gap1y": mean(aucs["gap1y"]["age_sex"]),
        "baseline_bag_mean_auc": mean(aucs["no_gap"]["bag"]),
        "baseline_bag_mean_auc_gap1y": mean(aucs["gap1y"]["bag"]),
        "diff_vs_age_sex": bootstrap_diff(aucs["no_gap"]["model"], aucs["no_gap"]["age_sex"]),
        "diff_vs_bag": bootstrap_diff(aucs["no_gap"]["model"], aucs["no_gap"]["bag"]),
        "diff_vs_bag_gap1y": bootstrap_diff(aucs["gap1y"]["model"], aucs["gap1y"]["bag"]),
        "death_auc": float(aucs["no_gap"]["model"][-1]),
        "ece": cal["model"]["ece"],
        "brier": cal["model"]["brier"],
        "baseline_age_sex_ece": cal["age_sex"]["ece"],
        "baseline_bag_ece": cal["bag"]["ece"],
        "baseline_age_sex_brier": cal["age_sex"]["brier"],
        "baseline_bag_brier": cal["bag"]["brier"],
        "calibration_deciles": cal["model"]["deciles"],
        "n_patients": len(cohort),
        "n_positions": len(pos.age),
        "n_diseases": int(np.isfinite(aucs["no_gap"]["model"]).sum()),
        "min_cases": min_cases,
        "per_disease": [
            {
                "token": int(k),
                "name": n,
                "cases": int(counts[k]),
                **{f"{s}_{g}": _r(aucs[g][s][j]) for g in GAPS for s in SCORERS},
            }
            for j, (k, n) in enumerate(zip(diseases, names, strict=True))
        ],
    }
    if delphi_auc is not None and Path(delphi_auc).is_file():
        report["delphi_reference_top20"] = _delphi_table(
            report["per_disease"], read_delphi_reference(delphi_auc), pos, onset, sex, diseases
        )
    if plots_dir is not None:
        from medtrio.trajectory.plots import auc_by_chapter_plot, calibration_plot

        plots_dir = Path(plots_dir)
        plots_dir.mkdir(parents=True, exist_ok=True)
        report["plots"] = [
            str(calibration_plot(cal, plots_dir / "calibration.png")),
            str(auc_by_chapter_plot(report["per_disease"], vocab, plots_dir / "auc_by_chapter.png")),
        ]
    report["seconds"] = round(time.monotonic() - t0, 1)
    return report


def _r(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 4)


def _delphi_table(
    per_disease: list[dict],
    ref: dict[int, dict],
    pos: Positions,
    onset: np.ndarray,
    sex: np.ndarray,
    diseases: np.ndarray,
) -> list[dict]:
    """Our no-gap AUC by sex next to Delphi-2M's published one, for the 20 most frequent diseases."""
    top = sorted(
        (d for d in per_disease if d["token"] in ref and d["name"] != "Death"), key=lambda d: -d["cases"]
    )[:20]
    rows = []
    for d in top:
        j = int(np.flatnonzero(diseases == d["token"])[0])
        by_sex = {}
        for s, label in ((FEMALE, "female"), (MALE, "male")):
            keep = sex == s
            sub = Positions(pos.patient, pos.age, {"model": pos.logr["model"][:, [j]]})
            masked = np.where(keep[:, None], onset[:, [j]], np.nan)
            # controls of the other sex never share a cell with these cases, so masking cases suffices
            by_sex[label] = _r(stratified_aucs(sub, masked, np.where(keep, sex, PAD), 0.0)["model"][0])
        rows.append(
            {
                "name": d["name"],
                "cases": d["cases"],
                "ours_female": by_sex["female"],
                "ours_male": by_sex["male"],
                "delphi_female": _r(ref[d["token"]]["female"]),
                "delphi_male": _r(ref[d["token"]]["male"]),
            }
        )
    return rows


def write_evaluation(model_dir: Path, cohort: Cohort, min_cases: int = 10) -> dict:
    """Evaluate a model folder on held-out patients; writes `eval.json` (no NaN) and `eval/*.png`."""
    report = evaluate(load_model(model_dir), cohort, min_cases=min_cases, plots_dir=model_dir / "eval")
    report["plots"] = [Path(p).relative_to(model_dir).as_posix() for p in report.get("plots", [])]
    report["held_out"] = f"{len(cohort)} patients of the store, not used in training"
    report = _finite(report)
    (model_dir / "eval.json").write_text(json.dumps(report, indent=1))
    return report


def _finite(x):  # noqa: ANN001, ANN202 - JSON has no NaN: a metric that could not be computed is null
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
