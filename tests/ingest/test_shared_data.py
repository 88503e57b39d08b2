"""Real-data checks on ../shared/data (skipped when absent): MIMIC-IV demo via raw, MEDS and OMOP,
MEDS export -> re-import, and the two Synthea OMOP sets."""

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from medtrio.ingest.meds import export_meds, import_meds
from medtrio.ingest.mimic import import_mimic
from medtrio.ingest.omop import import_omop
from medtrio.store import open_database
from medtrio.store.events import category_counts
from medtrio.store.patients import count_patients
from medtrio.store.schema import Event, Patient

pytestmark = [pytest.mark.slow, pytest.mark.shared]


@pytest.fixture(scope="module")
def mimic_db(shared: Path, tmp_path_factory: pytest.TempPathFactory):
    """One database holding the MIMIC-IV demo three times: raw, MEDS and OMOP (three sources)."""
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('mimic') / 'm.sqlite'}")
    demo = shared / "mimic_iv_demo"
    reports = {
        "raw": import_mimic(db, demo / "raw"),
        "meds": import_meds(db, demo / "meds" / "mimic_iv_demo_meds_events.parquet"),
        "omop": import_omop(db, demo / "omop"),
    }
    yield db, reports
    db.dispose()


def test_mimic_demo_same_100_patients_three_ways(mimic_db, shared):
    db, reports = mimic_db
    with db.session() as s:
        counts = {src: count_patients(s, src) for src in ("mimic-iv", "meds", "omop")}
        raw_ids = set(s.scalars(select(Patient.external_id).where(Patient.source == "mimic-iv")))
        meds_ids = set(s.scalars(select(Patient.external_id).where(Patient.source == "meds")))
    assert counts == {"mimic-iv": 100, "meds": 100, "omop": 100}
    assert raw_ids == meds_ids
    demo_ids = (shared / "mimic_iv_demo" / "raw" / "demo_subject_id.csv").read_text().split()[1:]
    assert raw_ids == set(demo_ids)
    for name, rep in reports.items():
        print(name, rep.patients, dict(rep.events_read), rep.skipped, f"{rep.seconds:.1f}s")
        assert rep.error_count == 0, (name, rep.errors[:3])
    # every event the MEDS release holds was stored, none lost
    assert reports["meds"].events_added == pq.ParquetFile(
        shared / "mimic_iv_demo" / "meds" / "mimic_iv_demo_meds_events.parquet").metadata.num_rows
    # the raw lab table and the MEDS release agree on the hospital lab results they share
    assert reports["raw"].events_read["lab"] == 107_727
    assert reports["raw"].events_read["diagnosis"] == reports["meds"].events_read["diagnosis"] == 4_506


def test_mimic_meds_export_reimport_identical(mimic_db, tmp_path):
    db, _ = mimic_db
    with db.session() as s:
        ids = list(s.scalars(select(Patient.id).where(Patient.source == "meds")))
    n = export_meds(db, tmp_path / "out.parquet", patient_ids=ids)
    assert n == 916_166
    other = open_database(f"sqlite:///{tmp_path / 'o.sqlite'}")
    import_meds(other, tmp_path / "out.parquet")

    def rows(database, source):
        with database.session() as s:
            q = (select(Patient.external_id, Event.time, Event.code, Event.numeric_value, Event.text_value,
                        Event.unit, Event.dedup_key)
                 .join(Patient, Patient.id == Event.patient_id).where(Patient.source == source))
            return sorted(s.execute(q).all(), key=lambda r: (r[0], r[6]))

    assert rows(other, "meds") == rows(db, "meds")


def test_omop_synthea_gibleed(shared, tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'g.sqlite'}")
    rep = import_omop(db, shared / "omop_synthea_gibleed")
    with db.session() as s:
        assert count_patients(s, "omop") == 2694
        cats = category_counts(s)
    print(dict(rep.events_read), rep.skipped)
    assert cats["diagnosis"] > 50_000 and cats["medication"] > 50_000
    assert rep.skipped < 0.01 * rep.records_read  # only era rows with concept 0 and no source value


def test_omop_synthea27nj_with_measurements(shared, tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'n.sqlite'}")
    rep = import_omop(db, shared / "omop_synthea27nj")
    print(dict(rep.events_read), rep.skipped)
    with db.session() as s:
        assert count_patients(s, "omop") == 28
        cats = category_counts(s)
        numeric = s.scalar(select(Event.id).where(Event.category == "lab", Event.numeric_value.is_not(None)))
    assert rep.error_count == 0
    assert cats["lab"] > 10_000 and cats["vital"] > 1_000 and numeric is not None
