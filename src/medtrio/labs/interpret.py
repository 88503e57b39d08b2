"""The lab interpretation pipeline: file bytes -> results, flags, patterns, trends, urgency, summaries.

    read (PDF text / photo OCR / text / FHIR / HL7) -> extract lines -> normalise + flag each result
    -> report consistency checks -> patterns -> trends against earlier results -> urgency -> summaries

Every statement in the output names the rule and source keys it rests on (`data/sources.yaml`). Values
that need confirmation are listed, excluded from patterns, and never hide a critical value: a possibly
critical value still escalates ("confirm and contact a doctor now").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from medtrio.errors import InvalidInput
from medtrio.labs import readers
from medtrio.labs.catalog import Catalog, load_catalog
from medtrio.labs.consistency import check_report
from medtrio.labs.extract import RawResult, ReportMeta, parse_lines
from medtrio.labs.messages import read_fhir, read_hl7
from medtrio.labs.normalize import Result, normalise
from medtrio.labs.patterns import Pattern, find_patterns, rcv_significant
from medtrio.labs.summary import clinician_summary, patient_summary, questions, urgency_of


@dataclass(frozen=True)
class Previous:
    """An earlier result of the same patient, in catalog units."""

    key: str
    value: float
    time: dt.datetime | None = None


@dataclass
class Interpretation:
    results: list[Result]
    patterns: list[Pattern]
    trends: list[dict[str, Any]]
    meta: ReportMeta
    method: str
    urgency: str
    urgency_text: str
    summary: str
    clinician_summary: str
    questions: list[str]
    sources: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        lang = self.meta.lang
        return {
            "results": [r.as_dict(lang) for r in self.results],
            "summary": self.summary,
            "urgency": self.urgency,
            "urgency_text": self.urgency_text,
            "clinician_summary": self.clinician_summary,
            "patterns": [p.as_dict(lang) for p in self.patterns],
            "trends": self.trends,
            "questions": self.questions,
            "needs_confirmation": sum(r.needs_confirmation for r in self.results),
            "meta": {
                "sex": self.meta.sex,
                "age": self.meta.age,
                "collected": self.meta.date,
                "lang": lang,
                "method": self.method,
            },
            "sources": self.sources,
        }


def extract(
    data: bytes, filename: str = "", catalog: Catalog | None = None
) -> tuple[list[RawResult], ReportMeta, str]:
    """Read any supported input into raw results, header facts and the reading method."""
    catalog = catalog or load_catalog()
    kind = readers.sniff(data, filename)
    if kind == "fhir":
        results, meta = read_fhir(readers.load_json(data), catalog)
        return results, meta, "fhir"
    if kind == "hl7":
        results, meta = read_hl7(data.decode("utf-8", errors="replace"), catalog)
        return results, meta, "hl7v2"
    doc = {"pdf": readers.read_pdf, "image": readers.read_image, "text": readers.read_text}[kind](data)
    results, meta = parse_lines(doc.lines, catalog)
    if not results:
        what = "photo" if kind == "image" else "file"
        raise InvalidInput(
            f"no lab results were found in this {what}; is it a lab report? "
            "Try a sharper, straight photo or the PDF from the portal."
        )
    return results, meta, doc.method


def interpret_raw(
    raw: list[RawResult],
    meta: ReportMeta,
    *,
    method: str = "text",
    lang: str | None = None,
    previous: list[Previous] | None = None,
    catalog: Catalog | None = None,
) -> Interpretation:
    """Normalise, flag and explain raw results (also used after the user corrected values)."""
    catalog = catalog or load_catalog()
    if lang:
        meta = replace(meta, lang=lang)
    results = check_report([normalise(r, meta, catalog) for r in raw])
    patterns = find_patterns(results, meta.sex, meta.age, meta.lang)
    trends = _trends(results, previous or [], catalog)
    level, text = urgency_of(results, patterns, meta.lang)
    used = sorted({s for r in results for s in r.sources} | {s for p in patterns for s in p.sources})
    return Interpretation(
        results=results,
        patterns=patterns,
        trends=trends,
        meta=meta,
        method=method,
        urgency=level,
        urgency_text=text,
        summary=patient_summary(results, patterns, trends, level, meta.lang, catalog),
        clinician_summary=clinician_summary(results, patterns, trends),
        questions=questions(results, patterns, meta.lang),
        sources={k: catalog.sources[k] for k in used if k in catalog.sources},
    )


def interpret_bytes(
    data: bytes,
    filename: str = "",
    *,
    lang: str | None = None,
    sex: str | None = None,
    age: float | None = None,
    previous: list[Previous] | None = None,
) -> Interpretation:
    """The whole pipeline for one uploaded file; `sex`/`age` override what the report header says."""
    catalog = load_catalog()
    raw, meta, method = extract(data, filename, catalog)
    if sex:
        meta.sex = sex.upper()[:1]
    if age is not None:
        meta.age = age
    return interpret_raw(raw, meta, method=method, lang=lang, previous=previous, catalog=catalog)


def _trends(results: list[Result], previous: list[Previous], catalog: Catalog) -> list[dict[str, Any]]:
    """Change against the latest earlier result of each analyte, judged by the reference change value."""
    latest: dict[str, Previous] = {}
    for p in sorted(previous, key=lambda p: p.time or dt.datetime.min):
        latest[p.key] = p
    out = []
    for r in results:
        if not r.key or r.key not in latest or r.catalog_value is None or r.needs_confirmation:
            continue
        a = catalog.by_key[r.key]
        p = latest[r.key]
        change = r.catalog_value - p.value
        pct = change / p.value * 100 if p.value else None
        sig = rcv_significant(p.value, r.catalog_value, a.rcv) if a.rcv else None
        out.append({
            "analyte": r.key, "name": a.en, "previous": p.value, "current": r.catalog_value, "unit": a.unit,
            "previous_time": p.time.isoformat() if p.time else None, "change": round(change, 4),
            "change_pct": round(pct, 1) if pct is not None else None, "rcv_pct": a.rcv, "significant": sig,
            "rule": "reference change value" if a.rcv else "no reference change value known",
            "sources": ["bv"] if a.rcv else [],
        })  # fmt: skip
    return out
