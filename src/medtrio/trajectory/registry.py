"""The hospital's model registry: versioned trajectory models with their metrics; one is active.

Layout under `<data_dir>/trajectory/`: `models/v001/ ...` (model folders as written by training, plus
`eval.json` when evaluated) and `ACTIVE` (the active version's name). Activating another version is
how an administrator rolls back. Loading is cached per (version, checkpoint mtime).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from medtrio.errors import InvalidInput, NotFound
from medtrio.trajectory.scoring import LoadedModel, load_model


@dataclass(frozen=True)
class ModelEntry:
    version: str
    path: Path
    active: bool
    metadata: dict
    metrics: dict


def root_of(data_dir: Path) -> Path:
    return Path(data_dir) / "trajectory"


def list_models(root: Path) -> list[ModelEntry]:
    """Every registered version, oldest first, with training metadata and evaluation metrics."""
    models = Path(root) / "models"
    active = active_version(root)
    out = []
    for d in sorted(models.iterdir()) if models.is_dir() else []:
        if (d / "model.pt").is_file():
            meta = _json(d / "metadata.json")
            out.append(ModelEntry(d.name, d, d.name == active, meta, _json(d / "eval.json")))
    return out


def _json(p: Path) -> dict:
    return json.loads(p.read_text()) if p.is_file() else {}


def register(root: Path, model_dir: Path, *, activate_it: bool = True) -> str:
    """Copy a trained model folder in as the next version (and make it active by default)."""
    model_dir = Path(model_dir)
    if not (model_dir / "model.pt").is_file():
        raise InvalidInput(f"{model_dir} holds no model.pt")
    models = Path(root) / "models"
    models.mkdir(parents=True, exist_ok=True)
    n = 1 + max((int(d.name[1:]) for d in models.iterdir() if d.name[1:].isdigit()), default=0)
    version = f"v{n:03d}"
    tmp = models / f".{version}.tmp"
    shutil.copytree(model_dir, tmp, ignore=shutil.ignore_patterns("last.pt"))
    os.replace(tmp, models / version)
    if activate_it:
        activate(root, version)
    return version


def activate(root: Path, version: str) -> None:
    """Make `version` the model every forecast uses."""
    if not (Path(root) / "models" / version / "model.pt").is_file():
        raise NotFound(f"no trajectory model version {version!r}")
    tmp = Path(root) / ".ACTIVE.tmp"
    tmp.write_text(version)
    os.replace(tmp, Path(root) / "ACTIVE")


def active_version(root: Path) -> str | None:
    p = Path(root) / "ACTIVE"
    return p.read_text().strip() if p.is_file() else None


def load_active(root: Path) -> LoadedModel:
    """The active model, loaded once per checkpoint file."""
    version = active_version(root)
    if version is None:
        raise NotFound(
            "no trajectory model is active: train one (admin terminal or `medtrio train trajectory`)"
        )
    path = Path(root) / "models" / version
    if not (path / "model.pt").is_file():
        raise NotFound(f"the active trajectory model {version!r} is missing")
    return _load(str(path), (path / "model.pt").stat().st_mtime_ns)


def active_model(data_dir: Path) -> LoadedModel | None:
    """The active model of an installation's data folder, or None when none is active (callers that can
    do without a forecast, e.g. the case analysis)."""
    try:
        return load_active(root_of(data_dir))
    except NotFound:
        return None


@lru_cache(maxsize=4)
def _load(path: str, _mtime: int) -> LoadedModel:
    return load_model(Path(path))


def train_and_register(
    db,
    data_dir: Path,
    preset: str = "small",
    *,
    min_count: int = 5,  # noqa: ANN001
    max_minutes: float | None = None,
    max_steps: int | None = None,
    on_eval: Callable[[dict], None] | None = None,
    eval_fraction: float = 0.15,
) -> str:
    """Train on the event store, register the result as the next version, activate it (`medtrio demo`).

    `eval_fraction` of the patients are held out and the version's evaluation report is written with it."""
    import tempfile

    from medtrio.trajectory.sources import train_from_store

    root = root_of(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        train_from_store(
            db,
            Path(tmp),
            preset,
            min_count=min_count,
            max_minutes=max_minutes,
            max_steps=max_steps,
            on_eval=on_eval,
            eval_fraction=eval_fraction,
        )
        return register(root, Path(tmp))
