"""Evaluation plots as PNG files (matplotlib, Agg backend): calibration and AUC by ICD-10 chapter."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from medtrio.trajectory.chapters import chapter_of  # noqa: E402
from medtrio.trajectory.vocab import Vocabulary  # noqa: E402

LABELS = {"model": "trajectory model", "bag": "bag-of-codes regression", "age_sex": "age-sex incidence"}


def calibration_plot(cal: dict[str, dict], path: Path) -> Path:
    """Predicted vs observed 1-year risk by decile of predicted risk, log-log, one line per scorer."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    lo = 1e-5
    for scorer, c in cal.items():
        pred = np.array([d["predicted"] for d in c["deciles"]])
        obs = np.array([d["observed"] for d in c["deciles"]])
        ax.plot(
            np.maximum(pred, lo), np.maximum(obs, lo), "o-", label=f"{LABELS[scorer]} (ECE {c['ece']:.4f})"
        )
    ax.plot([lo, 1], [lo, 1], "k--", lw=1, label="perfect calibration")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="predicted 1-year risk (decile mean)",
        ylabel="observed 1-year incidence",
        title="Calibration, pooled over diseases",
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def auc_by_chapter_plot(per_disease: list[dict], vocab: Vocabulary, path: Path) -> Path:
    """Per-disease no-gap AUC grouped by ICD-10 chapter: model dots, chapter means of all scorers."""
    chapters = sorted({chapter_of(vocab.keys[d["token"]]) for d in per_disease})
    fig, ax = plt.subplots(figsize=(11, 5))
    for x, ch in enumerate(chapters):
        rows = [d for d in per_disease if chapter_of(vocab.keys[d["token"]]) == ch]
        model = [d["model_no_gap"] for d in rows if d["model_no_gap"] is not None]
        ax.scatter(np.full(len(model), x) + np.linspace(-0.2, 0.2, len(model)), model, s=8, alpha=0.5, c="C0")
        for k, (scorer, marker) in enumerate((("model", "_"), ("bag", "x"), ("age_sex", "."))):
            vals = [d[f"{scorer}_no_gap"] for d in rows if d[f"{scorer}_no_gap"] is not None]
            if vals:
                ax.plot(
                    x,
                    np.mean(vals),
                    marker,
                    c=f"C{k}",
                    ms=14,
                    mew=2,
                    label=LABELS[scorer] if x == 0 else None,
                )
    ax.axhline(0.5, c="grey", lw=0.8, ls=":")
    ax.set_xticks(range(len(chapters)), chapters, rotation=60, ha="right", fontsize=8)
    ax.set(ylabel="AUC (age/sex-stratified, no gap)", ylim=(0.2, 1.0), title="AUC by ICD-10 chapter")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
