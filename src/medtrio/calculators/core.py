"""The calculator engine: typed inputs, unit normalisation, validation, the registry and the result shape.

A calculator is a pure function over normalised inputs plus a declared input schema. `calculate` checks
every input (unit known, value inside its physiological range, choice among the allowed ones) before the
formula runs, so no calculator ever returns a number from invalid input. Every result carries the steps of
the computation and the source (paper or guideline, year) read from `data/calculators.yaml`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from medtrio.calculators import units
from medtrio.errors import InvalidInput, NotFound

# kind -> (converter, canonical unit shown to the user)
_QUANTITIES: dict[str, tuple[Callable[[float, str, str], float], str]] = {
    "weight": (units.weight_kg, "kg"),
    "length": (units.length_cm, "cm"),
    "pressure": (units.pressure_mmhg, "mm Hg"),
    "time": (units.time_ms, "ms"),
    "age": (units.age_years, "years"),
    "rate": (units.rate_per_min, "/min"),
    "count": (units.count_1e9_per_l, "10^9/L"),
    "temperature": (units.temperature_c, "°C"),
    "percent": (units.percent, "%"),
    "dose_mg": (units.dose_mg, "mg"),
    "dose_ug": (units.dose_ug, "µg"),
    "infusion": (units.infusion_mcg_kg_min, "mcg/kg/min"),
    "insulin": (units.insulin_uiu_ml, "µIU/mL"),
}


@dataclass(frozen=True)
class Input:
    """One typed input. `kind` is a quantity kind, `conc:<analyte>`, `number`, `bool`, `choice` or `date`."""

    name: str
    label: str
    kind: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    default: Any = None
    choices: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    optional: bool = False  # missing -> None, and the calculator decides

    @property
    def required(self) -> bool:
        return self.default is None and self.kind != "bool" and not self.optional

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.kind,
            "required": self.required,
        }
        if self.unit:
            out["unit"] = self.unit
        if self.low is not None or self.high is not None:
            out["range"] = [self.low, self.high]
        if self.choices:
            out["choices"] = list(self.choices)
        if self.default is not None or self.kind == "bool":
            out["default"] = False if self.kind == "bool" and self.default is None else self.default
        return out


class Trace:
    """The step-by-step explanation a calculator writes while it computes."""

    def __init__(self) -> None:
        self.steps: list[str] = []

    def add(self, text: str) -> None:
        self.steps.append(text)

    def points(self, label: str, pts: float, why: str) -> float:
        self.steps.append(f"{label}: {why} -> {_num(pts)} point{'s' if pts != 1 else ''}")
        return pts


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.5g}"


@dataclass(frozen=True)
class Calculator:
    name: str
    title: str
    inputs: tuple[Input, ...]
    unit: str
    output: str  # decimal | integer | date | weeks_days
    func: Callable[[dict[str, Any], Trace], Any]

    def info(self) -> dict[str, Any]:
        meta = metadata(self.name)
        return {
            "name": self.name,
            "title": self.title,
            "unit": self.unit,
            "output": self.output,
            "source": meta["source"],
            "year": meta["year"],
            "conventions": meta.get("conventions", ""),
            "inputs": [i.schema() for i in self.inputs],
        }


@dataclass(frozen=True)
class Result:
    calculator: str
    value: Any
    unit: str
    steps: tuple[str, ...]
    source: str
    inputs: Mapping[str, Any]
    assumed: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "calculator": self.calculator,
            "value": self.value,
            "unit": self.unit,
            "steps": list(self.steps),
            "source": self.source,
            "inputs": dict(self.inputs),
            "assumed": list(self.assumed),
        }


REGISTRY: dict[str, Calculator] = {}


def calculator(name: str, title: str, unit: str, inputs: list[Input], output: str = "decimal"):
    """Register a calculator function under `name`."""

    def wrap(func: Callable[[dict[str, Any], Trace], Any]) -> Callable[[dict[str, Any], Trace], Any]:
        REGISTRY[name] = Calculator(name, title, tuple(inputs), unit, output, func)
        return func

    return wrap


@cache
def _metadata_file() -> dict[str, dict[str, Any]]:
    text = (
        resources.files("medtrio.calculators").joinpath("data/calculators.yaml").read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    for name, entry in data.items():
        for key in ("source", "year"):
            if not entry.get(key):
                raise ValueError(f"calculators.yaml: {name} lacks '{key}'")
    return data


@cache
def tables() -> dict[str, Any]:
    """Coefficient and conversion tables (data/tables.yaml); every table names its `source`."""
    text = resources.files("medtrio.calculators").joinpath("data/tables.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for name, table in data.items():
        if not table.get("source"):
            raise ValueError(f"tables.yaml: table '{name}' lacks 'source'")
    return data


def metadata(name: str) -> dict[str, Any]:
    try:
        return _metadata_file()[name]
    except KeyError as exc:
        raise ValueError(f"calculators.yaml has no entry for calculator '{name}'") from exc


def get(name: str) -> Calculator:
    _load_families()
    key = name.strip().lower().replace("-", "_")
    if key not in REGISTRY:
        raise NotFound(
            f"unknown calculator '{name}'; `medtrio calc list` shows the {len(REGISTRY)} available"
        )
    return REGISTRY[key]


def all_calculators() -> list[Calculator]:
    _load_families()
    return sorted(REGISTRY.values(), key=lambda c: c.name)


def _load_families() -> None:
    from medtrio.calculators import (  # noqa: F401  (importing registers the calculators)
        body,
        cardiac,
        chemistry,
        comorbidity,
        critical,
        infection,
        liver,
        obstetric,
        pharmacology,
        renal,
        thrombosis,
    )


def normalise(calc: Calculator, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate and convert raw inputs to canonical units; return the values and the assumptions made."""
    known = {i.name for i in calc.inputs}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InvalidInput(
            f"{calc.name}: unknown input(s) {', '.join(unknown)}; expected {', '.join(sorted(known))}"
        )
    values: dict[str, Any] = {}
    assumed: list[str] = []
    missing = []
    for spec in calc.inputs:
        if spec.name not in raw or raw[spec.name] is None:
            if spec.kind == "bool":
                values[spec.name] = bool(spec.default) if spec.default is not None else False
                assumed.append(
                    f"{spec.label}: not given, assumed {'present' if values[spec.name] else 'absent'}"
                )
            elif spec.default is not None:
                values[spec.name] = spec.default
                assumed.append(f"{spec.label}: not given, assumed {spec.default}")
            elif spec.optional:
                values[spec.name] = None
            else:
                missing.append(spec.name)
            continue
        values[spec.name] = _convert(spec, raw[spec.name])
    if missing:
        raise InvalidInput(
            f"{calc.name}: missing required input(s): {', '.join(missing)}", detail={"missing": missing}
        )
    return values, assumed


def _split(spec: Input, raw: Any) -> tuple[float, str]:
    if isinstance(raw, Mapping):
        value, unit = raw.get("value"), raw.get("unit")
    elif isinstance(raw, list | tuple) and len(raw) == 2:
        value, unit = raw
    else:
        raise InvalidInput(
            f'{spec.name}: a value with a unit is required (e.g. [1.2, "{spec.unit}"]), got {raw!r}'
        )
    if not isinstance(unit, str) or not unit.strip():
        raise InvalidInput(f'{spec.name}: the unit is missing (expected e.g. "{spec.unit}")')
    return _number(spec, value), unit


def _number(spec: Input, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInput(f"{spec.name}: expected a number, got {value!r}")
    try:
        number = float(value)
    except ValueError as exc:
        raise InvalidInput(f"{spec.name}: expected a number, got {value!r}") from exc
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidInput(f"{spec.name}: expected a finite number")
    return number


def _convert(spec: Input, raw: Any) -> Any:
    if spec.kind == "bool":
        return _boolean(spec, raw)
    if spec.kind == "choice":
        return _choice(spec, raw)
    if spec.kind == "date":
        return parse_date(raw, spec.name)
    if spec.kind == "text":
        if not isinstance(raw, str) or not raw.strip():
            raise InvalidInput(f"{spec.name}: expected text")
        return raw.strip()
    if spec.kind == "number":
        if isinstance(raw, list | tuple | Mapping):
            raw = raw.get("value") if isinstance(raw, Mapping) else raw[0]
        value = _number(spec, raw)
    else:
        number, unit = _split(spec, raw)
        if spec.kind.startswith("conc:"):
            value = units.concentration(number, unit, spec.unit, spec.kind[5:], spec.name)
        else:
            value = _QUANTITIES[spec.kind][0](number, unit, spec.name)
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        raise InvalidInput(
            f"{spec.name}: {value:.4g} {spec.unit} is outside the valid range"
            f" {spec.low:g}–{spec.high:g} {spec.unit}"
        )
    return value


_TRUE = {"true", "yes", "y", "present", "1"}
_FALSE = {"false", "no", "n", "absent", "0", "none"}


def _boolean(spec: Input, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    raise InvalidInput(f"{spec.name}: expected true or false, got {raw!r}")


def _choice(spec: Input, raw: Any) -> str:
    text = str(raw).strip().lower()
    for choice in spec.choices:
        if text == choice.lower():
            return choice
    for alias, choice in spec.aliases.items():
        if text == alias.lower():
            return choice
    raise InvalidInput(f"{spec.name}: {raw!r} is not one of: {', '.join(spec.choices)}")


def parse_date(raw: Any, name: str) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(f"{name}: '{raw}' is not a date (use MM/DD/YYYY or YYYY-MM-DD)")


def calculate(name: str, raw: Mapping[str, Any]) -> Result:
    """Run calculator `name` on raw inputs (values with units); raise `InvalidInput` on any bad input."""
    calc = get(name)
    values, assumed = normalise(calc, raw)
    trace = Trace()
    for note in assumed:
        trace.add(note)
    value = calc.func(values, trace)
    if isinstance(value, float):
        if value != value:
            raise InvalidInput(f"{calc.name}: the inputs give no defined result")
        value = round(value, 5)
    meta = metadata(calc.name)
    shown = {i.name: _show(values[i.name], i) for i in calc.inputs if values.get(i.name) is not None}
    return Result(
        calc.name,
        value,
        calc.unit,
        tuple(trace.steps),
        f"{meta['source']} ({meta['year']})",
        shown,
        tuple(assumed),
    )


def _show(value: Any, spec: Input) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return [round(value, 5), spec.unit] if spec.unit else round(value, 5)
    return value


def band(value: float, table: list[tuple[float, float]]) -> float:
    """Points for `value` from (lower bound inclusive, points) pairs listed from the top band down."""
    for lower, pts in table:
        if value >= lower:
            return pts
    return table[-1][1]
