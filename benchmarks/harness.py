"""Benchmark rows and the table they are appended to (docs/BENCHMARKS.md).

Each benchmark module `benchmarks/bench_<name>.py` has `run(args) -> list[Row]`; a row reports a
figure measured in this run together with the baseline measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"
HEADER = (
    "| date | metric | value | baseline | ratio | machine | command |\n"
    "|---|---|---|---|---|---|---|\n"
)
MARKER = "<!-- rows appended by benchmarks/run.py below -->\n"


@dataclass(frozen=True)
class Row:
    metric: str
    value: float
    unit: str = ""
    baseline: float | None = None
    baseline_name: str = ""
    command: str = ""
    higher_is_better: bool = True

    def ratio(self) -> str:
        if self.baseline in (None, 0):
            return "—"
        return f"{self.value / self.baseline:.2f}×"


def machine() -> str:
    """A short description of the machine the figure was measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {mem_gib:.0f} GiB, {cpu}"


def _fmt(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"
    return f"{text} {unit}".strip()


def render(row: Row, when: str, where: str) -> str:
    base = "—" if row.baseline is None else f"{_fmt(row.baseline, row.unit)} ({row.baseline_name})"
    value = _fmt(row.value, row.unit)
    return f"| {when} | {row.metric} | {value} | {base} | {row.ratio()} | {where} | `{row.command}` |\n"


def append(rows: list[Row], table: Path = TABLE) -> None:
    """Append rows (dated, with the machine) to the table in docs/BENCHMARKS.md."""
    when = dt.date.today().isoformat()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                check=False).stdout.strip()
    except OSError:
        commit = ""
    where = machine() + (f", commit {commit}" if commit else "")
    text = table.read_text() if table.exists() else "# Benchmarks\n\n"
    if MARKER not in text:
        text += "\n## Measurements\n\n" + HEADER + MARKER
    text += "".join(render(r, when, where) for r in rows)
    table.parent.mkdir(parents=True, exist_ok=True)
    table.write_text(text)
