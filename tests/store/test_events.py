import datetime as dt

from medtrio.store import insert_events, timeline, upsert_patient, with_occurrences
from medtrio.store.codes import category_of, dedup_key
from medtrio.store.events import category_counts, ensure_codes
from medtrio.store.schema import Code


class TestCategoryOf:
    def test_prefixes(self):
        assert category_of("LAB//LOINC//2160-0") == "lab"
        assert category_of("DIAGNOSIS//ICD//10//E11") == "diagnosis"
        assert category_of("MEDS_DEATH") == "death"
        assert category_of("HOSPITAL_ADMISSION//EW EMER.") == "encounter"

    def test_unknown_prefix_is_other(self):
        assert category_of("SOMETHING//NEW") == "other"


class TestDedupKey:
    def test_same_content_same_key(self):
        t = dt.datetime(2020, 1, 1, 8)
        assert dedup_key(t, "LAB//X", 1.0, "mg/dL", None) == dedup_key(t, "LAB//X", 1.0, "mg/dL", None)

    def test_occurrence_and_value_change_key(self):
        t = dt.datetime(2020, 1, 1, 8)
        base = dedup_key(t, "LAB//X", 1.0, "mg/dL", None)
        assert base != dedup_key(t, "LAB//X", 1.0, "mg/dL", None, occurrence=1)
        assert base != dedup_key(t, "LAB//X", 1.5, "mg/dL", None)
        assert 0 <= base < 2**63


def _rows(pid):
    t0 = dt.datetime(2021, 3, 1, 9, 30)
    return [
        {"patient_id": pid, "time": None, "code": "MEDS_BIRTH", "source": "test"},
        {"patient_id": pid, "time": t0, "code": "LAB//LOINC//2160-0", "numeric_value": 1.1, "unit": "mg/dL",
         "ref_low": 0.6, "ref_high": 1.2, "source": "test"},
        # a true duplicate in the source: both copies must be kept
        {"patient_id": pid, "time": t0, "code": "LAB//LOINC//2160-0", "numeric_value": 1.1, "unit": "mg/dL",
         "source": "test"},
        {"patient_id": pid, "time": t0 + dt.timedelta(days=2), "code": "DIAGNOSIS//ICD//10//E11",
         "source": "test"},
        {"patient_id": pid, "time": t0 - dt.timedelta(days=5), "code": "UNKNOWN//thing", "text_value": "x",
         "source": "test"},
    ]


class TestInsertEvents:
    def test_insert_is_idempotent_and_keeps_duplicates(self, db):
        with db.session() as s:
            pid = upsert_patient(s, "test", "p1", sex="F", birth_date=dt.date(1970, 5, 2))
            assert insert_events(s, with_occurrences(_rows(pid))) == 5
        with db.session() as s:
            assert insert_events(s, with_occurrences(_rows(pid))) == 0
        with db.session() as s:
            assert category_counts(s, pid) == {"demographic": 1, "lab": 2, "diagnosis": 1, "other": 1}

    def test_failed_batch_leaves_nothing(self, db):
        with db.session() as s:
            pid = upsert_patient(s, "test", "p1")
        rows = with_occurrences(_rows(pid)) + [{"patient_id": pid, "code": None}]  # invalid row
        try:
            with db.session() as s:
                insert_events(s, rows[:-1])
                insert_events(s, [dict(rows[0], code=None, dedup_key=1)])
        except Exception:
            pass
        with db.session() as s:
            assert category_counts(s, pid) == {}


class TestTimeline:
    def test_order_filters_and_display(self, db):
        with db.session() as s:
            pid = upsert_patient(s, "test", "p1")
            insert_events(s, with_occurrences(_rows(pid)))
            ensure_codes(s, ["LAB//LOINC//2160-0", "UNKNOWN//thing"], {"LAB//LOINC//2160-0": "Creatinine"})
        with db.session() as s:
            events = timeline(s, pid)
            assert [e.code for e in events][:2] == ["MEDS_BIRTH", "UNKNOWN//thing"]
            labs = timeline(s, pid, categories=["lab"])
            assert len(labs) == 2 and labs[0].label == "Creatinine" and labs[0].ref_high == 1.2
            unknown = s.get(Code, "UNKNOWN//thing")
            assert unknown is not None and unknown.display is None
            later = timeline(s, pid, start=dt.datetime(2021, 3, 2))
            assert [e.category for e in later] == ["diagnosis"]


class TestUpsertPatient:
    def test_same_source_id_same_patient(self, db):
        with db.session() as s:
            a = upsert_patient(s, "mimic", "10001")
            b = upsert_patient(s, "mimic", "10001", sex="M")
            c = upsert_patient(s, "omop", "10001")
        assert a == b != c
