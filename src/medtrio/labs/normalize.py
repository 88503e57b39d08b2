"""Raw extracted results -> normalised, flagged results, with every reason to doubt a value recorded.

A value needs confirmation when: the analyte or value could not be read; the OCR confidence is low or
letters were read as digits; the unit is missing or cannot be converted; the value is physically
implausible for the analyte (with a hint when a shifted decimal point would make it plausible); the
printed range does not fit the analyte in that unit; or the lab's own flag disagrees with the value and
the printed range. Report-level consistency checks (`consistency.py`) add more reasons afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from medtrio.labs.catalog import Analyte, Catalog
from medtrio.labs.extract import ARROW_GUESS, RawResult, ReportMeta
from medtrio.labs.flags import flag_result
from medtrio.labs.units import converter
from medtrio.labs.values import Value, parse_flag, parse_range, parse_value

OCR_MIN_CONFIDENCE = 0.90


@dataclass(frozen=True)
class Result:
    """One result as shown to the user and saved to the record."""

    name: str
    key: str | None
    loinc: str | None
    value: str | None
    number: float | None
    unit: str | None
    range: str | None
    range_source: str  # "printed", "catalog" or "none"
    flag: str | None  # H, L, N, A or None (cannot tell)
    critical: bool
    lab_flag: str | None
    needs_confirmation: bool
    reason: str
    spec: str | None = None
    catalog_value: float | None = None
    catalog_unit: str | None = None
    rule: str = ""
    sources: tuple[str, ...] = ()
    meaning: str = ""
    advice: str = ""
    line: str = ""
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def confirm(self, reason: str) -> Result:
        reasons = (*self.reasons, reason)
        return replace(self, needs_confirmation=True, reasons=reasons, reason="; ".join(reasons))

    def as_dict(self, lang: str = "en") -> dict[str, object]:
        return {
            "name": self.name, "loinc": self.loinc,
            "value": self.number if self.number is not None else self.value, "value_text": self.value,
            "unit": self.unit, "range": self.range, "range_source": self.range_source,
            "flag": self.flag, "critical": self.critical, "lab_flag": self.lab_flag,
            "needs_confirmation": self.needs_confirmation, "reason": self.reason, "analyte": self.key,
            "specimen": self.spec, "catalog_value": self.catalog_value, "catalog_unit": self.catalog_unit,
            "rule": self.rule, "sources": list(self.sources), "meaning": self.meaning, "advice": self.advice,
        }  # fmt: skip


def _decimal_hint(a: Analyte, cv: float) -> str:
    lo, hi = a.plaus or (None, None)
    for f, what in (
        (0.1, "a missing decimal point"),
        (0.01, "a missing decimal point"),
        (10, "a misplaced decimal point"),
    ):
        if lo is not None and hi is not None and lo <= cv * f <= hi:
            return f" (perhaps {what})"
    return ""


def _range_text(interval: tuple[float | None, float | None] | None) -> str | None:
    if not interval:
        return None
    lo, hi = interval
    if lo is not None and hi is not None:
        return f"{lo:g}-{hi:g}"
    return f">={lo:g}" if lo is not None else (f"<={hi:g}" if hi is not None else None)


def normalise(raw: RawResult, meta: ReportMeta, catalog: Catalog) -> Result:
    """Normalise and flag one raw result (see the module docstring for the confirmation rules)."""
    a = raw.analyte
    value = parse_value(raw.value) if raw.value else None
    printed = parse_range(raw.range)
    lab_flag = parse_flag(raw.flag)
    cv: Value | None = None
    convert = None
    why_unit = ""
    if a is not None and value is not None and value.is_numeric:
        convert, why_unit = converter(a, raw.unit)
        if convert is not None:
            cv = Value(value.text, convert(value.number), value.comparator)  # type: ignore[arg-type]
    fl = (
        flag_result(a, value, printed=printed, catalog_value=cv, sex=meta.sex, age=meta.age)
        if value
        else None
    )
    interval = a.interval(meta.sex, meta.age) if a else None
    use_printed = printed is not None and fl is not None and fl.basis.startswith("printed")
    meaning = ""
    if a and fl and fl.flag in ("H", "L", "A"):
        field = {"H": "hi", "L": "lo", "A": "abn" if a.abn else "hi"}[fl.flag]
        meaning = a.text(field, meta.lang)
    r = Result(
        name=raw.name,
        key=a.key if a else None,
        loinc=a.loinc if a else None,
        value=raw.value,
        number=value.number if value else None,
        unit=raw.unit,
        spec=raw.spec,
        range=raw.range if use_printed else (_range_text(interval) if a else raw.range),
        range_source="printed" if use_printed else ("catalog" if interval else "none"),
        flag=fl.flag if fl else None,
        critical=bool(fl and fl.critical),
        lab_flag=lab_flag,
        needs_confirmation=False,
        reason="",
        catalog_value=cv.number if cv else None,
        catalog_unit=a.unit if a else None,
        rule=fl.rule if fl else "",
        sources=a.src if a else (),
        meaning=meaning,
        advice=a.text("next", meta.lang) if a else "",
        line=raw.line,
    )
    for note in raw.notes:
        r = r.confirm(note)
    if a is None:
        r = r.confirm("analyte not recognised; please name it")
    if value is None:
        return (
            r.confirm("value could not be read")
            if raw.value is None
            else r.confirm(f"value '{raw.value}' is not a result")
        )
    if raw.confidence < OCR_MIN_CONFIDENCE:
        r = r.confirm(f"photo text read with low confidence ({raw.confidence:.2f})")
    if a is None:
        return r
    if value.is_numeric and a.kind != "qual":
        if convert is None:
            r = r.confirm(f"{why_unit}; the value cannot be compared with the catalog")
        if (
            cv is not None
            and a.plaus
            and cv.number is not None
            and not (a.plaus[0] <= cv.number <= a.plaus[1])
        ):
            r = r.confirm(f"{cv.number:g} {a.unit} is implausible for {a.en}{_decimal_hint(a, cv.number)}")
        if printed and convert is not None and interval:
            r = _check_printed_range(r, a, printed, convert, interval)
        if printed and value.number is not None and not value.comparator:
            r = _check_decimal_vs_range(r, value, printed)
    if raw.flag == ARROW_GUESS and r.flag not in ("H", "L"):
        r = r.confirm(
            "a mark '1' after the value (an ↑/↓ flag?) does not fit the value and range; check the row"
        )
    if lab_flag in ("H", "HH", "L", "LL") and r.flag in ("H", "L", "N") and lab_flag[0] != r.flag:
        r = r.confirm(f"the lab's flag '{raw.flag}' disagrees with the value and range; check the value")
    return r


def _check_printed_range(r: Result, a: Analyte, printed, convert, interval) -> Result:  # type: ignore[no-untyped-def]
    """A printed range far from the catalog's (in the same unit) suggests a misread unit or range."""
    for p, c in ((printed.high, interval[1]), (printed.low, interval[0])):
        if p is not None and c is not None and p > 0 and c > 0 and not (c / 3 <= convert(p) <= c * 3):
            return r.confirm(
                f"the printed range {printed.text} does not fit {a.en} in {r.unit}; check unit and range"
            )
    return r


def _check_decimal_vs_range(r: Result, value: Value, printed) -> Result:  # type: ignore[no-untyped-def]
    """A whole number far above a decimal range whose tenth fits it: a dropped decimal point."""
    n = value.number
    lo, hi = printed.low, printed.high
    if n is None or hi is None or hi <= 0:
        return r
    if "." not in value.text and "." in printed.text and n > 8 * hi and (lo or 0) * 0.5 <= n / 10 <= hi * 2:
        return r.confirm(
            f"{value.text} is far above the range {printed.text}; possibly a dropped decimal point"
        )
    return r
