"""Saving interpreted results to the patient's record, and reading earlier results back for trends.

Results become events `LAB//LOINC//<code>` in catalog units (numeric) or with the result word
(`text_value`), timed at the collection date, with the reference limits in catalog units; `source` names
the document they came from. Only trustworthy results are saved: a result that still needs confirmation
must be corrected (and re-interpreted) first, so nothing uncertain is stored silently. Everything happens in
the caller's transaction (one `db.session()`): either the document status, all events and the audit row are
written, or none. Audit rows carry identifiers only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from medtrio.errors import InvalidInput, NotFound
from medtrio.labs.catalog import load_catalog
from medtrio.labs.interpret import Interpretation, Previous
from medtrio.store.audit import Actor, record
from medtrio.store.events import ensure_codes, insert_events, with_occurrences
from medtrio.store.schema import Document, Event, Patient

CODE_PREFIX = "LAB//LOINC//"


@dataclass(frozen=True)
class Saved:
    events: int
    skipped_unconfirmed: int
    document_id: int | None


def _limits(
    text: str | None, number: float | None, catalog_value: float | None
) -> tuple[float | None, float | None]:
    from medtrio.labs.values import parse_range

    r = parse_range(text)
    if r is None:
        return None, None
    factor = catalog_value / number if number and catalog_value is not None else 1.0
    return (r.low * factor if r.low is not None else None, r.high * factor if r.high is not None else None)


def save_interpretation(
    s: Session,
    actor: Actor,
    patient_id: int,
    interp: Interpretation,
    *,
    document: Document | None = None,
) -> Saved:
    """Write the trustworthy results as events (idempotent), mark the document processed, audit the write."""
    if s.get(Patient, patient_id) is None:
        raise NotFound(f"patient {patient_id} not found")
    when = None
    if interp.meta.date:
        try:
            when = dt.datetime.fromisoformat(interp.meta.date)
        except ValueError as exc:
            raise InvalidInput(
                f"collection date '{interp.meta.date}' is not a date; correct it first"
            ) from exc
    source = f"labs:doc:{document.id}" if document is not None else "labs:entry"
    rows, skipped, displays = [], 0, {}
    for r in interp.results:
        if r.needs_confirmation or not r.loinc:
            skipped += 1
            continue
        code = CODE_PREFIX + r.loinc
        displays[code] = load_catalog().by_key[r.key].en if r.key else r.name
        lo, hi = _limits(r.range, r.number, r.catalog_value)
        censored = (r.value or "").startswith(("<", ">"))  # kept as text: "<0.01" is not the number 0.01
        numeric = r.catalog_value if r.catalog_value is not None and not censored else None
        rows.append({
            "patient_id": patient_id, "time": when, "code": code, "numeric_value": numeric,
            "unit": r.catalog_unit if numeric is not None else None,
            "text_value": None if numeric is not None else r.value,
            "ref_low": lo, "ref_high": hi, "source": source,
        })  # fmt: skip
    ensure_codes(s, displays.keys(), displays)
    n = insert_events(s, with_occurrences(rows)) if rows else 0
    if document is not None:
        document.patient_id = patient_id
        document.status = "processed"
    record(s, actor, "write", "lab_report", patient_id=patient_id,
           reason=f"{n} lab events from {source}")  # fmt: skip
    return Saved(n, skipped, document.id if document is not None else None)


def previous_results(
    s: Session, actor: Actor, patient_id: int, before: dt.datetime | None = None
) -> list[Previous]:
    """Earlier numeric lab results of a patient in catalog units (audited read)."""
    catalog = load_catalog()
    q = select(Event.code, Event.numeric_value, Event.time, Event.unit).where(
        Event.patient_id == patient_id, Event.code.like(CODE_PREFIX + "%"), Event.numeric_value.is_not(None)
    )
    if before is not None:
        q = q.where(Event.time < before)
    out = []
    for code, value, time, unit in s.execute(q):
        a = catalog.by_loinc.get(code.removeprefix(CODE_PREFIX))
        if a is not None and (unit is None or unit == a.unit):
            out.append(Previous(a.key, float(value), time))
    record(s, actor, "read", "lab_history", patient_id=patient_id)
    return out
