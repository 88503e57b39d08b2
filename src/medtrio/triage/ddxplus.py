"""External evaluation on DDXPlus (Fansi Tchango et al., NeurIPS 2022 Datasets and Benchmarks, CC-BY).

Data format (release files):
- `release_conditions.json`: pathology name -> {icd10-id, severity (1 = most severe .. 5), symptoms,
  antecedents (evidence codes)}. Read only by the open-book upper bound and for severities.
- `release_evidences.json`: evidence code -> {question_en, data_type B (binary) | C (categorical,
  one value) | M (multi-choice), possible values}.
- patients CSV: AGE, SEX (F/M), PATHOLOGY (ground truth), EVIDENCES (python list literal of
  "E_x" or "E_x_@_value" tokens), INITIAL_EVIDENCE (the chief complaint token), DIFFERENTIAL_DIAGNOSIS
  (python list literal of [pathology, probability] pairs).

Simulation: the patient states age, sex and INITIAL_EVIDENCE; the engine asks our own findings (only
those the fixed mapping `data/ddxplus_map.yaml` can answer); the simulated patient answers "yes" when
one of their EVIDENCES maps to the finding and "no" otherwise. Metrics follow the DDXPlus paper:
GTPA@k (ground-truth pathology in the top k), DDR / DDP (recall / precision of the predicted
differential against DIFFERENTIAL_DIAGNOSIS, both cut at probability 0.01), DDF1 per patient, averaged.
"""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from medtrio.errors import InvalidInput
from medtrio.triage.engine import expand_answers
from medtrio.triage.interview import Interview, candidate_mask
from medtrio.triage.knowledge import DATA_DIR, KnowledgeBase, load_knowledge

MAP_FILE = DATA_DIR / "ddxplus_map.yaml"
DD_THRESHOLD = 0.01
SEVERE_MAX = 2  # DDXPlus severity 1-2 = severe


@dataclass(frozen=True)
class DDXPatient:
    age: float
    sex: str
    pathology: str
    evidences: tuple[str, ...]
    initial: str
    differential: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Mapping_:
    pathologies: Mapping[str, str]  # DDXPlus pathology -> our condition id
    binary: Mapping[str, tuple[str, ...]]
    values: Mapping[str, Mapping[str, tuple[str, ...]]]  # evidence -> value -> findings
    thresholds: Mapping[str, tuple[float, tuple[str, ...]]]

    def mapped_evidences(self) -> set[str]:
        return (
            set(self.binary) | {e for e, v in self.values.items() if any(v.values())} | set(self.thresholds)
        )

    def findings(self) -> set[str]:
        out = {f for fs in self.binary.values() for f in fs}
        out |= {f for vm in self.values.values() for fs in vm.values() for f in fs}
        out |= {f for _, fs in self.thresholds.values() for f in fs}
        return out


def load_mapping(kb: KnowledgeBase, path: Path = MAP_FILE) -> Mapping_:
    """Load and validate the fixed DDXPlus -> Medtrio mapping table."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    binary: dict[str, tuple[str, ...]] = {}
    values: dict[str, dict[str, tuple[str, ...]]] = {}
    thresholds: dict[str, tuple[float, tuple[str, ...]]] = {}
    for code, spec in data["evidences"].items():
        if isinstance(spec, list):
            binary[code] = tuple(spec)
        elif "min" in spec:
            thresholds[code] = (float(spec["min"]), tuple(spec["findings"]))
        else:
            vm: dict[str, list[str]] = {}
            for finding, vals in spec["values"].items():
                for v in vals:
                    vm.setdefault(str(v), []).append(finding)
            values[code] = {v: tuple(fs) for v, fs in vm.items()}
    m = Mapping_(dict(data["pathologies"]), binary, values, thresholds)
    for fid in m.findings():
        if fid not in kb.findings:
            raise ValueError(f"ddxplus_map.yaml: unknown finding {fid!r}")
    for cid in m.pathologies.values():
        if cid not in kb.condition_index:
            raise ValueError(f"ddxplus_map.yaml: unknown condition {cid!r}")
    return m


def _literal(text: str, what: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise InvalidInput(f"DDXPlus patients file: cannot read {what}: {text[:60]!r}") from exc


def load_patients(path: Path, limit: int | None = None) -> list[DDXPatient]:
    """Read a DDXPlus patients CSV (release format)."""
    if not path.is_file():
        raise InvalidInput(f"DDXPlus patients file not found: {path}")
    out = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        need = {"AGE", "SEX", "PATHOLOGY", "EVIDENCES", "INITIAL_EVIDENCE", "DIFFERENTIAL_DIAGNOSIS"}
        if not need <= set(reader.fieldnames or ()):
            raise InvalidInput(f"{path.name}: expected columns {sorted(need)}")
        for row in reader:
            out.append(
                DDXPatient(
                    age=float(row["AGE"]),
                    sex=row["SEX"],
                    pathology=row["PATHOLOGY"],
                    evidences=tuple(_literal(row["EVIDENCES"], "EVIDENCES")),  # type: ignore[arg-type]
                    initial=row["INITIAL_EVIDENCE"],
                    differential=tuple(
                        (str(n), float(p))
                        for n, p in _literal(  # type: ignore[union-attr]
                            row["DIFFERENTIAL_DIAGNOSIS"], "DIFFERENTIAL_DIAGNOSIS"
                        )
                    ),
                )
            )
            if limit and len(out) >= limit:
                break
    return out


def _split_token(token: str) -> tuple[str, str | None]:
    code, _, value = token.partition("_@_")
    return code, (value or None)


def token_findings(m: Mapping_, token: str) -> set[str]:
    """Our findings that one DDXPlus evidence token makes "yes"."""
    code, value = _split_token(token)
    if code in m.binary and value is None:
        return set(m.binary[code])
    if code in m.values and value is not None:
        return set(m.values[code].get(value, ()))
    if code in m.thresholds and value is not None:
        try:
            level = float(value)
        except ValueError:
            return set()
        minimum, fs = m.thresholds[code]
        return set(fs) if level >= minimum else set()
    return set()


def patient_findings(kb: KnowledgeBase, m: Mapping_, tokens: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for t in tokens:
        found |= token_findings(m, t)
    return {f for f, v in expand_answers(kb, dict.fromkeys(found, True)).items() if v}


@dataclass(frozen=True)
class PatientResult:
    ranked: tuple[tuple[str, float], ...]  # DDXPlus pathology names, descending probability
    questions: int


def simulate_ours(kb: KnowledgeBase, m: Mapping_, patient: DDXPatient, max_questions: int) -> PatientResult:
    """Run our interview against one simulated DDXPlus patient."""
    ours_to_ddx = {v: k for k, v in m.pathologies.items()}
    askable = frozenset(m.findings())
    iv = Interview(
        kb,
        age=patient.age,
        sex=patient.sex,
        max_questions=max_questions,
        candidates=candidate_mask(kb, m.pathologies.values()),
        askable=askable,
        stop_on_red_flag=False,
    )
    yes = patient_findings(kb, m, patient.evidences)
    initial = token_findings(m, patient.initial)
    iv.add_given(dict.fromkeys(initial, True))
    iv.run(lambda fid: fid in yes)
    probs = iv.probabilities()
    order = np.argsort(-probs)
    ranked = tuple(
        (ours_to_ddx[kb.conditions[i].id], float(probs[i]))
        for i in order
        if kb.conditions[i].id in ours_to_ddx
    )
    return PatientResult(ranked, iv.questions_asked)


class OpenBook:
    """Upper bound that reads DDXPlus's own knowledge file (which evidences each pathology can show).

    Naive Bayes at the evidence-code level with uniform priors and fixed likelihoods (0.8 if the
    pathology lists the evidence, 0.02 otherwise); it asks DDXPlus evidence codes directly by the same
    expected-information-gain rule. It is NOT Medtrio's result: it uses the data set's own knowledge.
    """

    P_LISTED, P_OTHER = 0.8, 0.02

    def __init__(self, conditions: Mapping[str, Mapping]) -> None:
        self.names = list(conditions)
        codes = sorted({e for c in conditions.values() for e in (*c["symptoms"], *c["antecedents"])})
        self.codes = codes
        self.lik = np.full((len(self.names), len(codes)), self.P_OTHER)
        for i, c in enumerate(conditions.values()):
            for e in (*c["symptoms"], *c["antecedents"]):
                self.lik[i, codes.index(e)] = self.P_LISTED

    def simulate(self, patient: DDXPatient, max_questions: int) -> PatientResult:
        from medtrio.triage.interview import _entropy

        have = {_split_token(t)[0] for t in patient.evidences}
        known = {_split_token(patient.initial)[0]: True}
        asked = 0
        logp = np.zeros(len(self.names))

        def update(code: str, value: bool) -> None:
            nonlocal logp
            if code in self.codes:
                col = self.lik[:, self.codes.index(code)]
                logp = logp + np.log(col if value else 1 - col)

        for code, v in known.items():
            update(code, v)
        while asked < max_questions:
            p = np.exp(logp - logp.max())
            p /= p.sum()
            open_j = np.array([j for j, c in enumerate(self.codes) if c not in known])
            if open_j.size == 0 or p.max() >= 0.95:
                break
            lik = self.lik[:, open_j]
            jy, jn = p[:, None] * lik, p[:, None] * (1 - lik)
            py = jy.sum(0)
            gain = _entropy(p) - (py * _entropy(jy / py, 0) + (1 - py) * _entropy(jn / (1 - py), 0))
            code = self.codes[int(open_j[int(np.argmax(gain))])]
            known[code] = code in have
            update(code, known[code])
            asked += 1
        p = np.exp(logp - logp.max())
        p /= p.sum()
        order = np.argsort(-p)
        return PatientResult(tuple((self.names[i], float(p[i])) for i in order), asked)


def score(patients: list[DDXPatient], results: list[PatientResult], severity: Mapping[str, int]) -> dict:
    """DDXPlus metrics over paired patients and results."""
    n = len(patients)
    g1 = g3 = g5 = 0
    ddr = ddp = ddf1 = 0.0
    sev_hit = sev_n = sev_dd_hit = sev_dd_n = 0
    for pt, res in zip(patients, results, strict=True):
        names = [name for name, _ in res.ranked]
        g1 += pt.pathology in names[:1]
        g3 += pt.pathology in names[:3]
        g5 += pt.pathology in names[:5]
        pred = {name for name, p in res.ranked if p >= DD_THRESHOLD}
        gold = {name for name, p in pt.differential if p >= DD_THRESHOLD}
        inter = len(pred & gold)
        r = inter / len(gold) if gold else 0.0
        pr = inter / len(pred) if pred else 0.0
        ddr, ddp = ddr + r, ddp + pr
        ddf1 += 2 * r * pr / (r + pr) if r + pr else 0.0
        if severity.get(pt.pathology, 5) <= SEVERE_MAX:
            sev_n += 1
            sev_hit += pt.pathology in pred
        for name in gold:
            if severity.get(name, 5) <= SEVERE_MAX:
                sev_dd_n += 1
                sev_dd_hit += name in pred
    return {
        "n": n,
        "gtpa1": g1 / n,
        "gtpa3": g3 / n,
        "gtpa5": g5 / n,
        "ddr": ddr / n,
        "ddp": ddp / n,
        "ddf1": ddf1 / n,
        "mean_questions": float(np.mean([r.questions for r in results])),
        "severe_recall": sev_hit / sev_n if sev_n else None,
        "severe_patients": sev_n,
        "severe_ddr": sev_dd_hit / sev_dd_n if sev_dd_n else None,
    }


def evaluate(
    conditions_path: Path,
    evidences_path: Path,
    patients_path: Path,
    max_questions: int = 20,
    open_book: bool = False,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Run the DDXPlus evaluation and return the metrics dictionary of the CLI contract."""
    for p in (conditions_path, evidences_path, patients_path):
        if not Path(p).is_file():
            raise InvalidInput(f"file not found: {p}")
    ddx_conditions = json.loads(Path(conditions_path).read_text(encoding="utf-8"))
    ddx_evidences = json.loads(Path(evidences_path).read_text(encoding="utf-8"))
    severity = {name: int(c["severity"]) for name, c in ddx_conditions.items()}
    kb = load_knowledge()
    m = load_mapping(kb)
    patients = load_patients(Path(patients_path), limit)
    results = []
    book = OpenBook(ddx_conditions) if open_book else None
    for i, pt in enumerate(patients):
        results.append(book.simulate(pt, max_questions) if book else simulate_ours(kb, m, pt, max_questions))
        if progress:
            progress(i + 1)
    out = score(patients, results, severity)
    mapped = m.mapped_evidences() & set(ddx_evidences)
    out.update(
        {
            "mode": "open_book_upper_bound" if open_book else "medtrio_knowledge_base",
            "max_questions": max_questions,
            "evidence_coverage": len(mapped) / len(ddx_evidences),
            "evidences_mapped": len(mapped),
            "evidences_total": len(ddx_evidences),
            "pathology_coverage": len(set(m.pathologies) & set(ddx_conditions)) / len(ddx_conditions),
            "pathologies_mapped": len(set(m.pathologies) & set(ddx_conditions)),
            "pathologies_total": len(ddx_conditions),
        }
    )
    return out
