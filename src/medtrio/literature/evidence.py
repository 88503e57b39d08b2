"""Evidence levels of publications, read from `data/evidence_levels.yaml` (validated on load).

`level_of(pub_types)` returns the strongest level among an article's publication types; the ranking boost
that uses it lives in the retriever and is off unless configured, because it has to be measured first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from medtrio.errors import InvalidInput


@dataclass(frozen=True)
class EvidenceLevel:
    pub_type: str
    level: str
    rank: int
    source: str


@lru_cache(maxsize=1)
def levels() -> dict[str, EvidenceLevel]:
    """Publication type (lower-case) -> its evidence level; raises InvalidInput on a malformed file."""
    raw = yaml.safe_load(
        resources.files("medtrio.literature").joinpath("data/evidence_levels.yaml").read_text()
    )
    out: dict[str, EvidenceLevel] = {}
    for entry in raw.get("levels", []):
        missing = {"pub_type", "level", "rank", "source"} - set(entry)
        if missing or not str(entry.get("source", "")).strip():
            raise InvalidInput(f"evidence_levels.yaml entry {entry!r} lacks {sorted(missing) or ['source']}")
        if not isinstance(entry["rank"], int) or not 1 <= entry["rank"] <= 9:
            raise InvalidInput(f"evidence_levels.yaml: rank of {entry['pub_type']} must be 1..9")
        out[entry["pub_type"].lower()] = EvidenceLevel(
            entry["pub_type"], entry["level"], entry["rank"], entry["source"]
        )
    return out


def level_of(pub_types: tuple[str, ...] | list[str]) -> EvidenceLevel | None:
    """The strongest evidence level among the publication types, or None when none is graded."""
    table = levels()
    found = [table[p.lower()] for p in pub_types if p.lower() in table]
    return min(found, key=lambda e: e.rank) if found else None
