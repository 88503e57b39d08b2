"""Cohorts of token sequences and the batches the model trains on.

Delphi's binary format (`train.bin`, `val.bin`): a flat array of little-endian uint32 triples
`(patient_id, age_in_days, token)`, rows grouped by patient and sorted by age. The stored token is the
`labels.csv` id minus one (the file never holds padding), so the Female token (label 2) is stored as 1
and Death (label 1269) as 1268. Age 0 rows carry the sex token. There is no end-of-follow-up marker:
a patient's record ends at their last event.

A `Cohort` holds any source (Delphi file, MEDS, event store) in one shape: per-patient slices of
(age in days, vocabulary id) arrays. Batches add NO_EVENT tokens at random ages (about one per
`no_event_every_years` of observed life, as Delphi does), cut each record to `block_size + 1` tokens
keeping the leading sex/lifestyle tokens, and pad on the right with PAD.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from medtrio.errors import InvalidInput
from medtrio.trajectory.vocab import FEMALE, LIFESTYLE, MALE, NO_EVENT, PAD, Vocabulary

DAYS_PER_YEAR = 365.25
_STATIC = np.array([FEMALE, MALE, *LIFESTYLE])


@dataclass(frozen=True)
class Cohort:
    """Patients' events: patient i owns rows offsets[i]:offsets[i+1] of `ages` (days) and `tokens`."""

    patient_ids: np.ndarray  # (P,) int64
    offsets: np.ndarray  # (P+1,) int64
    ages: np.ndarray  # (E,) float64 days since birth
    tokens: np.ndarray  # (E,) int64 vocabulary ids

    def __len__(self) -> int:
        return len(self.patient_ids)

    def patient(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        s, e = self.offsets[i], self.offsets[i + 1]
        return self.ages[s:e], self.tokens[s:e]

    def subset(self, idx: np.ndarray) -> Cohort:
        parts = [self.patient(int(i)) for i in idx]
        lengths = np.array([len(a) for a, _ in parts], dtype=np.int64)
        return Cohort(
            self.patient_ids[idx],
            np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            np.concatenate([a for a, _ in parts]) if parts else np.zeros(0),
            np.concatenate([t for _, t in parts]) if parts else np.zeros(0, dtype=np.int64),
        )

    def sex(self) -> np.ndarray:
        """(P,) FEMALE, MALE or PAD (unknown) per patient."""
        out = np.full(len(self), PAD, dtype=np.int64)
        for i in range(len(self)):
            _, t = self.patient(i)
            hit = t[(t == FEMALE) | (t == MALE)]
            if len(hit):
                out[i] = hit[0]
        return out


def from_records(pids: np.ndarray, ages: np.ndarray, tokens: np.ndarray) -> Cohort:
    """Build a cohort from flat arrays in any order (sorted here by patient, then age)."""
    order = np.lexsort((ages, pids))
    pids, ages, tokens = pids[order], ages[order], tokens[order]
    uniq, starts = np.unique(pids, return_index=True)
    offsets = np.concatenate([starts, [len(pids)]]).astype(np.int64)
    return Cohort(uniq.astype(np.int64), offsets, ages.astype(np.float64), tokens.astype(np.int64))


def read_delphi_bin(path: Path, vocab: Vocabulary) -> Cohort:
    """Read a Delphi `.bin` file (see the module docstring); stored tokens are shifted by +1 here."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path} not found: the data folder must hold labels.csv and <split>.bin")
    raw = np.fromfile(path, dtype="<u4")
    if raw.size == 0 or raw.size % 3:
        raise InvalidInput(f"{path}: size is not a whole number of uint32 triples")
    d = raw.reshape(-1, 3).astype(np.int64)
    tokens = d[:, 2] + 1
    n_labels = len(vocab) - 1  # UNKNOWN is ours, not in the file
    if tokens.max() >= n_labels:
        raise InvalidInput(f"{path}: token {int(tokens.max()) - 1} is beyond labels.csv ({n_labels} labels)")
    return from_records(d[:, 0], d[:, 1].astype(np.float64), tokens)


def insert_no_events(
    ages: np.ndarray, tokens: np.ndarray, rng: np.random.Generator, every_years: float
) -> tuple[np.ndarray, np.ndarray]:
    """Add NO_EVENT tokens at uniform random ages up to the last event (about one per `every_years`)."""
    if every_years <= 0 or len(ages) == 0:
        return ages, tokens
    span = float(ages.max())
    n = rng.poisson(span / DAYS_PER_YEAR / every_years)
    if n == 0:
        return ages, tokens
    extra = np.sort(rng.uniform(1.0, max(span, 1.0), n))
    a = np.concatenate([ages, extra])
    t = np.concatenate([tokens, np.full(n, NO_EVENT, dtype=np.int64)])
    order = np.argsort(a, kind="stable")
    return a[order], t[order]


def crop(
    ages: np.ndarray, tokens: np.ndarray, length: int, rng: np.random.Generator | None
) -> tuple[np.ndarray, np.ndarray]:
    """Keep static tokens (sex, lifestyle) and a window of the rest: random if `rng`, else the latest."""
    if len(tokens) <= length:
        return ages, tokens
    static = np.isin(tokens, _STATIC)
    keep_static = np.flatnonzero(static)[: length // 2]
    rest = np.flatnonzero(~static)
    room = length - len(keep_static)
    start = int(rng.integers(0, len(rest) - room + 1)) if rng is not None else len(rest) - room
    idx = np.sort(np.concatenate([keep_static, rest[start : start + room]]))
    return ages[idx], tokens[idx]


def pad_batch(
    seqs: list[tuple[np.ndarray, np.ndarray]], length: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Stack (ages, tokens) pairs into (B, T) arrays, right-padded: ages in years, PAD tokens at age -1."""
    T = length or max((len(t) for _, t in seqs), default=1)
    tok = np.full((len(seqs), T), PAD, dtype=np.int64)
    age = np.full((len(seqs), T), -1.0, dtype=np.float32)
    for b, (a, t) in enumerate(seqs):
        tok[b, : len(t)] = t
        age[b, : len(t)] = a / DAYS_PER_YEAR
    return age, tok


def make_batch(
    cohort: Cohort,
    idx: np.ndarray,
    block_size: int,
    rng: np.random.Generator,
    no_event_every_years: float = 5.0,
    random_window: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Training/eval batch: (B, T<=block_size+1) ages (years) and tokens, NO_EVENTs inserted."""
    seqs = []
    for i in idx:
        a, t = cohort.patient(int(i))
        a, t = insert_no_events(a, t, rng, no_event_every_years)
        seqs.append(crop(a, t, block_size + 1, rng if random_window else None))
    return pad_batch(seqs)
