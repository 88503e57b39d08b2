"""The demo's data files: every entry has a source and sane values; bad files are refused clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from medtrio.demo.params import HERE, PopulationFile, load_hospital, load_population
from medtrio.errors import InvalidInput

P = load_population()


def test_every_entry_has_a_source():
    pop = P.population
    sourced = [P.simulation, P.formulas.ckd_epi_2021, pop.age_share, pop.female_share, pop.smoking,
               pop.height_cm, pop.child_growth, pop.bmi_adult, pop.egfr, pop.visits_per_year, pop.mortality]
    sourced += P.diseases + P.acute + P.medications + P.labs + P.vitals + P.panels
    sourced += P.procedures + P.allergies + P.immunizations
    assert len(sourced) > 80
    for entry in sourced:
        assert len(entry.source.strip()) >= 10, entry
        # a citation names a publication, organisation or guideline, or says it is a design choice
        cited = r"\d{4}|WHO|KDIGO|NCEP|Tietz|Mayo|Design choice|Harriet|population"
        assert re.search(cited, entry.source), entry


def test_the_raw_file_has_a_source_in_every_list_entry():
    raw = yaml.safe_load((HERE / "population.yaml").read_text(encoding="utf-8"))
    for section in ("diseases", "acute", "medications", "labs", "vitals", "panels", "procedures", "allergies",
                    "immunizations"):
        for entry in raw[section]:
            assert entry.get("source"), f"{section}/{entry.get('key')} has no source"


def test_rates_are_plausible():
    for d in P.diseases:
        for rate in d.male + d.female:
            assert 0 <= rate <= 60, f"{d.key}: {rate} per 1000 person-years is implausible"
    assert max(P.population.mortality.male) <= 300
    assert P.population.mortality.male[-1] > P.population.mortality.male[3]  # rises with age
    for d in P.diseases:
        if d.key == "breast_cancer":
            assert sum(d.male) == 0
        if d.key == "prostate_cancer":
            assert sum(d.female) == 0


def test_measures_have_units_loinc_and_ordered_ranges():
    for m in P.labs + P.vitals:
        assert m.unit and re.fullmatch(r"(LAB|VITAL)//LOINC//\d+-\d", m.code)
        lo, hi = m.bounds
        for ref in (m.ref, m.ref_female or (None, None)):
            if ref[0] is not None and ref[1] is not None:
                assert lo <= ref[0] < ref[1] <= hi, m.key


def test_known_reference_ranges_carried_over():
    assert P.measure("hba1c").ref == (4.0, 5.6)
    assert P.measure("potassium").ref == (3.5, 5.1)
    assert P.measure("bmi").ref == (18.5, 24.9)
    assert P.measure("egfr").ref == (60, None)


def test_hospital_file_is_consistent():
    h = load_hospital()
    codes = {d.code for d in h.departments}
    assert {"cardiology", "emergency", "paediatrics", "oncology", "psychiatry"} <= codes
    assert all(d.zh and not d.zh.isascii() for d in h.departments)
    assert len(h.accounts.password) >= 8


def _broken(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load((HERE / "population.yaml").read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "population.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["diseases"][0].pop("source"), "source"),
        (lambda r: r["diseases"][0]["male"].pop(), "one value per age band"),
        (lambda r: r["labs"][0].update(ref=[6.0, 5.0]), "reference range"),
        (lambda r: r["labs"][0]["effects"].append({"when": "no_such_thing", "shift": 1}), "unknown"),
        (lambda r: r["population"]["age_share"]["values"].__setitem__(0, 0.5), "sum to 1"),
        (lambda r: r["diseases"][1]["rr"].update(obesity=100), "relative risk"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(tmp_path, edit, message):
    with pytest.raises(InvalidInput, match=message):
        load_population(_broken(tmp_path, edit))


def test_model_is_strict():
    raw = yaml.safe_load((HERE / "population.yaml").read_text(encoding="utf-8"))
    raw["surprise"] = 1
    with pytest.raises(ValueError):
        PopulationFile.model_validate(raw)
