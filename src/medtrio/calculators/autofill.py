"""Auto-fill calculator inputs from a patient's record.

Each input is looked up in `data/record_map.yaml`: numbers come from the latest event with a matching code
inside the input's validity window before the analysis time; conditions come from diagnosis or medicine
codes. The result says which record entries were used (event ids), which inputs are missing and which values
were too old, so the clinician can be asked for exactly what is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Protocol

import yaml

from medtrio.calculators.core import Result, calculate, get
from medtrio.errors import InvalidInput

MEDICATION_CURRENT_DAYS = 365


class EventLike(Protocol):
    id: int
    time: dt.datetime | None
    code: str
    numeric_value: float | None
    unit: str | None

    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class Used:
    """One record entry an input was filled from."""

    input: str
    event_id: int
    code: str
    label: str
    value: Any
    time: str | None


@dataclass
class Autofill:
    calculator: str
    inputs: dict[str, Any] = field(default_factory=dict)
    used: list[Used] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


@cache
def record_map() -> dict[str, Any]:
    text = resources.files("medtrio.calculators").joinpath("data/record_map.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not data.get("source"):
        raise ValueError("record_map.yaml lacks 'source'")
    for name, entry in data["numbers"].items():
        if not entry.get("codes") or "days" not in entry:
            raise ValueError(f"record_map.yaml: '{name}' needs codes and days")
    return data


def _matches(code: str, patterns: Sequence[str]) -> bool:
    for pat in patterns:
        if pat.endswith("*"):
            if code.startswith(pat[:-1]):
                return True
        elif code == pat or code.startswith(pat + "//") or code.startswith(pat):
            return True
    return False


def autofill(
    name: str, events: Sequence[EventLike], *, sex: str | None, age_years: float | None, as_of: dt.datetime
) -> Autofill:
    """Fill calculator `name` from `events` (time-ordered) as of `as_of`."""
    calc = get(name)
    rmap = record_map()
    out = Autofill(calc.name)
    for spec in calc.inputs:
        if spec.name == "age" and age_years is not None:
            out.inputs["age"] = [age_years, "years"]
        elif spec.name == "sex" and sex in ("male", "female"):
            out.inputs["sex"] = sex
        elif spec.name in rmap["numbers"]:
            _fill_number(out, spec.name, rmap["numbers"][spec.name], events, as_of)
        elif spec.kind == "bool" and spec.name in rmap["flags"]:
            _fill_flag(out, spec.name, rmap["flags"][spec.name], events, as_of)
        if spec.name not in out.inputs and spec.required:
            out.missing.append(spec.name)
    return out


def _fill_number(
    out: Autofill, name: str, entry: dict[str, Any], events: Sequence[EventLike], as_of: dt.datetime
) -> None:
    oldest = as_of - dt.timedelta(days=entry["days"])
    latest = None
    for ev in events:
        if (
            ev.numeric_value is None
            or ev.time is None
            or ev.time > as_of
            or not _matches(ev.code, entry["codes"])
        ):
            continue
        if latest is None or ev.time >= latest.time:
            latest = ev
    if latest is None:
        return
    if latest.time < oldest:
        out.stale.append(f"{name} (last {latest.time.date().isoformat()}, older than {entry['days']} days)")
        return
    unit = (latest.unit or entry.get("unit") or "").strip()
    value: Any = [latest.numeric_value, unit] if entry.get("unit") else latest.numeric_value
    out.inputs[name] = value
    out.used.append(Used(name, latest.id, latest.code, latest.label, value, latest.time.isoformat()))


def _fill_flag(
    out: Autofill, name: str, prefixes: list[str], events: Sequence[EventLike], as_of: dt.datetime
) -> None:
    for ev in events:
        if ev.time is not None and ev.time > as_of:
            continue
        if not _matches(ev.code, prefixes):
            continue
        if ev.code.startswith("MEDICATION//") and (
            ev.time is None or as_of - ev.time > dt.timedelta(days=MEDICATION_CURRENT_DAYS)
        ):
            continue
        out.inputs[name] = True
        out.used.append(Used(name, ev.id, ev.code, ev.label, True, ev.time.isoformat() if ev.time else None))
        return


def compute_from_record(
    name: str, events: Sequence[EventLike], *, sex: str | None, age_years: float | None, as_of: dt.datetime
) -> tuple[Result | None, Autofill, str]:
    """Auto-fill and compute; returns (result or None, the fill, the reason it could not be computed)."""
    fill = autofill(name, events, sex=sex, age_years=age_years, as_of=as_of)
    if fill.missing:
        return None, fill, f"missing: {', '.join(fill.missing)}"
    try:
        return calculate(name, fill.inputs), fill, ""
    except InvalidInput as exc:
        return None, fill, exc.message
