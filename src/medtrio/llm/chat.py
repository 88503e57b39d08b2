"""Chat for the patient and clinician terminals, grounded in facts the engines and the record provide.

The caller passes labelled facts (`Fact("R1", "HbA1c 7.1 % on 2024-03-02", "event:42")`); the LLM must end
each sentence with the labels it rests on, and the same mechanical check as for literature answers keeps only
sentences citing given labels. Facts marked `red_flag` are always repeated first, whatever the model says.
With no LLM configured (or when it fails), the reply offers guided actions instead
(prompts/guided_actions.yaml).
Patient identifiers are masked before anything leaves the process unless the administrator allows them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from medtrio.errors import InvalidInput
from medtrio.llm.client import LLMClient, LLMUnavailable, client_from_settings
from medtrio.llm.grounded import check_grounding
from medtrio.llm.privacy import redact
from medtrio.llm.prompts import load_prompt

log = logging.getLogger(__name__)
TERMINALS = ("patient", "clinician")


@dataclass(frozen=True)
class Fact:
    label: str
    text: str
    source: str = ""
    red_flag: bool = False


@dataclass(frozen=True)
class Action:
    label: str
    href: str


@dataclass(frozen=True)
class ChatReply:
    mode: str  # "llm" | "guided"
    text: str
    sentences: tuple[dict, ...] = ()
    actions: tuple[Action, ...] = ()
    red_flags: tuple[str, ...] = ()
    dropped: tuple[str, ...] = field(default=())


@lru_cache(maxsize=1)
def _actions() -> dict[str, list[dict]]:
    return yaml.safe_load(resources.files("medtrio.llm").joinpath("prompts/guided_actions.yaml").read_text())


def guided_actions(terminal: str, question: str) -> tuple[Action, ...]:
    """The actions whose words occur in the question (all of them when none does)."""
    words = set(re.findall(r"[a-z]+", question.lower()))
    entries = _actions()[terminal]
    matched = [e for e in entries if words & set(e["words"])] or entries
    return tuple(Action(e["label"], e["href"]) for e in matched)


def chat(
    terminal: str,
    question: str,
    facts: list[Fact],
    client: LLMClient | None = None,
    identifiers: tuple[str, ...] = (),
    allow_identifiers: bool | None = None,
    use_llm: bool = True,
) -> ChatReply:
    """Answer a chat message from the given facts (LLM) or offer guided actions (no LLM)."""
    if terminal not in TERMINALS:
        raise InvalidInput(f"unknown terminal {terminal!r}: use one of {', '.join(TERMINALS)}")
    if not question.strip():
        raise InvalidInput("the message is empty")
    red = tuple(f"{f.text} [{f.label}]" for f in facts if f.red_flag)
    actions = guided_actions(terminal, question)
    client = client if client is not None else (client_from_settings() if use_llm else None)
    if client is None:
        text = "No language model is configured here. These pages answer your question:"
        return ChatReply("guided", text, actions=actions, red_flags=red)
    if allow_identifiers is None:
        from medtrio.settings import get_settings

        allow_identifiers = get_settings().llm_allow_identifiers
    prompt = load_prompt(f"chat_{terminal}")
    listing = "\n".join(f"[{f.label}] {redact(f.text, identifiers, allow_identifiers)}" for f in facts)
    try:
        reply = client.chat(
            prompt.messages(facts=listing, question=redact(question, identifiers, allow_identifiers))
        )
    except LLMUnavailable as exc:
        log.warning("chat falls back to guided actions: %s", exc.message)
        return ChatReply("guided", exc.message, actions=actions, red_flags=red)
    kept, dropped = check_grounding(reply.text, {f.label for f in facts})
    if prompt.refusal_marker in reply.text or not kept:
        text = "The information available here does not answer this; these pages may help:"
        return ChatReply("guided", text, actions=actions, red_flags=red, dropped=tuple(dropped))
    text = " ".join(s.text for s in kept)
    return ChatReply(
        "llm",
        text,
        tuple({"text": s.text, "citations": list(s.citations)} for s in kept),
        actions=actions,
        red_flags=red,
        dropped=tuple(dropped),
    )
