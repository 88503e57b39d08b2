"""The patient terminal `/me`: the signed-in patient's own record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from medtrio.api.deps import OwnRecord
from medtrio.api.render import render

router = APIRouter(tags=["me"], include_in_schema=False)


@router.get("/me", name="me_home")
def me_home(request: Request, ctx: OwnRecord) -> HTMLResponse:
    return render(request, "me/home.html", {"terminal": "me", "patient": ctx.patient})
