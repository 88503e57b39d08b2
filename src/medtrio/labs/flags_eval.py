"""`medtrio eval labflags`: agreement of our flags with a laboratory's own abnormal flags.

Input format (the MIMIC-IV derived `labevents_flag_eval.csv(.gz)`): one row per lab result with
`gender` (M/F), `anchor_age` (years), `label` (the lab's analyte name), `fluid` (Blood, Urine, ...),
`loinc` (may be empty), `value` (printed text), `valuenum` (numeric value or empty), `valueuom`,
`ref_range_lower`/`ref_range_upper` (printed range, may be empty), `flag_abnormal` (1 = the lab flagged
it abnormal) and `provider_notified` (True when a critical value was phoned through).

Figures (denominator `n`: rows with a numeric value and a printed range, as for the baseline):
- `agreement_with_printed_range`: our flag from the printed range (plus the catalog's zero-count rule)
  equals the lab's flag;
- `agreement_catalog_only`: our flag from the catalog interval for the row's sex and age, the printed
  range ignored, the analyte found from its printed name (or the row's LOINC when the name is unknown);
- `baseline_most_common_range`: the most common printed range per item and sex, measured in this run;
- `ceiling_item_sex`: the best agreement that any single interval per item and sex can reach on these rows,
  the interval chosen on the rows themselves (an in-sample optimum, not a method): how far a catalog
  keyed on analyte and sex can go when the laboratory changed its intervals during the period;
- `loinc_coverage`: share of all rows with a LOINC, from our name normaliser or, failing that, from the
  source row; `loinc_coverage_by_name` counts our normaliser alone and `loinc_name_agreement` how often
  its code equals the source's where both exist.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from medtrio.errors import InvalidInput
from medtrio.labs.catalog import Analyte, Catalog, load_catalog
from medtrio.labs.flags import flag_result
from medtrio.labs.units import conversion_factor
from medtrio.labs.values import Range, Value

REQUIRED = ("gender", "anchor_age", "label", "fluid", "loinc", "valuenum", "valueuom", "ref_range_lower",
            "ref_range_upper", "flag_abnormal")  # fmt: skip
_FLUID = {"blood": "blood", "urine": "urine"}


def _float(s: str | None) -> float | None:
    try:
        return float(s) if s not in (None, "") else None
    except ValueError:
        return None


def _open(path: Path):  # type: ignore[no-untyped-def]
    if not path.exists():
        raise InvalidInput(f"file not found: {path}")
    return gzip.open(path, "rt", newline="") if path.suffix == ".gz" else path.open(newline="")


class _Resolver:
    """Printed name (+ fluid) -> catalog entry, cached."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.cache: dict[tuple[str, str], Analyte | None] = {}

    def __call__(self, label: str, fluid: str) -> Analyte | None:
        key = (label, fluid)
        if key not in self.cache:
            spec = _FLUID.get(fluid.lower(), "other")
            self.cache[key] = None if spec == "other" else self.catalog.lookup(label, spec)
        return self.cache[key]


def best_interval_errors(values: list[float], abnormal: list[bool]) -> int:
    """Fewest disagreements of "abnormal iff value outside [lo, hi]" over every choice of lo <= hi.

    In value order (ties pooled), the errors are the normal results outside the window plus the abnormal
    ones inside it, i.e. (all normal) - max over windows of (normal - abnormal inside): a maximum-sum
    contiguous run (Kadane), the empty window meaning "every value is abnormal"."""
    gain: dict[float, int] = defaultdict(int)
    for v, a in zip(values, abnormal, strict=True):
        gain[v] += -1 if a else 1
    best = run = 0
    for v in sorted(gain):
        run = max(0, run) + gain[v]
        best = max(best, run)
    return sum(not a for a in abnormal) - best


def evaluate(path: Path, limit: int | None = None) -> dict[str, Any]:
    """Compute the agreement figures for one CSV file (see the module docstring)."""
    catalog = load_catalog()
    resolve = _Resolver(catalog)
    with _open(path) as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(
                f"{path.name}: missing columns {missing}; expected the labevents_flag_eval format"
            )
        rows = [r for _, r in zip(range(limit or 10**12), reader, strict=False)]
    if not rows:
        raise InvalidInput(f"{path.name}: no rows")

    # baseline: most common printed range per item and sex, measured on the same rows
    common: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    for r in rows:
        if r["ref_range_lower"] or r["ref_range_upper"]:
            common[(r.get("itemid") or r["label"], r["gender"])][
                (r["ref_range_lower"], r["ref_range_upper"])
            ] += 1
    best = {k: c.most_common(1)[0][0] for k, c in common.items()}

    by_group: dict[tuple[str, str], tuple[list[float], list[bool]]] = defaultdict(lambda: ([], []))
    n = agree_printed = agree_catalog = agree_base = 0
    n_loinc = n_loinc_name = both = same_code = unflaggable = 0
    crit_true = crit_hit = crit_flagged = 0
    per_item_err: Counter[str] = Counter()
    for r in rows:
        analyte = resolve(r["label"], r["fluid"])
        n_loinc_name += analyte is not None
        if analyte is None and r["loinc"]:
            analyte = catalog.by_loinc.get(r["loinc"])
        n_loinc += bool((analyte and analyte.loinc) or r["loinc"])
        by_name = resolve(r["label"], r["fluid"])
        if by_name and r["loinc"]:
            both += 1
            same_code += by_name.loinc == r["loinc"]

        num = _float(r["valuenum"])
        lo, hi = _float(r["ref_range_lower"]), _float(r["ref_range_upper"])
        if num is None or (lo is None and hi is None):
            continue
        n += 1
        truth = r["flag_abnormal"] == "1"
        group = by_group[(r.get("itemid") or r["label"], r["gender"])]
        group[0].append(num)
        group[1].append(truth)
        value = Value(r["valuenum"], num)
        printed = Range(f"{lo}-{hi}", lo, hi)
        cat_value = None
        if analyte is not None:
            factor, _ = conversion_factor(analyte, r["valueuom"].strip() or None)
            cat_value = Value(r["valuenum"], num * factor) if factor is not None else None
        sex, age = r["gender"], _float(r["anchor_age"])
        fp = flag_result(analyte, value, printed=printed, catalog_value=cat_value, sex=sex, age=age)
        fc = flag_result(
            analyte, value, printed=None, catalog_value=cat_value, sex=sex, age=age, use_printed=False
        )
        agree_printed += (fp.flag in ("H", "L")) == truth
        if fc.flag is None:
            unflaggable += 1
        ok_c = (fc.flag in ("H", "L")) == truth
        agree_catalog += ok_c
        if not ok_c:
            per_item_err[r["label"]] += 1
        b = best.get((r.get("itemid") or r["label"], r["gender"]))
        bl, bh = (_float(b[0]), _float(b[1])) if b else (None, None)
        agree_base += ((bl is not None and num < bl) or (bh is not None and num > bh)) == truth
        if r.get("provider_notified") == "True":
            crit_true += 1
            crit_hit += fp.critical
        crit_flagged += fp.critical

    total = len(rows)
    return {
        "n": n,
        "rows": total,
        "agreement_with_printed_range": round(agree_printed / n, 5) if n else None,
        "agreement_catalog_only": round(agree_catalog / n, 5) if n else None,
        "baseline_most_common_range": round(agree_base / n, 5) if n else None,
        "ceiling_item_sex": round(1 - sum(best_interval_errors(*g) for g in by_group.values()) / n, 5)
        if n
        else None,
        "catalog_unflaggable": unflaggable,
        "loinc_coverage": round(n_loinc / total, 5),
        "loinc_coverage_by_name": round(n_loinc_name / total, 5),
        "loinc_name_agreement": round(same_code / both, 5) if both else None,
        "critical_notified_rows": crit_true,
        "critical_notified_recall": round(crit_hit / crit_true, 4) if crit_true else None,
        "critical_flagged_rows": crit_flagged,
        "catalog_disagreements_top": dict(per_item_err.most_common(8)),
        "catalog_analytes": len(catalog.analytes),
    }
