import json
from pathlib import Path

from sqlalchemy import select

from medtrio.ingest.fhir import concept_code, import_fhir
from medtrio.ingest.fhir_export import patient_bundle
from medtrio.store import open_database
from medtrio.store.audit import query
from medtrio.store.events import timeline
from medtrio.store.schema import Encounter, Event, Patient

FIX = Path(__file__).parent / "fixtures"


def test_bundle_maps_every_resource_type(db):
    rep = import_fhir(db, FIX / "fhir_bundle.json")
    assert rep.patients == 1 and rep.events_added == 14
    assert rep.ignored == {"Claim": 1}
    reasons = {e.where: e.reason for e in rep.errors}
    assert reasons == {
        "Observation/bad1 (entry 13)": "invalid Observation: effectiveDateTime",
        "Condition/bad2 (entry 14)": "invalid Condition: subject",
        "entry 15": "entry without a resource",
    }
    with db.session() as s:
        p = s.scalar(select(Patient))
        assert (p.name, p.sex, str(p.birth_date), p.source) == ("Ada Testperson", "F", "1961-04-12", "fhir")
        ev = {e.code: e for e in timeline(s, p.id)}
        a1c = ev["LAB//LOINC//4548-4"]
        assert (a1c.numeric_value, a1c.unit, a1c.ref_low, a1c.ref_high) == (7.4, "%", 4.0, 5.6)
        assert str(a1c.time) == "2019-03-01 08:05:00"  # +01:00 stored as naive UTC
        assert ev["VITAL//LOINC//8480-6"].numeric_value == 142 and ev["VITAL//LOINC//8462-4"].unit == "mm[Hg]"
        assert "DIAGNOSIS//ICD//10//E11.9" in ev  # ICD-10 preferred over SNOMED for conditions
        assert ev["MEDICATION//RXNORM//860975"].text_value == "1 tablet daily with evening meal"
        assert "MEDICATION//ATC//C09AA05" in ev
        assert "PROCEDURE//SNOMED//430193006" in ev and "IMMUNIZATION//CVX//140" in ev
        assert ev["ALLERGY//SNOMED//91936005"].category == "allergy"
        assert ev["DOCUMENT//LOINC//4548-4"].text_value == "HbA1c above the reference range"
        assert ev["ENCOUNTER//OUTPATIENT"].text_value == "Check-up"
        enc = s.scalar(select(Encounter))
        assert enc.kind == "outpatient"
        assert s.scalar(select(Event.encounter_id).where(Event.code == "LAB//LOINC//4548-4")) == enc.id
    assert import_fhir(db, FIX / "fhir_bundle.json").events_added == 0


def test_ndjson_folder_with_broken_lines(db):
    rep = import_fhir(db, FIX / "fhir_ndjson")
    assert rep.patients == 2 and rep.events_added == 11
    assert sorted((e.file, e.where) for e in rep.errors) == [
        ("Observation.ndjson", "Observation/novalue (line 7)"), ("Observation.ndjson", "line 3")]
    with db.session() as s:
        nd1 = s.scalar(select(Patient).where(Patient.external_id == "nd-1"))
        assert str(nd1.death_date) == "2021-02-03"
        codes = {e.code: e for e in timeline(s, nd1.id)}
        assert "DIAGNOSIS//ICD//10//I10" in codes and "MEDS_DEATH" in codes
        nd2 = s.scalar(select(Patient).where(Patient.external_id == "nd-2"))
        codes2 = {e.code: e for e in timeline(s, nd2.id)}
        assert codes2["VITAL//LOINC//29463-7"].numeric_value == 61.5  # body weight is a vital by its LOINC
        assert codes2["LAB//LOCAL-LAB//XYZ-99"].text_value == "negative"  # unknown system kept


def test_concept_code_preference_and_text_only():
    cc = {"coding": [{"system": "http://snomed.info/sct", "code": "1"},
                     {"system": "http://hl7.org/fhir/sid/icd-10", "code": "J45"}]}
    assert concept_code("DIAGNOSIS", cc)[0] == "DIAGNOSIS//ICD//10//J45"
    assert concept_code("MEDICATION", {"text": "home remedy"})[0] == "MEDICATION//TEXT//home remedy"


def test_export_bundle_validates_and_reimports(db, tmp_path):
    import_fhir(db, FIX / "fhir_bundle.json")
    with db.session() as s:
        pid = s.scalar(select(Patient.id))
    bundle = patient_bundle(db, pid)
    kinds = sorted({e["resource"]["resourceType"] for e in bundle["entry"]})
    assert kinds == ["AllergyIntolerance", "Condition", "DiagnosticReport", "Encounter", "Immunization",
                     "MedicationStatement", "Observation", "Patient", "Procedure"]
    with db.session() as s:
        assert [r.action for r in query(s, patient_id=pid)] == ["export"]
    f = tmp_path / "b.json"
    f.write_text(json.dumps(bundle))
    other = open_database(f"sqlite:///{tmp_path / 'o.sqlite'}")
    rep = import_fhir(other, f)
    assert rep.error_count == 0
    with db.session() as s, other.session() as o:
        before = {(e.code, e.time, e.numeric_value, e.unit, e.ref_low, e.ref_high) for e in timeline(s, pid)}
        after = {(e.code, e.time, e.numeric_value, e.unit, e.ref_low, e.ref_high)
                 for e in timeline(o, o.scalar(select(Patient.id)))}
    assert before == after
