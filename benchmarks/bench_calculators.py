"""Calculator engine and case analysis figures.

- MedCalc-Bench dev (../shared/data/medcalc_bench/dev.csv): accuracy on structured inputs and from notes
  (no LLM), graded by the benchmark's rules. Baseline measured in the same run: for each row, the most
  frequent label of the *other* rows of the same calculator (leave-one-out majority), graded the same way;
  and the v1.0 labels themselves scored against the corrected labels (how often the original label is right).
- Case analysis latency on a synthetic case in a fresh SQLite database, against the bare timeline read.
"""

from __future__ import annotations

import collections
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import Row

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "medcalc_bench" / "dev.csv"


def _majority_baseline(rows: list[dict[str, str]]) -> tuple[float, float]:
    from medtrio.calculators.medcalc import grade

    by_calc: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    for r in rows:
        by_calc[r["Calculator ID"]].append(r)
    ok = ok_c = 0
    for r in rows:
        others = [o["Ground Truth Answer"] for o in by_calc[r["Calculator ID"]] if o is not r]
        guess = collections.Counter(others).most_common(1)[0][0] if others else ""
        value: Any = guess
        if r["Output Type"] != "date":
            try:
                value = float(guess)
            except ValueError:
                value = guess
        ok += grade(r["Output Type"], value, r["Ground Truth Answer"], r["Lower Limit"], r["Upper Limit"])
        corr = r["Corrected Answer"].strip()
        kind = r["Output Type"]
        if corr and corr != "N/A":
            ok_c += grade(kind, value, corr, r["Corrected Lower Limit"], r["Corrected Upper Limit"])
        else:
            ok_c += grade(kind, value, r["Ground Truth Answer"], r["Lower Limit"], r["Upper Limit"])
    return ok / len(rows), ok_c / len(rows)


def _label_agreement(rows: list[dict[str, str]]) -> float:
    """Original v1.0 labels graded against the corrected labels (rows with a corrected value only)."""
    from medtrio.calculators.medcalc import grade

    n = ok = 0
    for r in rows:
        corr = r["Corrected Answer"].strip()
        if not corr or corr == "N/A":
            continue
        n += 1
        value: Any = r["Ground Truth Answer"]
        if r["Output Type"] != "date" and not value.startswith("("):
            value = float(value)
        ok += grade(r["Output Type"], value, corr, r["Corrected Lower Limit"], r["Corrected Upper Limit"])
    return ok / n if n else 0.0


def _case_latency() -> tuple[float, float]:
    sys.path.insert(0, str(ROOT / "tests"))
    from medtrio.reasoning import analyse
    from medtrio.store import open_database
    from medtrio.store.events import timeline
    from reasoning.case_fixture import build_case

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/bench.sqlite")
        with db.session() as s:
            pid = build_case(s)
        runs, reads = [], []
        for _ in range(7):
            with db.session() as s:
                t0 = time.perf_counter()
                analyse(s, pid, "unconscious")
                runs.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                timeline(s, pid)
                reads.append(time.perf_counter() - t0)
        db.dispose()
    return statistics.median(runs), statistics.median(reads)


def _demo_latency(patients: int = 200) -> tuple[float, float, int]:
    """Median analysis time for the demo patient with the most events, in a fresh demo hospital with an
    active trajectory model (preset tiny, 200 steps), so step 6 includes the forecast."""
    from sqlalchemy import func, select

    from medtrio.demo.build import build_demo
    from medtrio.reasoning import analyse
    from medtrio.store import open_database
    from medtrio.store.events import timeline
    from medtrio.store.schema import Event

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/demo.sqlite")
        build_demo(db, patients, 0)
        from medtrio.trajectory.registry import active_model, train_and_register

        train_and_register(db, Path(tmp), "tiny", max_steps=200)
        model = active_model(Path(tmp))
        with db.session() as s:
            pid, n = s.execute(select(Event.patient_id, func.count()).group_by(Event.patient_id)
                               .order_by(func.count().desc()).limit(1)).one()
        runs, reads = [], []
        for complaint in ("unconscious", "chest pain", "dyspnea", "fever", None, "unconscious", "chest pain"):
            with db.session() as s:
                t0 = time.perf_counter()
                analyse(s, pid, complaint, trajectory=model)
                runs.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                timeline(s, pid)
                reads.append(time.perf_counter() - t0)
        db.dispose()
    return statistics.median(runs), statistics.median(reads), n


def run(args: Any) -> list[Row]:
    rows: list[Row] = []
    if DEV.exists():
        from medtrio.calculators.evaluate import evaluate_file

        with open(DEV, newline="", encoding="utf-8") as fh:
            data = list(csv.DictReader(fh))
        base, base_c = _majority_baseline(data)
        agree = _label_agreement(data)
        cmd = "medtrio eval medcalc --file ../shared/data/medcalc_bench/dev.csv --json"
        structured = evaluate_file(DEV)
        notes = evaluate_file(DEV, from_notes=True)
        rows += [
            Row("medcalc dev structured accuracy_corrected", structured["accuracy_corrected"], "",
                base_c, "leave-one-out majority label", cmd),
            Row("medcalc dev structured accuracy (v1.0 labels)", structured["accuracy"], "", base,
                "leave-one-out majority label", cmd),
            Row("medcalc dev v1.0 labels vs corrected labels (label agreement)", agree, "", None, "", cmd),
            Row("medcalc dev from-notes accuracy_corrected (no LLM)", notes["accuracy_corrected"], "", base_c,
                "leave-one-out majority label", cmd.replace("--json", "--from-notes --json")),
            Row("medcalc dev from-notes accuracy (v1.0 labels, no LLM)", notes["accuracy"], "", base,
                "leave-one-out majority label", cmd.replace("--json", "--from-notes --json")),
        ]
    else:
        print(f"skipping MedCalc-Bench: {DEV} is absent", file=sys.stderr)
    analysis, read = _case_latency()
    rows.append(Row("case analysis, synthetic case, median of 7", analysis, "s", read, "timeline read alone",
                    "python -m benchmarks.run calculators", higher_is_better=False))
    demo, demo_read, n = _demo_latency()
    metric = f"case analysis with forecast, busiest patient of a 200-patient demo ({n} events), median of 7"
    rows.append(Row(metric, demo, "s", demo_read, "timeline read alone",
                    "python -m benchmarks.run calculators", higher_is_better=False))
    return rows
