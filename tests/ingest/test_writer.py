import datetime as dt
import random

import pytest
from sqlalchemy import func, select

from medtrio.ingest.report import ImportReport
from medtrio.ingest.writer import BatchWriter, dedup_key
from medtrio.store.codes import dedup_key as store_dedup_key
from medtrio.store.schema import Code, Encounter, Event, Patient


def test_fast_dedup_key_equals_the_store_key():
    rng = random.Random(7)
    for i in range(500):
        step = dt.timedelta(seconds=rng.randrange(10**9), microseconds=rng.choice([0, 5]))
        t = None if i % 7 == 0 else dt.datetime(2000, 1, 1) + step
        v = None if i % 3 == 0 else rng.uniform(-1e6, 1e6)
        unit = rng.choice([None, "mg/dL", "µmol/L"])
        text = rng.choice([None, "", "positive", "x\x1fy"])
        n = rng.randrange(3)
        code = f"LAB//{i}"
        assert dedup_key(t, code, v, unit, text, n) == store_dedup_key(t, code, v, unit, text, n)
        assert dedup_key(t, "X", v, unit, text, n, {}) == store_dedup_key(t, "X", v, unit, text, n)


def _write(db, rows, batch_size=3, source="t"):
    report = ImportReport("test", source, "-")
    w = BatchWriter(db, source, report, batch_size=batch_size)
    w.patient("A", sex="F", birth_date=dt.date(1970, 1, 2))
    w.encounter("A", "enc1", kind="inpatient", start=dt.datetime(2020, 1, 1))
    for r in rows:
        w.event(*r)
    return w.close()


T = dt.datetime(2020, 1, 1, 8)
ROWS = [
    ("A", T, "LAB//LOINC//2160-0", 1.1, "mg/dL", None, 0.6, 1.2, "enc1"),
    ("A", T, "LAB//LOINC//2160-0", 1.1, "mg/dL", None, 0.6, 1.2, "enc1"),  # true duplicate
    ("A", T, "LAB//LOINC//2160-0", 1.1, "mg/dL", None, 0.6, 1.2, "enc1"),  # ... straddling a batch boundary
    ("B", None, "GENDER//M", None, None, None, None, None, None),
    ("B", T, "NEWTHING//x", None, None, "kept", None, None, None),
    ("B", T, "LAB//" + "s" * 100 + "//1", None, None, None, None, None, None),  # a long system segment
]


def test_batches_are_idempotent_and_keep_true_duplicates(db):
    rep = _write(db, ROWS, batch_size=2)
    assert rep.events_added == 6 and rep.patients == 2 and rep.batches == 3
    assert rep.events_read == {"lab": 4, "demographic": 1, "other": 1}
    again = _write(db, ROWS, batch_size=2)
    assert again.events_added == 0 and again.patients_added == 0
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 6
        a = s.scalar(select(Patient).where(Patient.external_id == "A"))
        assert (a.sex, a.birth_date) == ("F", dt.date(1970, 1, 2))
        enc = s.scalar(select(Encounter.id).where(Encounter.source_key == "enc1"))
        linked = s.scalar(select(func.count()).select_from(Event).where(Event.encounter_id == enc))
        assert linked == 3
        # the unknown code is kept and added to the vocabulary
        assert s.get(Code, "NEWTHING//x") is not None
        lab = s.scalars(select(Event).where(Event.category == "lab")).first()
        assert (lab.ref_low, lab.ref_high, lab.unit) == (0.6, 1.2, "mg/dL")


def test_a_failing_batch_leaves_nothing_of_itself(db, monkeypatch):
    import medtrio.ingest.writer as writer

    calls = {"n": 0}
    real = writer.insert_events

    def flaky(session, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(session, rows)

    monkeypatch.setattr(writer, "insert_events", flaky)
    with pytest.raises(RuntimeError):
        _write(db, ROWS, batch_size=2)
    with db.session() as s:
        # the first batch (2 events) is committed whole, the second left nothing behind
        assert s.scalar(select(func.count()).select_from(Event)) == 2
        assert s.scalar(select(func.count()).select_from(Patient).where(Patient.external_id == "B")) == 0
    monkeypatch.setattr(writer, "insert_events", real)
    rep = _write(db, ROWS, batch_size=2)
    assert rep.events_added == 4  # the re-run adds only what was missing


def test_stored_keys_are_the_store_dedup_keys(db):
    rows = [("P", T, "LAB//a", 1.5, "mg/dL", None, None, None, None),
            ("P", T, "LAB//a", 1.5, "mg/dL", None, None, None, None),
            ("P", None, "GENDER//F", None, None, None, None, None, None),
            ("P", T, "NOTE//x", None, None, "caf\u00e9", None, None, None),
            ("P", T, "NOTE//x", None, "", "", None, None, None)]
    _write(db, rows, batch_size=10)
    with db.session() as s:
        got = list(s.scalars(select(Event.dedup_key).join(Patient).where(Patient.external_id == "P")))
    want = []
    seen: dict = {}
    for _, t, code, v, unit, text, *_ in rows:
        n = seen.get((t, code, v, unit, text), 0)
        seen[(t, code, v, unit, text)] = n + 1
        want.append(store_dedup_key(t, code, v, unit, text, n))
    assert sorted(got) == sorted(want)
