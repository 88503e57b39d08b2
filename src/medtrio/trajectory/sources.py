"""Cohorts from MEDS files and from the Medtrio event store, and ICD-9 -> ICD-10 GEM maps.

MEDS rows are (subject_id, time, code); `MEDS_BIRTH` gives the birth time, from which ages are computed.
The event store gives the same through `patients.birth_date`/`sex`/`death_date` and `events`.
Codes become vocabulary keys with `vocab.code_key`; keys the vocabulary lacks map to UNKNOWN and are
counted in the returned `unknown` tally so callers can report them.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from medtrio.errors import InvalidInput
from medtrio.trajectory.data import Cohort, from_records
from medtrio.trajectory.vocab import Vocabulary, build_vocabulary, code_key

if TYPE_CHECKING:
    from medtrio.trajectory.train import TrainResult


EVAL_MIN_PATIENTS = 100  # below this a held-out set is too small to say anything: all patients train
EVAL_MIN_CASES = 10  # a disease is scored when it has this many cases among the held-out patients
EVAL_SEED = 20251125


@dataclass(frozen=True)
class Loaded:
    cohort: Cohort
    vocab: Vocabulary
    unknown: Counter  # vocabulary key -> how many events mapped to UNKNOWN


def read_gem(path: Path) -> dict[str, str]:
    """ICD-9-CM -> ICD-10-CM from a GEM-style CSV (icd9cm/icd_9 -> icd10cm/icd_10; first target kept)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    out: dict[str, str] = {}
    with opener(path, "rt", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        cols = {c.lower(): c for c in reader.fieldnames or []}
        src, dst = cols.get("icd9cm") or cols.get("icd_9"), cols.get("icd10cm") or cols.get("icd_10")
        if not src or not dst:
            raise InvalidInput(
                f"{path}: expected columns icd9cm/icd_9 and icd10cm/icd_10, found {reader.fieldnames}"
            )
        for row in reader:
            code9, code10 = row[src].strip().replace(".", ""), row[dst].strip().replace(".", "")
            if code9 and code10 and code10 != "NoDx":
                out.setdefault(code9, code10)
    return out


def cohort_from_events(
    rows: Iterable[tuple[int, float, str]],
    vocab: Vocabulary | None = None,
    min_count: int = 5,
    icd9_to_10: dict[str, str] | None = None,
    displays: dict[str, str] | None = None,
) -> Loaded:
    """(patient, age in days, code) rows -> cohort; builds a vocabulary (named with `displays`, code ->
    readable name) when none is given."""
    keyed = [(p, a, code_key(c, icd9_to_10)) for p, a, c in rows]
    keyed = [(p, a, k) for p, a, k in keyed if k is not None and a >= 0]
    if not keyed:
        raise InvalidInput("no usable events (diagnoses, medications, death, sex) with a known age")
    vocab = vocab or build_vocabulary((k for _, _, k in keyed), min_count, displays)
    ids = np.array([vocab.id_of(k) for _, _, k in keyed])
    unknown = Counter(k for (_, _, k), i in zip(keyed, ids, strict=True) if i == vocab.unknown)
    pids = np.array([p for p, _, _ in keyed])
    ages = np.array([a for _, a, _ in keyed], dtype=np.float64)
    # a disease counts once, at its first record (Delphi's data hold first occurrences only)
    first = {}
    for n in np.lexsort((ages, pids)):
        first.setdefault((pids[n], ids[n]), n)
    keep = np.array(sorted(first.values()))
    return Loaded(from_records(pids[keep], ages[keep], ids[keep]), vocab, unknown)


def cohort_from_meds(
    path: Path, vocab: Vocabulary | None = None, min_count: int = 5, icd9_to_10: dict[str, str] | None = None
) -> Loaded:
    """Read a MEDS parquet file or folder of them (subject_id, time, code; MEDS_BIRTH per subject)."""
    import pyarrow.parquet as pq

    path = Path(path)
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    if not files or not files[0].exists():
        raise InvalidInput(f"no MEDS parquet files at {path}")
    from medtrio.trajectory.lifestyle import lifestyle_key, lifestyle_map

    lifestyle_codes = lifestyle_map().codes
    subjects, times, codes = [], [], []
    for f in files:
        names = set(pq.read_schema(f).names)
        extra = [c for c in ("numeric_value", "text_value") if c in names]
        t = pq.read_table(f, columns=["subject_id", "time", "code", *extra])
        values = t.column("numeric_value").to_pylist() if "numeric_value" in extra else [None] * t.num_rows
        texts = t.column("text_value").to_pylist() if "text_value" in extra else [None] * t.num_rows
        subjects += t.column("subject_id").to_pylist()
        times += t.column("time").to_pylist()
        # a lifestyle observation becomes its token here, while its value is at hand
        codes += [
            (lifestyle_key(c, v, x) or "") if c in lifestyle_codes else c
            for c, v, x in zip(t.column("code").to_pylist(), values, texts, strict=True)
        ]
    birth: dict = {}
    for sid, when, code in zip(subjects, times, codes, strict=True):
        if code == "MEDS_BIRTH" and when is not None:
            birth[sid] = min(birth.get(sid, when), when)
    rows = []
    for sid, when, code in zip(subjects, times, codes, strict=True):
        if sid not in birth:
            continue
        if code.startswith("GENDER//"):
            rows.append((sid, 0.0, code))  # static: MEDS stores it without a time
        elif when is not None:
            rows.append((sid, (when - birth[sid]).total_seconds() / 86400.0, code))
    return cohort_from_events(rows, vocab, min_count, icd9_to_10)


def cohort_from_store(db, vocab: Vocabulary | None = None, min_count: int = 5) -> Loaded:  # noqa: ANN001
    """Every patient with a birth date in the event store; sex from `patients.sex`, death from death_date,
    lifestyle tokens (BMI, smoking, alcohol) from their observations (`lifestyle.yaml`)."""
    from sqlalchemy import select

    from medtrio.store.schema import Code, Event, Patient
    from medtrio.trajectory.lifestyle import lifestyle_key, lifestyle_map

    rows: list[tuple[int, float, str]] = []
    with db.session() as s:
        births = {}
        for pid, birth, sex, death in s.execute(
            select(Patient.id, Patient.birth_date, Patient.sex, Patient.death_date)
        ):
            if birth is None:
                continue
            births[pid] = birth
            if sex in ("F", "M"):
                rows.append((pid, 0.0, f"GENDER//{sex}"))
            if death is not None:
                rows.append((pid, float((death - birth).days), "MEDS_DEATH"))
        for pid, time, code in s.execute(
            select(Event.patient_id, Event.time, Event.code).where(
                Event.category.in_(("diagnosis", "medication", "procedure"))
            )
        ):
            if pid in births and time is not None:
                rows.append((pid, float((time.date() - births[pid]).days), code))
        for pid, time, code, value, text in s.execute(
            select(Event.patient_id, Event.time, Event.code, Event.numeric_value, Event.text_value).where(
                Event.code.in_(sorted(lifestyle_map().codes))
            )
        ):
            key = lifestyle_key(code, value, text)
            if key and pid in births and time is not None:
                rows.append((pid, float((time.date() - births[pid]).days), key))
        displays = {c: d for c, d in s.execute(select(Code.code, Code.display)) if d}
    return cohort_from_events(rows, vocab, min_count, displays=displays)


def train_from_store(
    db,  # noqa: ANN001 - medtrio.store.Database
    out_dir: Path,
    preset: str = "small",
    *,
    min_count: int = 5,
    max_minutes: float | None = None,
    max_steps: int | None = None,
    progress: bool = False,
    on_eval: Callable[[dict], None] | None = None,
    eval_fraction: float = 0.0,
) -> TrainResult:
    """Train a trajectory model on the hospital's own event store (what `medtrio demo` calls).

    The vocabulary is built from the store's codes seen at least `min_count` times. With `eval_fraction`,
    that share of the patients (a fixed random draw; at least EVAL_MIN_PATIENTS in the store) is kept out
    of training and the model is evaluated on them with Delphi's protocol: `eval.json` and `eval/*.png`
    in the model folder, which the admin registry shows.
    """
    from medtrio.trajectory.train import train

    loaded = cohort_from_store(db, min_count=min_count)
    cohort, held = loaded.cohort, None
    if eval_fraction > 0 and len(cohort) >= EVAL_MIN_PATIENTS:
        perm = np.random.default_rng(EVAL_SEED).permutation(len(cohort))
        n = max(1, int(len(cohort) * eval_fraction))
        held, cohort = cohort.subset(np.sort(perm[:n])), cohort.subset(np.sort(perm[n:]))
    result = train(
        cohort,
        loaded.vocab,
        Path(out_dir),
        preset,
        max_minutes=max_minutes,
        max_steps=max_steps,
        progress=progress,
        on_eval=on_eval,
    )
    if held is not None:
        from medtrio.trajectory.evaluate import write_evaluation

        write_evaluation(Path(out_dir), held, EVAL_MIN_CASES)
    return result
