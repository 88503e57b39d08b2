import re

from medtrio.ingest.vocab import omr_vitals, vitals


def test_every_vital_entry_is_complete_and_cited():
    entries = vitals()
    assert len(entries) >= 10
    for loinc, v in entries.items():
        assert re.fullmatch(r"\d{1,7}-\d", loinc), loinc
        assert v.display and "LOINC " + loinc in v.source, loinc
    # the MIMIC-IV omr names the importer relies on
    assert {"Weight (Lbs)", "Height (Inches)", "BMI (kg/m2)"} <= set(omr_vitals())
    assert entries["8480-6"].ucum == entries["8462-4"].ucum == "mm[Hg]"
