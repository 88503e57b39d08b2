"""Small code tables the importers need, loaded from `data/*.csv` (each entry cites its source).

`vitals.csv`: LOINC codes that are vital signs (so an Observation or OMOP measurement with one of
them is filed as ``VITAL//LOINC//...`` rather than ``LAB//LOINC//...``), with UCUM units and the
MIMIC-IV ``omr`` result names they correspond to.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Vital:
    loinc: str
    display: str
    ucum: str | None
    mimic_omr_name: str | None
    source: str


@lru_cache(maxsize=1)
def vitals() -> dict[str, Vital]:
    """Vital-sign LOINC codes -> entry; raises ValueError on a malformed entry."""
    out: dict[str, Vital] = {}
    with (DATA / "vitals.csv").open(newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            if not row["loinc"] or not row["display"] or not row["source"]:
                raise ValueError(f"vitals.csv line {n}: loinc, display and source are required")
            if row["loinc"] in out:
                raise ValueError(f"vitals.csv line {n}: duplicate LOINC {row['loinc']}")
            out[row["loinc"]] = Vital(row["loinc"], row["display"], row["ucum"] or None,
                                      row["mimic_omr_name"] or None, row["source"])
    return out


def omr_vitals() -> dict[str, Vital]:
    """MIMIC-IV omr result names -> vital entry (blood pressure is split separately)."""
    return {v.mimic_omr_name: v for v in vitals().values()
            if v.mimic_omr_name and not v.mimic_omr_name.startswith("Blood Pressure")}
