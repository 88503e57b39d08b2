"""Saving interpreted results to the record (both backends) and reading them back for trends."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from medtrio.labs.interpret import interpret_bytes
from medtrio.labs.record import previous_results, save_interpretation
from medtrio.store.audit import Actor
from medtrio.store.patients import upsert_patient
from medtrio.store.schema import AuditLog, Event

REPORT = (
    b"Sex: F\nAge: 50\nCollected: 2024-03-05\nCreatinine 1.6 H mg/dL 0.5-1.1\nSodium 14O mmol/L 133-145\n"
)


def _patient(db) -> int:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return upsert_patient(s, "test", "labs-1", sex="F", birth_date=dt.date(1974, 1, 1))


class TestSave:
    def test_only_trustworthy_results_are_saved(self, db) -> None:  # type: ignore[no-untyped-def]
        pid = _patient(db)
        it = interpret_bytes(REPORT, "r.txt")
        assert [r.needs_confirmation for r in it.results] == [False, True]  # "14O" needs confirming
        actor = Actor.system("test")
        with db.session() as s:
            saved = save_interpretation(s, actor, pid, it)
        assert (saved.events, saved.skipped_unconfirmed) == (1, 1)
        with db.session() as s:
            ev = s.execute(select(Event).where(Event.patient_id == pid)).scalars().all()
            assert [(e.code, e.numeric_value, e.unit, e.ref_high) for e in ev] == [
                ("LAB//LOINC//2160-0", 1.6, "mg/dL", 1.1)
            ]
            assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.patient_id == pid)) == 1
        with db.session() as s:  # idempotent
            assert save_interpretation(s, actor, pid, it).events == 0

    def test_trend_from_the_record(self, db) -> None:  # type: ignore[no-untyped-def]
        pid = _patient(db)
        actor = Actor.system("test")
        with db.session() as s:
            earlier = interpret_bytes(b"Collected: 2023-01-10\nCreatinine 0.9 mg/dL 0.5-1.1\n", "a.txt")
            save_interpretation(s, actor, pid, earlier)
        with db.session() as s:
            prev = previous_results(s, actor, pid, before=dt.datetime(2024, 3, 5))
        it = interpret_bytes(REPORT, "r.txt", previous=prev)
        t = it.trends[0]
        assert t["analyte"] == "creatinine" and t["significant"] is True and t["previous"] == 0.9
