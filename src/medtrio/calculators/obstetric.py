"""Pregnancy dating: estimated due date (Naegele's rule with cycle-length adjustment), estimated date of
conception, gestational age from the last menstrual period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from medtrio.calculators.core import Input, Trace, calculator
from medtrio.errors import InvalidInput

LMP = Input("lmp", "First day of the last menstrual period", "date")
CYCLE = Input("cycle_length", "Cycle length", "number", "days", 20, 45, default=28)


def _fmt(d: dt.date) -> str:
    return d.strftime("%m/%d/%Y")


@calculator("due_date", "Estimated due date (Naegele's rule)", "date", [LMP, CYCLE], output="date")
def due_date(x: dict[str, Any], t: Trace) -> str:
    base = x["lmp"] + dt.timedelta(days=280)
    shift = int(x["cycle_length"]) - 28
    edd = base + dt.timedelta(days=shift)
    t.add(f"LMP {_fmt(x['lmp'])} + 280 days = {_fmt(base)}")
    t.add(f"cycle length {int(x['cycle_length'])} days: shift by {shift:+d} days -> {_fmt(edd)}")
    return _fmt(edd)


@calculator("conception_date", "Estimated date of conception", "date", [LMP, CYCLE], output="date")
def conception_date(x: dict[str, Any], t: Trace) -> str:
    offset = int(x["cycle_length"]) - 14
    when = x["lmp"] + dt.timedelta(days=offset)
    t.add(
        f"ovulation/conception ≈ LMP + (cycle length − 14 days) = {_fmt(x['lmp'])} + {offset} days"
        f" = {_fmt(when)}"
    )
    return _fmt(when)


@calculator(
    "gestational_age",
    "Gestational age from the last menstrual period",
    "weeks+days",
    [LMP, Input("today", "Date of assessment", "date")],
    output="weeks_days",
)
def gestational_age(x: dict[str, Any], t: Trace) -> list[int]:
    days = (x["today"] - x["lmp"]).days
    if days < 0:
        raise InvalidInput("lmp: the last menstrual period is after the assessment date")
    weeks, rest = divmod(days, 7)
    t.add(f"{_fmt(x['today'])} − {_fmt(x['lmp'])} = {days} days = {weeks} weeks {rest} days")
    return [weeks, rest]
