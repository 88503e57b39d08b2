"""OMOP CDM 5.3 / 5.4 CSV importer.

Reads, when present (file names in any case, ``.csv`` or ``.csv.gz``): person, death,
visit_occurrence, condition_occurrence (else condition_era), drug_exposure (else drug_era),
procedure_occurrence, measurement, observation, and concept for vocabularies and display names.

A concept id becomes a code in our convention through the concept table: SNOMED ->
``DIAGNOSIS//SNOMED//...``, ICD10CM -> ``DIAGNOSIS//ICD//10//...``, RxNorm -> ``MEDICATION//RXNORM//...``,
LOINC -> ``LAB//LOINC//...`` (``VITAL//LOINC//...`` for vital signs), CVX -> ``IMMUNIZATION//CVX//...``.
A concept missing from the concept table is kept as ``<PREFIX>//OMOP//<concept_id>`` (never dropped).
The whole concept table is held in memory (fine for the Eunomia-sized sets; a full Athena vocabulary
needs a few GB).

Reference: OMOP CDM v5.4 specification, https://ohdsi.github.io/CommonDataModel/cdm54.html
"""

from __future__ import annotations

import datetime as dt
import time as _time
from collections.abc import Callable
from pathlib import Path

from medtrio.errors import InvalidInput
from medtrio.ingest.common import BadValue, Progress, find_file, parse_float, parse_time, read_csv
from medtrio.ingest.report import ImportReport
from medtrio.ingest.vocab import vitals
from medtrio.ingest.writer import BATCH_SIZE, BatchWriter, check_event
from medtrio.store import Database

SOURCE = "omop"
GENDER = {"8507": "M", "8532": "F"}
VISIT_KIND = {"9201": "INPATIENT", "9202": "OUTPATIENT", "9203": "EMERGENCY", "262": "EMERGENCY",
              "581477": "OUTPATIENT", "38004207": "OUTPATIENT", "32037": "INPATIENT"}  # fmt: skip

Concept = tuple[str, str, str]  # vocabulary_id, concept_code, concept_name


class _Ctx:
    def __init__(self, folder: Path, writer: BatchWriter) -> None:
        self.w = writer
        self.concepts: dict[str, Concept] = {}
        f = find_file(folder, "concept")
        if f:
            for _, r in read_csv(f):
                if "concept_id" in r:
                    self.concepts[r["concept_id"]] = (r.get("vocabulary_id", ""), r.get("concept_code", ""),
                                                      r.get("concept_name", ""))
        self.vital_loincs = set(vitals())

    def code(self, prefix: str, concept_id: str | None, source_concept_id: str | None = None,
             source_value: str | None = None) -> str:
        """Our code for an OMOP concept (else the source concept, the bare id, the source value)."""
        for cid in (concept_id, source_concept_id):
            cid = (cid or "").strip()
            if cid and cid != "0" and cid in self.concepts:
                vocab, code, name = self.concepts[cid]
                out = _vocab_code(prefix, vocab, code.strip(), self.vital_loincs)
                self.w.display(out, name)
                return out
        cid = (concept_id or "").strip()
        if not cid or cid == "0":
            cid = (source_concept_id or "").strip()
        if not cid or cid == "0":
            value = (source_value or "").strip()
            if value:  # unmapped (concept 0) but the source's own code is there: keep it
                return f"{prefix}//OMOP_SOURCE//{value[:200]}"
            raise BadValue("concept id 0 and no source value")
        return f"{prefix}//OMOP//{cid}"

    def event(self, person: str, time: dt.datetime | None, code: str, value: float | None = None,
              unit: str | None = None, text: str | None = None, low: float | None = None,
              high: float | None = None, visit: str | None = None) -> None:
        problem = check_event(code, unit)
        if problem:
            raise BadValue(problem)
        self.w.event(person, time, code, value, unit, text, low, high, (visit or "").strip() or None)


def _vocab_code(prefix: str, vocab: str, code: str, vital_loincs: set[str]) -> str:
    v = vocab.upper()
    if v in ("ICD10CM", "ICD10"):
        return f"{prefix}//ICD//10//{code}"
    if v in ("ICD9CM", "ICD9PROC"):
        return f"{prefix}//ICD//9//{code}"
    if v == "ICD10PCS":
        return f"{prefix}//ICD//10//{code}"
    if v == "LOINC" and prefix in ("LAB", "OBSERVATION"):
        return f"{'VITAL' if code in vital_loincs else 'LAB'}//LOINC//{code}"
    if v == "CVX":
        return f"IMMUNIZATION//CVX//{code}"
    return f"{prefix}//{vocab or 'OMOP'}//{code}"


def _when(r: dict[str, str], stem: str) -> dt.datetime | None:
    t = parse_time(r.get(f"{stem}_datetime"), f"{stem}_datetime")
    return t or parse_time(r.get(f"{stem}_date"), f"{stem}_date")


def _person(r: dict[str, str]) -> str:
    p = (r.get("person_id") or "").strip()
    if not p:
        raise BadValue("missing person_id")
    return p


def _persons(ctx: _Ctx, r: dict[str, str]) -> None:
    p = _person(r)
    year = parse_float(r.get("year_of_birth"), "year_of_birth")
    birth_t = parse_time(r.get("birth_datetime"), "birth_datetime")
    if birth_t is None and year is not None:
        month = int(parse_float(r.get("month_of_birth"), "month_of_birth") or 1)
        day = int(parse_float(r.get("day_of_birth"), "day_of_birth") or 1)
        try:
            birth_t = dt.datetime(int(year), month, day)
        except ValueError:
            raise BadValue("impossible birth date") from None
    sex = GENDER.get((r.get("gender_concept_id") or "").strip())
    if sex is None:
        src = (r.get("gender_source_value") or "").strip().upper()[:1]
        sex = src if src in ("F", "M") else None
    ctx.w.patient(p, sex=sex, birth_date=birth_t.date() if birth_t else None)
    if sex:
        ctx.event(p, None, f"GENDER//{sex}")
    if birth_t:
        ctx.event(p, birth_t, "MEDS_BIRTH")


def _death(ctx: _Ctx, r: dict[str, str]) -> None:
    p = _person(r)
    t = _when(r, "death")
    if t is None:
        raise BadValue("missing death_date")
    ctx.w.patient(p, death_date=t.date())
    ctx.event(p, t, "MEDS_DEATH")


def _visits(ctx: _Ctx, r: dict[str, str]) -> None:
    p, vid = _person(r), (r.get("visit_occurrence_id") or "").strip()
    if not vid:
        raise BadValue("missing visit_occurrence_id")
    start, end = _when(r, "visit_start"), _when(r, "visit_end")
    kind = VISIT_KIND.get((r.get("visit_concept_id") or "").strip(), "OTHER")
    ctx.w.encounter(p, vid, kind=kind.lower(), start=start, end=end)
    ctx.event(p, start, f"ENCOUNTER//{kind}", visit=vid)


def _conditions(ctx: _Ctx, r: dict[str, str]) -> None:
    p = _person(r)
    code = ctx.code("DIAGNOSIS", r.get("condition_concept_id"), r.get("condition_source_concept_id"),
                    r.get("condition_source_value"))
    t = _when(r, "condition_start") or _when(r, "condition_era_start")
    ctx.event(p, t, code, visit=r.get("visit_occurrence_id"))


def _drugs(ctx: _Ctx, r: dict[str, str]) -> None:
    p = _person(r)
    code = ctx.code("MEDICATION", r.get("drug_concept_id"), r.get("drug_source_concept_id"),
                    r.get("drug_source_value"))
    t = _when(r, "drug_exposure_start") or _when(r, "drug_era_start")
    qty = parse_float(r.get("quantity"), "quantity") if r.get("quantity") else None
    ctx.event(p, t, code, qty, (r.get("dose_unit_source_value") or "").strip()[:64] or None,
              visit=r.get("visit_occurrence_id"))


def _procedures(ctx: _Ctx, r: dict[str, str]) -> None:
    p = _person(r)
    code = ctx.code("PROCEDURE", r.get("procedure_concept_id"), r.get("procedure_source_concept_id"),
                    r.get("procedure_source_value"))
    ctx.event(p, _when(r, "procedure"), code, visit=r.get("visit_occurrence_id"))


def _measurements(ctx: _Ctx, r: dict[str, str]) -> None:
    p = _person(r)
    code = ctx.code("LAB", r.get("measurement_concept_id"), r.get("measurement_source_concept_id"),
                    r.get("measurement_source_value"))
    unit = (r.get("unit_source_value") or "").strip() or None
    if unit is None and (r.get("unit_concept_id") or "0").strip() not in ("", "0"):
        unit = ctx.concepts.get(r["unit_concept_id"].strip(), ("", None, ""))[1] or None
    value = parse_float(r.get("value_as_number"), "value_as_number")
    text = None
    if value is None and (r.get("value_as_concept_id") or "0").strip() not in ("", "0"):
        text = ctx.concepts.get(r["value_as_concept_id"].strip(), ("", "", r["value_as_concept_id"]))[2]
    ctx.event(p, _when(r, "measurement"), code, value, unit, text or (r.get("value_source_value") or None
              if value is None else None), parse_float(r.get("range_low"), "range_low"),
              parse_float(r.get("range_high"), "range_high"), r.get("visit_occurrence_id"))


def _observations(ctx: _Ctx, r: dict[str, str]) -> None:
    p = _person(r)
    code = ctx.code("OBSERVATION", r.get("observation_concept_id"), r.get("observation_source_concept_id"),
                    r.get("observation_source_value"))
    value = parse_float(r.get("value_as_number"), "value_as_number")
    text = (r.get("value_as_string") or "").strip() or None
    if value is None and text is None and (r.get("value_as_concept_id") or "0").strip() not in ("", "0"):
        text = ctx.concepts.get(r["value_as_concept_id"].strip(), ("", "", None))[2] or None
    unit = (r.get("unit_source_value") or "").strip()[:64] or None
    ctx.event(p, _when(r, "observation"), code, value, unit, text, visit=r.get("visit_occurrence_id"))


# (table, fallback table, handler); visits before the events that point at them
_TABLES: list[tuple[str, str | None, Callable[[_Ctx, dict[str, str]], None]]] = [
    ("person", None, _persons), ("death", None, _death), ("visit_occurrence", None, _visits),
    ("condition_occurrence", "condition_era", _conditions), ("drug_exposure", "drug_era", _drugs),
    ("procedure_occurrence", None, _procedures), ("measurement", None, _measurements),
    ("observation", None, _observations),
]  # fmt: skip


def import_omop(db: Database, path: Path, *, batch_size: int = BATCH_SIZE,
                progress: Progress | None = None) -> ImportReport:
    """Import an OMOP CDM folder of CSV files."""
    started = _time.perf_counter()
    folder = Path(path)
    if find_file(folder, "person") is None:
        raise InvalidInput(f"{folder} has no person.csv: not an OMOP CDM export.")
    report = ImportReport("omop", SOURCE, str(folder))
    writer = BatchWriter(db, SOURCE, report, batch_size=batch_size)
    ctx = _Ctx(folder, writer)
    plan = []
    for table, fallback, handler in _TABLES:
        f = find_file(folder, table) or (find_file(folder, fallback) if fallback else None)
        if f is not None:
            plan.append((f, handler))
    total = sum(f.stat().st_size for f, _ in plan) or 1
    done = 0
    for f, handler in plan:
        size = f.stat().st_size

        def frac(x: float, size: int = size, done: int = done, name: str = f.name) -> None:
            if progress:
                progress((done + x * size) / total, name)

        for n, row in read_csv(f, frac):
            report.records_read += 1
            if "__malformed__" in row:
                report.error(f, f"line {n}", "malformed CSV row: " + row["__malformed__"])
                continue
            try:
                handler(ctx, row)
            except BadValue as exc:
                report.error(f, f"line {n}", str(exc))
        done += size
        if progress:
            progress(done / total, f.name)
    writer.close()
    report.seconds = _time.perf_counter() - started
    return report
