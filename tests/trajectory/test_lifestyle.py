"""Lifestyle tokens from observations: the cut-offs and status texts of lifestyle.yaml."""

from __future__ import annotations

import pytest

from medtrio.trajectory.lifestyle import lifestyle_key, lifestyle_map
from medtrio.trajectory.vocab import SPECIAL_NAMES

BMI, AUDIT_C, SMOKING = "VITAL//LOINC//39156-5", "OBSERVATION//LOINC//75626-2", "OBSERVATION//LOINC//72166-2"


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        (BMI, 18.4, "BMI_low"),
        (BMI, 18.5, "BMI_mid"),  # the WHO class boundaries are inclusive at the lower end
        (BMI, 29.9, "BMI_mid"),
        (BMI, 30.0, "BMI_high"),
        (BMI, 250.0, None),  # weight typed into the BMI field: no token, not "high"
        (BMI, None, None),
        (AUDIT_C, 3, "Alcohol_low"),
        (AUDIT_C, 4, "Alcohol_mid"),
        (AUDIT_C, 8, "Alcohol_high"),
        (AUDIT_C, 13, None),  # AUDIT-C is 0-12
    ],
)
def test_numeric(code: str, value: float | None, expected: str | None) -> None:
    assert lifestyle_key(code, value, None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Never smoker", "Smoking_low"),
        ("Never smoked tobacco (finding)", "Smoking_low"),
        ("Former smoker", "Smoking_mid"),
        ("Ex-smoker (finding)", "Smoking_mid"),
        ("Current or former smoker", "Smoking_mid"),
        ("Current every day smoker", "Smoking_high"),
        ("Light tobacco smoker", "Smoking_high"),
        ("Smoker, current status unknown", None),
        ("Unknown if ever smoked", None),
        ("", None),
    ],
)
def test_smoking_status(text: str, expected: str | None) -> None:
    assert lifestyle_key(SMOKING, None, text) == expected


def test_every_token_is_a_vocabulary_special() -> None:
    m = lifestyle_map()
    tokens = {t for rules in m.text.values() for _, t in rules if t}
    tokens |= {f"{'BMI' if k == 'bmi' else 'Alcohol'}_{lv}" for k, _, _ in m.numeric.values()
               for lv in ("low", "mid", "high")}  # fmt: skip
    assert tokens <= set(SPECIAL_NAMES)
    assert lifestyle_key("DIAGNOSIS//ICD//10//I10", 31.0, "smoker") is None  # other codes: no token


def test_meds_file_gives_diagnoses_and_lifestyle(tmp_path) -> None:  # noqa: ANN001
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    from medtrio.trajectory.sources import cohort_from_meds

    rows = []
    for sid in range(6):
        birth = dt.datetime(1950 + sid, 1, 1)
        rows += [
            (sid, birth, "MEDS_BIRTH", None, None),
            (sid, None, "GENDER//F" if sid % 2 else "GENDER//M", None, None),
            (sid, dt.datetime(2000, 1, 1), "DIAGNOSIS//ICD//10//I10", None, None),
            (sid, dt.datetime(2001, 1, 1), BMI, 31.0 if sid < 3 else 22.0, None),
            (sid, dt.datetime(2001, 1, 1), SMOKING, None, "Never smoker" if sid < 4 else "Former smoker"),
        ]
    sid, time, code, value, text = (list(c) for c in zip(*rows, strict=True))
    table = pa.table(
        {
            "subject_id": pa.array(sid, pa.int64()),
            "time": pa.array(time, pa.timestamp("us")),
            "code": code,
            "numeric_value": pa.array(value, pa.float32()),
            "text_value": text,
        }
    )
    pq.write_table(table, tmp_path / "data.parquet")
    loaded = cohort_from_meds(tmp_path, min_count=2)
    v = loaded.vocab
    assert len(loaded.cohort) == 6 and "I10" in v.keys and "" not in v.keys
    a, t = loaded.cohort.patient(0)
    assert {v.id_of("I10"), v.id_of("BMI_high"), v.id_of("Smoking_low")} <= set(t.tolist())
    a, t = loaded.cohort.patient(5)
    assert {v.id_of("BMI_mid"), v.id_of("Smoking_mid")} <= set(t.tolist())
    assert v.unknown not in t  # lifestyle observations are not unknown codes
