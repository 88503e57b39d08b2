"""Care navigation against a real database (SQLite and PostgreSQL): free slots, doctor matching,
appointment requests, the pre-visit summary and the post-visit plan."""

from __future__ import annotations

import datetime as dt

import pytest

from medtrio.errors import Conflict, InvalidInput
from medtrio.store.schema import Appointment, Doctor
from medtrio.triage.navigation import (
    due_reminders,
    free_slots,
    incoming,
    previsit_summary,
    recommend_doctors,
    request_appointment,
    visit_plan,
)

MONDAY = dt.datetime(2030, 1, 7, 8, 0)  # a Monday


class TestSlotsAndDoctors:
    def test_free_slots_follow_the_schedule(self, installation):
        with installation.db.session() as s:
            doc = s.get(Doctor, installation.doctor)
            slots = free_slots(s, doc, MONDAY, limit=4)
            assert slots[0] == dt.datetime(2030, 1, 7, 9, 0) and slots[1] == dt.datetime(2030, 1, 7, 9, 20)

    def test_recommend_by_department_and_language(self, installation):
        with installation.db.session() as s:
            gp = recommend_doctors(s, "general_practice", "zh", now=MONDAY)
            assert [o.doctor_id for o in gp] == [installation.doctor] and gp[0].speaks_language
            assert gp[0].department == "全科"
            card = recommend_doctors(s, "cardiology", "en", now=MONDAY)
            assert card[0].doctor_id == installation.other_doctor
            # no dermatology department here: general practice sees the patient first
            assert recommend_doctors(s, "dermatology", "en", now=MONDAY)[0].doctor_id == installation.doctor


class TestAppointments:
    def test_request_and_summary(self, installation):
        with installation.db.session() as s:
            assessment = {
                "urgency": "routine",
                "red_flags": [],
                "duration_days": 3,
                "severity": "mild",
                "differential": [{"name": "Acute bronchitis", "icd10": "J20.9", "probability": 0.4}],
            }
            answers = [{"finding": "fever", "question": "Fever?", "answer": False}]
            summary = previsit_summary(
                s,
                installation.patient,
                "cough for 3 days",
                assessment,
                answers,
                "Do I need antibiotics?\n\nCan I work?",
            )
            assert summary["current_medications"][0]["name"] == "salbutamol"
            assert summary["recent_labs"][0]["flag"] == "low"
            assert summary["patient_questions"] == ["Do I need antibiotics?", "Can I work?"]
            start = dt.datetime(2030, 1, 7, 9, 20)
            appt = request_appointment(
                s, installation.patient, installation.doctor, start, "cough", summary, now=MONDAY
            )
            assert appt.status == "requested"
            with pytest.raises(Conflict):
                request_appointment(
                    s, installation.patient, installation.doctor, start, "again", summary, now=MONDAY
                )
            with pytest.raises(InvalidInput, match="not one of"):
                request_appointment(
                    s,
                    installation.patient,
                    installation.doctor,
                    start.replace(hour=13),
                    "x",
                    summary,
                    now=MONDAY,
                )
            with pytest.raises(InvalidInput, match="future"):
                request_appointment(
                    s,
                    installation.patient,
                    installation.doctor,
                    start,
                    "x",
                    summary,
                    now=start + dt.timedelta(days=1),
                )
            doc = s.get(Doctor, installation.doctor)
            assert start not in free_slots(s, doc, MONDAY)
            assert [a.id for a in incoming(s, installation.doctor)] == [appt.id]
            assert incoming(s, installation.other_doctor) == []
        with installation.db.session() as s:
            stored = s.get(Appointment, appt.id)
            assert stored.summary["complaint"] == "cough for 3 days"


class TestPlan:
    def test_reminders(self):
        plan = visit_plan(
            dt.date(2030, 1, 7),
            [{"name": "amoxicillin", "times": ["08:00", "20:00"], "days": 5}],
            [{"name": "full blood count", "in_days": 14}],
            28,
        )
        assert len(plan["reminders"]) == 3
        assert [r["kind"] for r in due_reminders(plan, dt.date(2030, 1, 9))] == ["medication"]
        assert due_reminders(plan, dt.date(2030, 1, 13)) == []
        assert [r["kind"] for r in due_reminders(plan, dt.date(2030, 1, 21))] == ["test"]
        assert [r["kind"] for r in due_reminders(plan, dt.date(2030, 2, 4))] == ["recheck"]

    def test_bad_time_is_refused(self):
        with pytest.raises(ValueError):
            visit_plan(dt.date(2030, 1, 7), [{"name": "x", "times": ["25:00"]}], [], None)
