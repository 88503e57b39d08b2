"""Export one patient's record as a FHIR R4 Bundle (type ``collection``), validated by `fhir.resources`.

Events map back to resources by category: diagnosis -> Condition, lab/vital/other -> Observation
(with valueQuantity, referenceRange and the laboratory / vital-signs category), medication ->
MedicationStatement, procedure -> Procedure, immunization -> Immunization, allergy ->
AllergyIntolerance, document -> DiagnosticReport, encounters (table rows) -> Encounter; birth, sex
and death go into Patient. Codes in a known system (LOINC, SNOMED CT, ICD-9/10, RxNorm, ATC, CVX)
get that system's URI; any other code is carried whole under ``urn:medtrio:code``. Encounter-category
events (admission, transfer) are represented by the Encounter rows and not repeated.

Reference: HL7 FHIR R4, https://hl7.org/fhir/R4/ (Bundle, resource definitions, terminology URIs).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from medtrio.store import Database
from medtrio.store.audit import Actor, record
from medtrio.store.events import TimelineEvent, timeline
from medtrio.store.patients import get_patient
from medtrio.store.schema import Encounter

URIS = {
    "LOINC": "http://loinc.org", "SNOMED": "http://snomed.info/sct",
    "RXNORM": "http://www.nlm.nih.gov/research/umls/rxnorm", "CVX": "http://hl7.org/fhir/sid/cvx",
    "ATC": "http://www.whocc.no/atc", "ICD//10": "http://hl7.org/fhir/sid/icd-10-cm",
    "ICD//9": "http://hl7.org/fhir/sid/icd-9-cm",
}  # fmt: skip
LOCAL = "urn:medtrio:code"
UCUM = "http://unitsofmeasure.org"
OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
KIND_CLASS = {"inpatient": "IMP", "emergency": "EMER", "outpatient": "AMB"}
_NS = uuid.UUID("5a0b7c1e-4d3e-4b8a-9a51-6d4f0e2b9c17")


def coding(code: str, display: str | None) -> dict[str, Any]:
    """A CodeableConcept for one of our codes."""
    parts = code.split("//")
    system, local = None, None
    if len(parts) >= 4 and parts[1] == "ICD":
        system, local = URIS.get(f"ICD//{parts[2]}"), "//".join(parts[3:])
    elif len(parts) >= 3 and parts[1] in URIS:
        system, local = URIS[parts[1]], "//".join(parts[2:])
    # FHIR `code` allows no runs of whitespace; the exact code stays in `text`
    c: dict[str, Any] = {"system": system or LOCAL, "code": " ".join((local if system else code).split())}
    if display:
        c["display"] = display
    return {"coding": [c], "text": display or code}  # text keeps the exact code when there is no name


def _when(t: dt.datetime | None) -> str | None:
    return t.replace(tzinfo=dt.UTC).isoformat() if t is not None else None


def _url(kind: str, key: str | int) -> str:
    return f"urn:uuid:{uuid.uuid5(_NS, f'{kind}/{key}')}"


def patient_bundle(db: Database, patient_id: int, actor: Actor | None = None) -> dict[str, Any]:
    """The patient's record as a FHIR Bundle (a JSON-ready dict); audited as an export."""
    with db.session() as s:
        p = get_patient(s, patient_id)
        events = timeline(s, patient_id)
        encounters = list(s.execute(select(Encounter.id, Encounter.kind, Encounter.start, Encounter.end)
                                    .where(Encounter.patient_id == patient_id).order_by(Encounter.id)))
        record(s, actor or Actor.system("fhir-export"), "export", "fhir", patient_id=patient_id,
               reason="FHIR Bundle export")
    purl = _url("Patient", p.id)
    subject = {"reference": purl}
    ident = {"system": f"urn:medtrio:source:{p.source}", "value": p.external_id}
    patient: dict[str, Any] = {"resourceType": "Patient", "id": str(p.id), "identifier": [ident]}
    if p.name:
        patient["name"] = [{"text": p.name}]
    if p.sex:
        patient["gender"] = {"F": "female", "M": "male", "O": "other"}.get(p.sex, "unknown")
    if p.birth_date:
        patient["birthDate"] = p.birth_date.isoformat()
    if p.death_date:
        patient["deceasedDateTime"] = p.death_date.isoformat()
    entries = [{"fullUrl": purl, "resource": patient}]
    for eid, kind, start, end in encounters:
        enc: dict[str, Any] = {"resourceType": "Encounter", "id": f"enc-{eid}", "status": "finished",
                               "class": {"system": ACT, "code": KIND_CLASS.get((kind or "").lower(), "AMB")},
                               "subject": subject}
        period = {k: v for k, v in (("start", _when(start)), ("end", _when(end))) if v}
        if period:
            enc["period"] = period
        entries.append({"fullUrl": _url("Encounter", eid), "resource": enc})
    for e in events:
        res = _resource(e, subject, patient)
        if res is not None:
            entries.append({"fullUrl": _url(res["resourceType"], e.id), "resource": res})
    bundle = {"resourceType": "Bundle", "type": "collection", "timestamp": _when(dt.datetime.now(dt.UTC)
              .replace(tzinfo=None)), "entry": entries}  # fmt: skip
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)  # raises if we built something invalid
    return bundle


def _resource(e: TimelineEvent, subject: dict[str, str], patient: dict[str, Any]) -> dict[str, Any] | None:
    cat, when = e.category, _when(e.time)
    if cat == "death":
        if when:
            patient.setdefault("deceasedDateTime", when)
        return None
    if cat == "encounter" or e.code in ("MEDS_BIRTH",) or e.code.startswith("GENDER//"):
        return None
    cc = coding(e.code, e.display)
    rid = f"{cat}-{e.id}"
    if cat == "diagnosis":
        r = {"resourceType": "Condition", "id": rid, "code": cc, "subject": subject}
        if when:
            r["onsetDateTime"] = when
        return r
    if cat == "medication":
        r = {"resourceType": "MedicationStatement", "id": rid, "status": "unknown",
             "medicationCodeableConcept": cc, "subject": subject}
        if when:
            r["effectiveDateTime"] = when
        if e.text_value:
            r["dosage"] = [{"text": e.text_value}]
        return r
    if cat == "procedure":
        r = {"resourceType": "Procedure", "id": rid, "status": "completed", "code": cc, "subject": subject}
        if when:
            r["performedDateTime"] = when
        return r
    if cat == "immunization" and when:
        return {"resourceType": "Immunization", "id": rid, "status": "completed", "vaccineCode": cc,
                "patient": subject, "occurrenceDateTime": when}
    if cat == "allergy":
        r = {"resourceType": "AllergyIntolerance", "id": rid, "code": cc, "patient": subject}
        if when:
            r["recordedDate"] = when
        return r
    if cat == "document":
        r = {"resourceType": "DiagnosticReport", "id": rid, "status": "final", "code": cc, "subject": subject}
        if when:
            r["effectiveDateTime"] = when
        if e.text_value:
            r["conclusion"] = e.text_value
        return r
    return _observation(e, rid, cc, subject, when)


def _observation(e: TimelineEvent, rid: str, cc: dict[str, Any], subject: dict[str, str],
                 when: str | None) -> dict[str, Any]:
    r: dict[str, Any] = {"resourceType": "Observation", "id": rid, "status": "final", "code": cc,
                         "subject": subject}
    kind = {"lab": "laboratory", "vital": "vital-signs"}.get(e.category, "social-history"
                                                               if e.category == "demographic" else None)
    if kind:
        r["category"] = [{"coding": [{"system": OBS_CAT, "code": kind}]}]
    if when:
        r["effectiveDateTime"] = when
    if e.numeric_value is not None:
        q: dict[str, Any] = {"value": e.numeric_value}
        if e.unit:
            q.update({"unit": e.unit, "system": UCUM, "code": e.unit})
        r["valueQuantity"] = q
        if e.text_value:
            r["note"] = [{"text": e.text_value}]
    elif e.text_value:
        r["valueString"] = e.text_value
    rng = {k: {"value": v} for k, v in (("low", e.ref_low), ("high", e.ref_high)) if v is not None}
    if rng:
        r["referenceRange"] = [rng]
    return r


def export_fhir(db: Database, patient_id: int, out: Path, actor: Actor | None = None) -> Path:
    """Write the patient's Bundle as JSON to `out`."""
    bundle = patient_bundle(db, patient_id, actor)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(bundle, indent=1))
    return out
