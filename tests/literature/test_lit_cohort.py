"""Cohorts over the event store: index events, exclusions, age/sex, incidence, Kaplan-Meier, exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from medtrio.errors import InvalidInput
from medtrio.literature.cohort import (
    CohortCriteria,
    Member,
    build_cohort,
    incidence_by_year,
    kaplan_meier,
    members_csv,
    members_meds_parquet,
)
from medtrio.store.events import insert_events, with_occurrences
from medtrio.store.patients import upsert_patient

T = dt.datetime


def _seed(db) -> dict[str, int]:
    """Four invented patients: three with type 2 diabetes (one also with an earlier E10), one without."""
    with db.session() as s:
        ids = {
            "a": upsert_patient(s, "t", "a", sex="F", birth_date=dt.date(1950, 1, 1)),
            "b": upsert_patient(s, "t", "b", sex="M", birth_date=dt.date(1980, 6, 1)),
            "c": upsert_patient(s, "t", "c", sex="F", birth_date=dt.date(1960, 1, 1)),
            "d": upsert_patient(s, "t", "d", sex="M", birth_date=dt.date(1970, 1, 1)),
        }
        rows = [
            {"patient_id": ids["a"], "time": T(2019, 3, 1), "code": "DIAGNOSIS//ICD//10//E11.9"},
            {"patient_id": ids["a"], "time": T(2020, 3, 1), "code": "DIAGNOSIS//ICD//10//E11.65"},
            {"patient_id": ids["a"], "time": T(2019, 5, 30), "code": "DIAGNOSIS//ICD//10//I21.9"},
            {"patient_id": ids["b"], "time": T(2020, 1, 1), "code": "DIAGNOSIS//ICD//10//E11.9"},
            {
                "patient_id": ids["b"],
                "time": T(2020, 12, 31),
                "code": "LAB//LOINC//4548-4",
                "numeric_value": 7.0,
            },
            {"patient_id": ids["c"], "time": T(2018, 1, 1), "code": "DIAGNOSIS//ICD//10//E10.9"},
            {"patient_id": ids["c"], "time": T(2021, 1, 1), "code": "DIAGNOSIS//ICD//10//E11.9"},
            {"patient_id": ids["d"], "time": T(2021, 1, 1), "code": "DIAGNOSIS//ICD//10//I10"},
        ]
        insert_events(s, with_occurrences(rows))
    return ids


class TestBuild:
    def test_index_event_is_the_first_match(self, db) -> None:
        ids = _seed(db)
        with db.session() as s:
            members = build_cohort(s, CohortCriteria(("DIAGNOSIS//ICD//10//E11",)))
        by_id = {m.patient_id: m for m in members}
        assert set(by_id) == {ids["a"], ids["b"], ids["c"]}
        assert by_id[ids["a"]].index_time == T(2019, 3, 1) and by_id[ids["a"]].age == 69

    def test_exclusion_age_sex_dates_and_scope(self, db) -> None:
        ids = _seed(db)
        with db.session() as s:
            excl = build_cohort(s, CohortCriteria(("DIAGNOSIS//ICD//10//E11",), ("DIAGNOSIS//ICD//10//E10",)))
            assert ids["c"] not in {m.patient_id for m in excl}
            women = build_cohort(s, CohortCriteria(("DIAGNOSIS//ICD//10//E11",), sex="F", age_min=60))
            assert {m.patient_id for m in women} == {ids["a"], ids["c"]}
            dated = build_cohort(
                s,
                CohortCriteria(
                    ("DIAGNOSIS//ICD//10//E11",), start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31)
                ),
            )
            # a's index moves to its first E11 inside the window
            assert {m.patient_id: m.index_time for m in dated} == {
                ids["a"]: T(2020, 3, 1),
                ids["b"]: T(2020, 1, 1),
            }
            scoped = build_cohort(s, CohortCriteria(("DIAGNOSIS//ICD//10//E11",)), scope=[ids["b"]])
            assert [m.patient_id for m in scoped] == [ids["b"]]

    def test_outcome_and_censoring(self, db) -> None:
        ids = _seed(db)
        with db.session() as s:
            members = build_cohort(
                s, CohortCriteria(("DIAGNOSIS//ICD//10//E11",), outcome_code="DIAGNOSIS//ICD//10//I21")
            )
        by_id = {m.patient_id: m for m in members}
        assert by_id[ids["a"]].outcome and by_id[ids["a"]].followup_days == 90
        assert not by_id[ids["b"]].outcome and by_id[ids["b"]].followup_days == 365  # censored at last event

    def test_bad_criteria(self, db) -> None:
        with db.session() as s, pytest.raises(InvalidInput):
            build_cohort(s, CohortCriteria(("",)))
        with pytest.raises(InvalidInput):
            CohortCriteria(("X",), age_min=50, age_max=40).check()


class TestStatistics:
    def test_kaplan_meier_worked_example(self) -> None:
        # 5 subjects: events at 2, 4, 4; censored at 3 and 5 -> S(2)=4/5, S(4)=4/5*(1-2/3)=4/15
        t0 = T(2020, 1, 1)
        ms = [
            Member(i, t0, None, None, d, e)
            for i, (d, e) in enumerate([(2, True), (3, False), (4, True), (4, True), (5, False)])
        ]
        curve = kaplan_meier(ms)
        assert [(p.day, p.at_risk, p.events) for p in curve] == [(0, 5, 0), (2, 5, 1), (4, 3, 2)]
        assert curve[1].survival == pytest.approx(0.8) and curve[2].survival == pytest.approx(4 / 15)

    def test_incidence_and_exports(self, db) -> None:
        import pyarrow.parquet as pq

        _seed(db)
        with db.session() as s:
            members = build_cohort(s, CohortCriteria(("DIAGNOSIS//ICD//10//E11",)))
            assert incidence_by_year(members) == {2019: 1, 2020: 1, 2021: 1}
            table = pq.read_table(io.BytesIO(members_meds_parquet(s, members)))
        assert table.column_names == ["subject_id", "time", "code", "numeric_value", "text_value"]
        assert table.num_rows == 7  # every event of the three members
        assert members_csv(members).splitlines()[0] == "patient_id,index_time,sex,age,followup_days,outcome"
