"""Evidence links land on their record entry: `?event=ID` opens the timeline page that holds the event,
and its row carries `id="event-ID"` (the case analysis links `...?event=ID#event-ID`)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from medtrio.store import Database, insert_events, with_occurrences
from medtrio.store.schema import Event


def _add_long_record(db: Database, patient_id: int) -> list[int]:
    """131 more events (146 in all), with equal times and undated rows: three pages of 50."""
    t0 = dt.datetime(2021, 1, 1)
    rows = [  # two labs a day: equal times, ordered by id
        {
            "patient_id": patient_id,
            "time": t0 + dt.timedelta(days=i // 2),
            "code": f"LAB//LOINC//2345-{i % 2}",
            "numeric_value": 5.0 + i,
            "unit": "mmol/L",
        }
        for i in range(125)
    ]
    rows += [{"patient_id": patient_id, "time": None, "code": f"ALLERGY//TEST//{k}"} for k in range(3)]
    rows += [{"patient_id": patient_id, "time": t0, "code": f"DIAGNOSIS//ICD//10//I1{k}"} for k in range(3)]
    with db.session() as s:
        insert_events(s, with_occurrences(rows))
    with db.session() as s:
        return list(s.scalars(select(Event.id).where(Event.patient_id == patient_id)))


def _undated(db: Database, patient_id: int) -> set[int]:
    with db.session() as s:
        return set(s.scalars(select(Event.id).where(Event.patient_id == patient_id, Event.time.is_(None))))


def _rows(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<tr id="event-')[1:]]


def test_event_parameter_opens_the_page_holding_the_event(client, db, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    ids = _add_long_record(db, seeded.patient_a)
    assert len(ids) > 100
    sign_in(client, "doc")
    base = f"/clinic/patients/{seeded.patient_a}"
    pages = {}
    for p in (1, 2, 3):
        for eid in _rows(client.get(f"{base}?page={p}").text):
            pages[int(eid)] = p
    assert sorted(pages) == sorted(ids) and set(pages.values()) == {1, 2, 3}
    undated = _undated(db, seeded.patient_a)
    assert len(undated) == 3 and {pages[e] for e in undated} == {3}  # undated rows come last
    for eid in sorted(ids)[::5] + sorted(undated):
        html = client.get(f"{base}?event={eid}").text
        assert f'id="event-{eid}"' in html, (eid, pages[eid])
        assert f"{pages[eid]} / 3" in html
    # a category filter the event is not in is dropped; one it is in is kept
    lab = next(e for e in ids if pages[e] == 3 and e not in undated)
    html = client.get(f"{base}?category=diagnosis&event={lab}").text
    assert f'id="event-{lab}"' in html
    diagnosis_rows = client.get(f"{base}?category=diagnosis").text
    first_dx = _rows(diagnosis_rows)[0]
    html = client.get(f"{base}?category=diagnosis&event={first_dx}").text
    assert f'id="event-{first_dx}"' in html and '"on" data-category="diagnosis"' in html


def test_event_of_another_patient_is_ignored(client: TestClient, db, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    _add_long_record(db, seeded.patient_b)
    with db.session() as s:
        bob_ids = list(s.scalars(select(Event.id).where(Event.patient_id == seeded.patient_b)))
    sign_in(client, "alice")
    own = client.get("/me")
    for eid in bob_ids[:3] + [10**9]:
        page = client.get(f"/me?event={eid}")
        assert page.status_code == 200
        assert f'id="event-{eid}"' not in page.text
        assert _rows(page.text) == _rows(own.text)  # the first page, nothing revealed


def test_patient_event_link_in_own_record(client, db, seeded, sign_in) -> None:  # type: ignore[no-untyped-def]
    ids = _add_long_record(db, seeded.patient_a)
    sign_in(client, "alice")
    for eid in _undated(db, seeded.patient_a) | {min(ids)}:
        html = client.get(f"/me?event={eid}").text
        assert f'id="event-{eid}"' in html
