"""The two baselines the trajectory model is judged against, fitted on the same training split.

(a) `AgeSexIncidence`: incidence rate of each token per year of age and sex (events / person-years at
    risk from birth to the last record), shrunk towards the 5-year band rate. Its "log-rates" are what
    a model knowing only age and sex would say.
(b) `BagOfCodes`: one L2-penalised logistic regression per disease (scikit-learn), "recorded within the
    next year" from the bag of codes seen so far, sex x 5-year age band, and age, fitted on random ages of
    the training patients. Its probabilities are turned into equivalent log-rates so it is scored by the
    same code as the transformer.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from medtrio.trajectory.data import DAYS_PER_YEAR, Cohort, insert_no_events
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
    """Multi-label logistic regression: P(disease k recorded within the next year | codes so far, sex, age).

    One logistic output per token on the multi-hot bag of codes seen up to the position, sex x 5-year
    age band and age. Its forward pass returns the equivalent constant log-rate, log(-log(1 - p)), so it
    is scored by the same code as the transformer.
    """

    def __init__(self, vocab_size: int, death_token: int) -> None:
        super().__init__()
        self.death_token = death_token
        self.code_w = nn.Embedding(vocab_size, vocab_size)
        self.age_sex_w = nn.Embedding(3 * N_BANDS, vocab_size)
        self.age_w = nn.Parameter(torch.zeros(vocab_size))
        nn.init.zeros_(self.code_w.weight)
        nn.init.zeros_(self.age_sex_w.weight)
        self.register_buffer("no_loss", torch.zeros(vocab_size, dtype=torch.bool), persistent=False)

    def logits(self, tokens: torch.Tensor, age: torch.Tensor) -> torch.Tensor:
        """(B, T, V) log-odds of each token within a year of each position."""
        counted = (tokens != PAD) & (tokens != NO_EVENT)
        bag = (self.code_w(tokens) * counted.unsqueeze(-1)).cumsum(dim=1)  # (B, T, V) codes never repeat
        sex = _sex_index(tokens).amax(dim=1, keepdim=True).expand_as(tokens)  # (B, T)
        band = (age.clamp(0, MAX_AGE) // AGE_BAND).long()
        return bag + self.age_sex_w(sex * N_BANDS + band) + age.unsqueeze(-1) / 50.0 * self.age_w

    def forward(self, tokens: torch.Tensor, age: torch.Tensor) -> torch.Tensor:
        """(B, T, V) log-rates per year equivalent to the 1-year probabilities: log(softplus(logit))."""
        rate = F.softplus(self.logits(tokens, age)).clamp(min=1e-12)
        return rate.log().masked_fill(self.no_loss, float("-inf"))


def _design(cohort: Cohort, vocab: Vocabulary, rng: np.random.Generator, per_patient: int, horizon: float):
    """Rows at random positions of the records with NO_EVENTs added (the kind of positions the evaluation
    scores), aged >= 40 with a year of follow-up or a recorded death: sparse features and labels."""
    from scipy import sparse

    V = len(vocab)
    rows, cols, labels_r, labels_c, extra = [], [], [], [], []
    n = 0
    for i in range(len(cohort)):
        ages, toks = insert_no_events(*cohort.patient(i), rng, 5.0)
        years = ages / DAYS_PER_YEAR
        died = bool((toks == vocab.death).any())
        end = years.max() if died else years.max() - horizon
        sex = int(_sex_index(toks[(toks == FEMALE) | (toks == MALE)][:1]).sum())
        candidates = np.flatnonzero((years >= 40) & (years <= end) & (toks != vocab.death))
        for p in rng.permutation(candidates)[:per_patient]:
            t = years[p]
            seen = toks[: p + 1][toks[: p + 1] != NO_EVENT]
            rows += [n] * len(seen)
            cols += seen.tolist()
            nxt = toks[(years > t) & (years <= t + horizon)]
            labels_r += [n] * len(nxt)
            labels_c += nxt.tolist()
            extra.append((V + sex * N_BANDS + min(int(t), MAX_AGE) // AGE_BAND, t / 50.0))
            n += 1
    n_feat = V + 3 * N_BANDS + 1
    r = rows + list(range(n)) + list(range(n))
    c = cols + [e[0] for e in extra] + [n_feat - 1] * n
    d = [1.0] * len(rows) + [1.0] * n + [e[1] for e in extra]
    X = sparse.csr_matrix((d, (r, c)), shape=(n, n_feat))
    Y = sparse.csc_matrix((np.ones(len(labels_r)), (labels_r, labels_c)), shape=(n, V))
    return X, Y


def fit_bag_of_codes(
    cohort: Cohort,
    vocab: Vocabulary,
    incidence: AgeSexIncidence,
    *,
    per_patient: int = 4,
    min_positives: int = 5,
    horizon_years: float = 1.0,
    seed: int = 7,
) -> BagOfCodes:
    """Fit one L2-penalised logistic regression per disease (scikit-learn, liblinear) on random positions.

    Diseases with fewer than `min_positives` positive rows keep the age-sex incidence (code weights zero).
    """
    from sklearn.linear_model import LogisticRegression

    V = len(vocab)
    model = BagOfCodes(V, vocab.death)
    model.no_loss[list(vocab.no_loss)] = True
    risk = 1.0 - np.exp(-np.exp(incidence.band_log_rates()))  # (3 * N_BANDS, V)
    age_sex = np.log(risk / (1.0 - risk))
    code_w = np.zeros((V, V))
    age_w = np.zeros(V)
    X, Y = _design(cohort, vocab, np.random.default_rng(seed), per_patient, horizon_years)
    for k in vocab.diseases:
        y = Y[:, k].toarray().ravel()
        if y.sum() < min_positives:
            continue
        lr = LogisticRegression(C=0.5, solver="liblinear", max_iter=200).fit(X, y)
        coef = lr.coef_[0]
        code_w[:, k] = coef[:V]
        age_sex[:, k] = coef[V : V + 3 * N_BANDS] + lr.intercept_[0]
        age_w[k] = coef[-1]
    with torch.no_grad():
        model.code_w.weight.copy_(torch.from_numpy(code_w))
        model.age_sex_w.weight.copy_(torch.from_numpy(age_sex))
        model.age_w.copy_(torch.from_numpy(age_w))
    return model.eval()
