"""The triage knowledge base: findings vocabulary, conditions, red-flag rules, sources, departments.

All clinical facts live in the YAML files under `triage/data/` (see docs/triage.md for the format);
this module loads them once, validates every entry (known finding ids, likelihoods in (0, 1), known
source keys, urgency levels, ICD-10 shape) and builds the dense likelihood matrix the engine uses.

Likelihood model (naive Bayes, one condition at a time): P(finding | condition) is the entry's
approximate value when listed, else the finding's `base` rate (the "leak": how often a person whose
condition does not explain it still reports it). Parent findings (`implies` table) get at least
their children's likelihood, since a child "yes" is also a parent "yes".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

DATA_DIR = Path(__file__).parent / "data"
URGENCY_LEVELS = ("self_care", "routine", "urgent", "emergency")
PREVALENCE = {"vc": 30.0, "c": 10.0, "u": 3.0, "r": 1.0, "vr": 0.3}
AGE_BANDS = ("infant", "child", "adult", "older")  # <2, 2-15, 16-64, >=65 years
KINDS = ("symptom", "sign", "history", "exposure", "context")
LIKELIHOOD_FLOOR, LIKELIHOOD_CEIL = 0.001, 0.99
FINDING_KEYS = {"en", "zh", "kind", "base", "syn", "zh_syn", "q", "q_zh"}
CONDITION_KEYS = {"id", "en", "zh", "icd10", "urgency", "dept", "prev", "age", "sex", "src", "f", "rf"}
RULE_KEYS = {
    "id",
    "en",
    "zh",
    "all",
    "any",
    "age_min",
    "age_max",
    "sex",
    "urgency",
    "src",
    "advice_en",
    "advice_zh",
}
_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")


class KnowledgeError(ValueError):
    """A knowledge-base data file is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class Finding:
    id: str
    en: str
    zh: str
    kind: str
    base: float
    synonyms_en: tuple[str, ...]
    synonyms_zh: tuple[str, ...]
    question_en: str
    question_zh: str

    def name(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en

    def question(self, lang: str = "en") -> str:
        return self.question_zh if lang == "zh" else self.question_en


@dataclass(frozen=True)
class Condition:
    id: str
    en: str
    zh: str
    icd10: str
    urgency: str
    departments: tuple[str, ...]
    prevalence: str
    age_weights: tuple[float, float, float, float]
    sex_weights: tuple[float, float]  # (female, male)
    likelihoods: Mapping[str, float]
    red_flags: tuple[str, ...]
    sources: tuple[str, ...]

    def name(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class RedFlagRule:
    id: str
    en: str
    zh: str
    all_of: tuple[str, ...]
    any_of: tuple[str, ...]
    age_min: float | None
    age_max: float | None
    sex: str | None
    urgency: str
    advice_en: str
    advice_zh: str
    sources: tuple[str, ...]

    def name(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en

    def advice(self, lang: str = "en") -> str:
        return self.advice_zh if lang == "zh" else self.advice_en


@dataclass(frozen=True, eq=False)  # identity hash: one loaded base, used as a cache key
class KnowledgeBase:
    findings: Mapping[str, Finding]
    conditions: tuple[Condition, ...]
    rules: tuple[RedFlagRule, ...]
    sources: Mapping[str, str]
    departments: Mapping[str, Mapping[str, str]]
    parents: Mapping[str, tuple[str, ...]]  # finding -> all ancestors (transitive)
    children: Mapping[str, tuple[str, ...]]  # finding -> all descendants (transitive)
    finding_ids: tuple[str, ...] = field(repr=False)
    finding_index: Mapping[str, int] = field(repr=False)
    condition_index: Mapping[str, int] = field(repr=False)
    likelihood: np.ndarray = field(repr=False)  # (C, F) P(finding | condition)
    base: np.ndarray = field(repr=False)  # (F,)
    prevalence: np.ndarray = field(repr=False)  # (C,)
    age_weights: np.ndarray = field(repr=False)  # (C, 4)
    sex_weights: np.ndarray = field(repr=False)  # (C, 2)
    urgency_rank: np.ndarray = field(repr=False)  # (C,) index into URGENCY_LEVELS

    def condition(self, cid: str) -> Condition:
        return self.conditions[self.condition_index[cid]]

    def department_name(self, code: str, lang: str = "en") -> str:
        names = self.departments.get(code, {})
        return names.get(lang) or names.get("en") or code


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(s.strip().lower() for s in (text or "").split("|") if s.strip())


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path.name}: expected a mapping at the top level")
    return data


def _check_keys(entry: dict, allowed: set[str], where: str) -> None:
    # an unquoted comma inside a YAML flow mapping silently creates a key with no value
    unknown = sorted(k for k in entry if k not in allowed)
    if unknown:
        raise KnowledgeError(f"{where}: unknown keys {unknown} (quote values that contain commas)")


def _load_findings(path: Path) -> tuple[dict[str, Finding], dict[str, list[str]]]:
    data = _read(path)
    out: dict[str, Finding] = {}
    for fid, e in (data.get("findings") or {}).items():
        where = f"{path.name}: finding {fid!r}"
        if not isinstance(e, dict) or not e.get("en") or not e.get("zh"):
            raise KnowledgeError(f"{where}: needs en and zh names")
        _check_keys(e, FINDING_KEYS, where)
        kind = e.get("kind", "symptom")
        if kind not in KINDS:
            raise KnowledgeError(f"{where}: kind must be one of {KINDS}")
        base = float(e.get("base", 0.05 if kind in ("history", "exposure") else 0.02))
        if not 0 < base < 1:
            raise KnowledgeError(f"{where}: base must be in (0, 1)")
        out[fid] = Finding(
            id=fid,
            en=e["en"],
            zh=e["zh"],
            kind=kind,
            base=base,
            synonyms_en=tuple(dict.fromkeys((e["en"].lower(), *_split(e.get("syn"))))),
            synonyms_zh=tuple(dict.fromkeys((e["zh"], *_split(e.get("zh_syn"))))),
            question_en=e.get("q") or f"Do you have {e['en']}?",
            question_zh=e.get("q_zh") or f"您有{e['zh']}吗？",
        )
    implies = {k: list(v) for k, v in (data.get("implies") or {}).items()}
    for child, parents in implies.items():
        for fid in (child, *parents):
            if fid not in out:
                raise KnowledgeError(f"{path.name}: implies names unknown finding {fid!r}")
    return out, implies


def _closure(edges: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
    result: dict[str, tuple[str, ...]] = {}
    for start in edges:
        seen: list[str] = []
        stack = list(edges[start])
        while stack:
            nxt = stack.pop()
            if nxt == start:
                raise KnowledgeError(f"findings.yaml: implies has a cycle through {start!r}")
            if nxt not in seen:
                seen.append(nxt)
                stack.extend(edges.get(nxt, []))
        result[start] = tuple(seen)
    return result


def _load_conditions(
    folder: Path,
    findings: Mapping[str, Finding],
    sources: Mapping[str, str],
    departments: Mapping[str, object],
) -> list[Condition]:
    out: list[Condition] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        for e in _read(path).get("conditions") or []:
            cid = e.get("id") if isinstance(e, dict) else None
            where = f"{path.name}: condition {cid!r}"
            if not cid or cid in seen:
                raise KnowledgeError(f"{where}: missing or duplicate id")
            seen.add(cid)
            _check_keys(e, CONDITION_KEYS, where)
            for key in ("en", "zh", "icd10", "urgency", "dept", "prev", "src", "f"):
                if not e.get(key):
                    raise KnowledgeError(f"{where}: missing {key}")
            if not _ICD10.match(str(e["icd10"])):
                raise KnowledgeError(f"{where}: ICD-10 code {e['icd10']!r} is not well formed")
            if e["urgency"] not in URGENCY_LEVELS:
                raise KnowledgeError(f"{where}: urgency must be one of {URGENCY_LEVELS}")
            if e["prev"] not in PREVALENCE:
                raise KnowledgeError(f"{where}: prev must be one of {tuple(PREVALENCE)}")
            for d in e["dept"]:
                if d not in departments:
                    raise KnowledgeError(f"{where}: unknown department {d!r}")
            for s in e["src"]:
                if s not in sources:
                    raise KnowledgeError(f"{where}: unknown source key {s!r}")
            lik = {}
            for fid, p in e["f"].items():
                if fid not in findings:
                    raise KnowledgeError(f"{where}: unknown finding {fid!r}")
                if not 0 < float(p) < 1:
                    raise KnowledgeError(f"{where}: P({fid}) = {p} must be in (0, 1)")
                lik[fid] = float(p)
            for fid in e.get("rf", []):
                if fid not in findings:
                    raise KnowledgeError(f"{where}: unknown red-flag finding {fid!r}")
            age = tuple(float(x) for x in e.get("age", (1, 1, 1, 1)))
            if len(age) != 4 or min(age) <= 0:
                raise KnowledgeError(f"{where}: age needs 4 positive weights {AGE_BANDS}")
            sex = e.get("sex", (1.0, 1.0))
            sex_w = {"F": (1.0, 0.0), "M": (0.0, 1.0)}.get(sex) if isinstance(sex, str) else tuple(sex)
            if sex_w is None or len(sex_w) != 2:
                raise KnowledgeError(f"{where}: sex must be F, M or [weight F, weight M]")
            out.append(
                Condition(
                    id=cid,
                    en=e["en"],
                    zh=e["zh"],
                    icd10=str(e["icd10"]),
                    urgency=e["urgency"],
                    departments=tuple(e["dept"]),
                    prevalence=e["prev"],
                    age_weights=age,  # type: ignore[arg-type]
                    sex_weights=(float(sex_w[0]), float(sex_w[1])),
                    likelihoods=lik,
                    red_flags=tuple(e.get("rf", [])),
                    sources=tuple(e["src"]),
                )
            )
    return out


def _load_rules(path: Path, findings: Mapping[str, Finding], sources: Mapping[str, str]) -> list[RedFlagRule]:
    out = []
    for e in _read(path).get("rules") or []:
        where = f"{path.name}: rule {e.get('id')!r}"
        _check_keys(e, RULE_KEYS, where)
        all_of, any_of = tuple(e.get("all", [])), tuple(e.get("any", []))
        if not all_of and not any_of:
            raise KnowledgeError(f"{where}: needs `all` or `any`")
        for fid in all_of + any_of:
            if fid not in findings:
                raise KnowledgeError(f"{where}: unknown finding {fid!r}")
        for s in e.get("src", []):
            if s not in sources:
                raise KnowledgeError(f"{where}: unknown source key {s!r}")
        if e.get("urgency") not in URGENCY_LEVELS or not e.get("src"):
            raise KnowledgeError(f"{where}: needs a valid urgency and src")
        out.append(
            RedFlagRule(
                id=e["id"],
                en=e["en"],
                zh=e["zh"],
                all_of=all_of,
                any_of=any_of,
                age_min=e.get("age_min"),
                age_max=e.get("age_max"),
                sex=e.get("sex"),
                urgency=e["urgency"],
                advice_en=e["advice_en"],
                advice_zh=e["advice_zh"],
                sources=tuple(e["src"]),
            )
        )
    return out


@lru_cache(maxsize=4)
def load_knowledge(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    """Load and validate the knowledge base from `data_dir` (cached)."""
    sources = _read(data_dir / "sources.yaml")["sources"]
    departments = _read(data_dir / "departments.yaml")["departments"]
    findings, implies = _load_findings(data_dir / "findings.yaml")
    conditions = _load_conditions(data_dir / "conditions", findings, sources, departments)
    rules = _load_rules(data_dir / "red_flags.yaml", findings, sources)
    parents = _closure(implies)
    child_edges: dict[str, list[str]] = {}
    for child, ps in implies.items():
        for p in ps:
            child_edges.setdefault(p, []).append(child)
    children = _closure(child_edges)

    fids = tuple(findings)
    findex = {f: i for i, f in enumerate(fids)}
    base = np.array([findings[f].base for f in fids])
    for child, ancestors in parents.items():  # a parent is at least as common as its child
        for a in ancestors:
            base[findex[a]] = max(base[findex[a]], base[findex[child]])
    lik = np.tile(base, (len(conditions), 1))  # (C, F)
    for ci, c in enumerate(conditions):
        for fid, p in c.likelihoods.items():
            lik[ci, findex[fid]] = p
        for fid, p in c.likelihoods.items():
            for a in parents.get(fid, ()):
                if a not in c.likelihoods:
                    lik[ci, findex[a]] = max(lik[ci, findex[a]], p)
    lik = np.clip(lik, LIKELIHOOD_FLOOR, LIKELIHOOD_CEIL)
    return KnowledgeBase(
        findings=findings,
        conditions=tuple(conditions),
        rules=tuple(rules),
        sources=sources,
        departments=departments,
        parents=parents,
        children=children,
        finding_ids=fids,
        finding_index=findex,
        condition_index={c.id: i for i, c in enumerate(conditions)},
        likelihood=lik,
        base=base,
        prevalence=np.array([PREVALENCE[c.prevalence] for c in conditions]),
        age_weights=np.array([c.age_weights for c in conditions]),
        sex_weights=np.array([c.sex_weights for c in conditions]),
        urgency_rank=np.array([URGENCY_LEVELS.index(c.urgency) for c in conditions]),
    )
