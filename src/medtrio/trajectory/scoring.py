"""Loading a model folder and scoring sequences with the model and its two baselines.

Every scorer maps padded sequences (ages in years, tokens) to log-rates per year of each next event
at every position, so evaluation and inference treat the model and the baselines alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from medtrio.errors import InvalidInput, NotFound
from medtrio.trajectory.baselines import AgeSexIncidence, BagOfCodes
from medtrio.trajectory.model import ModelConfig, TrajectoryGPT
from medtrio.trajectory.vocab import FEMALE, MALE, PAD, Vocabulary


@dataclass(frozen=True)
class LoadedModel:
    model: TrajectoryGPT
    vocab: Vocabulary
    incidence: AgeSexIncidence | None
    bag: BagOfCodes | None
    metadata: dict
    path: Path


def load_model(model_dir: Path) -> LoadedModel:
    """Read `model.pt` (and `baselines.pt` when present) from a model folder, ready for CPU inference."""
    model_dir = Path(model_dir)
    if not (model_dir / "model.pt").is_file():
        raise NotFound(f"no model.pt in {model_dir}: train one with `medtrio train trajectory`")
    try:
        ck = torch.load(model_dir / "model.pt", map_location="cpu", weights_only=False)
        cfg = ModelConfig.from_dict(ck["model_config"])
        vocab = Vocabulary.from_json(ck["vocab"])
    except (KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise InvalidInput(f"{model_dir}/model.pt is not a trajectory checkpoint: {exc}") from exc
    model = TrajectoryGPT(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    incidence = bag = None
    if (model_dir / "baselines.pt").is_file():
        b = torch.load(model_dir / "baselines.pt", map_location="cpu", weights_only=False)
        incidence = AgeSexIncidence(b["incidence_rates"].double().numpy())
        bag = BagOfCodes(b["vocab_size"], vocab.death)
        bag.load_state_dict(b["bag"])
        bag.no_loss[list(vocab.no_loss)] = True
        bag.eval()
    meta = {k: ck.get(k) for k in ("preset", "step", "best_loss", "elapsed_s")}
    return LoadedModel(model, vocab, incidence, bag, meta, model_dir)


def sequence_sex(tokens: np.ndarray) -> np.ndarray:
    """(B,) FEMALE, MALE or PAD from padded (B, T) token rows."""
    female = (tokens == FEMALE).any(axis=1)
    male = (tokens == MALE).any(axis=1)
    return np.where(female, FEMALE, np.where(male, MALE, PAD))


@torch.no_grad()
def log_rates(lm: LoadedModel, scorer: str, age: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """(B, T, V) log-rates per year from 'model', 'bag' or 'age_sex' for padded (B, T) inputs."""
    if scorer == "model":
        return lm.model(torch.from_numpy(tokens), torch.from_numpy(age)).numpy()
    if scorer == "bag":
        if lm.bag is None:
            raise NotFound(f"{lm.path} has no baselines.pt")
        return lm.bag(torch.from_numpy(tokens), torch.from_numpy(age)).numpy()
    if scorer == "age_sex":
        if lm.incidence is None:
            raise NotFound(f"{lm.path} has no baselines.pt")
        sex = np.repeat(sequence_sex(tokens), tokens.shape[1])
        out = lm.incidence.log_rates(sex, np.clip(age, 0, None).reshape(-1))
        return out.reshape(*tokens.shape, -1).astype(np.float32)
    raise InvalidInput(f"unknown scorer {scorer!r}")
