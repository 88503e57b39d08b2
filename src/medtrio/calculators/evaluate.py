"""Evaluation over a MedCalc-Bench CSV: accuracy on the original labels and on the corrected labels.

`accuracy` grades against `Ground Truth Answer`/limits. `accuracy_corrected` grades against the
physician-checked `Corrected *` columns where a value is present; where the corrected label is empty or
`N/A` (an abstention: the
note was judged insufficient) the original label is used, and those rows are counted in `n_corrected_na`.
`accuracy_corrected_strict` instead counts every `N/A` row as a miss (we always answer).
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from medtrio.calculators import medcalc


def evaluate_file(path: Path, *, from_notes: bool = False, progress: bool = False, llm: Any = None
                  ) -> dict[str, Any]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    per: dict[str, dict[str, float]] = defaultdict(lambda: {"n": 0, "correct": 0, "correct_corrected": 0})
    disagreements, errors, n_na, strict = [], 0, 0, 0
    started = time.perf_counter()
    iterator = _progress(rows) if progress else rows
    for row in iterator:
        calc_id = int(row["Calculator ID"])
        name = medcalc.CALCULATORS.get(calc_id, f"unknown_{calc_id}")
        if from_notes:
            from medtrio.calculators.note_inputs import compute_from_note

            value, err = compute_from_note(calc_id, row["Patient Note"], row.get("Question", ""), client=llm)
        else:
            value, err = medcalc.safe_compute(calc_id, medcalc.parse_entities(row["Relevant Entities"]))
        errors += bool(err)
        kind = row["Output Type"]
        ok = medcalc.grade(kind, value, row["Ground Truth Answer"], row["Lower Limit"], row["Upper Limit"])
        corrected = row.get("Corrected Answer", "").strip()
        if corrected and corrected != "N/A":
            ok_c = medcalc.grade(
                kind, value, corrected, row["Corrected Lower Limit"], row["Corrected Upper Limit"]
            )
            strict += ok_c
        else:
            ok_c = ok
            if corrected == "N/A":
                n_na += 1
            else:
                strict += ok
        stats = per[name]
        stats["n"] += 1
        stats["correct"] += ok
        stats["correct_corrected"] += ok_c
        if not ok_c:
            disagreements.append(
                {
                    "row": row["Row Number"],
                    "calculator": name,
                    "value": value,
                    "error": err,
                    "label": row["Ground Truth Answer"],
                    "corrected_label": corrected,
                }
            )
    n = len(rows)
    return {
        "n": n,
        "accuracy": sum(s["correct"] for s in per.values()) / n if n else 0.0,
        "accuracy_corrected": sum(s["correct_corrected"] for s in per.values()) / n if n else 0.0,
        "accuracy_corrected_strict": strict / n if n else 0.0,
        "n_corrected_na": n_na,
        "n_errors": errors,
        "mode": ("notes+llm" if llm is not None else "notes") if from_notes else "structured",
        "seconds": round(time.perf_counter() - started, 2),
        "per_calculator": {
            k: {
                "n": int(v["n"]),
                "accuracy": v["correct"] / v["n"],
                "accuracy_corrected": v["correct_corrected"] / v["n"],
            }
            for k, v in per.items()
        },
        "disagreements": disagreements,
    }


def _progress(rows: list[dict[str, str]]):
    from rich.progress import track

    return track(rows, description="MedCalc-Bench", transient=True)
