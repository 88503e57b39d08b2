"""FHIR R4 importer: Bundle JSON (Synthea style) and NDJSON bulk export.

Every resource is validated with the `fhir.resources` R4B model (R4B shares R4's definitions of the
resources read here), then mapped from its JSON: Patient, Encounter, Condition, Observation (labs and
vitals, components, units, reference ranges), MedicationRequest, MedicationStatement, Procedure,
Immunization, AllergyIntolerance, DiagnosticReport. Other resource types (Claim, Provenance, ...) are
counted in `ImportReport.ignored`. Invalid resources are reported by id with the failing field paths
(never their values) and skipped.

Codings become our codes: LOINC -> LAB/VITAL//LOINC, ICD-10(-CM) -> DIAGNOSIS//ICD//10, SNOMED CT ->
//SNOMED, RxNorm -> MEDICATION//RXNORM, ATC -> MEDICATION//ATC, CVX -> IMMUNIZATION//CVX. A coding in
another system keeps that system's name, and a concept with only text is kept as ``//TEXT//<text>``.

Reference: HL7 FHIR R4, https://hl7.org/fhir/R4/ (resource definitions, terminology URIs).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time as _time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from medtrio.errors import InvalidInput
from medtrio.ingest.common import BadValue, Progress, parse_time
from medtrio.ingest.report import ImportReport
from medtrio.ingest.vocab import vitals
from medtrio.ingest.writer import BATCH_SIZE, BatchWriter, check_event
from medtrio.store import Database

SOURCE = "fhir"
SYSTEMS = {
    "http://loinc.org": "LOINC",
    "http://snomed.info/sct": "SNOMED",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RXNORM",
    "http://hl7.org/fhir/sid/cvx": "CVX",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD//10",
    "http://hl7.org/fhir/sid/icd-10": "ICD//10",
    "http://hl7.org/fhir/sid/icd-9-cm": "ICD//9",
    "http://www.cms.gov/Medicare/Coding/ICD10": "ICD//10",
    "http://www.whocc.no/atc": "ATC",
    "http://www.ama-assn.org/go/cpt": "CPT4",
}
PREFERRED = {
    "DIAGNOSIS": ("ICD//10", "ICD//9", "SNOMED"),
    "LAB": ("LOINC",),
    "MEDICATION": ("RXNORM", "ATC"),
    "PROCEDURE": ("SNOMED", "ICD//10", "CPT4"),
    "IMMUNIZATION": ("CVX",),
    "ALLERGY": ("SNOMED", "RXNORM"),
    "DOCUMENT": ("LOINC",),
}
ENCOUNTER_CLASS = {
    "AMB": "OUTPATIENT", "IMP": "INPATIENT", "ACUTE": "INPATIENT", "NONAC": "INPATIENT",
    "EMER": "EMERGENCY", "OBSENC": "OUTPATIENT", "HH": "OUTPATIENT", "VR": "OUTPATIENT",
}  # fmt: skip
SUPPORTED = ("Patient", "Encounter", "Condition", "Observation", "MedicationRequest", "MedicationStatement",
             "Procedure", "Immunization", "AllergyIntolerance", "DiagnosticReport")  # fmt: skip
UCUM = "http://unitsofmeasure.org"
LOCAL = "urn:medtrio:code"
NOT_LAB = {"social-history", "survey", "exam", "activity", "therapy"}


def _model(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def fhir_files(path: Path) -> list[Path]:
    """The JSON/NDJSON files to read: one file, or those in a folder (Patient files first)."""
    path = Path(path)
    if path.is_file():
        return [path]
    files = [p for p in path.rglob("*") if p.suffix.lower() in (".json", ".ndjson") and p.is_file()]
    if not files:
        raise InvalidInput(f"No FHIR .json or .ndjson files under {path}.")
    return sorted(files, key=lambda p: (not p.name.lower().startswith("patient"),
                                        not p.name.lower().startswith("encounter"), str(p)))  # fmt: skip


def _resources(f: Path, report: ImportReport) -> Iterator[tuple[str, dict[str, Any], dict[str, str]]]:
    """(where, resource, bundle fullUrl -> reference map) for each resource of one file."""
    if f.suffix.lower() == ".ndjson":
        with f.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    res = json.loads(line)
                except json.JSONDecodeError:
                    report.error(f, f"line {n}", "invalid JSON")
                    continue
                yield f"line {n}", res, {}
        return
    try:
        doc = json.loads(f.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        report.error(f, "file", "invalid JSON")
        return
    if not isinstance(doc, dict):
        report.error(f, "file", "not a FHIR resource or Bundle")
        return
    if doc.get("resourceType") != "Bundle":
        yield "resource", doc, {}
        return
    entries = doc.get("entry") or []
    urls = {}
    for e in entries:
        r = e.get("resource") if isinstance(e, dict) else None
        if isinstance(r, dict) and e.get("fullUrl") and r.get("id"):
            urls[e["fullUrl"]] = f"{r.get('resourceType')}/{r['id']}"
    for i, e in enumerate(entries):
        r = e.get("resource") if isinstance(e, dict) else None
        if not isinstance(r, dict):
            report.error(f, f"entry {i}", "entry without a resource")
            continue
        yield f"entry {i}", r, urls


def import_fhir(db: Database, path: Path, *, batch_size: int = BATCH_SIZE, progress: Progress | None = None,
                validate: bool = True) -> ImportReport:
    """Import FHIR R4 Bundles (.json) and/or NDJSON files (a file or a folder)."""
    started = _time.perf_counter()
    files = fhir_files(Path(path))
    report = ImportReport("fhir", SOURCE, str(path))
    writer = BatchWriter(db, SOURCE, report, batch_size=batch_size)
    mapper = _Mapper(writer)
    for k, f in enumerate(files):
        for where, res, urls in _resources(f, report):
            report.records_read += 1
            rtype = res.get("resourceType")
            label = f"{rtype}/{res.get('id', '?')} ({where})"
            if rtype not in SUPPORTED:
                report.ignored[str(rtype)] += 1
                continue
            if validate:
                try:
                    _model(rtype).model_validate(res)
                except ValidationError as exc:
                    fields = sorted({".".join(str(x) for x in e["loc"]) for e in exc.errors()})[:5]
                    report.error(f, label, f"invalid {rtype}: " + ", ".join(fields))
                    continue
            try:
                mapper.map(rtype, res, urls)
            except BadValue as exc:
                report.error(f, label, str(exc))
        if progress:
            progress((k + 1) / len(files), f.name)
    writer.close()
    report.seconds = _time.perf_counter() - started
    return report


def _ref_id(ref: dict[str, Any] | None, urls: dict[str, str], kind: str) -> str | None:
    if not isinstance(ref, dict) or not ref.get("reference"):
        return None
    r = str(ref["reference"])
    r = urls.get(r, r)
    if r.startswith("urn:uuid:"):
        return r.removeprefix("urn:uuid:")
    if "/" in r:
        rtype, rid = r.rsplit("/", 2)[-2:]
        return rid if rtype == kind else None
    return r


def concept_code(prefix: str, concept: dict[str, Any] | None) -> tuple[str, str | None]:
    """(our code, display) for a CodeableConcept, preferring the systems usual for `prefix`."""
    if not isinstance(concept, dict):
        raise BadValue("missing code")
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict) and c.get("code")]
    ranked = sorted(codings, key=lambda c: _rank(prefix, SYSTEMS.get(c.get("system", ""))))
    if ranked:
        c = ranked[0]
        if c.get("system") == LOCAL:  # written by our own export: the code is already ours
            text = str(concept.get("text") or "")
            code = text if " ".join(text.split()) == c["code"] else str(c["code"])
            return code, c.get("display")
        system = SYSTEMS.get(c.get("system", "")) or _short_system(c.get("system"))
        return f"{prefix}//{system}//{str(c['code']).strip()}", c.get("display") or concept.get("text")
    if concept.get("text"):
        return f"{prefix}//TEXT//{str(concept['text']).strip()[:200]}", concept["text"]
    raise BadValue("code has neither a coding nor text")


def _rank(prefix: str, system: str | None) -> int:
    pref = PREFERRED.get(prefix, ())
    return pref.index(system) if system in pref else len(pref)


def _short_system(system: str | None) -> str:
    if not system:
        return "LOCAL"
    # the URI's last segment: "urn:example:local-lab" -> LOCAL-LAB, "http://x.org/fhir/codes" -> CODES
    return re.split(r"[/:]", system.rstrip("/:"))[-1].upper()[:40] or "LOCAL"


class _Mapper:
    def __init__(self, writer: BatchWriter) -> None:
        self.w = writer
        self.vitals = set(vitals())

    def map(self, rtype: str, r: dict[str, Any], urls: dict[str, str]) -> None:
        getattr(self, "_" + rtype)(r, urls)

    def _patient_of(self, r: dict[str, Any], urls: dict[str, str], field: str = "subject") -> str:
        pid = _ref_id(r.get(field), urls, "Patient")
        if not pid:
            raise BadValue(f"no Patient reference in {field}")
        return pid

    def _event(self, patient: str, time: dt.datetime | None, code: str, display: str | None = None,
               value: float | None = None, unit: str | None = None, text: str | None = None,
               low: float | None = None, high: float | None = None, enc: str | None = None) -> None:
        problem = check_event(code, unit)
        if problem:
            raise BadValue(problem)
        self.w.display(code, display)
        self.w.event(patient, time, code, value, unit, text, low, high, enc)

    @staticmethod
    def _time(r: dict[str, Any], *fields: str) -> dt.datetime:
        for f in fields:
            v = r.get(f)
            if isinstance(v, dict):
                v = v.get("start")
            if v:
                t = parse_time(str(v), f)
                if t is not None:
                    return t
        raise BadValue("no time (" + " / ".join(fields) + ")")

    def _Patient(self, r: dict[str, Any], urls: dict[str, str]) -> None:
        pid = r.get("id")
        if not pid:
            raise BadValue("Patient without id")
        sex = {"female": "F", "male": "M", "other": "O"}.get(r.get("gender", ""))
        birth = parse_time(r.get("birthDate"), "birthDate")
        death = parse_time(r.get("deceasedDateTime"), "deceasedDateTime")
        names = r.get("name") or []
        name = None
        if names and isinstance(names[0], dict):
            n = names[0]
            name = n.get("text") or " ".join([*(n.get("given") or []), n.get("family") or ""]).strip() or None
        self.w.patient(pid, name=name, sex=sex, birth_date=birth.date() if birth else None,
                       death_date=death.date() if death else None)
        if sex:
            self._event(pid, None, f"GENDER//{sex}")
        if birth:
            self._event(pid, birth, "MEDS_BIRTH")
        if death:
            self._event(pid, death, "MEDS_DEATH")

    def _Encounter(self, r: dict[str, Any], urls: dict[str, str]) -> None:
        pid = self._patient_of(r, urls)
        cls = r.get("class") or {}
        kind = ENCOUNTER_CLASS.get(str(cls.get("code", "")).upper(), "OTHER")
        start = self._time(r, "period")
        end = parse_time((r.get("period") or {}).get("end"), "period.end")
        eid = r.get("id") or f"{pid}:{start.isoformat()}"
        self.w.encounter(pid, eid, kind=kind.lower(), start=start, end=end)
        types = r.get("type") or [{}]
        text = types[0].get("text") or next((c.get("display") for c in types[0].get("coding") or []), None)
        self._event(pid, start, f"ENCOUNTER//{kind}", text=text, enc=eid)

    def _enc(self, r: dict[str, Any], urls: dict[str, str]) -> str | None:
        return _ref_id(r.get("encounter") or r.get("context"), urls, "Encounter")

    def _Condition(self, r: dict[str, Any], urls: dict[str, str]) -> None:
        pid = self._patient_of(r, urls)
        code, display = concept_code("DIAGNOSIS", r.get("code"))
        time = self._time(r, "onsetDateTime", "onsetPeriod", "recordedDate")
        self._event(pid, time, code, display, enc=self._enc(r, urls))

    def _Observation(self, r: dict[str, Any], urls: dict[str, str]) -> None:
        pid = self._patient_of(r, urls)
        time = self._time(r, "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
        cats = {c.get("code") for cat in r.get("category") or [] for c in cat.get("coding") or []}
        enc = self._enc(r, urls)
        parts = [(r.get("code"), r)] if not r.get("component") or _has_value(r) else []
        parts += [(c.get("code"), c) for c in r.get("component") or []]
        for concept, holder in parts:
            code, display = concept_code("LAB", concept)
            system, _, local = code.partition("//")[2].partition("//")
            if "vital-signs" in cats or (system == "LOINC" and local in self.vitals):
                code = "VITAL//" + code.removeprefix("LAB//")
            elif cats & NOT_LAB:  # smoking status, questionnaires: kept, but not filed as labs
                code = "OBSERVATION//" + code.removeprefix("LAB//")
            value, unit, text = _value(holder)
            low, high = _range(holder.get("referenceRange") or r.get("referenceRange"))
            self._event(pid, time, code, display, value, unit, text, low, high, enc)

    def _medication(self, r: dict[str, Any], urls: dict[str, str], *times: str) -> None:
        pid = self._patient_of(r, urls)
        concept = r.get("medicationCodeableConcept")
        if concept is None and r.get("medicationReference"):
            ref = r["medicationReference"]
            concept = {"text": ref.get("display") or ref.get("reference")}
        code, display = concept_code("MEDICATION", concept)
        dosage = r.get("dosageInstruction") or r.get("dosage") or []
        text = dosage[0].get("text") if dosage and isinstance(dosage[0], dict) else None
        self._event(pid, self._time(r, *times), code, display, text=text, enc=self._enc(r, urls))

    def _MedicationRequest(self, r: dict[str, Any], urls: dict[str, str]) -> None:
        self._medication(r, urls, "authoredOn")

    def _MedicationStatement(self, r: dict[str, Any], urls: dict[str, str]) -> None:
        self._medication(r, urls, "effectiveDateTime", "effectivePeriod", "dateAsserted")

    def _Procedure(self, r: dict[str, Any], urls: dict[str, str]) -> None:
        pid = self._patient_of(r, urls)
        code, display = concept_code("PROCEDURE", r.get("code"))
        self._event(pid, self._time(r, "performedDateTime", "performedPeriod"), code, display,
                    enc=self._enc(r, urls))

    def _Immunization(self, r: dict[str, Any], urls: dict[str, str]) -> None:
        pid = self._patient_of(r, urls, "patient")
        if r.get("status") == "not-done":
            raise BadValue("immunization not done")
        code, display = concept_code("IMMUNIZATION", r.get("vaccineCode"))
        time = self._time(r, "occurrenceDateTime", "recorded")
        self._event(pid, time, code, display, enc=self._enc(r, urls))

    def _AllergyIntolerance(self, r: dict[str, Any], urls: dict[str, str]) -> None:
        pid = self._patient_of(r, urls, "patient")
        code, display = concept_code("ALLERGY", r.get("code"))
        crit = r.get("criticality")
        self._event(pid, self._time(r, "onsetDateTime", "recordedDate"), code, display,
                    text=f"criticality: {crit}" if crit else None)

    def _DiagnosticReport(self, r: dict[str, Any], urls: dict[str, str]) -> None:
        pid = self._patient_of(r, urls)
        code, display = concept_code("DOCUMENT", r.get("code"))
        self._event(pid, self._time(r, "effectiveDateTime", "effectivePeriod", "issued"), code, display,
                    text=r.get("conclusion"), enc=self._enc(r, urls))


def _has_value(r: dict[str, Any]) -> bool:
    return any(k.startswith("value") for k in r)


def _value(r: dict[str, Any]) -> tuple[float | None, str | None, str | None]:
    q = r.get("valueQuantity")
    if isinstance(q, dict) and q.get("value") is not None:
        unit = q.get("code") if q.get("system") == UCUM and q.get("code") else q.get("unit") or q.get("code")
        text = q.get("comparator")  # "<", ">=" ...: the value is a bound, not a measurement
        return float(q["value"]), unit, text
    cc = r.get("valueCodeableConcept")
    if isinstance(cc, dict):
        codings = cc.get("coding") or []
        text = cc.get("text") or next((c.get("display") or c.get("code") for c in codings), None)
        return None, None, text
    for key in ("valueString", "valueBoolean", "valueInteger", "valueDateTime"):
        if key in r:
            if key == "valueInteger":
                return float(r[key]), None, None
            return None, None, str(r[key])
    return None, None, None


def _range(ranges: list[dict[str, Any]] | None) -> tuple[float | None, float | None]:
    if not ranges:
        return None, None
    rr = ranges[0]
    low = (rr.get("low") or {}).get("value")
    high = (rr.get("high") or {}).get("value")
    return (float(low) if low is not None else None), (float(high) if high is not None else None)
