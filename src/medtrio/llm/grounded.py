"""Grounded answers: the LLM sees only the retrieved passages and must cite them; the gateway then checks
every sentence and keeps only those that cite at least one retrieved identifier and nothing else.

Without an LLM (or when it fails or refuses), the answer is the offline extractive evidence summary, so the
feature always works. The check is mechanical and strict: a sentence with an unknown [id] or no [id] at all
is dropped and reported under `dropped`, never shown as part of the answer.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from medtrio.literature.chunking import sentences
from medtrio.literature.records import Hit
from medtrio.literature.summary import DISCLAIMER, EvidenceSummary
from medtrio.llm.client import LLMClient, LLMUnavailable, client_from_settings
from medtrio.llm.prompts import load_prompt

log = logging.getLogger(__name__)
_CITE = re.compile(r"\[([^\[\]]{1,200})\]")


@dataclass(frozen=True)
class CheckedSentence:
    text: str
    citations: tuple[str, ...]


def citations_in(sentence: str) -> list[str]:
    """The identifiers cited in a sentence: "[123]", "[123, 456]" and "[123; 456]" forms."""
    return [p.strip() for group in _CITE.findall(sentence) for p in re.split(r"[,;]", group) if p.strip()]


def check_grounding(text: str, allowed: set[str]) -> tuple[list[CheckedSentence], list[str]]:
    """Split an LLM answer into sentences; keep those citing only `allowed` ids (at least one)."""
    kept, dropped = [], []
    for sent in sentences(text):
        cited = citations_in(sent)
        if cited and all(c in allowed for c in cited):
            kept.append(CheckedSentence(sent, tuple(dict.fromkeys(cited))))
        else:
            dropped.append(sent)
    return kept, dropped


def format_passages(hits: list[Hit], max_chars: int = 1200) -> str:
    return "\n".join(f"[{h.doc_id}] {h.title + '. ' if h.title else ''}{h.text[:max_chars]}" for h in hits)


def grounded_answer(question: str, hits: list[Hit], client: LLMClient) -> dict:
    """Ask the LLM for a cited answer over `hits` and check it (LLMUnavailable when the server fails)."""
    prompt = load_prompt("grounded_answer")
    allowed = {h.doc_id for h in hits}
    reply = client.chat(prompt.messages(question=question, passages=format_passages(hits)))
    if prompt.refusal_marker in reply.text or not reply.text.strip():
        return {"refused": True, "sentences": [], "dropped": [], "model": reply.model}
    kept, dropped = check_grounding(reply.text, allowed)
    if dropped:
        log.warning("grounding check dropped %d of %d sentences", len(dropped), len(kept) + len(dropped))
    return {
        "refused": not kept,
        "model": reply.model,
        "dropped": dropped,
        "sentences": [{"text": s.text, "citations": list(s.citations)} for s in kept],
    }


def _summary_text(summary: EvidenceSummary) -> str:
    if summary.insufficient:
        return "The retrieved literature does not contain enough evidence to answer this question."
    lines = []
    for n, claim in enumerate(summary.claims, 1):
        flag = " (sources disagree: read both)" if claim.conflict else ""
        lines.append(f"{n}. " + " ".join(f"{c.sentence} [{c.doc_id}]" for c in claim.citations) + flag)
    return "\n".join(lines)


def answer_question(
    question: str, k: int = 8, use_llm: bool = True, path: Path | None = None, client: LLMClient | None = None
) -> dict:
    """Retrieve, then answer: grounded LLM answer when configured and willing, else the extractive summary.

    The result always carries `retrieved` (what was searched), `mode` ("llm" | "extractive"), `text`,
    `refused` and the disclaimer; an LLM answer also carries its checked `sentences` and `dropped` ones.
    """
    from medtrio.literature.service import evidence_summary

    result, summary = evidence_summary(question, k=k, path=path)
    retrieved = [
        {"doc_id": h.doc_id, "title": h.title, "year": h.year, "evidence_level": h.evidence_level}
        for h in result.hits
    ]
    base = {
        "question": question,
        "retriever": result.retriever,
        "retrieved": retrieved,
        "disclaimer": DISCLAIMER,
        "summary": summary.as_dict(),
    }
    client = client if client is not None else (client_from_settings() if use_llm else None)
    if client is not None:
        try:
            llm = grounded_answer(question, list(result.hits), client)
        except LLMUnavailable as exc:
            log.warning("LLM unavailable, extractive answer instead: %s", exc.message)
            base["llm_error"] = exc.message
        else:
            if not llm["refused"]:
                text = " ".join(s["text"] for s in llm["sentences"])
                return {**base, **llm, "mode": "llm", "text": text}
            base["llm_refused"] = True
    return {**base, "mode": "extractive", "refused": summary.insufficient, "text": _summary_text(summary)}
