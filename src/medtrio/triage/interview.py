"""Adaptive symptom interview: pick the next question by expected information gain.

State is the set of answered findings (yes / no / don't know). After each answer the posterior is
recomputed; the next question is the askable finding that most reduces the expected entropy of the
posterior over conditions. Red-flag findings of the still-plausible serious conditions are asked first
(safety before efficiency). The interview stops when the leading condition is confident enough, when
no question is worth asking, when a red flag has fired, or at the question budget. `undo` takes back
the last answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from medtrio.triage.engine import (
    DIFFERENTIAL_MIN_P,
    calibrate,
    expand_answers,
    fired_rules,
    log_posterior,
    normalise,
)
from medtrio.triage.knowledge import Finding, KnowledgeBase

STOP_CONFIDENCE = 0.95
MIN_GAIN = 1e-3  # nats: below this a question is not worth the patient's time
# a serious condition shown in the differential (calibrated p >= 0.01) gets its red-flag questions asked
SAFETY_MIN_P = DIFFERENTIAL_MIN_P


def _entropy(p: np.ndarray, axis: int = 0) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.nansum(np.where(p > 0, p * np.log(p), 0.0), axis=axis)


@dataclass
class Interview:
    """A running interview. `askable` limits questions to findings the patient can be asked."""

    kb: KnowledgeBase
    age: float | None = None
    sex: str | None = None
    lang: str = "en"
    max_questions: int = 20
    candidates: np.ndarray | None = None  # (C,) bool mask of conditions considered
    askable: frozenset[str] | None = None
    safety_first: bool = True
    stop_confidence: float = STOP_CONFIDENCE
    stop_on_red_flag: bool = True

    def __post_init__(self) -> None:
        self.given: dict[str, bool | None] = {}  # what the patient said up front (free text, chief complaint)
        self.answers: dict[str, bool | None] = {}  # answers to our questions, in order
        self._ask_idx = np.array([self.kb.finding_index[f] for f in self._askable_ids()], dtype=int)

    def _askable_ids(self) -> list[str]:
        ids = (
            self.kb.finding_ids
            if self.askable is None
            else [f for f in self.kb.finding_ids if f in self.askable]
        )
        return list(ids)

    # ---- state ---------------------------------------------------------------------------------
    def add_given(self, findings: dict[str, bool | None]) -> None:
        """Record findings the patient volunteered (they do not count as questions asked)."""
        self.given.update(findings)

    def known(self) -> dict[str, bool]:
        """All definite answers, with implications applied."""
        raw = {f: v for f, v in {**self.given, **self.answers}.items() if v is not None}
        return expand_answers(self.kb, raw)

    @property
    def questions_asked(self) -> int:
        return len(self.answers)

    def answer(self, finding: str, value: bool | None) -> None:
        """Record an answer: True (yes), False (no) or None (don't know)."""
        if finding not in self.kb.findings:
            raise KeyError(finding)
        self.answers[finding] = value

    def undo(self) -> str | None:
        """Take back the last answer; returns the finding whose answer was removed."""
        if not self.answers:
            return None
        last = next(reversed(self.answers))
        del self.answers[last]
        return last

    def posterior(self) -> np.ndarray:
        """Raw naive-Bayes posterior (drives question choice)."""
        return normalise(log_posterior(self.kb, self.known(), self.age, self.sex, self.candidates))

    def probabilities(self) -> np.ndarray:
        """Calibrated probabilities for reporting (see engine.REPORT_TEMPERATURE)."""
        return calibrate(self.posterior())

    # ---- question choice -----------------------------------------------------------------------
    def _unasked(self) -> np.ndarray:
        done = set(self.given) | set(self.answers) | set(self.known())
        return np.array([j for j in self._ask_idx if self.kb.finding_ids[j] not in done], dtype=int)

    def _safety_question(self, probs: np.ndarray, open_idx: np.ndarray) -> int | None:
        open_ids = {self.kb.finding_ids[j] for j in open_idx}
        serious = np.where((probs >= SAFETY_MIN_P) & (self.kb.urgency_rank == 3))[0]
        best, best_p = None, 0.0
        for ci in serious:
            for fid in self.kb.conditions[ci].red_flags:
                if fid in open_ids:
                    j = self.kb.finding_index[fid]
                    p_yes = float(probs @ self.kb.likelihood[:, j])
                    if p_yes > best_p:
                        best, best_p = j, p_yes
        return best

    def expected_gains(self, probs: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """(len(idx),) expected reduction in posterior entropy from asking each finding."""
        lik = self.kb.likelihood[:, idx]  # (C, Q)
        joint_yes = probs[:, None] * lik  # (C, Q)
        joint_no = probs[:, None] * (1 - lik)
        p_yes = joint_yes.sum(axis=0)  # (Q,)
        p_no = 1 - p_yes
        h_yes = _entropy(joint_yes / np.maximum(p_yes, 1e-300), axis=0)
        h_no = _entropy(joint_no / np.maximum(p_no, 1e-300), axis=0)
        return _entropy(probs) - (p_yes * h_yes + p_no * h_no)

    def next_question(self) -> Finding | None:
        """The next finding to ask about, or None when the interview should stop."""
        if self.questions_asked >= self.max_questions:
            return None
        known = self.known()
        if self.stop_on_red_flag and fired_rules(self.kb, known, self.age, self.sex):
            return None  # a red flag has fired: stop asking and send the patient on
        probs = self.posterior()
        if probs.max(initial=0) >= self.stop_confidence:
            return None
        open_idx = self._unasked()
        if open_idx.size == 0:
            return None
        if self.safety_first:
            j = self._safety_question(calibrate(probs), open_idx)
            if j is not None:
                return self.kb.findings[self.kb.finding_ids[j]]
        gains = self.expected_gains(probs, open_idx)
        k = int(np.argmax(gains))
        if gains[k] < MIN_GAIN:
            return None
        return self.kb.findings[self.kb.finding_ids[int(open_idx[k])]]

    def run(self, oracle, on_question=None) -> None:
        """Drive the interview with `oracle(finding_id) -> bool | None` until it stops."""
        while (q := self.next_question()) is not None:
            value = oracle(q.id)
            if on_question is not None:
                on_question(q, value)
            self.answer(q.id, value)


def candidate_mask(kb: KnowledgeBase, condition_ids: Iterable[str]) -> np.ndarray:
    """Boolean (C,) mask selecting the given conditions."""
    mask = np.zeros(len(kb.conditions), dtype=bool)
    for cid in condition_ids:
        mask[kb.condition_index[cid]] = True
    return mask
