"""Scoring extraction against the ground truth of the generated reports (shared by tests and the benchmark).

A ground-truth row is matched to the first unused extracted result with the same catalog key. Its value is
right when the number (with its comparator) or the result word is the same; a wrong value WITHOUT a
confirmation flag is "silently wrong", the one failure that must never happen. An extracted result that
matches no ground-truth row counts as silently wrong too unless it is flagged for confirmation.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from medtrio.labs.interpret import interpret_bytes
from medtrio.labs.units import to_ucum
from medtrio.labs.values import parse_value


def same_value(a: str | None, b: str | None) -> bool:
    va, vb = parse_value(a or ""), parse_value(b or "")
    if va is None or vb is None:
        return False
    if va.is_numeric and vb.is_numeric:
        return abs(va.number - vb.number) < 1e-9 and (va.comparator or "") == (vb.comparator or "")  # type: ignore[operator]
    return (va.qualitative or "").upper() == (vb.qualitative or "").upper()


@dataclass
class Score:
    rows: int = 0
    analytes: int = 0
    values: int = 0
    units: int = 0
    flagged_wrong: int = 0
    silent: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k in ("rows", "analytes", "values", "units", "flagged_wrong"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.silent += other.silent
        self.seconds += other.seconds


def score_file(path: Path, truth: dict) -> Score:  # type: ignore[type-arg]
    t0 = time.perf_counter()
    it = interpret_bytes(path.read_bytes(), path.name)
    s = Score(seconds=[time.perf_counter() - t0])
    used: set[int] = set()
    for row in truth["rows"]:
        s.rows += 1
        i = next((i for i, r in enumerate(it.results) if r.key == row["key"] and i not in used), None)
        if i is None:
            continue
        used.add(i)
        r = it.results[i]
        s.analytes += 1
        s.units += (to_ucum(r.unit) or "") == (to_ucum(row["unit"]) or "")
        if same_value(r.value, row["value"]):
            s.values += 1
        elif r.needs_confirmation:
            s.flagged_wrong += 1
        else:
            s.silent.append(f"{path.name}: {row['key']} {row['value']!r} read as {r.value!r}")
    for i, r in enumerate(it.results):
        if i not in used and not r.needs_confirmation:
            s.silent.append(f"{path.name}: unexpected unflagged result {r.name} {r.value!r}")
    return s


def score_dir(folder: Path, ext: str) -> Score:
    total = Score()
    for truth_file in sorted(folder.glob("report_*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        total.add(score_file(folder / f"{truth['id']}.{ext}", truth))
    return total
