"""Training: presets, the loop (CPU or CUDA with bf16 autocast, torchrun DDP), checkpoints, early stop.

A model folder holds `model.pt` (best holdout loss), `last.pt` (to resume), `train_log.jsonl` (one line
per evaluation), `baselines.pt` (the two baselines, fitted on the same training patients) and
`metadata.json`. Early stopping watches the loss on a holdout of the *training* patients, so the
evaluation split is never used to choose the model.

Run on several GPUs/nodes with `torchrun --nproc_per_node=N -m medtrio.cli train trajectory ...`:
each rank draws different batches; rank 0 writes the files.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import yaml

from medtrio.errors import Conflict, InvalidInput
from medtrio.trajectory.baselines import AgeSexIncidence, fit_bag_of_codes
from medtrio.trajectory.data import Cohort, make_batch
from medtrio.trajectory.model import ModelConfig, TrajectoryGPT, trajectory_loss
from medtrio.trajectory.vocab import Vocabulary


@dataclass(frozen=True)
class TrainConfig:
    batch_size: int
    lr: float
    min_lr: float
    weight_decay: float
    warmup_steps: int
    max_steps: int
    eval_every: int
    patience: int
    max_minutes: float
    no_event_every_years: float
    holdout_fraction: float
    seed: int = 1337


@dataclass(frozen=True)
class TrainResult:
    out_dir: Path
    steps: int
    best_holdout_loss: float
    seconds: float
    n_params: int
    stopped: str  # "early-stop", "max-steps" or "time-budget"


def load_preset(name: str) -> tuple[dict, TrainConfig]:
    """Model sizes and training settings of a preset in presets.yaml."""
    presets = yaml.safe_load(resources.files("medtrio.trajectory").joinpath("presets.yaml").read_text())
    if name not in presets:
        raise InvalidInput(f"unknown preset {name!r}; choose one of {', '.join(presets)}")
    return dict(presets[name]["model"]), TrainConfig(**presets[name]["train"])


def _lr_at(step: int, tc: TrainConfig) -> float:
    if step < tc.warmup_steps:
        return tc.lr * (step + 1) / tc.warmup_steps
    frac = min(1.0, (step - tc.warmup_steps) / max(1, tc.max_steps - tc.warmup_steps))
    return tc.min_lr + 0.5 * (1 + math.cos(math.pi * frac)) * (tc.lr - tc.min_lr)


def _device(choice: str) -> torch.device:
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(choice)


@torch.no_grad()
def holdout_loss(
    model: torch.nn.Module,
    cohort: Cohort,
    block_size: int,
    every_years: float,
    device: torch.device,
    batch_size: int = 256,
) -> float:
    """Mean (cross-entropy + waiting-time) loss on `cohort`, NO_EVENTs placed with a fixed seed."""
    model.eval()
    rng = np.random.default_rng(0)
    total, n = 0.0, 0
    for s in range(0, len(cohort), batch_size):
        idx = np.arange(s, min(s + batch_size, len(cohort)))
        age, tok = make_batch(cohort, idx, block_size, rng, every_years, random_window=False)
        ce, nt = model.loss(torch.from_numpy(tok).to(device), torch.from_numpy(age).to(device))
        total += float(ce + nt) * len(idx)
        n += len(idx)
    model.train()
    return total / max(n, 1)


def save_checkpoint(
    path: Path, model: TrajectoryGPT, vocab: Vocabulary, tc: TrainConfig, preset: str, **state: object
) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "model_config": model.cfg.to_dict(),
            "train_config": asdict(tc),
            "preset": preset,
            "vocab": vocab.to_json(),
            "model": model.state_dict(),
            **state,
        },
        tmp,
    )
    os.replace(tmp, path)  # never leave a half-written checkpoint


def train(
    cohort: Cohort,
    vocab: Vocabulary,
    out_dir: Path,
    preset: str = "small",
    *,
    resume: bool = False,
    device: str = "auto",
    max_minutes: float | None = None,
    max_steps: int | None = None,
    progress: bool = True,
    on_eval: Callable[[dict], None] | None = None,
) -> TrainResult:
    """Train a trajectory model on `cohort` and write the model folder (see the module docstring).

    `on_eval`, when given, receives each evaluation's log record plus `fraction`, the share of the step or
    time budget used so far (whichever is larger): the admin job's progress bar."""
    model_kw, tc = load_preset(preset)
    if max_minutes is not None or max_steps is not None:
        tc = TrainConfig(
            **{
                **asdict(tc),
                "max_minutes": max_minutes or tc.max_minutes,
                "max_steps": max_steps or tc.max_steps,
            }
        )
    if len(cohort) < 10:
        raise InvalidInput(f"only {len(cohort)} patients: at least 10 are needed to train a trajectory model")
    out_dir = Path(out_dir)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    dev = _device(device)
    if world > 1:
        dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
        if dev.type == "cuda":
            dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(dev)
    rng = np.random.default_rng(tc.seed)
    perm = rng.permutation(len(cohort))
    n_hold = max(1, int(len(cohort) * tc.holdout_fraction))
    fit_set, hold_set = cohort.subset(np.sort(perm[n_hold:])), cohort.subset(np.sort(perm[:n_hold]))
    cfg = ModelConfig(vocab_size=len(vocab), no_loss_tokens=vocab.no_loss, **model_kw)
    torch.manual_seed(tc.seed)
    model = TrajectoryGPT(cfg).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=tc.lr, weight_decay=tc.weight_decay, betas=(0.9, 0.99))
    step, best, bad, elapsed_before = 0, float("inf"), 0, 0.0
    out_dir.mkdir(parents=True, exist_ok=True)
    if resume and (out_dir / "last.pt").exists():
        ck = torch.load(out_dir / "last.pt", map_location=dev, weights_only=False)
        if ck["model_config"] != cfg.to_dict() or Vocabulary.from_json(ck["vocab"]) != vocab:
            raise Conflict(
                f"{out_dir}/last.pt was trained with another configuration or vocabulary; "
                "use a new --out folder or the same preset and data"
            )
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, best, bad, elapsed_before = ck["step"], ck["best_loss"], ck["bad_evals"], ck["elapsed_s"]
    elif rank == 0:
        (out_dir / "train_log.jsonl").write_text("")
    net = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[dev.index] if dev.type == "cuda" else None
        )
    amp = (
        torch.autocast("cuda", dtype=torch.bfloat16)
        if dev.type == "cuda"
        else torch.autocast("cpu", enabled=False)
    )
    batch_rng = np.random.default_rng(tc.seed + 1000 * rank + step)
    start = time.monotonic()
    stopped = "max-steps"
    bar = _progress(progress and rank == 0, tc.max_steps, step)
    order, pos = batch_rng.permutation(len(fit_set)), 0
    model.train()
    while step < tc.max_steps:
        if pos + tc.batch_size > len(order):
            order, pos = batch_rng.permutation(len(fit_set)), 0
        idx = order[pos : pos + tc.batch_size]
        pos += tc.batch_size
        age, tok = make_batch(fit_set, idx, cfg.block_size, batch_rng, tc.no_event_every_years)
        for g in opt.param_groups:
            g["lr"] = _lr_at(step, tc)
        t, a = torch.from_numpy(tok).to(dev), torch.from_numpy(age).to(dev)
        with amp:  # under DDP the forward must go through the wrapper so gradients are all-reduced
            logits = net(t[:, :-1], a[:, :-1])
            ce, nll_t = trajectory_loss(logits, t, a, model.no_loss, cfg.pad_token)
        opt.zero_grad(set_to_none=True)
        (ce + nll_t).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        bar.update(step, f"loss {(ce + nll_t).item():.3f}")
        elapsed = elapsed_before + time.monotonic() - start
        out_of_time = elapsed > tc.max_minutes * 60
        if world > 1:  # every rank must stop at the same step, or the others wait in all-reduce forever
            flag = torch.tensor([float(out_of_time)], device=dev)
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
            out_of_time = bool(flag.item())
        if step % tc.eval_every == 0 or step == tc.max_steps or out_of_time:
            loss = holdout_loss(model, hold_set, cfg.block_size, tc.no_event_every_years, dev)
            if world > 1:  # one loss for all ranks, so early stopping cannot split them (GPU sums vary)
                t_loss = torch.tensor([loss], device=dev)
                dist.all_reduce(t_loss)
                loss = float(t_loss.item()) / world
            improved = loss < best - 1e-4
            best, bad = (loss, 0) if improved else (best, bad + 1)
            if rank == 0:
                record = {
                    "step": step,
                    "holdout_loss": round(loss, 5),
                    "train_loss": round((ce + nll_t).item(), 5),
                    "elapsed_s": round(elapsed, 1),
                }
                with open(out_dir / "train_log.jsonl", "a") as f:
                    f.write(json.dumps(record) + "\n")
                if on_eval is not None:
                    used = max(step / tc.max_steps, elapsed / (tc.max_minutes * 60))
                    on_eval({**record, "fraction": min(1.0, used)})
                state = {"step": step, "best_loss": best, "bad_evals": bad, "elapsed_s": elapsed}
                if improved:
                    save_checkpoint(out_dir / "model.pt", model, vocab, tc, preset, **state)
                save_checkpoint(
                    out_dir / "last.pt", model, vocab, tc, preset, optimizer=opt.state_dict(), **state
                )
            if bad >= tc.patience:
                stopped = "early-stop"
                break
            if out_of_time:
                stopped = "time-budget"
                break
    bar.close()
    seconds = elapsed_before + time.monotonic() - start
    if rank == 0:
        if not (out_dir / "model.pt").exists():
            save_checkpoint(
                out_dir / "model.pt",
                model,
                vocab,
                tc,
                preset,
                step=step,
                best_loss=best,
                bad_evals=bad,
                elapsed_s=seconds,
            )
        t0 = time.monotonic()
        save_baselines(out_dir, fit_set, vocab, cfg.block_size)
        meta = {
            "preset": preset,
            "n_params": model.num_params(),
            "steps": step,
            "stopped": stopped,
            "best_holdout_loss": best,
            "train_seconds": round(seconds, 1),
            "baseline_fit_seconds": round(time.monotonic() - t0, 1),
            "n_train_patients": len(fit_set),
            "n_holdout_patients": len(hold_set),
            "device": str(dev),
            "world_size": world,
            "torch_threads": torch.get_num_threads(),
            "model_config": cfg.to_dict(),
        }
        (out_dir / "metadata.json").write_text(json.dumps(meta, indent=2))
    if world > 1:
        dist.destroy_process_group()
    return TrainResult(out_dir, step, best, seconds, model.num_params(), stopped)


def save_baselines(out_dir: Path, cohort: Cohort, vocab: Vocabulary, block_size: int) -> None:
    """Fit both baselines on the model's training patients and save them beside the model."""
    inc = AgeSexIncidence.fit(cohort, vocab)
    bag = fit_bag_of_codes(cohort, vocab, inc)
    torch.save(
        {
            "incidence_rates": torch.from_numpy(inc.rates).float(),
            "bag": bag.state_dict(),
            "vocab_size": len(vocab),
        },
        out_dir / "baselines.pt",
    )


class _progress:
    """A rich progress bar, or nothing when disabled (tests, non-zero DDP ranks)."""

    def __init__(self, enabled: bool, total: int, done: int) -> None:
        self.bar = None
        if enabled:
            from rich.progress import Progress

            self.bar = Progress()
            self.bar.start()
            self.task = self.bar.add_task("training", total=total, completed=done)

    def update(self, step: int, text: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=step, description=f"training ({text})")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
