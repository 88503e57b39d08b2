"""Bayesian differential, red-flag rules and urgency decision of the triage engine.

Model: naive Bayes over the knowledge base's conditions with age/sex-weighted priors. Every answered
finding contributes P(f | c) when present and 1 - P(f | c) when absent, so "no" answers count.
Red-flag rules are evaluated on the positive findings separately and set the urgency on their own:
the differential can raise urgency but can never lower what a red flag demands.
References: Heckerman's Pathfinder (naive-Bayes differential, 1992); Semigran et al., BMJ 2015
(symptom-checker audit, which motivates escalate-on-doubt); the guidelines cited in data/*.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from medtrio.triage.knowledge import AGE_BANDS, URGENCY_LEVELS, KnowledgeBase, RedFlagRule

DIFFERENTIAL_MIN_P = 0.01  # conditions below this are left out of the differential (DDXPlus convention)
ESCALATE_AT = 0.2  # a condition at least this likely lifts the urgency to its own level
UNCERTAIN_TOP = 0.3  # when even the leading condition is this unlikely, advise seeing a doctor
# Naive Bayes counts correlated findings (cough and sputum, fever and chills) as independent evidence,
# so its raw posteriors are over-confident. Probabilities shown to people and scored as a differential
# are temperature-scaled (p ** (1/T), renormalised; Guo et al., ICML 2017), which keeps the ranking
# and widens the differential. T = 2 (square root) is a round a-priori value; docs/triage.md reports
# the DDXPlus figures at T = 1 as well. Question choice inside the interview uses the raw posterior.
REPORT_TEMPERATURE = 2.0


def age_band(age: float | None) -> int | None:
    """Index into AGE_BANDS (infant <2, child 2-15, adult 16-64, older >=65) or None when unknown."""
    if age is None:
        return None
    return 0 if age < 2 else 1 if age < 16 else 2 if age < 65 else 3


def log_prior(kb: KnowledgeBase, age: float | None, sex: str | None) -> np.ndarray:
    """(C,) log prior from relative prevalence times the age-band and sex weights."""
    prior = kb.prevalence.copy()
    band = age_band(age)
    if band is not None:
        prior = prior * kb.age_weights[:, band]
    if sex in ("F", "M"):
        prior = prior * kb.sex_weights[:, 0 if sex == "F" else 1]
    with np.errstate(divide="ignore"):
        return np.log(prior)


def expand_answers(kb: KnowledgeBase, answers: Mapping[str, bool]) -> dict[str, bool]:
    """Apply the implication table: a "yes" makes ancestors "yes"; a "no" makes descendants "no"."""
    out = dict(answers)
    for fid, value in answers.items():
        for other in (kb.parents if value else kb.children).get(fid, ()):
            out.setdefault(other, value)
    return out


def log_posterior(
    kb: KnowledgeBase,
    answers: Mapping[str, bool],
    age: float | None,
    sex: str | None,
    candidates: np.ndarray | None = None,
) -> np.ndarray:
    """(C,) unnormalised log posterior; `candidates` is an optional boolean mask of allowed conditions."""
    loglik = np.zeros(len(kb.conditions))
    yes = [kb.finding_index[f] for f, v in answers.items() if v is True]
    no = [kb.finding_index[f] for f, v in answers.items() if v is False]
    if yes:
        loglik = loglik + np.log(kb.likelihood[:, yes]).sum(axis=1)
    if no:
        loglik = loglik + np.log1p(-kb.likelihood[:, no]).sum(axis=1)
    logp = log_prior(kb, age, sex) + loglik
    if candidates is not None:
        logp = np.where(candidates, logp, -np.inf)
    return logp


def normalise(logp: np.ndarray) -> np.ndarray:
    finite = np.isfinite(logp)
    if not finite.any():
        return np.zeros_like(logp)
    p = np.exp(logp - logp[finite].max())
    return p / p.sum()


def calibrate(probs: np.ndarray, temperature: float = REPORT_TEMPERATURE) -> np.ndarray:
    """Temperature-scaled probabilities for reporting (same ranking as `probs`)."""
    if probs.sum() == 0:
        return probs
    with np.errstate(divide="ignore"):
        logp = np.log(probs) / temperature
    return normalise(logp)


@dataclass(frozen=True)
class Evidence:
    """One answered finding's weight for or against a condition (likelihood ratio vs. the leak)."""

    finding: str
    name: str
    present: bool
    ratio: float


@dataclass(frozen=True)
class Candidate:
    condition: str
    name: str
    icd10: str
    probability: float
    urgency: str
    department: str
    for_: tuple[Evidence, ...]
    against: tuple[Evidence, ...]
    sources: tuple[str, ...]


def explain(
    kb: KnowledgeBase, ci: int, answers: Mapping[str, bool], lang: str = "en", limit: int = 4
) -> tuple[tuple[Evidence, ...], tuple[Evidence, ...]]:
    """Findings that speak for and against condition `ci`, strongest first."""
    pro, con = [], []
    for fid, value in answers.items():
        if value is None:
            continue
        j = kb.finding_index[fid]
        lik, base = kb.likelihood[ci, j], kb.base[j]
        ratio = float(lik / base) if value else float((1 - lik) / (1 - base))
        ev = Evidence(fid, kb.findings[fid].name(lang), bool(value), ratio)
        if ratio >= 2:
            pro.append(ev)
        elif ratio <= 0.5:
            con.append(ev)
    pro.sort(key=lambda e: -e.ratio)
    con.sort(key=lambda e: e.ratio)
    return tuple(pro[:limit]), tuple(con[:limit])


def differential(
    kb: KnowledgeBase,
    probs: np.ndarray,
    answers: Mapping[str, bool],
    lang: str = "en",
    top: int = 10,
    min_p: float = DIFFERENTIAL_MIN_P,
) -> list[Candidate]:
    """The most probable conditions (at least `min_p`, at most `top`) with their explanations."""
    order = np.argsort(-probs)[:top]
    out = []
    for ci in order:
        if probs[ci] < min_p:
            break
        c = kb.conditions[ci]
        pro, con = explain(kb, int(ci), answers, lang)
        out.append(
            Candidate(
                c.id,
                c.name(lang),
                c.icd10,
                float(probs[ci]),
                c.urgency,
                c.departments[0],
                pro,
                con,
                c.sources,
            )
        )
    return out


def fired_rules(
    kb: KnowledgeBase, answers: Mapping[str, bool], age: float | None, sex: str | None
) -> list[RedFlagRule]:
    """Red-flag rules whose conditions hold on the positive answers (unknown age/sex never blocks)."""
    yes = {f for f, v in answers.items() if v is True}
    out = []
    for r in kb.rules:
        if r.all_of and not set(r.all_of) <= yes:
            continue
        if r.any_of and not yes.intersection(r.any_of):
            continue
        if age is not None and (
            (r.age_min is not None and age < r.age_min) or (r.age_max is not None and age > r.age_max)
        ):
            continue
        if r.age_max is not None and age is None:
            continue  # age-limited infant rules need a known age
        if r.sex and sex and sex != r.sex:
            continue
        out.append(r)
    return out


def decide_urgency(kb: KnowledgeBase, probs: np.ndarray, rules: Iterable[RedFlagRule]) -> tuple[str, str]:
    """(urgency, reason). Red flags first; then any condition >= ESCALATE_AT; then the leader."""
    rules = list(rules)
    if rules:
        level = max(URGENCY_LEVELS.index(r.urgency) for r in rules)
        return URGENCY_LEVELS[level], "red_flag"
    if probs.sum() == 0:
        return "routine", "no_information"
    top = int(np.argmax(probs))
    level = int(kb.urgency_rank[top])
    likely = probs >= ESCALATE_AT
    if likely.any():
        level = max(level, int(kb.urgency_rank[likely].max()))
    reason = "differential"
    if probs[top] < UNCERTAIN_TOP and level < URGENCY_LEVELS.index("routine"):
        level, reason = URGENCY_LEVELS.index("routine"), "uncertain"
    return URGENCY_LEVELS[level], reason


def recommend_department(kb: KnowledgeBase, urgency: str, leader: Candidate | None, age: float | None) -> str:
    """Emergency department for emergencies; otherwise the leading condition's first non-ED department."""
    if urgency == "emergency":
        return "emergency"
    if leader is None:
        return "paediatrics" if age is not None and age < 16 else "general_practice"
    depts = [d for d in kb.condition(leader.condition).departments if d != "emergency"] or [
        "general_practice"
    ]
    dept = depts[0]
    if age is not None and age < 16 and dept in ("general_practice", "internal_medicine"):
        dept = "paediatrics"
    return dept


__all__ = [
    "AGE_BANDS",
    "Candidate",
    "Evidence",
    "age_band",
    "calibrate",
    "decide_urgency",
    "differential",
    "expand_answers",
    "explain",
    "fired_rules",
    "log_posterior",
    "log_prior",
    "normalise",
    "recommend_department",
]
