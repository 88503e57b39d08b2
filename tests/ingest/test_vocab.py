import re

from medtrio.ingest.vocab import omr_vitals, vitals


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_every_vital_entry_is_complete_and_cited():
    entries = vitals()
    assert len(entries) >= 10
    for loinc, v in entries.items():
        assert re.fullmatch(r"\d{1,7}-\d", loinc), loinc
        assert v.display and "LOINC " + loinc in v.source, loinc
        assert _luhn_ok(loinc.replace("-", "")), f"{loinc}: LOINC check digit (mod 10) does not match"
    # the MIMIC-IV omr names the importer relies on
    assert {"Weight (Lbs)", "Height (Inches)", "BMI (kg/m2)"} <= set(omr_vitals())
    assert entries["8480-6"].ucum == entries["8462-4"].ucum == "mm[Hg]"
