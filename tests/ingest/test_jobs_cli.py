import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from medtrio.cli import app
from medtrio.errors import InvalidInput
from medtrio.ingest.jobs import get_job, start_import_job, wait_for_job
from medtrio.ingest.service import detect_format
from medtrio.store import open_database
from medtrio.store.audit import query
from medtrio.store.schema import Event

FIX = Path(__file__).parent / "fixtures"


def _synthetic_meds(path: Path, patients: int, per_patient: int) -> Path:
    n = patients * per_patient
    sid = [i // per_patient + 1 for i in range(n)]
    t = pa.array([1_700_000_000_000_000 + i * 60_000_000 for i in range(n)], pa.timestamp("us"))
    code = [f"LAB//TEST//{i % 37}" for i in range(n)]
    val = [float(i % 101) for i in range(n)]
    pq.write_table(pa.table({"subject_id": pa.array(sid, pa.int64()), "time": t, "code": code,
                             "numeric_value": pa.array(val, pa.float32())}), path)
    return path


def test_detect_format(tmp_path):
    assert detect_format(FIX / "fhir_bundle.json") == "fhir"
    assert detect_format(FIX / "fhir_ndjson") == "fhir"
    assert detect_format(_synthetic_meds(tmp_path / "m.parquet", 1, 2)) == "meds"
    (tmp_path / "omop").mkdir()
    (tmp_path / "omop" / "PERSON.csv").write_text("person_id\n")
    assert detect_format(tmp_path / "omop") == "omop"
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(InvalidInput):
        detect_format(tmp_path / "x.txt")


def test_import_job_runs_in_background(db, tmp_path):
    job = start_import_job(db, FIX / "fhir_bundle.json", None, user_id=None, errors_dir=tmp_path)
    st = wait_for_job(db, job, timeout=60)
    assert st.status == "done" and st.progress == 1.0
    assert st.result["events_added"] == 14 and st.result["error_count"] == 3
    assert Path(st.result["error_file"]).read_text().count("\n") == 4  # header + 3 errors
    assert "done: 1 patients, 14 new events" in st.log
    with db.session() as s:
        assert [r.resource for r in query(s, actions=["write"])] == ["import"]


def test_failed_job_is_marked_failed(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "Bundle", "entry": [')
    job = start_import_job(db, bad, "meds", errors_dir=tmp_path)  # wrong format: not a parquet file
    st = wait_for_job(db, job, timeout=60)
    assert st.status == "failed" and "failed" in st.log
    assert get_job(db, job).status == "failed"


def test_cli_import_and_export(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDTRIO_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    runner = CliRunner()
    res = runner.invoke(app, ["import", "fhir", str(FIX / "fhir_ndjson"), "--database-url", url, "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output.strip().splitlines()[-1])
    assert report["events_added"] == 11 and report["error_file"]
    res = runner.invoke(app, ["export", "fhir", "--patient", "1", "--out", str(tmp_path / "p.json"),
                              "--database-url", url])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "p.json").read_text())["resourceType"] == "Bundle"
    res = runner.invoke(app, ["export", "meds", str(tmp_path / "all.parquet"), "--database-url", url])
    assert res.exit_code == 0 and pq.read_table(tmp_path / "all.parquet").num_rows == 11
    res = runner.invoke(app, ["import", "omop", str(tmp_path / "nowhere"), "--database-url", url])
    assert res.exit_code == 2


@pytest.mark.slow
def test_killed_import_leaves_whole_batches_and_resumes(tmp_path):
    f = _synthetic_meds(tmp_path / "big.parquet", patients=300, per_patient=1000)
    url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    open_database(url).dispose()
    script = ("from medtrio.store import open_database; from medtrio.ingest.meds import import_meds;"
              f"import_meds(open_database({url!r}), {str(f)!r}, batch_size=2000)")
    proc = subprocess.Popen([sys.executable, "-c", script], env={**os.environ})
    eng = create_engine(url)
    seen = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        with eng.connect() as c:
            seen = c.execute(text("SELECT count(*) FROM events")).scalar()
        if seen >= 20_000:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "import finished before it could be killed; make the file bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with eng.connect() as c:
        assert c.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        stored = c.execute(text("SELECT count(*) FROM events")).scalar()
    eng.dispose()
    assert 0 < stored < 300_000 and stored % 2000 == 0  # only whole batches survived
    db = open_database(url)
    from medtrio.ingest.meds import import_meds

    rep = import_meds(db, f, batch_size=2000)
    assert rep.events_added == 300_000 - stored
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 300_000


def test_zip_upload_is_unpacked_and_unsafe_zip_refused(db, tmp_path):
    import zipfile

    z = tmp_path / "upload.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in (FIX / "fhir_ndjson").iterdir():
            zf.write(f, f"export/{f.name}")
    assert detect_format(z) == "fhir"
    job = start_import_job(db, z, None, errors_dir=tmp_path)
    assert wait_for_job(db, job, timeout=60).result["events_added"] == 11
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../escape.ndjson", "{}")
    with pytest.raises(InvalidInput, match="unsafe"):
        detect_format(bad)
    assert not (tmp_path / "escape.ndjson").exists()
