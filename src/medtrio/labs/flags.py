"""Per-result flag: normal, high, low, critical — from the lab's printed range first, the catalog otherwise.

Rules (each decision records which one applied):
- printed range: below low -> L, above high -> H; censored values (`<0.41`) are judged only when the
  bound settles it (`<0.41` against a low limit of 1 is low; against 0-5 it is normal).
- catalog range: the same comparison against the catalog interval for sex and age, after converting the
  value into the catalog unit; when the unit cannot be converted the flag is left unknown.
- zero differential counts (rule `zero_not_low`, source cbc_count): 0% eosinophils, basophils or
  monocytes in a 100-cell differential is within counting error of the lower limit, so it is not
  flagged low. Neutrophils and lymphocytes are never exempt.
- critical: outside the catalog's critical limits (always in catalog units) -> critical, whichever
  range decided the H/L flag.
- qualitative: a word in the entry's normal set is normal, any other word abnormal (A).
"""

from __future__ import annotations

from dataclasses import dataclass

from medtrio.labs.catalog import Analyte
from medtrio.labs.values import Range, Value

Basis = str  # "printed range", "catalog range", "catalog qualitative", "printed qualitative", "none"


@dataclass(frozen=True)
class Flag:
    """H, L, A (abnormal qualitative), N (normal) or None (cannot tell), plus critical and why."""

    flag: str | None
    basis: Basis
    critical: bool = False
    rule: str = ""


def _compare(value: Value, low: float | None, high: float | None) -> str | None:
    n, c = value.number, value.comparator
    if n is None:
        return None
    if c in ("<", "<="):  # the true value lies anywhere below n
        if low is not None and n <= low:
            return "L"
        if (high is not None and n > high) or (low is not None and low > 0):
            return None  # could be on either side of a limit
        return "N"
    if c in (">", ">="):  # the true value lies anywhere above n
        if high is not None and n >= high:
            return "H"
        if (low is not None and n < low) or high is not None:
            return None
        return "N"
    if low is not None and n < low:
        return "L"
    if high is not None and n > high:
        return "H"
    return "N"


def _zero_exempt(analyte: Analyte | None, value: Value, flag: str | None) -> bool:
    return bool(
        flag == "L" and analyte and analyte.zero_not_low and value.number == 0 and not value.comparator
    )


def flag_result(
    analyte: Analyte | None,
    value: Value,
    *,
    printed: Range | None = None,
    catalog_value: Value | None = None,
    sex: str | None = None,
    age: float | None = None,
    use_printed: bool = True,
) -> Flag:
    """Flag one result. `catalog_value` is the value already converted into the catalog unit (or None
    when the unit could not be converted); `printed` is the lab's range in the printed unit."""
    if value.qualitative and not value.is_numeric:
        if printed and printed.expected and use_printed:
            ok = value.qualitative == printed.expected
            return Flag("N" if ok else "A", "printed qualitative", rule="printed expected result")
        if analyte is None:
            return Flag(None, "none", rule="unknown analyte")
        if analyte.normal_any:
            return Flag("N", "catalog qualitative", rule="either result is acceptable; see explanation")
        if analyte.kind in ("qual", "semi"):
            ok = value.qualitative.upper() in analyte.normal_words()
            return Flag(
                "N" if ok else "A", "catalog qualitative", rule=f"catalog normal result of {analyte.key}"
            )
        return Flag(None, "none", rule="word result for a numeric test")

    crit = False
    cv = catalog_value
    if analyte and analyte.crit and cv is not None and cv.number is not None:
        lo, hi = analyte.crit
        crit = (lo is not None and _compare(cv, lo, None) == "L") or (
            hi is not None and _compare(cv, None, hi) == "H"
        )

    if use_printed and printed and (printed.low is not None or printed.high is not None):
        f = _compare(value, printed.low, printed.high)
        if _zero_exempt(analyte, value, f):
            return Flag("N", "printed range", crit, rule="zero_not_low (cbc_count)")
        return Flag(f, "printed range", crit, rule="lab's printed range")
    if analyte is None:
        return Flag(None, "none", rule="unknown analyte and no printed range")
    interval = analyte.interval(sex, age)
    if interval is None or cv is None:
        why = "no catalog interval for this sex/age" if interval is None else "unit not convertible"
        return Flag(None, "none", crit, rule=why)
    f = _compare(cv, interval[0], interval[1])
    if _zero_exempt(analyte, cv, f):
        return Flag("N", "catalog range", crit, rule="zero_not_low (cbc_count)")
    return Flag(
        f, "catalog range", crit, rule=f"catalog interval of {analyte.key} ({', '.join(analyte.src)})"
    )
