"""The lab catalog: one entry per analyte, loaded from `data/catalog/*.yaml` and validated on load.

Each entry carries its LOINC code, EN/ZH names and synonyms, specimen, catalog unit (UCUM) with
conversion factors or a molar mass, adult reference intervals by sex, optional age-banded intervals,
critical limits, a plausibility window (values outside it are physically implausible and need
confirmation), a reference change value, plain-language meaning and the `src` keys of
`data/sources.yaml` that its figures rest on.

Name lookup folds case, spaces and punctuation, so "Hemoglobin", "HGB" and "血红蛋白" all find the same
entry; the specimen (blood/urine) breaks ties where the same word names two tests ("Glucose").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Specimen = Literal["blood", "urine"]
Kind = Literal["quant", "qual", "semi"]

# Qualitative words that mean "nothing found" (the default normal set of a qualitative test).
NEGATIVE_WORDS = frozenset(
    {
        "NEG",
        "NEGATIVE",
        "NONE",
        "NOT DETECTED",
        "ND",
        "NON-REACTIVE",
        "NONREACTIVE",
        "-",
        "阴性",
        "阴性(-)",
        "(-)",
        "未见",
        "未检出",
        "无",
        "NORMAL",
        "正常",
    }
)


class Interval(BaseModel):
    """Adult or age-banded reference interval; `None` means no limit on that side."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    all: tuple[float | None, float | None] | None = None
    M: tuple[float | None, float | None] | None = None
    F: tuple[float | None, float | None] | None = None
    age: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _check(self) -> Interval:
        if self.all is None and (self.M is None or self.F is None):
            raise ValueError("an interval needs `all` or both `M` and `F`")
        for lim in (self.all, self.M, self.F):
            if lim and lim[0] is not None and lim[1] is not None and lim[0] > lim[1]:
                raise ValueError(f"interval low > high: {lim}")
        return self

    def for_sex(self, sex: str | None) -> tuple[float | None, float | None] | None:
        s = (sex or "").upper()[:1]
        if s in ("M", "F") and getattr(self, s) is not None:
            return getattr(self, s)
        if self.all is not None:
            return self.all
        return None  # sex-specific interval, sex unknown: no catalog range


class Analyte(BaseModel):
    """One catalog entry (see the module docstring for the fields)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    key: str
    loinc: str
    en: str
    zh: str
    spec: Specimen
    kind: Kind = "quant"
    unit: str | None = None
    syn: tuple[str, ...] = ()
    conv: dict[str, float] = Field(default_factory=dict)
    affine: dict[str, tuple[float, float]] = Field(default_factory=dict)  # unit -> (slope, intercept)
    mw: float | None = None
    ref: Interval | None = None
    peds: tuple[Interval, ...] = ()
    ages: tuple[Interval, ...] = ()
    crit: tuple[float | None, float | None] | None = None
    plaus: tuple[float, float] | None = None
    rcv: float | None = None
    zero_not_low: bool = False
    normal: tuple[str, ...] = ()
    normal_any: bool = False
    hi: str | None = None
    lo: str | None = None
    abn: str | None = None
    next: str
    src: tuple[str, ...]
    zh_text: dict[str, str] = Field(default_factory=dict)  # hi/lo/abn/next in Chinese (explanations_zh.yaml)

    @field_validator("loinc")
    @classmethod
    def _loinc_check_digit(cls, v: str) -> str:
        if not loinc_check_digit_ok(v):
            raise ValueError(f"LOINC {v} fails its mod-10 check digit")
        return v

    @model_validator(mode="after")
    def _check(self) -> Analyte:
        if self.kind == "qual":
            if not self.abn:
                raise ValueError(f"{self.key}: a qualitative entry needs `abn`")
        else:
            if not self.unit or not self.hi or not self.lo or not self.plaus:
                raise ValueError(f"{self.key}: a quantitative entry needs unit, plaus, hi and lo")
        if "loinc" not in self.src:
            raise ValueError(f"{self.key}: every entry cites the LOINC source")
        return self

    def name(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en

    def text(self, field: str, lang: str = "en") -> str:
        """Plain-language text (hi, lo, abn, next) in the language, English when no translation exists."""
        if lang == "zh" and field in self.zh_text:
            return self.zh_text[field]
        return getattr(self, field) or ""

    def interval(
        self, sex: str | None = None, age: float | None = None
    ) -> tuple[float | None, float | None] | None:
        """The catalog reference interval for this sex and age (age bands first, then adult)."""
        if age is not None:
            for band in (*self.ages, *self.peds):
                if band.age and band.age[0] <= age < band.age[1]:
                    return band.for_sex(sex)
            if age < 18 and self.peds:
                return None  # a child outside every paediatric band: no adult range applies
        return self.ref.for_sex(sex) if self.ref else None

    def normal_words(self) -> frozenset[str]:
        return frozenset(w.upper() for w in self.normal) if self.normal else NEGATIVE_WORDS


def loinc_check_digit_ok(code: str) -> bool:
    """LOINC's mod-10 check digit (the digit after the hyphen)."""
    m = re.fullmatch(r"(\d{1,7})-(\d)", code)
    if not m:
        return False
    digits = m.group(1)
    total = 0
    # Luhn-style: double every other digit from the right of the base number.
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(m.group(2))


def fold(name: str) -> str:
    """Lower-case, NFKC-normalised name with spaces, punctuation and bracketed units removed."""
    s = unicodedata.normalize("NFKC", name).lower().strip()
    s = re.sub(r"[\s_·.,:;'\"*/\\-]+", "", s)
    return s.replace("（", "(").replace("）", ")")


class Catalog:
    """The loaded catalog with its name and LOINC indexes."""

    def __init__(self, analytes: Iterable[Analyte], sources: dict[str, str]) -> None:
        self.analytes = tuple(analytes)
        self.sources = sources
        self.by_key = {a.key: a for a in self.analytes}
        if len(self.by_key) != len(self.analytes):
            raise ValueError("duplicate analyte keys in the catalog")
        self.by_loinc: dict[str, Analyte] = {}
        self._names: dict[str, list[Analyte]] = {}
        for a in self.analytes:
            if a.loinc in self.by_loinc:
                raise ValueError(f"duplicate LOINC {a.loinc} ({a.key}, {self.by_loinc[a.loinc].key})")
            self.by_loinc[a.loinc] = a
            missing = [s for s in a.src if s not in sources]
            if missing:
                raise ValueError(f"{a.key}: unknown sources {missing}")
            for n in {a.en, a.zh, a.key, *a.syn}:
                for variant in _name_variants(n):
                    self._names.setdefault(variant, [])
                    if a not in self._names[variant]:
                        self._names[variant].append(a)

    def lookup(self, name: str, spec: str | None = None) -> Analyte | None:
        """The entry a printed analyte name refers to, or None. Ambiguous names need `spec`."""
        for variant in _name_variants(name):
            hits = self._names.get(variant)
            if not hits:
                continue
            if len(hits) == 1:
                if spec is None or hits[0].spec == spec:
                    return hits[0]
                continue
            same = [a for a in hits if a.spec == (spec or "blood")]
            if same:
                return same[0]
        return None

    def lookup_prefix(self, token: str, spec: str | None = None) -> Analyte | None:
        """The entry whose Chinese name is the longest prefix (2+ characters) of a glued OCR token."""
        f = fold(token)
        if not re.match(r"[\u4e00-\u9fff]{2}", f):
            return None
        # OCR reads the Latin letter I of "肌钙蛋白I" as the digit 1: try the letter as well
        for candidate in dict.fromkeys((f, re.sub(r"(?<=[\u4e00-\u9fff])1", "i", f))):
            for end in range(len(candidate), 1, -1):
                a = self.lookup(candidate[:end], spec)
                if a is not None:
                    return a
        return None

    def cite(self, keys: Iterable[str]) -> list[str]:
        return [f"{k}: {self.sources[k]}" for k in keys]


def _name_variants(name: str) -> list[str]:
    """The folded name, then without a bracketed abbreviation, then the abbreviation alone."""
    f = fold(name)
    out = [f]
    m = re.fullmatch(r"(.+?)\((.+)\)", f)
    if m:
        out += [m.group(1), m.group(2)]
    return [v for v in out if v]


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """Load and validate every catalog file shipped in the package (cached)."""
    base = resources.files("medtrio.labs") / "data"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster
    sources = yaml.load((base / "sources.yaml").read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    zh = yaml.load((base / "explanations_zh.yaml").read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    entries: list[Analyte] = []
    for f in sorted((base / "catalog").iterdir(), key=lambda p: p.name):
        if f.name.endswith(".yaml"):
            for raw in yaml.load(f.read_text(encoding="utf-8"), Loader=loader):  # noqa: S506
                if raw.get("key") in zh:
                    raw = {**raw, "zh_text": zh[raw["key"]]}
                try:
                    entries.append(Analyte.model_validate(raw))
                except ValueError as exc:  # name the entry so the data file can be fixed
                    raise ValueError(f"{f.name}: entry {raw.get('key')}: {exc}") from exc
    unknown = set(zh) - {a.key for a in entries}
    if unknown:
        raise ValueError(f"explanations_zh.yaml: keys not in the catalog {sorted(unknown)}")
    for a in entries:  # a Chinese field the English lacks is never shown (text() looks up the English field)
        fields = {f for f in ("hi", "lo", "abn", "next") if getattr(a, f)}
        if a.zh_text and set(a.zh_text) != fields:
            raise ValueError(
                f"explanations_zh.yaml: {a.key} has fields {sorted(a.zh_text)}, the English {sorted(fields)}"
            )
    return Catalog(entries, sources)
