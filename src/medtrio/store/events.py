"""Writing and reading patient events: the one place that runs event SQL.

`insert_events` is the bulk path every importer uses; it is idempotent through the
(patient_id, dedup_key) unique index. `timeline` is the read path of the chart pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from medtrio.errors import InvalidInput
from medtrio.store.codes import category_of, dedup_key
from medtrio.store.schema import Code, Event

EVENT_FIELDS = (
    "patient_id", "time", "code", "numeric_value", "unit", "text_value",
    "ref_low", "ref_high", "source", "encounter_id",
)  # fmt: skip


_INSERT_COLUMNS = (
    "patient_id", "time", "code", "category", "numeric_value", "unit", "text_value", "ref_low", "ref_high",
    "source", "encounter_id", "dedup_key",
)  # fmt: skip
_row_values = itemgetter(*_INSERT_COLUMNS)
_COLUMN_LIST = ", ".join(_INSERT_COLUMNS)
_PG_LOAD_TABLE = (
    f"CREATE TEMP TABLE IF NOT EXISTS events_load ON COMMIT DELETE ROWS AS SELECT {_COLUMN_LIST} "
    "FROM events WITH NO DATA"
)
_PG_INSERT = (
    f"INSERT INTO events ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM events_load "
    "ON CONFLICT (patient_id, dedup_key) DO NOTHING"
)
_SQLITE_INSERT = (
    f"INSERT INTO events ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))}) "
    "ON CONFLICT (patient_id, dedup_key) DO NOTHING"
)


def complete_row(row: dict[str, Any], occurrence: int = 0) -> dict[str, Any]:
    """Fill the derived columns (category, dedup_key) and defaults of one event dict."""
    out = {k: row.get(k) for k in EVENT_FIELDS}
    out["source"] = out["source"] or "local"
    out["category"] = row.get("category") or category_of(row["code"])
    out["dedup_key"] = row.get("dedup_key") or dedup_key(
        row.get("time"), row["code"], row.get("numeric_value"), row.get("unit"), row.get("text_value"),
        occurrence,
    )
    return out


def with_occurrences(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Complete rows, numbering identical events of the same patient 0, 1, 2 ... in input order."""
    seen: dict[tuple[Any, ...], int] = {}
    out = []
    for row in rows:
        key = (row["patient_id"], row.get("time"), row["code"], row.get("numeric_value"),
               row.get("unit"), row.get("text_value"))  # fmt: skip
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(complete_row(row, n))
    return out


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert completed event rows, skipping any already stored; returns how many were new.

    Rows must come from `complete_row`/`with_occurrences`. Runs inside the caller's transaction,
    so an importer commits (or rolls back) one batch as a whole.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    # driver-level statements, not the ORM bulk path (which splits a batch into many small statements);
    # new rows are counted from the statement itself, not by re-counting the table
    if dialect == "sqlite":
        # straight to the driver: SQLAlchemy's per-row parameter processing costs more than the insert;
        # times are written in SQLAlchemy's own SQLite DATETIME format, so reads are unchanged
        times: dict[dt.datetime | None, str | None] = {None: None}  # events often share a time
        params = [
            (r["patient_id"], times[t] if (t := r["time"]) in times else times.setdefault(
                t, t.isoformat(" ", "microseconds")),
             r["code"], r["category"], r["numeric_value"], r["unit"], r["text_value"], r["ref_low"],
             r["ref_high"], r["source"], r["encounter_id"], r["dedup_key"])
            for r in rows
        ]
        return session.connection().exec_driver_sql(_SQLITE_INSERT, params).rowcount
    if dialect == "postgresql":
        # COPY into a session temp table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING: several
        # times faster than executemany, and the statement's rowcount is exactly the new rows
        with session.connection().connection.cursor() as cur:
            cur.execute(_PG_LOAD_TABLE)
            cur.execute("TRUNCATE events_load")
            with cur.copy(f"COPY events_load ({_COLUMN_LIST}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(_row_values(r))
            cur.execute(_PG_INSERT)
            return cur.rowcount
    raise InvalidInput(f"Unsupported database {dialect!r}: Medtrio stores events in SQLite or PostgreSQL.")


def ensure_codes(session: Session, codes: Iterable[str], displays: dict[str, str] | None = None) -> None:
    """Add codes not yet in the vocabulary (unknown codes are kept with no display name)."""
    codes = set(codes)
    if not codes:
        return
    displays = displays or {}
    known = set(session.scalars(select(Code.code).where(Code.code.in_(codes))))
    new = [
        {"code": c, "system": _system_of(c), "display": displays.get(c), "parent": None}
        for c in sorted(codes - known)
    ]
    if new:
        session.execute(insert(Code), new)
    for c in codes & known:
        if displays.get(c):
            code = session.get(Code, c)
            if code is not None and not code.display:
                code.display = displays[c]


def _system_of(code: str) -> str | None:
    parts = code.split("//")
    # bounded to the column (64): a source's free-text segment must not fail a whole batch on PostgreSQL
    return parts[1][:64] if len(parts) > 2 else None


@dataclass(frozen=True)
class TimelineEvent:
    id: int
    time: dt.datetime | None
    code: str
    display: str | None
    category: str
    numeric_value: float | None
    unit: str | None
    text_value: str | None
    ref_low: float | None
    ref_high: float | None
    source: str

    @property
    def label(self) -> str:
        return self.display or self.code


def timeline(
    session: Session,
    patient_id: int,
    *,
    categories: Sequence[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    code: str | None = None,
    limit: int | None = None,
) -> list[TimelineEvent]:
    """A patient's events in time order (static events first), with display names."""
    q = (
        select(
            Event.id, Event.time, Event.code, Code.display, Event.category, Event.numeric_value,
            Event.unit, Event.text_value, Event.ref_low, Event.ref_high, Event.source,
        )
        .outerjoin(Code, Code.code == Event.code)
        .where(Event.patient_id == patient_id)
    )
    if categories:
        q = q.where(Event.category.in_(list(categories)))
    if start is not None:
        q = q.where(Event.time >= start)
    if end is not None:
        q = q.where(Event.time < end)
    if code is not None:
        q = q.where(Event.code == code)
    q = q.order_by(Event.time.is_not(None), Event.time, Event.id)
    if limit is not None:
        q = q.limit(limit)
    return [TimelineEvent(*row) for row in session.execute(q)]


def category_counts(session: Session, patient_id: int | None = None) -> dict[str, int]:
    """Number of events per category, for one patient or the whole store."""
    q = select(Event.category, func.count()).group_by(Event.category)
    if patient_id is not None:
        q = q.where(Event.patient_id == patient_id)
    return {cat: n for cat, n in session.execute(q)}
