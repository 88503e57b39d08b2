"""Facts for a record-grounded chat: the most recent entries of one patient's timeline as labelled `Fact`s.

Each fact names the record entry it comes from (`event:<id>`), so every sentence of a chat reply can be
traced to the record. A numeric result outside the range printed with it says so ("above the reported
range"); that is a reading aid, not a red flag: red flags come from the engines (labs critical values,
triage) and are passed in by the caller.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from medtrio.llm.chat import Fact

CATEGORIES = ("lab", "vital", "diagnosis", "medication", "allergy", "procedure", "immunization")


def _describe(e) -> str:  # type: ignore[no-untyped-def]
    when = e.time.date().isoformat() if e.time else "undated"
    if e.numeric_value is not None:
        value = f"{e.numeric_value:g} {e.unit or ''}".strip()
        where = ""
        if e.ref_high is not None and e.numeric_value > e.ref_high:
            where = f", above the reported range {e.ref_low if e.ref_low is not None else ''}-{e.ref_high:g}"
        elif e.ref_low is not None and e.numeric_value < e.ref_low:
            where = f", below the reported range {e.ref_low:g}-{e.ref_high if e.ref_high is not None else ''}"
        return f"{e.category} {e.label}: {value} on {when}{where}"
    detail = f" ({e.text_value})" if e.text_value else ""
    return f"{e.category} {e.label}{detail} on {when}"


def record_facts(session: Session, patient_id: int, limit: int = 40) -> list[Fact]:
    """The patient's latest `limit` clinical entries, newest first, labelled R1, R2, ..."""
    from medtrio.store.events import timeline

    events = timeline(session, patient_id, categories=CATEGORIES)[-limit:][::-1]
    return [Fact(f"R{n}", _describe(e), f"event:{e.id}") for n, e in enumerate(events, 1)]
