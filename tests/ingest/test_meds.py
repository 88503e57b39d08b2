import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from medtrio.ingest.meds import export_meds, import_meds
from medtrio.store import open_database
from medtrio.store.schema import Event, Patient


def _meds_file(path, value_col="numeric_value"):
    t0 = dt.datetime(2031, 5, 4, 10, 30)
    rows = [
        (1, dt.datetime(1980, 1, 1), "MEDS_BIRTH", None, None),
        (1, None, "GENDER//F", None, None),
        (1, t0, "LAB//LOINC//2345-7", 5.25, None),
        (1, t0, "LAB//LOINC//2345-7", 5.25, None),  # a true duplicate, kept twice
        (1, t0 + dt.timedelta(hours=1), "DIAGNOSIS//ICD//10//I10", None, None),
        (1, t0 + dt.timedelta(days=3), "NOTE//free", None, "feeling better"),
        (2, dt.datetime(1955, 6, 1), "MEDS_BIRTH", None, None),
        (2, t0, "LAB//LOINC//718-7", float("nan"), None),  # NaN is read as no value
        (2, dt.datetime(2032, 1, 1), "MEDS_DEATH", None, None),
        (None, t0, "LAB//LOINC//718-7", 12.0, None),  # malformed: no subject
        (2, t0, None, 1.0, None),  # malformed: no code
        (2, t0, "X" * 300, 1.0, None),  # malformed: code too long for the store
    ]
    cols = list(zip(*rows, strict=True))
    table = pa.table({
        "subject_id": pa.array(cols[0], pa.int64()), "time": pa.array(cols[1], pa.timestamp("us")),
        "code": pa.array(cols[2], pa.string()), value_col: pa.array(cols[3], pa.float32()),
        "text_value": pa.array(cols[4], pa.large_string()),
    })
    pq.write_table(table, path, row_group_size=4)
    return path


def _rows(db):
    with db.session() as s:
        q = select(Patient.external_id, Event.time, Event.code, Event.numeric_value, Event.unit,
                   Event.text_value, Event.category).join(Patient, Patient.id == Event.patient_id)
        return sorted(s.execute(q).all(), key=repr)


def test_import_reports_bad_rows_and_is_idempotent(db, tmp_path):
    f = _meds_file(tmp_path / "m.parquet")
    rep = import_meds(db, f, batch_size=4)
    assert rep.records_read == 12 and rep.skipped == 3 and rep.events_added == 9
    assert {e.where for e in rep.errors} == {"row 10", "row 11", "row 12"}
    assert rep.events_read["lab"] == 3 and rep.events_read["other"] == 1
    assert import_meds(db, f, batch_size=5).events_added == 0
    with db.session() as s:
        p1 = s.scalar(select(Patient).where(Patient.external_id == "1"))
        p2 = s.scalar(select(Patient).where(Patient.external_id == "2"))
        assert (p1.sex, p1.birth_date, p1.source) == ("F", dt.date(1980, 1, 1), "meds")
        assert p2.death_date == dt.date(2032, 1, 1)
        nan_row = s.scalar(select(Event).where(Event.patient_id == p2.id, Event.code == "LAB//LOINC//718-7"))
        assert nan_row.numeric_value is None


def test_value_column_alias(db, tmp_path):
    rep = import_meds(db, _meds_file(tmp_path / "v.parquet", value_col="value"))
    assert rep.events_added == 9
    assert any(r[3] == 5.25 for r in _rows(db))


def test_export_then_reimport_gives_identical_rows(db, tmp_path):
    import_meds(db, _meds_file(tmp_path / "m.parquet"))
    out = export_meds(db, tmp_path / "out.parquet")
    assert out == 9
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.field("numeric_value").type == pa.float32()
    assert table.column("subject_id").to_pylist()[0] == 1  # external ids kept
    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite'}")
    import_meds(other, tmp_path / "out.parquet")
    assert _rows(other) == _rows(db)
    # and a second trip changes nothing
    export_meds(other, tmp_path / "out2.parquet")
    assert pq.read_table(tmp_path / "out2.parquet").equals(table)


def test_dataset_folder_reads_data_shards_not_metadata(db, tmp_path):
    (tmp_path / "ds" / "data" / "train").mkdir(parents=True)
    (tmp_path / "ds" / "metadata").mkdir()
    _meds_file(tmp_path / "ds" / "data" / "train" / "0.parquet")
    pq.write_table(pa.table({"code": ["LAB//LOINC//2345-7"], "description": ["Glucose"]}),
                   tmp_path / "ds" / "metadata" / "codes.parquet")
    rep = import_meds(db, tmp_path / "ds")
    assert rep.events_added == 9 and rep.error_count == 3  # only the data shard's own bad rows
