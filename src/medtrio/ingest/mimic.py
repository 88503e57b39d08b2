"""MIMIC-IV `hosp` module (csv.gz) importer.

Tables read: patients (sex, birth year from anchor_age/anchor_year, date of death), admissions
(encounters), transfers, diagnoses_icd (+ d_icd_diagnoses names), procedures_icd (+ d_icd_procedures),
labevents (+ d_labitems; reference range -> ref_low/ref_high), prescriptions, omr (vitals).

Code choices (see docs/ingest.md): labs keep MIMIC's own item code as ``LAB//<itemid>//<unit>`` (the
same form the MIMIC MEDS release uses; the demo has no LOINC column), with the lab's flag
("abnormal") kept in ``text_value`` of numeric results; diagnoses are ``DIAGNOSIS//ICD//9|10//...``
(ICD-10 dotted); diagnoses have no time in MIMIC and are dated at the admission's discharge, as
MEDS-ETL does; omr vitals are mapped to LOINC (``data/vitals.csv``), unknown omr names are kept as
``VITAL//MIMIC_OMR//<name>``. Times are the de-identified (shifted) MIMIC times, unchanged.

Reference: MIMIC-IV documentation, https://mimic.mit.edu/docs/iv/modules/hosp/
"""

from __future__ import annotations

import datetime as dt
import time as _time
from collections.abc import Callable
from pathlib import Path

from medtrio.errors import InvalidInput
from medtrio.ingest.common import (
    BadValue,
    Progress,
    find_file,
    icd_code,
    maybe_float,
    parse_date,
    parse_float,
    parse_time,
    read_csv,
)  # fmt: skip
from medtrio.ingest.report import ImportReport
from medtrio.ingest.vocab import omr_vitals, vitals
from medtrio.ingest.writer import BATCH_SIZE, BatchWriter, check_event
from medtrio.store import Database

SOURCE = "mimic-iv"
TABLES = ("patients", "admissions", "transfers", "diagnoses_icd", "procedures_icd", "labevents",
          "prescriptions", "omr")  # fmt: skip

Handler = Callable[["_Ctx", int, dict[str, str]], None]


class _Ctx:
    def __init__(self, hosp: Path, writer: BatchWriter, report: ImportReport) -> None:
        self.hosp = hosp
        self.w = writer
        self.report = report
        self.admissions: dict[str, tuple[str, dt.datetime | None, dt.datetime | None]] = {}
        self.dx_names = _names(hosp, "d_icd_diagnoses", "diagnosis")
        self.px_names = _names(hosp, "d_icd_procedures", "procedure")
        self.lab_names: dict[str, str] = {}
        f = find_file(hosp, "d_labitems")
        if f:
            for _, r in read_csv(f):
                if "itemid" in r:
                    self.lab_names[r["itemid"]] = " ".join(x for x in (r.get("label"), r.get("fluid")) if x)

    def event(self, subject: str, time: dt.datetime | None, code: str, value: float | None = None,
              unit: str | None = None, text: str | None = None, low: float | None = None,
              high: float | None = None, hadm: str | None = None) -> None:
        problem = check_event(code, unit)
        if problem:
            raise BadValue(problem)
        self.w.event(subject, time, code, value, unit, text, low, high, hadm or None)


def _names(hosp: Path, table: str, kind: str) -> dict[str, str]:
    f = find_file(hosp, table)
    out: dict[str, str] = {}
    if f:
        for _, r in read_csv(f):
            if "icd_code" in r:
                out[icd_code(r["icd_code"], r["icd_version"], kind)] = r.get("long_title", "")
    return out


def import_mimic(db: Database, path: Path, *, batch_size: int = BATCH_SIZE,
                 progress: Progress | None = None) -> ImportReport:
    """Import a MIMIC-IV folder (the one holding ``hosp/``, or ``hosp/`` itself)."""
    started = _time.perf_counter()
    path = Path(path)
    hosp = path / "hosp" if (path / "hosp").is_dir() else path
    files = {t: find_file(hosp, t) for t in TABLES}
    if files["patients"] is None:
        raise InvalidInput(f"{hosp} has no patients.csv(.gz): not a MIMIC-IV hosp folder.")
    report = ImportReport("mimic", SOURCE, str(path))
    writer = BatchWriter(db, SOURCE, report, batch_size=batch_size)
    ctx = _Ctx(hosp, writer, report)
    sizes = {t: f.stat().st_size for t, f in files.items() if f}
    total = sum(sizes.values()) or 1
    done = 0
    for table in TABLES:
        f = files[table]
        if f is None:
            continue
        handler = _HANDLERS[table]

        def frac(x: float, table: str = table, done: int = done) -> None:
            if progress:
                progress((done + x * sizes[table]) / total, table)

        for n, row in read_csv(f, frac):
            report.records_read += 1
            if "__malformed__" in row:
                report.error(f, f"line {n}", "malformed CSV row: " + row["__malformed__"])
                continue
            try:
                handler(ctx, n, row)
            except (BadValue, KeyError) as exc:
                reason = f"missing column {exc}" if isinstance(exc, KeyError) else str(exc)
                report.error(f, f"line {n}", reason)
        done += sizes[table]
        if progress:
            progress(done / total, table)
    writer.close()
    report.seconds = _time.perf_counter() - started
    return report


def _subject(row: dict[str, str]) -> str:
    s = row["subject_id"].strip()
    if not s.isdigit():
        raise BadValue("missing or non-numeric subject_id")
    return s


def _patients(ctx: _Ctx, n: int, r: dict[str, str]) -> None:
    s = _subject(r)
    age = parse_float(r.get("anchor_age"), "anchor_age")
    year = parse_float(r.get("anchor_year"), "anchor_year")
    birth = dt.date(int(year - age), 1, 1) if age is not None and year is not None else None
    death = parse_date(r.get("dod"), "dod")
    sex = (r.get("gender") or "").strip().upper()[:1] or None
    ctx.w.patient(s, sex=sex, birth_date=birth, death_date=death)
    if sex:
        ctx.event(s, None, f"GENDER//{sex}")
    if birth:
        ctx.event(s, dt.datetime(birth.year, 1, 1), "MEDS_BIRTH")
    if death:
        ctx.event(s, dt.datetime(death.year, death.month, death.day), "MEDS_DEATH")


def _admissions(ctx: _Ctx, n: int, r: dict[str, str]) -> None:
    s, hadm = _subject(r), r["hadm_id"].strip()
    if not hadm:
        raise BadValue("missing hadm_id")
    start, end = parse_time(r["admittime"], "admittime"), parse_time(r.get("dischtime"), "dischtime")
    kind = (r.get("admission_type") or "").strip()
    ctx.admissions[hadm] = (s, start, end)
    ctx.w.encounter(s, hadm, kind="inpatient", start=start, end=end)
    ctx.event(s, start, "ENCOUNTER//INPATIENT", text=kind or None, hadm=hadm)
    ed = parse_time(r.get("edregtime"), "edregtime")
    if ed:
        ctx.event(s, ed, "ENCOUNTER//EMERGENCY", hadm=hadm)
    if end:
        ctx.event(s, end, "HOSPITAL_DISCHARGE//" + ((r.get("discharge_location") or "").strip() or "UNK"),
                  hadm=hadm)
    if (r.get("deathtime") or "").strip():
        ctx.event(s, parse_time(r["deathtime"], "deathtime"), "MEDS_DEATH", hadm=hadm)


def _transfers(ctx: _Ctx, n: int, r: dict[str, str]) -> None:
    s = _subject(r)
    kind = (r.get("eventtype") or "").strip() or "UNK"
    unit = (r.get("careunit") or "").strip() or "UNK"
    ctx.event(s, parse_time(r["intime"], "intime"), f"TRANSFER_TO//{kind}//{unit}", hadm=r.get("hadm_id"))


def _diagnoses(ctx: _Ctx, n: int, r: dict[str, str]) -> None:
    s, hadm = _subject(r), r["hadm_id"].strip()
    if not r["icd_code"].strip():
        raise BadValue("missing icd_code")
    code = icd_code(r["icd_code"], r["icd_version"], "diagnosis")
    adm = ctx.admissions.get(hadm)
    time = (adm[2] or adm[1]) if adm else None
    ctx.w.display(code, ctx.dx_names.get(code))
    ctx.event(s, time, code, hadm=hadm)


def _procedures(ctx: _Ctx, n: int, r: dict[str, str]) -> None:
    s = _subject(r)
    if not r["icd_code"].strip():
        raise BadValue("missing icd_code")
    code = icd_code(r["icd_code"], r["icd_version"], "procedure")
    ctx.w.display(code, ctx.px_names.get(code))
    ctx.event(s, parse_time(r["chartdate"], "chartdate"), code, hadm=r.get("hadm_id"))


def _labevents(ctx: _Ctx, n: int, r: dict[str, str]) -> None:
    s, item = _subject(r), r["itemid"].strip()
    if not item:
        raise BadValue("missing itemid")
    unit = (r.get("valueuom") or "").strip() or None
    code = f"LAB//{item}//{unit or 'UNK'}"
    value = parse_float(r.get("valuenum"), "valuenum")
    raw = (r.get("value") or "").strip() or None
    flag = (r.get("flag") or "").strip() or None
    text = flag if value is not None else raw
    ctx.w.display(code, ctx.lab_names.get(item))
    ctx.event(s, parse_time(r["charttime"], "charttime"), code, value, unit, text,
              parse_float(r.get("ref_range_lower"), "ref_range_lower"),
              parse_float(r.get("ref_range_upper"), "ref_range_upper"), r.get("hadm_id"))


def _prescriptions(ctx: _Ctx, n: int, r: dict[str, str]) -> None:
    s = _subject(r)
    drug = (r.get("drug") or "").strip()
    if not drug:
        raise BadValue("missing drug")
    code = "MEDICATION//MIMIC//" + drug[:200]
    unit = (r.get("dose_unit_rx") or "").strip()[:64] or None
    dose = r.get("dose_val_rx")
    value = maybe_float(dose)
    text = None if value is not None else ((dose or "").strip() or None)
    route = (r.get("route") or "").strip()
    if route:
        text = f"{text} {route}".strip() if text else route
    ctx.event(s, parse_time(r["starttime"], "starttime"), code, value, unit, text, hadm=r.get("hadm_id"))


def _omr(ctx: _Ctx, n: int, r: dict[str, str]) -> None:
    s = _subject(r)
    name = (r.get("result_name") or "").strip()
    value = (r.get("result_value") or "").strip()
    time = parse_time(r["chartdate"], "chartdate")
    if not name:
        raise BadValue("missing result_name")
    if name.startswith("Blood Pressure"):
        parts = value.split("/")
        if len(parts) != 2:
            raise BadValue("blood pressure not written as systolic/diastolic")
        v = vitals()
        for loinc, part in (("8480-6", parts[0]), ("8462-4", parts[1])):
            ctx.w.display(f"VITAL//LOINC//{loinc}", v[loinc].display)
            ctx.event(s, time, f"VITAL//LOINC//{loinc}", parse_float(part, "result_value"), v[loinc].ucum,
                      None if name == "Blood Pressure" else name)
        return
    vital = omr_vitals().get(name)
    if vital:
        code = f"VITAL//LOINC//{vital.loinc}"
        ctx.w.display(code, vital.display)
        ctx.event(s, time, code, parse_float(value, "result_value"), vital.ucum)
    else:
        num = maybe_float(value)
        ctx.event(s, time, "VITAL//MIMIC_OMR//" + name[:200], num, None, None if num is not None else value)


_HANDLERS: dict[str, Handler] = {
    "patients": _patients, "admissions": _admissions, "transfers": _transfers, "diagnoses_icd": _diagnoses,
    "procedures_icd": _procedures, "labevents": _labevents, "prescriptions": _prescriptions, "omr": _omr,
}  # fmt: skip
