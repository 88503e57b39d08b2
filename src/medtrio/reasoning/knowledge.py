"""Load and validate the reasoning knowledge files (critical values, cautions, presentations)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

OPS = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}


def _load(name: str) -> dict[str, Any]:
    text = resources.files("medtrio.reasoning").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def critical_values() -> dict[str, Any]:
    data = _load("critical_values.yaml")
    if not data.get("source"):
        raise ValueError("critical_values.yaml lacks 'source'")
    for name, entry in data["analytes"].items():
        if "label" not in entry or "unit" not in entry:
            raise ValueError(f"critical_values.yaml: {name} needs label and unit")
    return data


@cache
def cautions() -> dict[str, Any]:
    data = _load("cautions.yaml")
    for section in ("drug_lab", "drug_condition", "monitoring"):
        for entry in data[section]:
            if not entry.get("source") or not entry.get("text"):
                raise ValueError(f"cautions.yaml: an entry in {section} lacks source or text: {entry}")
            if entry.get("op") and entry["op"] not in OPS:
                raise ValueError(f"cautions.yaml: unknown op {entry['op']}")
    return data


@cache
def presentations() -> dict[str, Any]:
    data = _load("presentations.yaml")
    if not data.get("source"):
        raise ValueError("presentations.yaml lacks 'source'")
    for key, complaint in data["complaints"].items():
        for cand in complaint["candidates"]:
            for finding in cand["findings"]:
                if not ({"lab", "dx", "med"} & set(finding)):
                    raise ValueError(f"presentations.yaml: {key}/{cand['name']}: bad finding {finding}")
    return data
