"""Auto-fill from record events: latest value in the window, conditions from codes, missing inputs."""

from __future__ import annotations

import datetime as dt

from medtrio.calculators.autofill import autofill, compute_from_record
from medtrio.store.events import TimelineEvent

NOW = dt.datetime(2025, 1, 10, 9)


def event(
    i: int, code: str, days_ago: float, value: float | None = None, unit: str | None = None
) -> TimelineEvent:
    cat = code.split("//")[0].lower()
    return TimelineEvent(
        i, NOW - dt.timedelta(days=days_ago), code, None, cat, value, unit, None, None, None, "t"
    )


EVENTS = [
    event(1, "LAB//LOINC//2160-0", 400, 0.9, "mg/dL"),
    event(2, "LAB//LOINC//2160-0", 20, 1.4, "mg/dL"),
    event(3, "DIAGNOSIS//ICD//10//I48.0", 800),
    event(4, "DIAGNOSIS//ICD//10//I10", 2000),
    event(5, "MEDICATION//ATC//C09CA01", 900),  # stopped long ago: not current
    event(6, "LAB//LOINC//2951-2", 60, 139, "mmol/L"),  # older than its 30-day window
]


class TestAutofill:
    def test_latest_value_in_window_and_entries_named(self) -> None:
        fill = autofill("ckd_epi_2021", EVENTS, sex="female", age_years=70, as_of=NOW)
        assert fill.inputs["creatinine"] == [1.4, "mg/dL"] and not fill.missing
        assert [u.event_id for u in fill.used] == [2]

    def test_stale_values_are_reported_not_used(self) -> None:
        fill = autofill("anion_gap", EVENTS, sex="female", age_years=70, as_of=NOW)
        assert "sodium" not in fill.inputs and any(s.startswith("sodium") for s in fill.stale)
        assert set(fill.missing) == {"sodium", "chloride", "bicarbonate"}

    def test_conditions_from_codes_and_old_medicines_ignored(self) -> None:
        result, fill, _ = compute_from_record("cha2ds2_vasc", EVENTS, sex="female", age_years=70, as_of=NOW)
        assert fill.inputs["hypertension"] is True
        assert result is not None and result.value == 3  # age 65-74, female, hypertension
        fram = autofill("framingham_hard_chd", EVENTS, sex="female", age_years=70, as_of=NOW)
        assert "bp_treated" not in fram.inputs  # the ARB was last prescribed 900 days ago
