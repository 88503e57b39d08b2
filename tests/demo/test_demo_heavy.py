"""The heavy patient (a very long record) and argument checks, on each backend."""

from __future__ import annotations

import datetime as dt

import pytest

from medtrio.demo.build import build_demo
from medtrio.demo.heavy import add_heavy_patient
from medtrio.errors import InvalidInput
from medtrio.store import timeline
from medtrio.store.schema import Patient


def test_bad_size_is_refused(db):
    with pytest.raises(InvalidInput):
        build_demo(db, 0)


def test_heavy_patient_has_exactly_the_requested_events(db):
    pid = add_heavy_patient(db, n_events=3000, seed=1)
    assert add_heavy_patient(db, n_events=3000, seed=1) == pid
    with db.session() as s:
        events = timeline(s, pid)
        assert len(events) == 3000
        assert {e.category for e in events} >= {"lab", "vital", "diagnosis", "medication", "encounter"}
        times = [e.time for e in events if e.time is not None]
        assert times == sorted(times) and times[-1] - times[0] > dt.timedelta(days=3 * 365)
        assert s.get(Patient, pid).department_id is not None


def test_heavy_patient_needs_a_sensible_size(db):
    with pytest.raises(InvalidInput):
        add_heavy_patient(db, n_events=5)
