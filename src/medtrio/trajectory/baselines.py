"""The two baselines the trajectory model is judged against, fitted on the same training split.

(a) `AgeSexIncidence`: incidence rate of each token per year of age and sex (events / person-years at
    risk from birth to the last record), shrunk towards the 5-year band rate. Its "log-rates" are what
    a model knowing only age and sex would say.
(b) `BagOfCodes`: a multinomial log-linear (softmax/logistic) regression on the bag of codes seen so far,
    sex x 5-year age band, and age; it outputs log-rates like the transformer and is trained with the
    same next-event + exponential waiting-time loss, so both are scored by the same code.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from medtrio.trajectory.data import DAYS_PER_YEAR, Cohort, make_batch
from medtrio.trajectory.model import trajectory_loss
from medtrio.trajectory.vocab import FEMALE, MALE, NO_EVENT, PAD, Vocabulary

MAX_AGE = 110
AGE_BAND = 5
N_BANDS = MAX_AGE // AGE_BAND + 1


def _sex_index(sex: np.ndarray | torch.Tensor):
    """0 unknown, 1 female, 2 male."""
    return (sex == FEMALE) * 1 + (sex == MALE) * 2


class AgeSexIncidence:
    """rates[sex_index, age_year, token] in events per person-year."""

    def __init__(self, rates: np.ndarray) -> None:
        self.rates = rates  # (3, MAX_AGE + 1, V)

    @classmethod
    def fit(cls, cohort: Cohort, vocab: Vocabulary, prior_person_years: float = 50.0) -> AgeSexIncidence:
        V = len(vocab)
        counts = np.zeros((3, MAX_AGE + 1, V))
        exposure = np.zeros((3, MAX_AGE + 1))
        years = np.arange(MAX_AGE + 1)
        for i, s in enumerate(_sex_index(cohort.sex())):
            ages, toks = cohort.patient(i)
            if len(ages) == 0:
                continue
            end = min(ages.max() / DAYS_PER_YEAR, MAX_AGE + 1 - 1e-6)
            exposure[s] += np.clip(end - years, 0.0, 1.0)
            a = np.minimum((ages / DAYS_PER_YEAR).astype(int), MAX_AGE)
            np.add.at(counts[s], (a, toks), 1.0)
        counts[0] += counts[1] + counts[2]  # "unknown sex" uses everyone
        exposure[0] += exposure[1] + exposure[2]
        band = years // AGE_BAND
        band_counts = np.stack([np.add.reduceat(c, np.arange(0, MAX_AGE + 1, AGE_BAND)) for c in counts])
        band_exp = np.stack([np.add.reduceat(e, np.arange(0, MAX_AGE + 1, AGE_BAND)) for e in exposure])
        band_rate = band_counts / np.maximum(band_exp, 1e-9)[..., None]  # (3, N_BANDS, V)
        prior = band_rate[:, band]  # (3, MAX_AGE+1, V)
        rates = (counts + prior_person_years * prior) / (exposure + prior_person_years)[..., None]
        rates[..., list(vocab.no_loss)] = 0.0
        return cls(rates)

    def band_log_rates(self) -> np.ndarray:
        """(3 * N_BANDS, V) log-rates per (sex, 5-year band), the bag-of-codes model's starting point."""
        bands = self.rates[:, ::AGE_BAND].reshape(3 * N_BANDS, -1)
        return np.log(np.maximum(bands, 1e-6))

    def log_rates(self, sex: np.ndarray, age_years: np.ndarray) -> np.ndarray:
        """(N, V) log-rates for N (sex token, age in years) pairs; rates floored at 1e-6 per year."""
        a = np.clip(age_years.astype(int), 0, MAX_AGE)
        return np.log(np.maximum(self.rates[_sex_index(sex), a], 1e-6))


class BagOfCodes(nn.Module):
    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.code_w = nn.Embedding(vocab_size, vocab_size)
        self.age_sex_w = nn.Embedding(3 * N_BANDS, vocab_size)
        self.age_w = nn.Parameter(torch.zeros(vocab_size))
        nn.init.zeros_(self.code_w.weight)
        nn.init.zeros_(self.age_sex_w.weight)
        self.register_buffer("no_loss", torch.zeros(vocab_size, dtype=torch.bool), persistent=False)

    def forward(self, tokens: torch.Tensor, age: torch.Tensor) -> torch.Tensor:
        """(B, T, V) log-rates from the codes up to each position, sex, age band and age."""
        counted = (tokens != PAD) & (tokens != NO_EVENT)
        bag = (self.code_w(tokens) * counted.unsqueeze(-1)).cumsum(dim=1)  # (B, T, V)
        sex = _sex_index(tokens).amax(dim=1, keepdim=True).expand_as(tokens)  # (B, T)
        band = (age.clamp(0, MAX_AGE) // AGE_BAND).long()
        logits = bag + self.age_sex_w(sex * N_BANDS + band) + age.unsqueeze(-1) / 50.0 * self.age_w
        return logits.masked_fill(self.no_loss, float("-inf"))

    def loss(self, tokens: torch.Tensor, age: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return trajectory_loss(self(tokens[:, :-1], age[:, :-1]), tokens, age, self.no_loss, PAD)


def fit_bag_of_codes(
    cohort: Cohort,
    vocab: Vocabulary,
    incidence: AgeSexIncidence,
    *,
    block_size: int,
    epochs: int = 3,
    batch_size: int = 256,
    lr: float = 0.01,
    weight_decay: float = 1e-4,
    seed: int = 7,
) -> BagOfCodes:
    """Fit the bag-of-codes regression with Adam (L2 penalty through weight decay).

    It starts from the age-sex incidence (code weights zero), so it learns what codes add to age and sex.
    """
    model = BagOfCodes(len(vocab))
    model.no_loss[list(vocab.no_loss)] = True
    with torch.no_grad():
        model.age_sex_w.weight.copy_(torch.from_numpy(incidence.band_log_rates()))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(cohort))
        for s in range(0, len(order), batch_size):
            age, tok = make_batch(cohort, order[s : s + batch_size], block_size, rng)
            ce, nll_t = model.loss(torch.from_numpy(tok), torch.from_numpy(age))
            opt.zero_grad(set_to_none=True)
            (ce + nll_t).backward()
            opt.step()
    return model.eval()
