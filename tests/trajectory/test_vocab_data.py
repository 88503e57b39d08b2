"""Vocabulary, Delphi binary reader, batching and code mapping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from medtrio.errors import InvalidInput
from medtrio.trajectory.data import crop, insert_no_events, make_batch, read_delphi_bin
from medtrio.trajectory.sources import cohort_from_events
from medtrio.trajectory.vocab import (
    FEMALE,
    MALE,
    NO_EVENT,
    PAD,
    build_vocabulary,
    code_key,
    load_delphi_labels,
)


class TestLabels:
    def test_layout_and_unknown(self, tiny_data: Path) -> None:
        v = load_delphi_labels(tiny_data / "labels.csv")
        assert v.names[v.death] == "Death" and v.keys[v.unknown] == "Unknown"
        assert v.id_of("I10") == 14 and v.id_of("Z99") == v.unknown
        assert set(v.no_loss) >= {PAD, FEMALE, MALE, v.unknown} and NO_EVENT not in v.no_loss

    def test_rejects_other_files(self, tmp_path: Path) -> None:
        (tmp_path / "labels.csv").write_text("a\nb\n")
        with pytest.raises(InvalidInput):
            load_delphi_labels(tmp_path / "labels.csv")


class TestReadBin:
    def test_tokens_shifted_and_sorted(self, tiny_data: Path) -> None:
        v = load_delphi_labels(tiny_data / "labels.csv")
        c = read_delphi_bin(tiny_data / "train.bin", v)
        assert len(c) == 240
        ages, toks = c.patient(0)
        assert toks[0] in (FEMALE, MALE) and ages[0] == 0 and np.all(np.diff(ages) >= 0)
        assert set(np.unique(c.sex())) <= {FEMALE, MALE}

    def test_truncated_file_is_refused(self, tiny_data: Path, tmp_path: Path) -> None:
        v = load_delphi_labels(tiny_data / "labels.csv")
        (tmp_path / "bad.bin").write_bytes((tiny_data / "train.bin").read_bytes()[:-4])
        with pytest.raises(InvalidInput, match="triples"):
            read_delphi_bin(tmp_path / "bad.bin", v)

    def test_token_beyond_labels_is_refused(self, tiny_data: Path, tmp_path: Path) -> None:
        v = load_delphi_labels(tiny_data / "labels.csv")
        np.array([[1, 0, 1], [1, 100, 999]], dtype="<u4").tofile(tmp_path / "x.bin")
        with pytest.raises(InvalidInput, match="beyond"):
            read_delphi_bin(tmp_path / "x.bin", v)


class TestBatching:
    def test_no_event_tokens_stay_inside_the_record(self) -> None:
        ages = np.array([0.0, 20 * 365.25, 60 * 365.25])
        toks = np.array([FEMALE, 20, 30])
        a, t = insert_no_events(ages, toks, np.random.default_rng(0), 5.0)
        assert (t == NO_EVENT).sum() > 3 and a.max() == ages.max() and np.all(np.diff(a) >= 0)

    def test_crop_keeps_sex(self) -> None:
        ages = np.arange(10, dtype=float)
        toks = np.array([MALE, *range(20, 29)])
        a, t = crop(ages, toks, 4, None)
        assert t.tolist() == [MALE, 26, 27, 28]

    def test_batch_is_right_padded(self, tiny_data: Path) -> None:
        v = load_delphi_labels(tiny_data / "labels.csv")
        c = read_delphi_bin(tiny_data / "train.bin", v)
        age, tok = make_batch(c, np.arange(8), 16, np.random.default_rng(0))
        assert tok.shape == age.shape and tok.shape[1] <= 17
        assert np.all(age[tok == PAD] == -1.0)


class TestCodeMapping:
    def test_keys(self) -> None:
        assert code_key("DIAGNOSIS//ICD//10//E11.9") == "E11"
        assert code_key("DIAGNOSIS//ICD//9//4019", {"4019": "I10"}) == "I10"
        assert code_key("MEDS_DEATH") == "Death" and code_key("GENDER//F") == "Female"
        assert code_key("LAB//LOINC//2160-0") is None

    def test_unknown_codes_are_reported(self) -> None:
        rows = [
            (1, 0.0, "GENDER//F"),
            *[(p, 100.0 * p, "DIAGNOSIS//ICD//10//E11.9") for p in range(1, 7)],
            (1, 5000.0, "DIAGNOSIS//ICD//10//Q87.1"),
            (2, 0.0, "GENDER//M"),
        ]
        loaded = cohort_from_events(rows, min_count=5)
        assert loaded.vocab.id_of("E11") != loaded.vocab.unknown
        assert loaded.unknown == {"Q87": 1}
        assert loaded.vocab.unknown in loaded.cohort.tokens

    def test_vocabulary_cut_off(self) -> None:
        v = build_vocabulary(["A", "A", "B"], min_count=2)
        assert "A" in v.keys and "B" not in v.keys and v.keys[-2:] == ("Death", "Unknown")


def test_store_vocabulary_names_and_diagnoses() -> None:
    """Names are readable (WHO ICD-10 titles, store displays); risks are reported for diagnoses only."""
    from medtrio.trajectory.vocab import build_vocabulary, display_name

    assert display_name("I10") == "I10 (Essential (primary) hypertension)"
    assert display_name("Q9Z") == "Q9Z"  # not a category: no invented title
    med = "MEDICATION//ATC//A10BK03"
    keys = ["E11"] * 5 + [med] * 5 + ["PROCEDURE//X//1"] * 5 + ["I21"]
    v = build_vocabulary(keys, 5, {med: "empagliflozin"})
    assert v.names[v.id_of("E11")] == "E11 (Type 2 diabetes mellitus)"
    assert v.names[v.id_of(med)] == "empagliflozin (ATC A10BK03)"
    assert v.id_of("I21") == v.unknown  # below the cut-off
    assert [v.keys[i] for i in v.diagnoses] == ["E11", "Death"]  # medicines and procedures are not risks
    assert set(v.diagnoses) < set(v.diseases)
    unmapped_icd9 = build_vocabulary(["DIAGNOSIS//ICD//9//4019"] * 5, 5)  # a diagnosis, even unmapped
    assert [unmapped_icd9.keys[i] for i in unmapped_icd9.diagnoses] == ["DIAGNOSIS//ICD//9//4019", "Death"]


def test_delphi_vocabulary_every_predictable_token_is_a_diagnosis(tiny_data: Path) -> None:
    v = load_delphi_labels(tiny_data / "labels.csv")
    assert v.diagnoses == v.diseases
