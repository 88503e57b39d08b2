"""The clinician terminal `/clinic`: patient list and patient chart."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from medtrio.api.deps import Clinician
from medtrio.api.render import render

router = APIRouter(tags=["clinic"], include_in_schema=False)


@router.get("/clinic", name="clinic_home")
def clinic_home(request: Request, account: Clinician) -> HTMLResponse:
    return render(request, "clinic/home.html", {"terminal": "clinic"})
