"""Offline extractive evidence summary: the sentences of the retrieved passages that best answer the question,
grouped by claim, each with its citation, and groups whose sources point in opposite directions flagged.

No text is generated: every sentence shown is copied from a retrieved passage and cites that passage's
document ([PMID] for PubMed). Sentence relevance combines the share of the question's content words a
sentence contains with its embedding similarity when an embedder is given (Maximal-marginal-style greedy
grouping; Carbonell & Goldstein, SIGIR 1998). Polarity cues (data/polarity_cues.yaml) only flag a possible
conflict for the reader; they never decide which side is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import yaml

from medtrio.literature.chunking import sentences
from medtrio.literature.embed import Embedder
from medtrio.literature.records import Hit
from medtrio.literature.retrieve import stopwords

DISCLAIMER = (
    "Extractive summary of the retrieved literature, not medical advice: read the cited sources; "
    "evidence may not apply to an individual patient."
)


@dataclass(frozen=True)
class Citation:
    doc_id: str
    chunk_id: str
    sentence: str
    title: str = ""
    year: int | None = None
    evidence_level: str = ""
    polarity: str = ""  # "positive" | "negative" | ""


@dataclass
class Claim:
    citations: list[Citation] = field(default_factory=list)
    conflict: bool = False

    @property
    def doc_ids(self) -> list[str]:
        return list(dict.fromkeys(c.doc_id for c in self.citations))


@dataclass(frozen=True)
class EvidenceSummary:
    question: str
    claims: tuple[Claim, ...]
    insufficient: bool
    disclaimer: str = DISCLAIMER

    def as_dict(self) -> dict:
        return {
            "question": self.question,
            "insufficient": self.insufficient,
            "disclaimer": self.disclaimer,
            "claims": [
                {"conflict": c.conflict, "doc_ids": c.doc_ids, "citations": [vars(x) for x in c.citations]}
                for c in self.claims
            ],
        }


@lru_cache(maxsize=1)
def _cues() -> tuple[tuple[str, ...], tuple[str, ...]]:
    raw = yaml.safe_load(
        resources.files("medtrio.literature").joinpath("data/polarity_cues.yaml").read_text()
    )
    return tuple(raw["negative"]), tuple(raw["positive"])


def polarity(sentence: str) -> str:
    """'negative' when a no-effect cue is present, else 'positive' when an effect cue is, else ''."""
    low = f" {sentence.lower()} "
    negative, positive = _cues()
    if any(f" {c}" in low for c in negative):
        return "negative"
    if any(f" {c}" in low for c in positive):
        return "positive"
    return ""


def _terms(text: str) -> set[str]:
    # a crude 5-letter prefix stands in for stemming: "diabetic"/"diabetes" meet at "diabe"
    return {w.lower()[:5] for w in re.findall(r"[A-Za-z0-9]+", text) if w.lower() not in stopwords()}


def summarize(
    question: str,
    hits: list[Hit],
    embedder: Embedder | None = None,
    max_sentences: int = 8,
    min_score: float = 0.25,
    group_threshold: float = 0.55,
    max_per_claim: int = 4,
) -> EvidenceSummary:
    """The best sentences of `hits` for `question`, grouped by claim; `insufficient` when none is relevant."""
    qterms = _terms(question)
    # chunks overlap by one sentence: keep each (document, sentence) once
    seen: set[tuple[str, str]] = set()
    cands: list[tuple[Hit, str]] = []
    for h in hits:
        for sent in sentences(h.text):
            if len(sent.split()) >= 5 and (h.doc_id, sent) not in seen:
                seen.add((h.doc_id, sent))
                cands.append((h, sent))
    if not cands or not qterms:
        return EvidenceSummary(question, (), insufficient=True)
    lexical = np.array([len(qterms & _terms(s)) / len(qterms) for _, s in cands])  # (S,)
    vecs = None
    if embedder is not None:
        vecs = embedder.embed([question] + [s for _, s in cands])  # (1 + S, dim)
        scores = 0.5 * lexical + 0.5 * np.clip(vecs[1:] @ vecs[0], 0, 1)
    else:
        scores = lexical
    order = [i for i in np.argsort(-scores) if scores[i] >= min_score][:max_sentences]
    claims: list[Claim] = []
    anchors: list[int] = []
    for i in order:
        hit, sent = cands[i]
        cite = Citation(
            hit.doc_id, hit.chunk_id, sent, hit.title, hit.year, hit.evidence_level, polarity(sent)
        )
        group = next(
            (g for g, a in enumerate(anchors) if _similar(cands, vecs, a, i) >= group_threshold), None
        )
        if group is None:
            anchors.append(i)
            claims.append(Claim([cite]))
        elif len(claims[group].citations) < max_per_claim:
            claims[group].citations.append(cite)
    for claim in claims:
        sides = {c.polarity for c in claim.citations if c.polarity}
        claim.conflict = sides == {"positive", "negative"} and len(claim.doc_ids) > 1
    return EvidenceSummary(question, tuple(claims), insufficient=not claims)


def _similar(cands: list[tuple[Hit, str]], vecs: np.ndarray | None, a: int, b: int) -> float:
    if vecs is not None:
        return float(vecs[1 + a] @ vecs[1 + b])
    ta, tb = _terms(cands[a][1]), _terms(cands[b][1])
    return len(ta & tb) / max(len(ta | tb), 1)
