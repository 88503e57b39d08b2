"""The plain functions behind the MCP tools: each takes JSON-friendly arguments, calls one engine through its
public interface and returns a JSON-friendly dict with the source of every statement. No MCP types here, so
the functions are testable on their own and reusable by the API.

Patient data is only returned to a caller presenting the token the administrator configured
(MEDTRIO_MCP_PATIENT_TOKEN); every such read is written to the audit log, and a refused one too.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path
from typing import Any

from medtrio.errors import Forbidden, InvalidInput


def literature_search(
    question: str,
    k: int = 5,
    year_min: int | None = None,
    year_max: int | None = None,
    index_path: Path | None = None,
) -> dict[str, Any]:
    """Passages from the indexed literature, best first, each with its PMID and evidence level."""
    from medtrio.literature.retrieve import Filters
    from medtrio.literature.service import search

    if not question.strip():
        raise InvalidInput("the question is empty")
    result = search(
        question, k=max(1, min(k, 50)), filters=Filters(year_min=year_min, year_max=year_max), path=index_path
    )
    return {
        "retriever": result.retriever,
        "hits": [
            {
                "pmid": h.doc_id,
                "title": h.title,
                "year": h.year,
                "evidence_level": h.evidence_level,
                "passage": h.text,
            }
            for h in result.hits
        ],
    }


def literature_answer(question: str, index_path: Path | None = None) -> dict[str, Any]:
    """The offline extractive evidence summary (the calling LLM writes its own prose from it)."""
    from medtrio.llm.grounded import answer_question

    out = answer_question(question, use_llm=False, path=index_path)
    return {
        "text": out["text"],
        "claims": out["summary"]["claims"],
        "retrieved": out["retrieved"],
        "disclaimer": out["disclaimer"],
    }


def calculator_list() -> dict[str, Any]:
    from medtrio.calculators import all_calculators

    return {
        "calculators": [{"name": c.name, "inputs": [i.name for i in c.inputs]} for c in all_calculators()]
    }


def calculate(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Run one clinical calculator; inputs are values with units, e.g. {"creatinine": [1.2, "mg/dL"]}."""
    from medtrio.calculators import calculate as run

    return run(name, inputs).as_dict()


def lab_interpretation(
    analyte: str,
    value: str,
    unit: str | None = None,
    sex: str | None = None,
    age: float | None = None,
    reference_range: str | None = None,
) -> dict[str, Any]:
    """Flag one lab result (H/L/N/A, critical) against the printed range or the lab catalog's range."""
    from medtrio.labs.catalog import load_catalog
    from medtrio.labs.flags import flag_result
    from medtrio.labs.units import conversion_factor
    from medtrio.labs.values import Value, parse_range, parse_value

    parsed = parse_value(value)
    if parsed is None:
        raise InvalidInput(f"cannot read the value {value!r}: give a number or a result word")
    catalog = load_catalog()
    entry = catalog.lookup(analyte)
    catalog_value = None
    if entry is not None and parsed.number is not None:
        factor, _ = conversion_factor(entry, unit)
        catalog_value = Value(parsed.text, parsed.number * factor) if factor is not None else None
    flag = flag_result(
        entry, parsed, printed=parse_range(reference_range), catalog_value=catalog_value, sex=sex, age=age
    )
    return {
        "analyte": entry.en if entry else analyte,
        "loinc": entry.loinc if entry else None,
        "flag": flag.flag,
        "critical": flag.critical,
        "basis": flag.basis,
        "rule": flag.rule,
        "note": "A flag is not a diagnosis; critical values need immediate clinical review.",
    }


def triage_assessment(
    text: str, age: float | None = None, sex: str | None = None, lang: str | None = None
) -> dict[str, Any]:
    """Urgency, red flags and a ranked differential (with likelihoods, never a diagnosis) for a free-text
    symptom description, from the offline triage engine."""
    from medtrio.triage.assess import assess_text

    return assess_text(text, age=age, sex=sex, lang=lang).to_dict()


def _check_token(token: str) -> None:
    expected = os.environ.get("MEDTRIO_MCP_PATIENT_TOKEN", "")
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Forbidden("patient data needs the administrator's MCP token (MEDTRIO_MCP_PATIENT_TOKEN)")


def patient_summary(
    patient_id: int, token: str, database_url: str | None = None, max_events: int = 50
) -> dict[str, Any]:
    """Demographics and the most recent record entries of one patient, for an authorised caller (audited)."""
    from medtrio.settings import get_settings
    from medtrio.store import open_database
    from medtrio.store.audit import Actor, record
    from medtrio.store.events import timeline
    from medtrio.store.patients import get_patient

    db = open_database(database_url or get_settings().db_url)
    actor = Actor.system("mcp")
    try:
        _check_token(token)
    except Forbidden:
        with db.session() as s:
            record(
                s,
                actor,
                "denied",
                f"patient/{patient_id}",
                patient_id=patient_id,
                route="mcp:patient_summary",
            )
        raise
    with db.session() as s:
        patient = get_patient(s, patient_id)
        events = timeline(s, patient_id)[-max_events:]
        record(s, actor, "read", f"patient/{patient_id}", patient_id=patient_id, route="mcp:patient_summary")
    return {
        "patient_id": patient.id,
        "sex": patient.sex,
        "age": patient.age(),
        "events": [
            {
                "event_id": e.id,
                "time": e.time.isoformat() if e.time else None,
                "code": e.code,
                "label": e.label,
                "value": e.numeric_value if e.numeric_value is not None else e.text_value,
                "unit": e.unit,
                "source": f"event:{e.id}",
            }
            for e in events
        ],
    }
