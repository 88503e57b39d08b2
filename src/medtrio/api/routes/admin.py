"""The hospital terminal `/admin`: import, users, departments and doctors, audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from medtrio.api.deps import Admin
from medtrio.api.render import render

router = APIRouter(tags=["admin"], include_in_schema=False)


@router.get("/admin", name="admin_home")
def admin_home(request: Request, account: Admin) -> HTMLResponse:
    return render(request, "admin/home.html", {"terminal": "admin"})
