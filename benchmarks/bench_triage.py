"""Triage engine figures (issue 5).

- DDXPlus dev (../shared/data/ddxplus, 1,000 patients): simulated interviews with OUR knowledge base,
  <= 20 questions. Baseline measured in the same run: the same engine with no questions at all (age, sex
  and the initial complaint only). The open-book upper bound (DDXPlus's own knowledge file) is reported
  in separate rows, with our figure as its baseline: it is not Medtrio's result.
- Safety tables (tests/triage/data, our own EN+ZH lay-worded cases): share of emergency cases triaged
  `emergency` and share of self-care cases kept away from the emergency department. Baseline: the same
  engine with the red-flag rules switched off (urgency from the differential alone).
- Interview step latency (choose the next question + record the answer) over the DDXPlus interviews.
  Baseline: the posterior update alone.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from benchmarks.harness import Row

ROOT = Path(__file__).resolve().parents[1]
DDX = ROOT.parent / "shared" / "data" / "ddxplus"
VIGNETTES = ROOT / "tests" / "triage" / "data"
CMD = "python -m benchmarks.run triage"


def _ddxplus_rows(limit: int | None) -> list[Row]:
    from medtrio.triage.ddxplus import evaluate

    files = (DDX / "release_conditions.json", DDX / "release_evidences.json", DDX / "patients_dev.csv")
    ours = evaluate(*files, max_questions=20, limit=limit)
    none = evaluate(*files, max_questions=0, limit=limit)
    book = evaluate(*files, max_questions=20, open_book=True, limit=limit)
    n = ours["n"]
    cmd = (
        f"medtrio eval ddxplus --conditions {files[0]} --evidences {files[1]} --patients {files[2]} "
        "--max-questions 20 --json"
    )
    rows = [
        Row(
            f"DDXPlus dev {key} (ours, n={n}, <=20 questions)",
            ours[key],
            "",
            none[key],
            "same engine, 0 questions",
            cmd,
            higher,
        )
        for key, higher in (
            ("gtpa1", True),
            ("gtpa3", True),
            ("gtpa5", True),
            ("ddr", True),
            ("ddp", True),
            ("ddf1", True),
            ("severe_recall", True),
            ("mean_questions", False),
        )
    ]
    rows.append(Row("DDXPlus evidence coverage (mapped / 223)", ours["evidence_coverage"], "", None, "", cmd))
    rows.append(
        Row("DDXPlus pathology coverage (mapped / 49)", ours["pathology_coverage"], "", None, "", cmd)
    )
    for key in ("gtpa1", "gtpa5", "severe_recall"):
        rows.append(
            Row(
                f"DDXPlus dev {key} OPEN-BOOK upper bound (DDXPlus's own KB; not our result)",
                book[key],
                "",
                ours[key],
                "ours",
                cmd + " --open-book",
            )
        )
    return rows


def _vignette_rows() -> list[Row]:
    import medtrio.triage.assess as assess_mod
    from medtrio.triage.assess import assess_text

    def load(name: str) -> list[dict]:
        text = (VIGNETTES / name).read_text(encoding="utf-8")
        return [json.loads(x) for x in text.splitlines() if x.strip()]

    def run(cases: list[dict]) -> list:
        return [assess_text(c["text"], c.get("age"), c.get("sex"), c.get("lang")) for c in cases]

    emerg, selfc = load("emergency_vignettes.jsonl"), load("selfcare_vignettes.jsonl")
    with_rules = run(emerg), run(selfc)
    original = assess_mod.fired_rules
    assess_mod.fired_rules = lambda *a, **k: []  # baseline: red-flag rules off
    try:
        without = run(emerg), run(selfc)
    finally:
        assess_mod.fired_rules = original

    def er(res: list) -> float:
        return sum(a.urgency == "emergency" for a in res) / len(res)

    def safe(res: list) -> float:
        return sum(a.urgency != "emergency" and a.department != "emergency" for a in res) / len(res)

    cmd = "medtrio eval vignettes --file tests/triage/data/{}_vignettes.jsonl --json"
    return [
        Row(
            f"emergency vignettes triaged emergency ({len(emerg)} = 60 cases x EN/ZH)",
            er(with_rules[0]),
            "",
            er(without[0]),
            "differential only, no red-flag rules",
            cmd.format("emergency"),
        ),
        Row(
            f"self-care vignettes not sent to emergency ({len(selfc)} = 40 cases x EN/ZH)",
            safe(with_rules[1]),
            "",
            safe(without[1]),
            "differential only, no red-flag rules",
            cmd.format("selfcare"),
        ),
    ]


def _latency_rows(limit: int) -> list[Row]:
    from medtrio.triage.ddxplus import load_mapping, load_patients, patient_findings, token_findings
    from medtrio.triage.interview import Interview, candidate_mask
    from medtrio.triage.knowledge import load_knowledge

    kb = load_knowledge()
    m = load_mapping(kb)
    steps, updates = [], []
    for pt in load_patients(DDX / "patients_dev.csv", limit):
        yes = patient_findings(kb, m, pt.evidences)
        iv = Interview(
            kb,
            age=pt.age,
            sex=pt.sex,
            max_questions=20,
            askable=frozenset(m.findings()),
            candidates=candidate_mask(kb, m.pathologies.values()),
            stop_on_red_flag=False,
        )
        iv.add_given(dict.fromkeys(token_findings(m, pt.initial), True))
        while True:
            t0 = time.perf_counter()
            q = iv.next_question()
            if q is None:
                break
            iv.answer(q.id, q.id in yes)
            steps.append(time.perf_counter() - t0)
            t1 = time.perf_counter()
            iv.posterior()
            updates.append(time.perf_counter() - t1)
    steps.sort()
    updates.sort()
    p95 = steps[int(0.95 * (len(steps) - 1))] * 1000
    return [
        Row(
            f"interview step median ({len(steps)} steps)",
            statistics.median(steps) * 1000,
            "ms",
            statistics.median(updates) * 1000,
            "posterior update alone",
            CMD,
            False,
        ),
        Row(
            "interview step p95",
            p95,
            "ms",
            updates[int(0.95 * (len(updates) - 1))] * 1000,
            "posterior update alone",
            CMD,
            False,
        ),
    ]


def run(args) -> list[Row]:
    quick = getattr(args, "quick", False)
    rows = _vignette_rows()
    if DDX.is_dir():
        rows += _ddxplus_rows(100 if quick else None)
        rows += _latency_rows(20 if quick else 200)
    else:
        print(f"skipping DDXPlus figures: {DDX} is absent")
    return rows
