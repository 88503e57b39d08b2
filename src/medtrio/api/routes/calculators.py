"""Clinical calculators over HTTP: the registry, running a calculator on given inputs, auto-filling one from a
patient's record (with the entries used and what is missing), and the clinician pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse

from medtrio.api.deps import Clinician, CurrentAccount, DbSession, PatientAccess
from medtrio.api.render import render
from medtrio.calculators import all_calculators, calculate, get
from medtrio.calculators.autofill import compute_from_record
from medtrio.errors import InvalidInput
from medtrio.reasoning.record import load_record

router = APIRouter(tags=["calculators"])


@router.get("/api/calculators", name="calculator_list")
def calculator_list(account: CurrentAccount) -> list[dict[str, Any]]:
    """Every calculator with its input schema, unit and source."""
    return [c.info() for c in all_calculators()]


@router.post("/api/calculators/{name}", name="calculator_run")
def calculator_run(name: str, account: CurrentAccount, inputs: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Run a calculator: `{"value", "unit", "steps", "source", ...}`; bad input answers 422 naming it."""
    return calculate(name, inputs).as_dict()


@router.get("/api/patients/{patient_id}/calculators/{name}", name="calculator_autofill")
def calculator_autofill(name: str, ctx: PatientAccess, account: Clinician, s: DbSession) -> dict[str, Any]:
    """Fill a calculator from the record: the result if complete, the entries used, and what is missing."""
    get(name)
    rec = load_record(s, ctx.patient_id)
    result, fill, why = compute_from_record(name, rec.events, sex=rec.sex, age_years=rec.age, as_of=rec.as_of)
    return {
        "calculator": name,
        "as_of": rec.as_of.isoformat(),
        "result": result.as_dict() if result else None,
        "reason": why,
        "inputs": fill.inputs,
        "used": [u.__dict__ for u in fill.used],
        "missing": fill.missing,
        "stale": fill.stale,
    }


@router.get("/clinic/calculators", name="calculator_page_list", include_in_schema=False)
def calculator_page_list(request: Request, account: Clinician) -> HTMLResponse:
    return render(request, "calculators/list.html", {"terminal": "clinic", "calculators": all_calculators()})


@router.api_route("/clinic/calculators/{name}", methods=["GET", "POST"], name="calculator_page",
                  include_in_schema=False)
async def calculator_page(request: Request, name: str, account: Clinician) -> HTMLResponse:
    calc = get(name)
    result, error, form = None, None, {}
    if request.method == "POST":
        form = dict(await request.form())
        try:
            result = calculate(name, _from_form(calc, form))
        except InvalidInput as exc:
            error = exc.message
    return render(
        request,
        "calculators/form.html",
        {
            "terminal": "clinic",
            "calc": calc,
            "info": calc.info(),
            "result": result,
            "error": error,
            "form": form,
            "today": dt.date.today().isoformat(),
        },
    )


def _from_form(calc: Any, form: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in calc.inputs:
        value = str(form.get(spec.name, "")).strip()
        if spec.kind == "bool":
            if form.get(spec.name):
                out[spec.name] = True
            continue
        if not value:
            continue
        if spec.kind in ("choice", "date", "text", "number"):
            out[spec.name] = value
        else:
            out[spec.name] = [value, str(form.get(f"{spec.name}__unit", "")).strip()]
    return out
