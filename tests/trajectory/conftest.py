"""A tiny generated cohort in Delphi's binary format, and a tiny model trained on it once per session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from medtrio.trajectory.vocab import SPECIAL_NAMES

DISEASES = [
    "E11 (diabetes)",
    "I10 (hypertension)",
    "I21 (infarction)",
    "N18 (kidney disease)",
    "J45 (asthma)",
    "F32 (depression)",
    "M54 (back pain)",
    "C50 (breast cancer)",
]


def write_tiny_delphi(folder: Path, n_patients: int = 240, seed: int = 0) -> Path:
    """labels.csv + train.bin + val.bin: hypertension makes infarction and kidney disease likelier."""
    rng = np.random.default_rng(seed)
    names = [*SPECIAL_NAMES, *DISEASES, "Death"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "labels.csv").write_text("\n".join(names) + "\n")
    first = len(SPECIAL_NAMES)
    death = len(names) - 1
    for split, offset in (("train", 0), ("val", 100_000)):
        rows = []
        for p in range(n_patients):
            pid = offset + p
            rows.append((pid, 0, 2 + int(rng.integers(0, 2)) - 1))  # stored id = label id - 1
            age = rng.uniform(30, 50) * 365.25
            had = set()
            for _ in range(int(rng.integers(2, 7))):
                age += rng.exponential(4 * 365.25)
                if age > 80 * 365.25:
                    break
                weights = np.ones(len(DISEASES))
                if first + 1 in had:  # hypertension
                    weights[2] += 4
                    weights[3] += 4
                for d in had:
                    weights[d - first] = 0
                if weights.sum() == 0:
                    break
                d = first + int(rng.choice(len(DISEASES), p=weights / weights.sum()))
                had.add(d)
                rows.append((pid, int(age), d - 1))
            if rng.random() < 0.3 or first + 2 in had and rng.random() < 0.5:
                rows.append((pid, int(age + rng.exponential(365.25)), death - 1))
        np.array(rows, dtype="<u4").tofile(folder / f"{split}.bin")
    return folder


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_delphi(tmp_path_factory.mktemp("delphi_tiny"))


@pytest.fixture(scope="session")
def tiny_model(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    from medtrio.trajectory.data import read_delphi_bin
    from medtrio.trajectory.train import train
    from medtrio.trajectory.vocab import load_delphi_labels

    torch.set_num_threads(1)
    vocab = load_delphi_labels(tiny_data / "labels.csv")
    out = tmp_path_factory.mktemp("tiny_model")
    train(read_delphi_bin(tiny_data / "train.bin", vocab), vocab, out, "tiny", max_steps=40, progress=False)
    return out
