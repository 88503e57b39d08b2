"""Parsing printed values, reference ranges and lab flags, in English and Chinese report conventions.

Values: `5.2`, `<0.41`, `>40`, `≥1.035`, `1,234`, qualitative `Negative`/`阴性`/`+`/`2+`/`±`/`TR`,
semi-quantitative `3-5` (urine sediment). Ranges: `3.6-10.0`, `3.6～10.0`, `3.6 - 10.0`, `<5.0`, `≤5`,
`>=60`, `0-40`, `Negative`/`阴性`. Flags: `H`, `L`, `HH`, `LL`, `↑`, `↓`, `*`, `A`, `偏高`, `偏低`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from medtrio.labs.catalog import NEGATIVE_WORDS

_NUM = r"[-+]?\d+(?:[.,]\d+)*"
POSITIVE_WORDS = frozenset(
    {
        "POS",
        "POSITIVE",
        "DETECTED",
        "REACTIVE",
        "+",
        "++",
        "+++",
        "++++",
        "1+",
        "2+",
        "3+",
        "4+",
        "TR",
        "TRACE",
        "±",
        "+-",
        "阳性",
        "阳性(+)",
        "(+)",
        "弱阳性",
        "SM",
        "SMALL",
        "MOD",
        "MODERATE",
        "LG",
        "LARGE",
        "FEW",
        "MANY",
        "OCC",
    }
)


@dataclass(frozen=True)
class Value:
    """A parsed result value. `number` is set for numbers and censored numbers (`<0.41` -> 0.41, `<`)."""

    text: str
    number: float | None = None
    comparator: str | None = None  # "<", ">", "<=", ">=" for censored values
    qualitative: str | None = None  # normalised word: NEG, POS, 2+, TR, HAZY, ...

    @property
    def is_numeric(self) -> bool:
        return self.number is not None


@dataclass(frozen=True)
class Range:
    """A printed reference range; a qualitative range names the expected word (e.g. NEG)."""

    text: str
    low: float | None = None
    high: float | None = None
    expected: str | None = None


def norm(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip()
    return s.replace("～", "~").replace("–", "-").replace("—", "-").replace("－", "-")


def to_float(s: str) -> float | None:
    s = s.strip()
    # "1,234" is a thousands separator; "3,6" (one comma, 1-2 decimals) is a decimal comma
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    elif re.fullmatch(r"[-+]?\d+,\d{1,2}", s):
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def parse_value(text: str) -> Value | None:
    """Parse a printed value; None when the text is not a value at all."""
    t = norm(text)
    if not t:
        return None
    m = re.fullmatch(r"(<=|>=|≤|≥|<|>)\s*(" + _NUM + r")", t)
    if m:
        comp = {"≤": "<=", "≥": ">="}.get(m.group(1), m.group(1))
        return Value(t, to_float(m.group(2)), comp)
    m = re.fullmatch(_NUM, t)
    if m:
        n = to_float(t)
        return Value(t, n) if n is not None else None
    up = t.upper().rstrip(".")
    up = re.sub(r"\s+", " ", up)
    if up in NEGATIVE_WORDS:
        return Value(t, qualitative="NEG")
    if up in POSITIVE_WORDS:
        return Value(t, qualitative=up.replace("阳性(+)", "POS").replace("(+)", "POS"))
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", t)  # urine sediment bins "3-5" per field
    if m:
        return Value(t, qualitative=f"{m.group(1)}-{m.group(2)}")
    if re.fullmatch(r"[A-Za-z\u4e00-\u9fff][A-Za-z\u4e00-\u9fff ./-]{0,24}", t):
        return Value(t, qualitative=up)
    return None


def parse_range(text: str | None) -> Range | None:
    """Parse a printed reference range; None when absent or unreadable."""
    if text is None:
        return None
    t = norm(text).strip("[]() ")
    if not t:
        return None
    m = re.fullmatch(r"(" + _NUM + r")\s*(?:-|~|to|至)\s*(" + _NUM + r")", t)
    if m:
        lo, hi = to_float(m.group(1)), to_float(m.group(2))
        if lo is not None and hi is not None and lo <= hi:
            return Range(t, lo, hi)
        return None
    m = re.fullmatch(r"(<=|≤|<|>=|≥|>)\s*(" + _NUM + r")", t)
    if m:
        v = to_float(m.group(2))
        return Range(t, None, v) if m.group(1) in ("<", "<=", "≤") else Range(t, v, None)
    up = t.upper()
    if up in NEGATIVE_WORDS:
        return Range(t, expected="NEG")
    return None


_FLAG_WORDS = {
    "H": "H",
    "HI": "H",
    "HIGH": "H",
    "↑": "H",
    "偏高": "H",
    "高": "H",
    "HH": "HH",
    "↑↑": "HH",
    "L": "L",
    "LO": "L",
    "LOW": "L",
    "↓": "L",
    "偏低": "L",
    "低": "L",
    "LL": "LL",
    "↓↓": "LL",
    "*": "A",
    "A": "A",
    "ABN": "A",
    "ABNORMAL": "A",
    "!": "A",
    "C": "C",
    "CRIT": "C",
    "危急": "C",
}


def parse_flag(text: str | None) -> str | None:
    """The lab's own flag normalised to H, L, HH, LL, A (abnormal) or C (critical); None if absent."""
    if not text:
        return None
    return _FLAG_WORDS.get(norm(text).upper())


def is_flag(text: str) -> bool:
    return parse_flag(text) is not None
