"""Training from the event store and forecasting a stored patient, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from medtrio.errors import InvalidInput
from medtrio.store.events import insert_events, with_occurrences
from medtrio.store.patients import upsert_patient
from medtrio.trajectory.records import forecast_patient, history_from_store
from medtrio.trajectory.registry import active_version, list_models, root_of, train_and_register
from medtrio.trajectory.scoring import load_model
from medtrio.trajectory.sources import cohort_from_store, train_from_store

BMI, SMOKING = "VITAL//LOINC//39156-5", "OBSERVATION//LOINC//72166-2"
CODES = [
    "DIAGNOSIS//ICD//10//I10",
    "DIAGNOSIS//ICD//10//E11.9",
    "DIAGNOSIS//ICD//10//I21.0",
    "DIAGNOSIS//ICD//10//N18.3",
    "MEDICATION//ATC//C09AA05",
]


def fill(db, n: int = 30) -> list[int]:  # noqa: ANN001
    rng = np.random.default_rng(0)
    ids = []
    with db.session() as s:
        rows = []
        for i in range(n):
            birth = dt.date(1940 + int(rng.integers(0, 30)), 1, 1)
            pid = upsert_patient(
                s,
                "test",
                f"p{i}",
                sex="F" if i % 2 else "M",
                birth_date=birth,
                death_date=dt.date(2020, 5, 1) if i == n - 1 else None,
            )
            ids.append(pid)
            for j, code in enumerate(rng.permutation(CODES)[: int(rng.integers(2, 5))]):
                when = dt.datetime(2000 + 3 * j + int(rng.integers(0, 3)), 6, 1)
                rows.append({"patient_id": pid, "time": when, "code": str(code)})
        rows.append(
            {"patient_id": ids[0], "time": dt.datetime(2019, 1, 1), "code": "DIAGNOSIS//ICD//10//Q87.1"}
        )
        for i, pid in enumerate(ids):  # lifestyle observations: BMI for all, smoking status for half
            bmi = 300.0 if i == 2 else 33.0 if i % 3 == 0 else 24.0  # 300: an entry error, no token
            when = dt.datetime(1999, 3, 1)
            rows.append({"patient_id": pid, "time": when, "code": BMI, "numeric_value": bmi})
            if i % 2 == 0:
                status = "Current every day smoker" if i % 4 == 0 else "Never smoker"
                rows.append({"patient_id": pid, "time": when, "code": SMOKING, "text_value": status})
        insert_events(s, with_occurrences(rows))
    return ids


@pytest.mark.slow
class TestStore:
    def test_train_and_forecast(self, db, tmp_path: Path) -> None:  # noqa: ANN001
        ids = fill(db)
        loaded = cohort_from_store(db, min_count=3)
        assert len(loaded.cohort) == 30 and "I10" in loaded.vocab.keys
        assert "Q87" in loaded.unknown  # below the cut-off: mapped to Unknown and reported
        v = loaded.vocab
        tokens = [set(loaded.cohort.patient(i)[1].tolist()) for i in range(len(loaded.cohort))]
        assert sum(v.id_of("BMI_high") in t for t in tokens) == 10  # i % 3 == 0
        assert sum(v.id_of("BMI_mid") in t for t in tokens) == 19  # the rest but the entry error
        assert sum(v.id_of("Smoking_high") in t for t in tokens) == 8
        assert sum(v.id_of("Smoking_low") in t for t in tokens) == 7
        res = train_from_store(db, tmp_path, "tiny", min_count=3, max_steps=10)
        assert res.steps == 10 and (tmp_path / "baselines.pt").is_file()
        lm = load_model(tmp_path)
        f, h = forecast_patient(db, ids[0], lm, today=dt.date(2021, 1, 1))
        assert f.basis == "model" and f.risks
        assert "DIAGNOSIS//ICD//10//Q87.1" in h.unknown_codes and f.notes
        assert all(e is not None for e in h.event_ids[1:])
        with pytest.raises(InvalidInput, match="deceased"):
            forecast_patient(db, ids[-1], lm)
        assert len(history_from_store(db, ids[1], lm).tokens) >= 2
        h0 = history_from_store(db, ids[0], lm)  # the chart reads the same lifestyle tokens as training
        assert {lm.vocab.id_of("BMI_high"), lm.vocab.id_of("Smoking_high")} <= set(h0.tokens.tolist())

    def test_train_and_register(self, db, tmp_path: Path) -> None:  # noqa: ANN001
        fill(db)
        version = train_and_register(db, tmp_path, "tiny", min_count=3, max_steps=5)
        root = root_of(tmp_path)
        assert version == "v001" and active_version(root) == version
        assert [m.version for m in list_models(root)] == [version]
