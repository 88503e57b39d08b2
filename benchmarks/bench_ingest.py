"""Ingest throughput: MEDS into SQLite and PostgreSQL vs. a plain pyarrow read; FHIR NDJSON.

The MEDS file (1,000,000 events; 100,000 with --quick) is made here: the MIMIC-IV demo MEDS rows
replicated under new subject ids when ../shared/data is present, else synthetic events. The baseline
is `pyarrow.parquet.read_table` of the same file, timed in the same run. The FHIR file is synthetic
NDJSON (our own content: patients with encounters, labs with reference ranges, vitals, conditions,
medications); its baseline is parsing the same lines with `json.loads` only.

    python -m benchmarks.run ingest           # appends rows to docs/BENCHMARKS.md
    python -m benchmarks.run --dry-run --quick ingest
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.harness import Row

SHARED_MEDS = "mimic_iv_demo/meds/mimic_iv_demo_meds_events.parquet"
PG_ADMIN_URL = os.environ.get("MEDTRIO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _shared() -> Path | None:
    env = os.environ.get("MEDTRIO_SHARED_DATA")
    for p in ([Path(env)] if env else []) + [Path(__file__).resolve().parents[2] / "shared" / "data"]:
        if (p / SHARED_MEDS).is_file():
            return p
    return None


def make_meds(path: Path, n: int) -> str:
    """Write an `n`-event MEDS file; returns a description of where the rows came from."""
    shared = _shared()
    if shared is not None:
        src = pq.read_table(shared / SHARED_MEDS, columns=["subject_id", "time", "code", "value"])
        src = src.rename_columns(["subject_id", "time", "code", "numeric_value"])
        parts, total, copy = [], 0, 0
        while total < n:
            # a new copy gets new subject ids, so its events are new patients' events
            part = src.set_column(0, "subject_id", pc.add(src["subject_id"], copy * 100_000_000))
            parts.append(part.slice(0, n - total))
            total += parts[-1].num_rows
            copy += 1
        pq.write_table(pa.concat_tables(parts), path)
        return f"MIMIC-IV demo MEDS rows x{copy} with new subject ids"
    rng = random.Random(1)
    per = 2_000
    sid = [i // per + 1 for i in range(n)]
    t0 = 1_600_000_000_000_000
    times = [t0 + (i % per) * 3_600_000_000 // 4 * (1 + (i % 3 == 0)) for i in range(n)]
    codes = [f"LAB//LOINC//{1000 + rng.randrange(300)}-{rng.randrange(10)}" for _ in range(n)]
    vals = [round(rng.uniform(0, 200), 1) for _ in range(n)]
    pq.write_table(pa.table({
        "subject_id": pa.array(sid, pa.int64()), "time": pa.array(times, pa.timestamp("us")),
        "code": codes, "numeric_value": pa.array(vals, pa.float32()),
    }), path)
    return "synthetic lab events (../shared absent)"


def make_fhir(path: Path, patients: int) -> int:
    """Synthetic NDJSON: per patient 1 Patient, 2 Encounters, 8 labs, 2 BP panels, 2 Conditions, 2 meds."""
    rng = random.Random(2)
    lines = []
    for p in range(patients):
        pid = f"bench-{p}"
        subj = {"reference": f"Patient/{pid}"}
        birth = f"{rng.randrange(1930, 2005)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}"
        lines.append({"resourceType": "Patient", "id": pid, "gender": rng.choice(["female", "male"]),
                      "birthDate": birth})
        for e in range(2):  # two visits
            day = f"2023-0{e + 1}-1{rng.randrange(10)}"
            eid = f"{pid}-e{e}"
            lines.append({"resourceType": "Encounter", "id": eid, "status": "finished",
                          "class": {"code": "AMB"}, "subject": subj,
                          "period": {"start": f"{day}T09:00:00Z", "end": f"{day}T09:30:00Z"}})
            enc = {"reference": f"Encounter/{eid}"}
            for k in range(4):
                lines.append({"resourceType": "Observation", "id": f"{eid}-l{k}", "status": "final",
                              "code": {"coding": [{"system": "http://loinc.org", "code": f"{2000 + k}-{k}"}]},
                              "subject": subj, "encounter": enc, "effectiveDateTime": f"{day}T09:05:00Z",
                              "valueQuantity": {"value": round(rng.uniform(1, 9), 2), "unit": "mmol/L",
                                                "system": "http://unitsofmeasure.org", "code": "mmol/L"},
                              "referenceRange": [{"low": {"value": 2.0}, "high": {"value": 7.0}}]})
            bp = (("8480-6", rng.randrange(100, 170)), ("8462-4", rng.randrange(60, 100)))
            lines.append({"resourceType": "Observation", "id": f"{eid}-bp", "status": "final",
                          "category": [{"coding": [{"code": "vital-signs"}]}],
                          "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
                          "subject": subj, "effectiveDateTime": f"{day}T09:02:00Z", "component": [
                              {"code": {"coding": [{"system": "http://loinc.org", "code": c}]},
                               "valueQuantity": {"value": v, "unit": "mm[Hg]"}} for c, v in bp]})
            sct = {"system": "http://snomed.info/sct", "code": str(38341003 + e)}
            lines.append({"resourceType": "Condition", "id": f"{eid}-c", "subject": subj,
                          "onsetDateTime": day, "code": {"coding": [sct]}})
            lines.append({"resourceType": "MedicationRequest", "id": f"{eid}-m", "status": "active",
                          "intent": "order", "subject": subj, "authoredOn": f"{day}T09:20:00Z",
                          "medicationCodeableConcept": {"coding": [{
                              "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "860975"}]}})
    with path.open("w") as fh:
        for r in lines:
            fh.write(json.dumps(r) + "\n")
    return len(lines)


def _load() -> str:
    try:
        return f"load avg {os.getloadavg()[0]:.1f}"
    except OSError:
        return "load n/a"


def _pg_url() -> tuple[str | None, object]:
    from sqlalchemy import create_engine, text

    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        name = f"medtrio_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", (admin, name)
    except Exception as exc:  # noqa: BLE001 - no server: the PostgreSQL row is left out, said so
        print(f"PostgreSQL not reachable ({type(exc).__name__}); skipping the PostgreSQL row")
        return None, None


def _drop_pg(handle: object) -> None:
    from sqlalchemy import text

    admin, name = handle  # type: ignore[misc]
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run(args: argparse.Namespace) -> list[Row]:
    from medtrio.ingest.fhir import import_fhir
    from medtrio.ingest.meds import import_meds
    from medtrio.store import open_database

    quick = getattr(args, "quick", False)
    n = 100_000 if quick else 1_000_000
    cmd = "python -m benchmarks.run ingest" + (" --quick" if quick else "")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        f = tmpdir / "bench.parquet"
        origin = make_meds(f, n)
        t = time.perf_counter()
        read = pq.read_table(f)
        base = read.num_rows / (time.perf_counter() - t)
        del read
        load = _load()
        db = open_database(f"sqlite:///{tmpdir / 'bench.sqlite'}")
        cpu = time.process_time()
        rep = import_meds(db, f)
        cpu = time.process_time() - cpu
        db.dispose()
        assert rep.events_added == n, rep.to_dict()
        rows.append(Row(f"MEDS ingest into SQLite, {n:,} events ({origin}; {load})",
                        rep.events_added / rep.seconds, "events/s", base, "pyarrow read_table", cmd))
        # the same run per second of this process's CPU time: what the code costs, whatever the load
        rows.append(Row(f"MEDS ingest into SQLite, events per CPU-second of the importing process ({load})",
                        rep.events_added / cpu, "events/s", None, "", cmd))
        url, handle = _pg_url()
        if url:
            try:
                load = _load()
                pg = open_database(url)
                rep = import_meds(pg, f)
                pg.dispose()
                assert rep.events_added == n, rep.to_dict()
                rows.append(Row(f"MEDS ingest into PostgreSQL 15 (local), {n:,} events ({load})",
                                rep.events_added / rep.seconds, "events/s", base, "pyarrow read_table", cmd))
            finally:
                _drop_pg(handle)
        nd = tmpdir / "fhir"
        nd.mkdir()
        resources = make_fhir(nd / "bench.ndjson", 200 if quick else 2_000)
        t = time.perf_counter()
        with (nd / "bench.ndjson").open() as fh:
            for line in fh:
                json.loads(line)
        parse = resources / (time.perf_counter() - t)
        load = _load()
        db = open_database(f"sqlite:///{tmpdir / 'fhir.sqlite'}")
        rep = import_fhir(db, nd)
        db.dispose()
        assert rep.error_count == 0, rep.errors[:3]
        rows.append(Row(f"FHIR NDJSON ingest into SQLite, validated, {resources:,} resources ({load})",
                        rep.records_read / rep.seconds, "resources/s", parse, "json.loads only", cmd))
        fast = open_database(f"sqlite:///{tmpdir / 'fhir-novalidate.sqlite'}")
        unvalidated = import_fhir(fast, nd, validate=False)
        fast.dispose()
        rows.append(Row(f"FHIR NDJSON ingest into SQLite, validation off, {resources:,} resources",
                        unvalidated.records_read / unvalidated.seconds, "resources/s", parse,
                        "json.loads only", cmd))
        what = f"{rep.events_added:,} events from {resources:,} resources"
        rows.append(Row(f"FHIR NDJSON ingest into SQLite, {what}",
                        rep.events_added / rep.seconds, "events/s", None, "", cmd))
    return rows
