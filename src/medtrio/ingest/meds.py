"""MEDS import and export (Medical Event Data Standard, the `meds` package's data schema).

A MEDS file is a parquet table with one row per event: ``subject_id`` (int64), ``time``
(timestamp, null for static facts), ``code``, ``numeric_value`` (float32) and ``text_value``;
extra columns are allowed and we read ``unit`` when present. Some releases name the value column
``value`` (the MIMIC-IV demo in MEDS does); it is read as ``numeric_value``. Demographics come from
the reserved codes ``MEDS_BIRTH`` / ``MEDS_DEATH`` and ``GENDER//F|M``.

The import is columnar: pyarrow reads record batches, validation (missing subject or code, codes too
long for the store) runs as vectorised masks, and only tuple building is per row. The export writes
the same schema (plus ``unit``) so that export -> re-import gives identical rows.

Reference: MEDS data schema, https://github.com/Medical-Event-Data-Standard/meds (meds.DataSchema).
"""

from __future__ import annotations

import datetime as dt
import math
import time as _time
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select

from medtrio.errors import InvalidInput
from medtrio.ingest.report import ImportReport
from medtrio.ingest.writer import BATCH_SIZE, MAX_CODE, MAX_UNIT, BatchWriter
from medtrio.store import Database
from medtrio.store.schema import Event, Patient

SOURCE = "meds"
Progress = Callable[[float, str], None]


def meds_files(path: Path) -> list[Path]:
    """The parquet files of a MEDS dataset (one file, or every ``*.parquet`` under a folder)."""
    path = Path(path)
    if path.is_file():
        return [path]
    files = sorted(p for p in path.rglob("*.parquet") if "metadata" not in p.parts)
    if not files:
        raise InvalidInput(f"No MEDS parquet files found under {path}.")
    return files


def import_meds(db: Database, path: Path, *, batch_size: int = BATCH_SIZE, progress: Progress | None = None,
                source: str = SOURCE) -> ImportReport:
    """Import a MEDS parquet file or dataset folder into the store."""
    started = _time.perf_counter()
    files = meds_files(Path(path))
    report = ImportReport("meds", source, str(path))
    writer = BatchWriter(db, source, report, batch_size=batch_size)
    total = sum(pq.ParquetFile(f).metadata.num_rows for f in files) or 1
    done = 0
    for f in files:
        pf = pq.ParquetFile(f)
        names = set(pf.schema_arrow.names)
        value_col = "numeric_value" if "numeric_value" in names else "value" if "value" in names else None
        if not {"subject_id", "code"} <= names:
            report.error(f, "schema", "missing column subject_id or code: not a MEDS file")
            continue
        wanted = ("subject_id", "time", "code", value_col, "text_value", "unit")
        cols = [c for c in wanted if c and c in names]
        offset = 0
        for rb in pf.iter_batches(batch_size=batch_size, columns=cols):
            _add_batch(writer, report, f, rb, offset, value_col)
            offset += rb.num_rows
            done += rb.num_rows
            if progress:
                progress(done / total, f"{done:,} of {total:,} rows")
    writer.close()
    report.seconds = _time.perf_counter() - started
    return report


def _add_batch(writer: BatchWriter, report: ImportReport, f: Path, rb: pa.RecordBatch, offset: int,
               value_col: str | None) -> None:
    n = rb.num_rows
    report.records_read += n
    subject = rb.column("subject_id")
    code = rb.column("code")
    bad = pc.or_kleene(pc.is_null(subject), pc.is_null(code))
    bad = pc.or_(pc.fill_null(bad, True), pc.fill_null(pc.greater(pc.utf8_length(code), MAX_CODE), False))
    unit = rb.column("unit") if "unit" in rb.schema.names else pa.nulls(n, pa.string())
    bad = pc.or_(bad, pc.fill_null(pc.greater(pc.utf8_length(unit), MAX_UNIT), False))
    if pc.any(bad).as_py():
        for i in pc.indices_nonzero(bad).to_pylist():
            report.error(f, f"row {offset + i + 1}", "missing subject_id or code, or code/unit too long")
        keep = pc.invert(bad)
        rb = rb.filter(keep)
        unit = unit.filter(keep)
        n = rb.num_rows
        subject, code = rb.column("subject_id"), rb.column("code")
    subjects = _values(pc.cast(subject, pa.string()))
    codes = _values(code)
    times = _times(rb.column("time")) if "time" in rb.schema.names else [None] * n
    if value_col:
        v = pc.cast(rb.column(value_col), pa.float64())
        values = pc.if_else(pc.is_nan(v), pa.scalar(None, pa.float64()), v).to_pylist()
    else:
        values = [None] * n
    texts = rb.column("text_value").cast(pa.string()).to_pylist() if "text_value" in rb.schema.names \
        else [None] * n
    units = unit.to_pylist()
    nones = [None] * n
    _demographics(writer, code, subjects, codes, times)
    writer.extend(zip(subjects, times, codes, values, units, texts, nones, nones, nones, strict=True))


def _values(col: pa.Array) -> list[Any]:
    """Python values of a column, converting each distinct value once.

    Events share subjects, codes and times (a lab panel), so this is several times faster than
    `to_pylist`, and equal values come back as one object, whose hash Python then computes once.
    """
    if len(col) == 0:
        return []
    enc = pc.dictionary_encode(col)
    distinct = enc.dictionary.to_pylist()
    distinct.append(None)
    idx = pc.fill_null(enc.indices, len(distinct) - 1).to_pylist()
    return list(itemgetter(*idx)(distinct)) if len(idx) > 1 else [distinct[idx[0]]]


def _times(col: pa.Array) -> list[dt.datetime | None]:
    if pa.types.is_timestamp(col.type):
        if col.type.tz is not None:  # store naive UTC
            col = col.cast(pa.timestamp(col.type.unit))
        if col.type.unit == "ns":
            col = col.cast(pa.timestamp("us"), safe=False)
        return _values(col)
    if pa.types.is_date(col.type):
        return [dt.datetime(d.year, d.month, d.day) if d else None for d in col.to_pylist()]
    return pc.cast(col, pa.timestamp("us")).to_pylist()


def _demographics(writer: BatchWriter, code: pa.Array, subjects: list[str], codes: list[str],
                  times: list[dt.datetime | None]) -> None:
    wanted = pc.or_(pc.is_in(code, pa.array(["MEDS_BIRTH", "MEDS_DEATH"])), pc.starts_with(code, "GENDER//"))
    for i in pc.indices_nonzero(pc.fill_null(wanted, False)).to_pylist():
        c = codes[i]
        if c == "MEDS_BIRTH" and times[i] is not None:
            writer.patient(subjects[i], birth_date=times[i].date())
        elif c == "MEDS_DEATH" and times[i] is not None:
            writer.patient(subjects[i], death_date=times[i].date())
        elif c.startswith("GENDER//"):
            sex = c.split("//", 1)[1][:1].upper()
            writer.patient(subjects[i], sex=sex if sex in ("F", "M") else "O")


# -- export -----------------------------------------------------------------------------------

EXPORT_SCHEMA = pa.schema([
    ("subject_id", pa.int64()), ("time", pa.timestamp("us")), ("code", pa.string()),
    ("numeric_value", pa.float32()), ("text_value", pa.large_string()), ("unit", pa.string()),
])  # fmt: skip


def export_meds(db: Database, out: Path, *, patient_ids: list[int] | None = None,
                chunk: int = 100_000, progress: Progress | None = None) -> int:
    """Write events as one MEDS parquet file (sorted by subject, then time); returns the row count.

    ``subject_id`` is the patients' external id when every exported patient has a distinct integer
    one (so a MEDS -> store -> MEDS trip keeps the ids), else Medtrio's own patient id.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with db.session() as s:
        q = select(Patient.id, Patient.external_id)
        if patient_ids is not None:
            q = q.where(Patient.id.in_(patient_ids))
        pats = dict(s.execute(q).all())
    subject = _subject_ids(pats)
    written = 0
    with db.session() as s, pq.ParquetWriter(out, EXPORT_SCHEMA) as w:
        q = select(Event.patient_id, Event.time, Event.code, Event.numeric_value, Event.text_value,
                   Event.unit)
        if patient_ids is not None:
            q = q.where(Event.patient_id.in_(patient_ids))
        q = q.order_by(Event.patient_id, Event.time.is_not(None), Event.time, Event.id)
        result = s.execute(q.execution_options(yield_per=chunk))
        for part in result.partitions(chunk):
            cols = list(zip(*part, strict=True))
            w.write_table(pa.table({
                "subject_id": pa.array([subject[p] for p in cols[0]], pa.int64()),
                "time": pa.array(cols[1], pa.timestamp("us")),
                "code": pa.array(cols[2], pa.string()),
                "numeric_value": pa.array([None if v is None or math.isnan(v) else v for v in cols[3]],
                                          pa.float32()),
                "text_value": pa.array(cols[4], pa.large_string()),
                "unit": pa.array(cols[5], pa.string()),
            }, schema=EXPORT_SCHEMA))
            written += len(part)
            if progress:
                progress(0.0, f"{written:,} rows written")
    return written


def _subject_ids(pats: dict[int, str]) -> dict[int, int]:
    try:
        ext = {pid: int(e) for pid, e in pats.items()}
    except ValueError:
        return {pid: pid for pid in pats}
    return ext if len(set(ext.values())) == len(ext) else {pid: pid for pid in pats}
