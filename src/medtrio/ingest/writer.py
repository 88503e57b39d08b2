"""The batch writer every importer feeds: patients, encounters, codes and events, one transaction per batch.

Importers parse their source into plain tuples and hand them over; the writer resolves patients and
encounters in bulk, adds unseen codes to the vocabulary, numbers true duplicates, and inserts the
batch through `medtrio.store.events.insert_events` (idempotent through the dedup key). Each flush is
one transaction, so a killed import leaves whole batches only; re-running it adds just what is missing.

Occurrence numbers (the 1st, 2nd ... identical event of a patient) are counted over the whole import,
not per batch, so true duplicates that straddle a batch boundary are all kept. Counting is
deterministic for a given input, which is what keeps a re-run idempotent. The counter is reset every
`OCCURRENCE_WINDOW` distinct events (also deterministically) to bound memory on very large imports.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from hashlib import blake2b
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from medtrio.ingest.report import ImportReport
from medtrio.store import Database
from medtrio.store.codes import category_of
from medtrio.store.events import ensure_codes, insert_events
from medtrio.store.schema import Encounter, Patient

BATCH_SIZE = 50_000
OCCURRENCE_WINDOW = 2_000_000
MAX_CODE = 255
MAX_UNIT = 64
_CHUNK = 500  # bound on IN (...) lists
_PATIENTS = Patient.__table__

# (patient external id, time, code, numeric_value, unit, text_value, ref_low, ref_high, encounter key)
EventTuple = tuple[str, dt.datetime | None, str, float | None, str | None, str | None,
                   float | None, float | None, str | None]  # fmt: skip

PATIENT_FIELDS = ("name", "sex", "birth_date", "death_date")
_pack = struct.Struct("<d").pack


def dedup_key(time: dt.datetime | None, code: str, value: float | None, unit: str | None, text: str | None,
              occurrence: int, _iso: dict[dt.datetime, bytes] | None = None) -> int:
    """Exactly `medtrio.store.codes.dedup_key` (a test checks it), hashed in one call for speed.

    `_iso` caches the encoded times of a batch: many events share a time (a lab panel).
    """
    if time is None:
        t = b"-"
    elif _iso is None:
        t = time.isoformat().encode()
    else:
        t = _iso.get(time)
        if t is None:
            t = _iso[time] = time.isoformat().encode()
    data = b"\x1f".join((
        t, code.encode(), _pack(value) if value is not None else b"-", (unit or "").encode(),
        (text or "").encode(), str(occurrence).encode(),
    ))  # fmt: skip
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "little") >> 1


def check_event(code: str, unit: str | None) -> str | None:
    """Why an event cannot be stored (None when it can): the limits of the store's columns."""
    if not code:
        return "empty code"
    if len(code) > MAX_CODE:
        return f"code longer than {MAX_CODE} characters"
    if unit is not None and len(unit) > MAX_UNIT:
        return f"unit longer than {MAX_UNIT} characters"
    return None


class BatchWriter:
    """Collects one import's records and writes them in batches of `batch_size` events."""

    def __init__(
        self,
        db: Database,
        source: str,
        report: ImportReport,
        *,
        batch_size: int = BATCH_SIZE,
        background: bool = True,
    ) -> None:
        self.db = db
        self.source = source
        self.report = report
        self.batch_size = batch_size
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="ingest-writer") if background else None
        self._future: Future[None] | None = None
        self.rows: list[EventTuple] = []
        self._patient_ids: dict[str, int] = {}
        self._pending_patients: dict[str, dict[str, Any]] = {}
        self._encounter_ids: dict[tuple[str, str], int] = {}
        self._pending_encounters: dict[tuple[str, str], dict[str, Any]] = {}
        self._known_codes: set[str] = set()
        self._displays: dict[str, str] = {}
        self._categories: dict[str, str] = {}
        self._occurrences: dict[tuple[Any, ...], int] = {}
        self.seen_patients: set[str] = set()

    # -- collecting ---------------------------------------------------------------------------
    def patient(self, external_id: str, **fields: Any) -> None:
        """Declare a patient (with any known demographics: name, sex, birth_date, death_date)."""
        pending = self._pending_patients.setdefault(external_id, {})
        for k, v in fields.items():
            if k not in PATIENT_FIELDS:
                raise ValueError(f"unknown patient field {k!r}")
            if v is not None and pending.get(k) is None:
                pending[k] = v[:200] if k == "name" else v  # the column's bound
        self.seen_patients.add(external_id)

    def encounter(self, patient: str, key: str, *, kind: str | None = None,
                  start: dt.datetime | None = None, end: dt.datetime | None = None) -> None:
        self._pending_encounters[(patient, key)] = {"kind": kind, "start": start, "end": end}
        self.seen_patients.add(patient)

    def display(self, code: str, name: str | None) -> None:
        if name:
            self._displays.setdefault(code, name[:500])

    def event(self, patient: str, time: dt.datetime | None, code: str, numeric_value: float | None = None,
              unit: str | None = None, text_value: str | None = None, ref_low: float | None = None,
              ref_high: float | None = None, encounter: str | None = None) -> None:
        self.rows.append((patient, time, code, numeric_value, unit, text_value, ref_low, ref_high, encounter))
        if len(self.rows) >= self.batch_size:
            self.flush()

    def extend(self, rows: Iterable[EventTuple]) -> None:
        """Add many event tuples at once (the fast path of columnar readers)."""
        self.rows.extend(rows)
        while len(self.rows) >= self.batch_size:
            self.flush(limit=self.batch_size)

    # -- writing ------------------------------------------------------------------------------
    def flush(self, limit: int | None = None) -> None:
        """Hand the pending batch (at most `limit` events of it) to the writer thread.

        The batch's content keys are computed here while the previous batch is still being written
        (the database does its part with the GIL released), so parsing and writing overlap. At most
        one batch is in flight; its failure is raised by the next `flush` or by `close`.
        """
        if limit is not None and len(self.rows) > limit:
            batch, self.rows = self.rows[:limit], self.rows[limit:]
        else:
            batch, self.rows = self.rows, []
        if not (batch or self._pending_patients or self._pending_encounters or self._displays):
            return
        if len(self._occurrences) >= OCCURRENCE_WINDOW:
            self._occurrences = {}
        rows = self._complete(batch, self._occurrences)
        job = (rows, self._pending_patients, self._pending_encounters, self._displays)
        self._pending_patients, self._pending_encounters, self._displays = {}, {}, {}
        self._wait()
        if self._pool is None:
            self._write(*job)
        else:
            self._future = self._pool.submit(self._write, *job)

    def _wait(self) -> None:
        if self._future is not None:
            future, self._future = self._future, None
            future.result()  # re-raises the writer thread's error here

    def close(self) -> ImportReport:
        """Write everything still pending and wait for it; returns the report."""
        try:
            while self.rows or self._pending_patients or self._pending_encounters or self._displays:
                self.flush(limit=self.batch_size)
            self._wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
        self.report.patients = len(self.seen_patients | set(self._patient_ids))
        return self.report

    def _write(self, rows: list[dict[str, Any]], patients: dict[str, dict[str, Any]],
               encounters: dict[tuple[str, str], dict[str, Any]], displays: dict[str, str]) -> None:
        """One transaction: patients, encounters, codes and the batch's events."""
        with self.db.session() as s:
            new_pids, added_patients = self._resolve_patients(s, {r["patient_id"] for r in rows}, patients)
            pids = {**self._patient_ids, **new_pids}
            refs = {(r["patient_id"], r["encounter_id"]) for r in rows if r["encounter_id"] is not None}
            new_encs = self._resolve_encounters(s, pids, refs, encounters)
            encs = {**self._encounter_ids, **new_encs}
            codes = {r["code"] for r in rows}
            if codes - self._known_codes or displays:
                ensure_codes(s, (codes - self._known_codes) | set(displays), displays)
            for r in rows:  # external ids -> store ids, now that they exist
                ext = r["patient_id"]
                r["patient_id"] = pids[ext]
                if r["encounter_id"] is not None:
                    r["encounter_id"] = encs.get((ext, r["encounter_id"]))
            added = insert_events(s, rows) if rows else 0
        # only now (committed) do the caches learn what this batch created
        self._patient_ids.update(new_pids)
        self._encounter_ids.update(new_encs)
        self._known_codes |= codes | set(displays)
        rep = self.report
        rep.patients_added += added_patients
        rep.events_added += added
        rep.batches += 1
        rep.events_read.update(r["category"] for r in rows)

    def _complete(self, batch: list[EventTuple],
                  occurrences: dict[tuple[Any, ...], int]) -> list[dict[str, Any]]:
        """Event dicts with category and dedup key; patient and encounter still as source keys.

        The key is `dedup_key` inlined, with each distinct time, code and unit encoded once per batch
        (a test checks the stored keys against `medtrio.store.codes.dedup_key`).
        """
        cats = self._categories
        source = self.source
        iso: dict[Any, bytes] = {None: b"-"}
        strs: dict[Any, bytes] = {None: b""}
        out = []
        append = out.append
        for ext, time, code, value, unit, text, low, high, enc in batch:
            key = (ext, time, code, value, unit, text)
            n = occurrences.get(key, 0)
            occurrences[key] = n + 1
            cat = cats.get(code)
            if cat is None:
                cat = cats[code] = category_of(code)
            t = iso.get(time)
            if t is None:
                t = iso[time] = time.isoformat().encode()
            c = strs.get(code)
            if c is None:
                c = strs[code] = code.encode()
            u = strs.get(unit)
            if u is None:
                u = strs[unit] = unit.encode()
            data = b"\x1f".join((t, c, b"-" if value is None else _pack(value), u,
                                 b"" if text is None else text.encode(), b"%d" % n))
            append({
                "patient_id": ext, "time": time, "code": code, "category": cat,
                "numeric_value": value, "unit": unit, "text_value": text, "ref_low": low, "ref_high": high,
                "source": source, "encounter_id": enc,
                "dedup_key": int.from_bytes(blake2b(data, digest_size=8).digest(), "little") >> 1,
            })  # fmt: skip
        return out

    def _resolve_patients(self, s: Session, exts: set[str],
                          pending: dict[str, dict[str, Any]]) -> tuple[dict[str, int], int]:
        """Ids of this batch's patients not yet cached, creating missing ones; demographics filled in."""
        wanted = (exts | set(pending)) - set(self._patient_ids)
        found = self._select_patients(s, wanted)
        missing = sorted(wanted - set(found))
        if missing:
            s.execute(insert(_PATIENTS), [
                {"source": self.source, "external_id": e,
                 **{k: pending.get(e, {}).get(k) for k in PATIENT_FIELDS}}
                for e in missing
            ])  # fmt: skip
            found.update(self._select_patients(s, set(missing)))
        known = {**self._patient_ids, **found}
        updates = [
            {"pid": known[e], **{k: f.get(k) for k in PATIENT_FIELDS}}
            for e, f in pending.items() if e not in missing and any(f.values())
        ]
        if updates:
            s.execute(
                update(_PATIENTS).where(_PATIENTS.c.id == bindparam("pid")).values(
                    **{k: func.coalesce(_PATIENTS.c[k], bindparam(k)) for k in PATIENT_FIELDS}
                ),
                updates,
            )
        return found, len(missing)

    def _select_patients(self, s: Session, exts: set[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        items = sorted(exts)
        for i in range(0, len(items), _CHUNK):
            q = select(Patient.external_id, Patient.id).where(
                Patient.source == self.source, Patient.external_id.in_(items[i:i + _CHUNK]))
            out.update({e: pid for e, pid in s.execute(q)})
        return out

    def _resolve_encounters(self, s: Session, pids: dict[str, int], refs: set[tuple[str, str]],
                            pending: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], int]:
        wanted = (refs | set(pending)) - set(self._encounter_ids)
        wanted = {k for k in wanted if k[0] in pids}
        found = self._select_encounters(s, pids, wanted)
        new = [k for k in sorted(wanted - set(found)) if k in pending]
        if new:
            s.execute(insert(Encounter.__table__), [
                {"patient_id": pids[p], "source_key": key, **pending[(p, key)]}
                for p, key in new
            ])  # fmt: skip
            found.update(self._select_encounters(s, pids, set(new)))
        return found

    def _select_encounters(self, s: Session, pids: dict[str, int],
                           keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        by_id = {pids[p]: p for p, _ in keys}
        items = sorted(keys)
        for i in range(0, len(items), _CHUNK):
            chunk = items[i:i + _CHUNK]
            q = select(Encounter.patient_id, Encounter.source_key, Encounter.id).where(
                Encounter.patient_id.in_({pids[p] for p, _ in chunk}),
                Encounter.source_key.in_({k for _, k in chunk}))
            for pid, key, eid in s.execute(q):
                if (by_id.get(pid), key) in keys:
                    out[(by_id[pid], key)] = eid
        return out
