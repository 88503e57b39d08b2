"""The typed result of an import: what was read, what was added, and every record that was skipped.

An import never aborts on a bad record: the record is skipped and a `RecordError` (file, line or
resource id, reason) is kept. The full list goes to an error file (CSV) whose path is in the report;
the report itself keeps the first few for display. Reasons never contain clinical values, only
field names and identifiers, so the error file is safe to hand to an administrator.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEEP_IN_REPORT = 50


@dataclass(frozen=True)
class RecordError:
    file: str
    where: str  # "line 12", "resource Observation/abc", "row group 3"
    reason: str


@dataclass
class ImportReport:
    """Counts of one import run. `events_read` is per category; `events_added` counts new rows only."""

    format: str
    source: str
    path: str
    patients: int = 0
    patients_added: int = 0
    events_read: Counter[str] = field(default_factory=Counter)
    events_added: int = 0
    records_read: int = 0
    skipped: int = 0
    ignored: Counter[str] = field(default_factory=Counter)  # resource types/tables not imported
    errors: list[RecordError] = field(default_factory=list)
    error_count: int = 0
    error_file: str | None = None
    seconds: float = 0.0
    batches: int = 0
    _all_errors: list[RecordError] = field(default_factory=list, repr=False)

    def error(self, file: str | Path, where: str, reason: str) -> None:
        """Record one skipped record."""
        err = RecordError(Path(file).name if file else "", where, reason)
        self.skipped += 1
        self.error_count += 1
        self._all_errors.append(err)
        if len(self.errors) < KEEP_IN_REPORT:
            self.errors.append(err)

    @property
    def events_total(self) -> int:
        return sum(self.events_read.values())

    def write_errors(self, directory: Path) -> Path | None:
        """Write every error to a CSV file in `directory` (only when there are errors)."""
        if not self._all_errors:
            return None
        directory.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        path = directory / f"import-errors-{self.format}-{stamp}.csv"
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["file", "where", "reason"])
            for e in self._all_errors:
                w.writerow([e.file, e.where, e.reason])
        self.error_file = str(path)
        return path

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format, "source": self.source, "path": self.path,
            "patients": self.patients, "patients_added": self.patients_added,
            "events_read": dict(sorted(self.events_read.items())), "events_total": self.events_total,
            "events_added": self.events_added, "records_read": self.records_read,
            "skipped": self.skipped, "ignored": dict(self.ignored), "error_count": self.error_count,
            "errors": [e.__dict__ for e in self.errors], "error_file": self.error_file,
            "seconds": round(self.seconds, 3), "batches": self.batches,
        }  # fmt: skip
