"""Zero-shot real-data check: MIMIC-IV demo admissions scored by a model trained on Delphi's vocabulary.

Ages come from `patients.anchor_age`/`anchor_year` (birth taken as 1 July of anchor_year - anchor_age);
each admission's diagnoses are dated at its admission time, ICD-9 codes mapped to ICD-10 with a GEM
table, all truncated to 3 characters; `dod` gives death.

- Disease prediction (patients with >= 2 admissions): history = admissions before the last one, scored at
  the last admission time; outcome = each vocabulary disease first recorded at the last admission. Pooled
  AUC over (patient, disease not yet recorded) pairs, against the age-sex incidence of the training data.
- Death prediction (every patient): history = the first admission, scored at its discharge; outcome =
  a recorded death date. 95% CIs by bootstrap over patients.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import numpy as np

from medtrio.errors import InvalidInput
from medtrio.trajectory.data import DAYS_PER_YEAR
from medtrio.trajectory.inference import score_cohort_end
from medtrio.trajectory.scoring import LoadedModel
from medtrio.trajectory.sources import cohort_from_events, read_gem
from medtrio.trajectory.vocab import FEMALE, MALE, NO_EVENT


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rt", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _pooled_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores)) if 0 < labels.sum() < len(labels) else float("nan")


def _bootstrap(
    groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]], reps: int = 500, seed: int = 0
) -> dict:
    """Pooled AUC of model and baseline and their difference, 95% CI by resampling patients."""

    def stats(sel: np.ndarray) -> tuple[float, float]:
        m = np.concatenate([groups[i][0] for i in sel])
        b = np.concatenate([groups[i][1] for i in sel])
        y = np.concatenate([groups[i][2] for i in sel])
        return _pooled_auc(m, y), _pooled_auc(b, y)

    rng = np.random.default_rng(seed)
    point = stats(np.arange(len(groups)))
    boots = np.array([stats(rng.integers(0, len(groups), len(groups))) for _ in range(reps)])
    ci = lambda x: [float(np.nanquantile(x, 0.025)), float(np.nanquantile(x, 0.975))]  # noqa: E731
    return {
        "auc": point[0],
        "auc_ci95": ci(boots[:, 0]),
        "baseline_age_sex_auc": point[1],
        "baseline_age_sex_ci95": ci(boots[:, 1]),
        "diff": point[0] - point[1],
        "diff_ci95": ci(boots[:, 0] - boots[:, 1]),
    }


def evaluate_mimic(lm: LoadedModel, folder: Path, gem_path: Path) -> dict:
    """Both checks of the module docstring, as one JSON-ready dict."""
    hosp = Path(folder) / "raw" / "hosp"
    if not (hosp / "diagnoses_icd.csv.gz").is_file():
        raise InvalidInput(f"{hosp} has no diagnoses_icd.csv.gz (expected the MIMIC-IV demo layout)")
    pats = _read(hosp / "patients.csv.gz")
    adm = sorted(_read(hosp / "admissions.csv.gz"), key=lambda r: (r["subject_id"], r["admittime"]))
    gem = read_gem(gem_path)
    birth = {r["subject_id"]: dt.datetime(int(r["anchor_year"]) - int(r["anchor_age"]), 7, 1) for r in pats}
    sex_of = {r["subject_id"]: r["gender"] for r in pats}
    order: dict[str, int] = {}
    n_adm: dict[str, int] = {}
    for r in adm:
        order[r["hadm_id"]] = n_adm.get(r["subject_id"], 0)
        n_adm[r["subject_id"]] = order[r["hadm_id"]] + 1
    adm_by_id = {r["hadm_id"]: r for r in adm}
    dx = [r for r in _read(hosp / "diagnoses_icd.csv.gz") if r["hadm_id"] in adm_by_id]

    def days(pid: str, when: str) -> float:
        return (dt.datetime.fromisoformat(when) - birth[pid]).total_seconds() / 86400.0

    def rows_for(keep) -> list[tuple[int, float, str]]:  # noqa: ANN001
        rows = [
            (
                int(r["subject_id"]),
                days(r["subject_id"], adm_by_id[r["hadm_id"]]["admittime"]),
                f"DIAGNOSIS//ICD//{r['icd_version']}//{r['icd_code']}",
            )
            for r in dx
            if keep(r)
        ]
        rows += [(int(p), 0.0, f"GENDER//{g}") for p, g in sex_of.items()]
        return rows

    def nth(r: dict) -> int:
        return order[r["hadm_id"]]

    def last_of(r: dict) -> int:
        return n_adm[r["subject_id"]] - 1

    vocab = lm.vocab
    diseases = np.array([k for k in vocab.diseases if k != vocab.death])
    # disease prediction: history before the last admission
    hist = cohort_from_events(rows_for(lambda r: nth(r) < last_of(r)), vocab, icd9_to_10=gem)
    target = cohort_from_events(rows_for(lambda r: nth(r) == last_of(r)), vocab, icd9_to_10=gem)
    last_time = {
        r["subject_id"]: r["admittime"]
        for r in adm
        if order[r["hadm_id"]] == n_adm[r["subject_id"]] - 1 and n_adm[r["subject_id"]] >= 2
    }
    groups = []
    index = {int(p): i for i, p in enumerate(hist.cohort.patient_ids)}
    tindex = {int(p): i for i, p in enumerate(target.cohort.patient_ids)}
    seqs, meta = [], []
    for pid, when in last_time.items():
        if int(pid) not in index or int(pid) not in tindex:
            continue
        a, t = hist.cohort.patient(index[int(pid)])
        now = days(pid, when) - 1.0
        seqs.append((np.append(a, now), np.append(t, NO_EVENT)))
        meta.append((pid, now, set(t.tolist()), set(target.cohort.patient(tindex[int(pid)])[1].tolist())))
    if not seqs:
        raise InvalidInput("no patient with two or more admissions and usable diagnoses")
    model_lr = score_cohort_end(lm, seqs)[:, diseases]
    for n, (_pid, now, had, new) in enumerate(meta):
        sex = np.array([FEMALE if FEMALE in had else MALE])
        base_lr = lm.incidence.log_rates(sex, np.array([now / DAYS_PER_YEAR]))[0][diseases]
        risk = ~np.isin(diseases, list(had))
        y = np.isin(diseases, list(new - had))[risk]
        groups.append((model_lr[n][risk], base_lr[risk], y.astype(int)))
    disease_report = _bootstrap(groups)
    # death prediction: history = first admission, scored at its discharge
    h1 = cohort_from_events(rows_for(lambda r: nth(r) == 0), vocab, icd9_to_10=gem)
    disch = {r["subject_id"]: r["dischtime"] for r in adm if order[r["hadm_id"]] == 0}
    dod = {r["subject_id"]: bool(r["dod"]) for r in pats}
    dseqs, dy, dbase = [], [], []
    for i, pid in enumerate(h1.cohort.patient_ids):
        a, t = h1.cohort.patient(i)
        if str(pid) not in disch:
            continue
        now = days(str(pid), disch[str(pid)])
        dseqs.append((np.append(a, now), np.append(t, NO_EVENT)))
        dy.append(int(dod[str(pid)]))
        sex = np.array([FEMALE if FEMALE in t else MALE])
        dbase.append(lm.incidence.log_rates(sex, np.array([now / DAYS_PER_YEAR]))[0][vocab.death])
    death_model = score_cohort_end(lm, dseqs)[:, vocab.death]
    dgroups = [
        (np.array([m]), np.array([b]), np.array([y])) for m, b, y in zip(death_model, dbase, dy, strict=True)
    ]
    unknown = hist.unknown + target.unknown
    return {
        "pooled_disease": {
            **disease_report,
            "n_patients": len(groups),
            "n_pairs": int(sum(len(g[2]) for g in groups)),
            "n_positive_pairs": int(sum(g[2].sum() for g in groups)),
        },
        "death": {**_bootstrap(dgroups), "n_patients": len(dgroups), "n_deaths": int(sum(dy))},
        "unknown_codes": {
            "events": int(sum(unknown.values())),
            "distinct": len(unknown),
            "examples": [k for k, _ in unknown.most_common(10)],
        },
    }
