"""ICD-10 chapter of a 3-character code, from the validated table in icd10_chapters.yaml."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

from medtrio.errors import InvalidInput

_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z]$")


@lru_cache(maxsize=1)
def chapters() -> tuple[dict, ...]:
    """The chapter table, validated: every entry has a chapter, a code range, a short name and a source."""
    rows = yaml.safe_load(resources.files("medtrio.trajectory").joinpath("icd10_chapters.yaml").read_text())
    for r in rows:
        if not (r.get("source") and r.get("short") and _CODE.match(r["first"]) and _CODE.match(r["last"])):
            raise InvalidInput(f"bad ICD-10 chapter entry: {r}")
        if r["first"] > r["last"]:
            raise InvalidInput(f"ICD-10 chapter {r['chapter']}: range is reversed")
    return tuple(rows)


def chapter_of(key: str) -> str:
    """'IX Circulatory' for 'I21'; 'Death' and non-ICD keys get 'Other'."""
    if key == "Death":
        return "Death"
    if _CODE.match(key):
        for r in chapters():
            if r["first"] <= key <= r["last"]:
                return f"{r['chapter']} {r['short']}"
    return "Other"
