"""Patterns across results: each is a rule with its source; none is a diagnosis.

- iron-deficiency anaemia pattern: low haemoglobin with small/pale cells and low ferritin (WHO 2011, 2020);
- KDIGO CKD G (eGFR, CKD-EPI 2021 from creatinine, age and sex when not printed) and A (urine ACR) stages;
- ADA diabetes / prediabetes thresholds for HbA1c, fasting, 2-h and random glucose;
- ATP III lipid categories (LDL, triglycerides, HDL);
- liver injury pattern by the R ratio (ALT/ULN) / (ALP/ULN) (ACG 2017);
- thyroid: TSH with free T4.
Values needing confirmation are not used: a pattern built on a doubtful number could be wrong.

The rules live here; what is said lives in `data/patterns.yaml`: each pattern's sources and its title and
statement in English and Chinese, as templates that get the numbers and stages computed here (formatted
here, so both languages show the same figures), plus the phrases put into them. The file is loaded and
checked once, on import: every key used here present, both languages, the same placeholders in each.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from medtrio.labs.normalize import Result

LANGS = ("en", "zh")
FIELDS = {"title", "statement", "sources"}  # of a pattern entry; sources may be left out
# Every key of data/patterns.yaml the rules below use (checked both ways on load).
PATTERN_KEYS = (
    "iron_deficiency_anaemia", "microcytic_anaemia", "kdigo", "egfr", "ada_diabetes", "ada_prediabetes",
    "atp3_lipids", "liver_r_ratio", "thyroid",
)  # fmt: skip
PHRASE_KEYS = (
    "separator",
    "hba1c_diabetes", "hba1c_prediabetes", "glucose_diabetes", "glucose_prediabetes",
    "glucose_random_diabetes", "glucose_fasting", "glucose_ogtt2h",
    "ldl", "tg", "hdl_low",
    "lipid_optimal", "lipid_near_optimal", "lipid_normal", "lipid_borderline_high", "lipid_high",
    "lipid_very_high",
    "liver_hepatocellular", "liver_cholestatic", "liver_mixed",
    "level_high", "level_low", "level_normal",
    "primary_hypothyroidism", "subclinical_hypothyroidism", "hyperthyroidism", "subclinical_hyperthyroidism",
)  # fmt: skip


@dataclass(frozen=True)
class Texts:
    """The checked content of data/patterns.yaml."""

    titles: dict[str, dict[str, str]]  # pattern key -> lang -> template
    statements: dict[str, dict[str, str]]
    sources: dict[str, tuple[str, ...]]
    phrases: dict[str, dict[str, str]]


def placeholders(template: str) -> set[str]:
    """The named placeholders of a template; anything but a plain `{name}` is refused."""
    names = set()
    for _, name, spec, conv in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conv:
            raise ValueError(f"{{{name}}} is not a plain named placeholder ({template!r})")
        names.add(name)
    return names


def check_texts(data: Any, source_keys: set[str] | None = None) -> Texts:
    """Validate the parsed data/patterns.yaml; a ValueError names the entry at fault."""

    def bilingual(where: str, entry: Any) -> dict[str, str]:
        if not isinstance(entry, dict) or set(entry) != set(LANGS):
            got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
            raise ValueError(f"patterns.yaml: {where} needs exactly {list(LANGS)}, has {got}")
        for lang in LANGS:
            if not isinstance(entry[lang], str) or not entry[lang].strip():
                raise ValueError(f"patterns.yaml: {where}.{lang} is empty or not text")
        try:
            names = {lang: placeholders(entry[lang]) for lang in LANGS}
        except ValueError as e:
            raise ValueError(f"patterns.yaml: {where}: {e}") from None
        if names["en"] != names["zh"]:
            raise ValueError(
                f"patterns.yaml: {where}: placeholders differ: en {sorted(names['en'])}, "
                f"zh {sorted(names['zh'])}"
            )
        return {lang: entry[lang] for lang in LANGS}

    def same_keys(section: str, have: Any, want: tuple[str, ...]) -> None:
        if not isinstance(have, dict):
            raise ValueError(f"patterns.yaml: no `{section}` mapping")
        missing, unused = set(want) - set(have), set(have) - set(want)
        if missing or unused:
            raise ValueError(f"patterns.yaml: {section}: missing {sorted(missing)}, unused {sorted(unused)}")

    if not isinstance(data, dict):
        raise ValueError("patterns.yaml: not a mapping")
    same_keys("patterns", data.get("patterns"), PATTERN_KEYS)
    same_keys("phrases", data.get("phrases"), PHRASE_KEYS)
    titles, statements, sources = {}, {}, {}
    for key, entry in data["patterns"].items():
        if not isinstance(entry, dict) or not {"title", "statement"} <= set(entry) <= FIELDS:
            raise ValueError(f"patterns.yaml: patterns.{key} needs title, statement and optional sources")
        titles[key] = bilingual(f"patterns.{key}.title", entry["title"])
        statements[key] = bilingual(f"patterns.{key}.statement", entry["statement"])
        src = entry.get("sources", [])
        if not isinstance(src, list) or not all(isinstance(s, str) for s in src):
            raise ValueError(f"patterns.yaml: patterns.{key}.sources is not a list of source keys")
        unknown = set(src) - source_keys if source_keys is not None else set()
        if unknown:
            raise ValueError(f"patterns.yaml: patterns.{key}.sources: {sorted(unknown)} not in sources.yaml")
        sources[key] = tuple(src)
    phrases = {key: bilingual(f"phrases.{key}", entry) for key, entry in data["phrases"].items()}
    return Texts(titles, statements, sources, phrases)


@lru_cache(maxsize=1)
def load_texts() -> Texts:
    """data/patterns.yaml, checked against the code and data/sources.yaml (cached)."""
    base = resources.files("medtrio.labs") / "data"
    data = yaml.safe_load((base / "patterns.yaml").read_text(encoding="utf-8"))
    known = set(yaml.safe_load((base / "sources.yaml").read_text(encoding="utf-8")))
    return check_texts(data, known)


@dataclass(frozen=True)
class Phrase:
    """A phrase of data/patterns.yaml with the values of its placeholders."""

    key: str
    args: tuple[tuple[str, Arg], ...] = ()

    def text(self, lang: str) -> str:
        return _fill(load_texts().phrases[self.key], self.args, lang)


# A placeholder's value: text the same in every language (a formatted number, a stage), a phrase, or a
# list of phrases (joined by the `separator` phrase).
Arg = str | Phrase | tuple[Phrase, ...]


def _fill(templates: dict[str, str], args: tuple[tuple[str, Arg], ...], lang: str) -> str:
    lang = lang if lang in LANGS else "en"

    def value(a: Arg) -> str:
        if isinstance(a, Phrase):
            return a.text(lang)
        if isinstance(a, tuple):
            return Phrase("separator").text(lang).join(p.text(lang) for p in a)
        return a

    return templates[lang].format(**{k: value(a) for k, a in args})


@dataclass(frozen=True)
class Pattern:
    """A pattern found in the results; `title` and `statement` are in `lang`, any language on request."""

    key: str
    uses: tuple[str, ...]  # result keys it rests on
    sources: tuple[str, ...]
    severity: str = "info"  # info, attention, urgent
    args: tuple[tuple[str, Arg], ...] = ()  # the values of the placeholders of its title and statement
    lang: str = "en"

    def title_for(self, lang: str) -> str:
        return _fill(load_texts().titles[self.key], self.args, lang)

    def statement_for(self, lang: str) -> str:
        return _fill(load_texts().statements[self.key], self.args, lang)

    @property
    def title(self) -> str:
        return self.title_for(self.lang)

    @property
    def statement(self) -> str:
        return self.statement_for(self.lang)

    def in_lang(self, lang: str) -> Pattern:
        return replace(self, lang=lang)

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        lang = lang or self.lang
        return {
            "key": self.key, "title": self.title_for(lang), "statement": self.statement_for(lang),
            "uses": list(self.uses), "sources": list(self.sources), "severity": self.severity,
        }  # fmt: skip


def _pattern(
    key: str,
    uses: tuple[str, ...],
    severity: str = "info",
    sources: tuple[str, ...] | None = None,
    **args: Arg,
) -> Pattern:
    """A pattern citing the sources of its entry in data/patterns.yaml unless others are given."""
    sources = load_texts().sources[key] if sources is None else sources
    return Pattern(key, uses, sources, severity, tuple(args.items()))


load_texts()  # fail on import, not in the middle of a report, when the data file and the code disagree


def ckd_epi_2021(creatinine_mg_dl: float, age: float, sex: str) -> float:
    """eGFR (mL/min/1.73 m2), CKD-EPI 2021 creatinine equation without race (Inker et al. NEJM 2021)."""
    female = sex.upper().startswith("F")
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = creatinine_mg_dl / kappa
    egfr = 142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.200 * 0.9938**age
    return egfr * 1.012 if female else egfr


def kdigo_g(egfr: float) -> str:
    for limit, stage in ((90, "G1"), (60, "G2"), (45, "G3a"), (30, "G3b"), (15, "G4")):
        if egfr >= limit:
            return stage
    return "G5"


def kdigo_a(acr_mg_g: float) -> str:
    return "A1" if acr_mg_g < 30 else ("A2" if acr_mg_g <= 300 else "A3")


def find_patterns(
    results: list[Result], sex: str | None, age: float | None, lang: str = "en"
) -> list[Pattern]:
    """All patterns supported by trustworthy (unconfirmed-free) results, worded in `lang`."""
    v = {r.key: r for r in results if r.key and r.catalog_value is not None and not r.needs_confirmation}
    val = {k: r.catalog_value for k, r in v.items()}
    out: list[Pattern] = []

    hb = v.get("hgb")
    if hb and hb.flag == "L":
        small = any(v.get(k) and v[k].flag == "L" for k in ("mcv", "mch"))
        fer = v.get("ferritin")
        if small and fer and (fer.flag == "L" or (val["ferritin"] or 99) < 15):
            out.append(_pattern("iron_deficiency_anaemia", ("hgb", "mcv", "mch", "ferritin"), "attention"))
        elif small:
            out.append(_pattern("microcytic_anaemia", ("hgb", "mcv", "mch"), "attention"))

    egfr = val.get("egfr")
    uses_egfr: tuple[str, ...] = ("egfr",)
    if egfr is None and "creatinine" in val and sex and age is not None and age >= 18:
        egfr = ckd_epi_2021(val["creatinine"], age, sex)  # type: ignore[arg-type]
        uses_egfr = ("creatinine",)
    acr = val.get("uacr")
    if egfr is not None and (egfr < 60 or (acr is not None and acr >= 30)):
        stage = kdigo_g(egfr) + (f", {kdigo_a(acr)}" if acr is not None else "")
        out.append(
            _pattern(
                "kdigo",
                uses_egfr + (("uacr",) if acr is not None else ()),
                "attention" if egfr >= 30 else "urgent",
                egfr=f"{egfr:.0f}",
                stage=stage,
            )
        )
    elif egfr is not None and uses_egfr == ("creatinine",):
        out.append(_pattern("egfr", uses_egfr, egfr=f"{egfr:.0f}", stage=kdigo_g(egfr)))

    dm: list[tuple[str, Phrase, tuple[str, ...]]] = []
    if "hba1c" in val:
        a1c = val["hba1c"] or 0
        if a1c >= 6.5:
            dm.append(("diabetes", Phrase("hba1c_diabetes", (("value", f"{a1c:g}"),)), ("hba1c",)))
        elif a1c >= 5.7:
            dm.append(("prediabetes", Phrase("hba1c_prediabetes", (("value", f"{a1c:g}"),)), ("hba1c",)))
    for key, dia, pre in (("glucose_fasting", 126, 100), ("glucose_ogtt2h", 200, 140)):
        if key in val:
            g = val[key] or 0
            test = Phrase(key)
            if g >= dia:
                args = (("test", test), ("value", f"{g:.0f}"), ("threshold", f"{dia}"))
                dm.append(("diabetes", Phrase("glucose_diabetes", args), (key,)))
            elif g >= pre:
                args = (("test", test), ("value", f"{g:.0f}"))
                dm.append(("prediabetes", Phrase("glucose_prediabetes", args), (key,)))
    if "glucose" in val and (val["glucose"] or 0) >= 200:
        phrase = Phrase("glucose_random_diabetes", (("value", f"{val['glucose']:.0f}"),))
        dm.append(("diabetes", phrase, ("glucose",)))
    if dm:
        worst = "diabetes" if any(d[0] == "diabetes" for d in dm) else "prediabetes"
        out.append(
            _pattern(
                f"ada_{worst}",
                tuple(k for d in dm for k in d[2]),
                "attention",
                findings=tuple(d[1] for d in dm),
            )
        )

    lip: list[tuple[Phrase, str]] = []
    if "ldl_calc" in val or "ldl_direct" in val:
        ldl = val.get("ldl_calc", val.get("ldl_direct")) or 0
        cat = (
            "optimal"
            if ldl < 100
            else "near_optimal"
            if ldl < 130
            else "borderline_high"
            if ldl < 160
            else "high"
            if ldl < 190
            else "very_high"
        )
        args = (("value", f"{ldl:.0f}"), ("category", Phrase(f"lipid_{cat}")))
        lip.append((Phrase("ldl", args), "ldl_calc" if "ldl_calc" in val else "ldl_direct"))
    if "tg" in val:
        tg = val["tg"] or 0
        cat = "normal" if tg < 150 else "borderline_high" if tg < 200 else "high" if tg < 500 else "very_high"
        lip.append((Phrase("tg", (("value", f"{tg:.0f}"), ("category", Phrase(f"lipid_{cat}")))), "tg"))
    if "hdl" in val and (val["hdl"] or 99) < 40:
        lip.append((Phrase("hdl_low", (("value", f"{val['hdl']:.0f}"),)), "hdl"))
    if lip:
        out.append(_pattern("atp3_lipids", tuple(x[1] for x in lip), findings=tuple(x[0] for x in lip)))

    alt, alp = v.get("alt"), v.get("alp")
    if alt and alp and (alt.flag == "H" or alp.flag == "H"):
        uln_alt = _upper(alt)
        uln_alp = _upper(alp)
        if uln_alt and uln_alp:
            r = (val["alt"] / uln_alt) / (val["alp"] / uln_alp)  # type: ignore[operator]
            kind = "hepatocellular" if r >= 5 else ("cholestatic" if r <= 2 else "mixed")
            out.append(
                _pattern(
                    "liver_r_ratio", ("alt", "alp"), "attention", r=f"{r:.1f}", kind=Phrase(f"liver_{kind}")
                )
            )

    tsh, ft4 = v.get("tsh"), v.get("ft4")
    if tsh and tsh.flag in ("H", "L"):
        if ft4 and ft4.flag in ("H", "L", "N"):
            kind = {
                ("H", "L"): "primary_hypothyroidism",
                ("H", "N"): "subclinical_hypothyroidism",
                ("L", "H"): "hyperthyroidism",
                ("L", "N"): "subclinical_hyperthyroidism",
            }.get((tsh.flag, ft4.flag))
            if kind:
                level = {"H": "level_high", "L": "level_low", "N": "level_normal"}
                out.append(
                    _pattern(
                        "thyroid",
                        ("tsh", "ft4"),
                        "attention",
                        tuple(dict.fromkeys(tsh.sources + ft4.sources)),  # the reference intervals used
                        tsh=Phrase(level[tsh.flag]),
                        ft4=Phrase(level[ft4.flag]),
                        kind=Phrase(kind),
                    )
                )
    return [p.in_lang(lang) for p in out] if lang != "en" else out


def _upper(r: Result) -> float | None:
    """Upper reference limit in catalog units (the printed one when it was used)."""
    if r.range and "-" in r.range:
        try:
            hi = float(r.range.replace("~", "-").split("-")[-1])
        except ValueError:
            return None
        if r.range_source == "printed" and r.number and r.catalog_value:
            return hi * (r.catalog_value / r.number)
        return hi
    return None


def rcv_significant(previous: float, current: float, rcv_pct: float) -> bool:
    """True when the change exceeds the reference change value (both in the same unit)."""
    if previous == 0 or math.isnan(previous):
        return current != previous
    return abs(current - previous) / abs(previous) * 100 > rcv_pct
