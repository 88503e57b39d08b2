"""Helpers shared by the file importers: opening (optionally gzipped) CSV, parsing values, progress.

Parsers raise `BadValue` with the field name only (never the value), so error reports carry no
clinical content.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

Progress = Callable[[float, str], None]

csv.field_size_limit(16 * 1024 * 1024)


class BadValue(ValueError):
    """A field that cannot be parsed; the message names the field, not its content."""


def find_file(folder: Path, stem: str) -> Path | None:
    """`stem`.csv(.gz) in `folder`, matching the name case-insensitively."""
    wanted = {f"{stem}.csv".lower(), f"{stem}.csv.gz".lower()}
    for p in sorted(folder.iterdir()) if folder.is_dir() else []:
        if p.name.lower() in wanted:
            return p
    return None


def open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def read_csv(path: Path, on_fraction: Callable[[float], None] | None = None,
             every: int = 20_000) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as (line number, row dict with lower-cased keys); gz files are streamed."""
    raw = path.open("rb")
    size = path.stat().st_size or 1
    stream = gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        header = [h.strip().lower() for h in next(reader, [])]
        for n, values in enumerate(reader, start=2):
            if len(values) != len(header):
                yield n, {"__malformed__": f"{len(values)} fields, header has {len(header)}"}
                continue
            yield n, dict(zip(header, values, strict=True))
            if on_fraction is not None and n % every == 0:
                on_fraction(raw.tell() / size)
    finally:
        text.close()
        raw.close()


def parse_time(value: str | None, field: str) -> dt.datetime | None:
    """An ISO date or date-time as naive UTC (empty -> None)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(f"unreadable date/time in {field}") from None
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return t


def parse_date(value: str | None, field: str) -> dt.date | None:
    t = parse_time(value, field)
    return t.date() if t else None


def parse_float(value: str | None, field: str) -> float | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        x = float(value)
    except ValueError:
        raise BadValue(f"not a number in {field}") from None
    if math.isnan(x) or math.isinf(x):
        return None
    return x


def maybe_float(value: str | None) -> float | None:
    """A number if the text is one, else None (for free-text value columns)."""
    try:
        return parse_float(value, "")
    except BadValue:
        return None


def icd_code(code: str, version: str | int, kind: str = "diagnosis") -> str:
    """ICD code in our convention: ICD-10-CM diagnoses dotted after the 3rd character, others as given."""
    code = code.strip().upper().replace(".", "")
    v = str(version).strip()
    if kind == "diagnosis" and v == "10" and len(code) > 3:
        code = code[:3] + "." + code[3:]
    prefix = "DIAGNOSIS" if kind == "diagnosis" else "PROCEDURE"
    return f"{prefix}//ICD//{v}//{code}"
