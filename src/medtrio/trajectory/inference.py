"""Forecasts for one patient, and fast scoring of many.

`forecast` turns a history (ages in days, vocabulary ids) into: the risk of the top diseases within
1, 5 and 10 years with an uncertainty band, the most likely next events, K sampled futures, and for
each top risk the past events that drive it (leave-one-out: the change in the predicted log-rate when
that one event is removed). A history without clinical events gets the age-sex prior of the
training data, labelled as such.

Risk within h years is 1 - exp(-rate * h) with the rate predicted now, held constant (Delphi's
conversion); the band is the 10th-90th percentile over Monte-Carlo dropout passes. Sampled futures
draw competing exponential waiting times for every token, take the earliest, append it and repeat
(Delphi's sampler); diseases already recorded are not drawn again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from medtrio.trajectory.data import DAYS_PER_YEAR, crop, pad_batch
from medtrio.trajectory.scoring import LoadedModel
from medtrio.trajectory.vocab import FEMALE, MALE, NO_EVENT, PAD

HORIZONS_YEARS = (1.0, 5.0, 10.0)


@dataclass(frozen=True)
class Driver:
    token: int
    name: str
    age_years: float
    effect: float  # change in log-rate when this event is left out (positive: it raises the risk)


@dataclass(frozen=True)
class DiseaseRisk:
    token: int
    name: str
    rate_per_year: float
    risk: dict[str, float]  # "1y", "5y", "10y"
    low: dict[str, float]
    high: dict[str, float]
    drivers: tuple[Driver, ...] = ()


@dataclass(frozen=True)
class Forecast:
    age_years: float
    basis: str  # "model" or "age-sex prior (no clinical history)"
    risks: tuple[DiseaseRisk, ...]
    next_events: tuple[tuple[str, float], ...]  # (name, probability that it is the next event)
    samples: tuple[tuple[tuple[float, str], ...], ...]  # K futures of (age in years, event name)
    unknown_codes: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0


def _query(
    ages_days: np.ndarray, tokens: np.ndarray, now_days: float, block: int
) -> tuple[np.ndarray, np.ndarray]:
    """The history up to `now` with a NO_EVENT at `now`, so the rates are read at the present age."""
    keep = ages_days <= now_days
    a, t = ages_days[keep], tokens[keep]
    now = max(now_days, float(a.max()) + 1.0) if len(a) else now_days
    return crop(np.append(a, now), np.append(t, NO_EVENT), block, None)


def _risk(rate: np.ndarray, h: float) -> np.ndarray:
    return 1.0 - np.exp(-rate * h)


@torch.no_grad()
def forecast(
    lm: LoadedModel,
    ages_days: np.ndarray,
    tokens: np.ndarray,
    now_days: float,
    *,
    top: int = 10,
    n_samples: int = 0,
    mc_passes: int = 16,
    explain: bool = True,
    seed: int = 0,
    unknown_codes: tuple[str, ...] = (),
) -> Forecast:
    """Forecast one patient at age `now_days` (see the module docstring)."""
    t0 = time.monotonic()
    vocab, model = lm.vocab, lm.model
    ages_days, tokens = np.asarray(ages_days, dtype=np.float64), np.asarray(tokens, dtype=np.int64)
    diseases = np.array(vocab.diagnoses)
    had = np.isin(diseases, tokens[ages_days <= now_days])
    clinical = np.isin(tokens[ages_days <= now_days], np.array(vocab.diseases)).any()  # medicines count too
    notes = (
        [f"{len(unknown_codes)} code(s) not in the model's vocabulary were ignored"] if unknown_codes else []
    )
    age_y = now_days / DAYS_PER_YEAR
    if not clinical:
        if lm.incidence is None:
            notes.append("no clinical history and no age-sex prior in this model folder")
            return Forecast(age_y, "age-sex prior (unavailable)", (), (), (), unknown_codes, tuple(notes))
        sex = np.array([FEMALE if FEMALE in tokens else MALE if MALE in tokens else PAD])
        logr = lm.incidence.log_rates(sex, np.array([age_y]))[0]
        rates = np.exp(logr[diseases])
        risks = tuple(
            DiseaseRisk(
                int(k),
                vocab.names[k],
                float(r),
                *([{f"{h:g}y": float(_risk(r, h)) for h in HORIZONS_YEARS}] * 3),
            )
            for k, r in sorted(zip(diseases, rates, strict=True), key=lambda x: -x[1])[:top]
        )
        notes.append(
            "no clinical history: these are average rates for this age and sex, not a personal forecast"
        )
        return Forecast(
            age_y,
            "age-sex prior (no clinical history)",
            risks,
            (),
            (),
            unknown_codes,
            tuple(notes),
            time.monotonic() - t0,
        )
    a, t = _query(ages_days, tokens, now_days, model.cfg.block_size)
    # one batch holds the history and, for the explanation, the history with each past event left out
    past = [i for i in range(len(t) - 1) if t[i] not in (NO_EVENT, PAD)] if explain else []
    seqs = [(a, t)] + [(np.delete(a, i), np.delete(t, i)) for i in past]
    out = _last_rates(lm, seqs)  # (1 + n_past, V)
    logits = out[0]
    rates = np.exp(logits[diseases])
    rates[had] = 0.0  # a recorded disease is not forecast again
    order = np.argsort(-rates)[:top]
    low, high = _mc_band(lm, a, t, diseases[order], mc_passes, seed, rates[order])
    drivers = _drivers(lm, a, t, past, out[:, diseases[order]]) if explain else [()] * len(order)
    risks = tuple(
        DiseaseRisk(
            int(diseases[i]),
            vocab.names[diseases[i]],
            float(rates[i]),
            {f"{h:g}y": float(_risk(rates[i], h)) for h in HORIZONS_YEARS},
            {f"{h:g}y": float(_risk(low[n], h)) for h in HORIZONS_YEARS},
            {f"{h:g}y": float(_risk(high[n], h)) for h in HORIZONS_YEARS},
            drivers[n],
        )
        for n, i in enumerate(order)
    )
    probs = np.exp(logits - np.logaddexp.reduce(logits[np.isfinite(logits)]))
    nxt = tuple((vocab.names[k], float(probs[k])) for k in np.argsort(-probs)[:5])
    samples = sample_futures(lm, a, t, n_samples, seed=seed) if n_samples else ()
    return Forecast(age_y, "model", risks, nxt, samples, unknown_codes, tuple(notes), time.monotonic() - t0)


def _last_rates(lm: LoadedModel, seqs: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """(N, V) log-rates at the end of each (ages in days, tokens) sequence, one padded batch."""
    age, tok = pad_batch(seqs)
    last = torch.tensor([len(s[1]) - 1 for s in seqs])
    return lm.model.last_log_rates(torch.from_numpy(tok), torch.from_numpy(age), last).numpy()


def _mc_band(
    lm: LoadedModel, a: np.ndarray, t: np.ndarray, ks: np.ndarray, passes: int, seed: int, point: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """10th and 90th percentile of the rates of `ks` over dropout-on passes (`point` if none)."""
    model = lm.model
    if passes <= 1 or model.cfg.dropout == 0:
        return point, point
    torch.manual_seed(seed)
    model.train()
    try:
        r = np.exp(_last_rates(lm, [(a, t)] * passes)[:, ks])  # (passes, K)
    finally:
        model.eval()
    return np.quantile(r, 0.1, axis=0), np.quantile(r, 0.9, axis=0)


def _drivers(
    lm: LoadedModel, a: np.ndarray, t: np.ndarray, past: list[int], out: np.ndarray, top: int = 3
) -> list[tuple[Driver, ...]]:
    """Per disease column of `out` (row 0: the history; row 1 + n: without past event n), the `top`
    past events whose removal lowers its log-rate most."""
    if not past:
        return [()] * out.shape[1]
    vocab = lm.vocab
    effect = out[0] - out[1:]  # (n_past, K)
    result = []
    for j in range(out.shape[1]):
        best = np.argsort(-effect[:, j])[:top]
        result.append(
            tuple(
                Driver(
                    int(t[past[i]]),
                    vocab.names[t[past[i]]],
                    float(a[past[i]] / DAYS_PER_YEAR),
                    float(effect[i, j]),
                )
                for i in best
                if effect[i, j] > 0
            )
        )
    return result


@torch.no_grad()
def sample_futures(
    lm: LoadedModel,
    a: np.ndarray,
    t: np.ndarray,
    k: int,
    *,
    horizon_years: float = 10.0,
    max_events: int = 24,
    seed: int = 0,
) -> tuple[tuple[tuple[float, str], ...], ...]:
    """K futures from the query sequence (a, t): competing exponential waiting times, no repeats."""
    vocab, model = lm.vocab, lm.model
    rng = torch.Generator().manual_seed(seed)
    age0, tok0 = pad_batch([(a, t)])
    tok = torch.from_numpy(np.repeat(tok0, k, 0))
    age = torch.from_numpy(np.repeat(age0, k, 0))
    end = float(age0[0, -1]) + horizon_years
    seen = torch.zeros(k, len(vocab), dtype=torch.bool)
    seen.scatter_(1, tok, True)
    seen[:, NO_EVENT] = False
    alive = torch.ones(k, dtype=torch.bool)
    futures: list[list[tuple[float, str]]] = [[] for _ in range(k)]
    for _ in range(max_events):
        tk, ag = tok[:, -model.cfg.block_size :], age[:, -model.cfg.block_size :]
        logits = model.last_log_rates(tk, ag, torch.full((k,), tk.shape[1] - 1))  # (K, V)
        logits = logits.masked_fill(seen, float("-inf"))
        wait = -torch.log(torch.rand(logits.shape, generator=rng)) / logits.exp()  # (K, V) waiting times
        dt, nxt = wait.min(dim=1)
        new_age = age[:, -1] + dt
        alive &= new_age <= end
        if not alive.any():
            break
        for i in torch.nonzero(alive).flatten().tolist():
            if nxt[i] != NO_EVENT:
                futures[i].append((round(float(new_age[i]), 2), vocab.names[int(nxt[i])]))
        seen[torch.arange(k), nxt] = True
        seen[:, NO_EVENT] = False
        alive &= nxt != vocab.death
        tok = torch.cat([tok, nxt[:, None]], 1)
        age = torch.cat([age, new_age[:, None].float()], 1)
    return tuple(tuple(f) for f in futures)


@torch.no_grad()
def score_cohort_end(
    lm: LoadedModel, seqs: list[tuple[np.ndarray, np.ndarray]], batch_size: int = 512
) -> np.ndarray:
    """(N, V) log-rates at the end of each (ages in days, tokens) history: the batch-scoring path.

    Only the last position of each history goes through the output head (the head is most of the cost).
    """
    block = lm.model.cfg.block_size
    cropped = [crop(a, t, block, None) for a, t in seqs]
    order = np.argsort([len(t) for _, t in cropped], kind="stable")  # similar lengths: little padding
    out = np.empty((len(seqs), len(lm.vocab)), dtype=np.float32)
    for s in range(0, len(seqs), batch_size):
        idx = order[s : s + batch_size]
        out[idx] = _last_rates(lm, [cropped[i] for i in idx])  # (B, V)
    return out
