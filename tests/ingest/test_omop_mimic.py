"""OMOP and MIMIC-IV importers on small hand-written files (our own synthetic rows)."""

import gzip
from pathlib import Path

from sqlalchemy import select

from medtrio.ingest.mimic import import_mimic
from medtrio.ingest.omop import import_omop
from medtrio.store.events import category_counts, timeline
from medtrio.store.schema import Code, Encounter, Patient


def _csv(path: Path, text: str) -> None:
    data = text.strip() + "\n"
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data.encode()))
    else:
        path.write_text(data)


def _omop(folder: Path) -> Path:
    folder.mkdir()
    _csv(folder / "PERSON.csv", """
person_id,gender_concept_id,year_of_birth,month_of_birth,day_of_birth,birth_datetime,gender_source_value
11,8532,1970,3,4,,F
12,8507,1941,,,,M
13,0,notayear,,,,
""")
    _csv(folder / "DEATH.csv", "person_id,death_date,death_datetime\n12,2020-02-02,\n")
    _csv(folder / "VISIT_OCCURRENCE.csv", """
visit_occurrence_id,person_id,visit_concept_id,visit_start_date,visit_start_datetime,visit_end_date
900,11,9201,2019-01-01,2019-01-01 10:00:00,2019-01-05
""")
    _csv(folder / "condition_era.csv", """
condition_era_id,person_id,condition_concept_id,condition_era_start_date,condition_era_end_date
1,11,201826,2019-01-02,2019-02-01
2,11,999999999,2019-01-03,2019-02-01
3,11,0,2019-01-04,2019-02-01
""")
    _csv(folder / "drug_exposure.csv", """
drug_exposure_id,person_id,drug_concept_id,drug_exposure_start_date,drug_exposure_start_datetime,quantity,visit_occurrence_id,drug_source_value
1,11,1503297,2019-01-02,,30,900,metformin
2,12,0,2019-01-02,,,,home-brew tea
""")
    _csv(folder / "MEASUREMENT.csv", """
person_id,measurement_concept_id,measurement_date,measurement_datetime,value_as_number,unit_source_value,range_low
11,3004410,2019-01-02,2019-01-02 09:00:00,7.9,%,4
11,3025315,2019-01-02,,81.5,kg,
11,3004410,bad-date,,7.0,%,
""")
    _csv(folder / "procedure_occurrence.csv", """
procedure_occurrence_id,person_id,procedure_concept_id,procedure_date,procedure_datetime
1,12,4163872,2018-05-05,
""")
    _csv(folder / "CONCEPT.csv", """
concept_id,concept_name,domain_id,vocabulary_id,concept_class_id,standard_concept,concept_code
201826,Type 2 diabetes mellitus,Condition,SNOMED,Clinical Finding,S,44054006
1503297,Metformin,Drug,RxNorm,Ingredient,S,6809
3004410,Hemoglobin A1c/Hemoglobin.total in Blood,Measurement,LOINC,Lab Test,S,4548-4
3025315,Body weight,Measurement,LOINC,Clinical Observation,S,29463-7
4163872,Plain chest X-ray,Procedure,SNOMED,Procedure,S,399208008
""")
    return folder


def test_omop_import(db, tmp_path):
    rep = import_omop(db, _omop(tmp_path / "omop"))
    assert rep.patients == 2  # person 13 is malformed and skipped
    assert sorted((e.file, e.where, e.reason) for e in rep.errors) == [
        ("MEASUREMENT.csv", "line 4", "unreadable date/time in measurement_date"),
        ("PERSON.csv", "line 4", "not a number in year_of_birth"),
        ("condition_era.csv", "line 4", "concept id 0 and no source value"),
    ]
    with db.session() as s:
        p11 = s.scalar(select(Patient).where(Patient.external_id == "11"))
        p12 = s.scalar(select(Patient).where(Patient.external_id == "12"))
        assert (p11.sex, str(p11.birth_date)) == ("F", "1970-03-04")
        assert (p12.sex, str(p12.birth_date)) == ("M", "1941-01-01")
        assert str(p12.death_date) == "2020-02-02"
        ev = {e.code: e for e in timeline(s, p11.id)}
        a1c = ev["LAB//LOINC//4548-4"]
        assert (a1c.numeric_value, a1c.unit, a1c.ref_low, a1c.ref_high) == (7.9, "%", 4.0, None)
        assert a1c.display == "Hemoglobin A1c/Hemoglobin.total in Blood"
        assert ev["VITAL//LOINC//29463-7"].numeric_value == 81.5
        assert "DIAGNOSIS//SNOMED//44054006" in ev and "MEDICATION//RxNorm//6809" in ev
        assert "DIAGNOSIS//OMOP//999999999" in ev  # a concept missing from CONCEPT is kept by id
        assert s.get(Code, "DIAGNOSIS//OMOP//999999999") is not None
        assert "MEDICATION//OMOP_SOURCE//home-brew tea" in {e.code for e in timeline(s, p12.id)}
        assert s.scalar(select(Encounter.kind)) == "inpatient"
    assert import_omop(db, tmp_path / "omop").events_added == 0


def _mimic(folder: Path) -> Path:
    hosp = folder / "hosp"
    hosp.mkdir(parents=True)
    _csv(hosp / "patients.csv.gz", """
subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod
901,F,60,2150,2011 - 2013,
902,M,70,2160,2011 - 2013,2162-03-03
""")
    _csv(hosp / "admissions.csv.gz", """
subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,discharge_location,edregtime
901,5001,2150-01-01 10:00:00,2150-01-04 12:00:00,,EW EMER.,HOME,2150-01-01 08:00:00
""")
    _csv(hosp / "diagnoses_icd.csv.gz", """
subject_id,hadm_id,seq_num,icd_code,icd_version
901,5001,1,I214,10
901,5001,2,4019,9
901,5001,3,,10
""")
    _csv(hosp / "d_icd_diagnoses.csv.gz", """
icd_code,icd_version,long_title
I214,10,Non-ST elevation (NSTEMI) myocardial infarction
""")
    _csv(hosp / "labevents.csv.gz", """
subject_id,hadm_id,itemid,charttime,value,valuenum,valueuom,ref_range_lower,ref_range_upper,flag
901,5001,50912,2150-01-01 11:00:00,1.9,1.9,mg/dL,0.4,1.1,abnormal
901,5001,51237,2150-01-01 11:00:00,___,,,,,
901,5001,50912,not a time,1.0,1.0,mg/dL,,,
901,5001,50912
""")
    _csv(hosp / "d_labitems.csv.gz", "itemid,label,fluid,category\n50912,Creatinine,Blood,Chemistry\n")
    _csv(hosp / "omr.csv.gz", """
subject_id,chartdate,seq_num,result_name,result_value
902,2161-01-01,1,Blood Pressure,128/79
902,2161-01-01,1,Weight (Lbs),180
902,2161-01-01,1,eGFR,55
902,2161-01-01,1,Blood Pressure,128
""")
    _csv(hosp / "prescriptions.csv.gz", """
subject_id,hadm_id,starttime,drug,dose_val_rx,dose_unit_rx,route
901,5001,2150-01-02 08:00:00,Aspirin,81,mg,PO
""")
    return folder


def test_mimic_import(db, tmp_path):
    rep = import_mimic(db, _mimic(tmp_path / "mimic"))
    assert rep.patients == 2
    assert sorted((e.file, e.where) for e in rep.errors) == [
        ("diagnoses_icd.csv.gz", "line 4"), ("labevents.csv.gz", "line 4"), ("labevents.csv.gz", "line 5"),
        ("omr.csv.gz", "line 5")]
    with db.session() as s:
        p = s.scalar(select(Patient).where(Patient.external_id == "901"))
        assert (p.sex, str(p.birth_date), p.source) == ("F", "2090-01-01", "mimic-iv")
        ev = {e.code: e for e in timeline(s, p.id)}
        cr = ev["LAB//50912//mg/dL"]
        assert (cr.numeric_value, cr.ref_low, cr.ref_high, cr.text_value) == (1.9, 0.4, 1.1, "abnormal")
        assert cr.display == "Creatinine Blood"
        assert ev["LAB//51237//UNK"].text_value == "___"
        nstemi = ev["DIAGNOSIS//ICD//10//I21.4"]
        assert nstemi.display.startswith("Non-ST elevation") and str(nstemi.time) == "2150-01-04 12:00:00"
        assert "DIAGNOSIS//ICD//9//4019" in ev and "ENCOUNTER//EMERGENCY" in ev
        assert ev["MEDICATION//MIMIC//Aspirin"].numeric_value == 81
        q = s.scalar(select(Patient).where(Patient.external_id == "902"))
        vit = {e.code: e for e in timeline(s, q.id)}
        assert vit["VITAL//LOINC//8480-6"].numeric_value == 128
        assert vit["VITAL//LOINC//8462-4"].numeric_value == 79
        assert vit["VITAL//LOINC//29463-7"].unit == "[lb_av]"
        assert vit["VITAL//MIMIC_OMR//eGFR"].numeric_value == 55
        assert category_counts(s, q.id)["death"] == 1
    assert import_mimic(db, tmp_path / "mimic").events_added == 0
