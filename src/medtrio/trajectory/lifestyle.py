"""Lifestyle tokens (BMI, smoking, alcohol: low / mid / high) from event-store observations.

The mapping is data (`lifestyle.yaml`, each rule with its source); this module only applies it. A value
outside the plausible window, or a status text no rule recognises, gives no token rather than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class LifestyleMap:
    numeric: dict[str, tuple[str, tuple[float, float], tuple[float, float]]]  # code -> kind, cuts, plausible
    text: dict[str, tuple[tuple[re.Pattern[str], str | None], ...]]  # code -> ordered (pattern, token)

    codes: frozenset[str]  # every event code that can give a lifestyle token


@lru_cache(maxsize=1)
def lifestyle_map() -> LifestyleMap:
    """The validated contents of lifestyle.yaml."""
    data = yaml.safe_load(resources.files("medtrio.trajectory").joinpath("lifestyle.yaml").read_text())
    numeric, text = {}, {}
    for kind in ("bmi", "alcohol"):
        entry = data[kind]
        lo, hi = (float(x) for x in entry["cuts"])
        plo, phi = (float(x) for x in entry["plausible"])
        if not (plo <= lo < hi <= phi) or not entry.get("source"):
            raise ValueError(f"lifestyle.yaml: {kind} needs plausible <= cuts and a source")
        for code in entry["codes"]:
            numeric[code] = (kind, (lo, hi), (plo, phi))
    smoking = data["smoking"]
    if not smoking.get("source"):
        raise ValueError("lifestyle.yaml: smoking needs a source")
    rules = tuple((re.compile(r["pattern"], re.IGNORECASE), r["token"]) for r in smoking["rules"])
    for code in smoking["codes"]:
        text[code] = rules
    return LifestyleMap(numeric, text, frozenset((*numeric, *text)))


def lifestyle_key(code: str, value: float | None, text: str | None) -> str | None:
    """'BMI_high', 'Smoking_low', ... for one observation, or None when it gives no lifestyle token."""
    m = lifestyle_map()
    if code in m.numeric:
        if value is None:
            return None
        kind, (lo, hi), (plo, phi) = m.numeric[code]
        if not plo <= value <= phi:
            return None
        level = "low" if value < lo else "mid" if value < hi else "high"
        return f"{'BMI' if kind == 'bmi' else 'Alcohol'}_{level}"
    if code in m.text and text:
        for pattern, token in m.text[code]:
            if pattern.search(text):
                return token
    return None
