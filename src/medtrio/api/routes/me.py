"""The patient terminal `/me`: the signed-in patient's own record (timeline with charts)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from medtrio.api.deps import DbSession, OwnRecord
from medtrio.api.routes.clinic import page_of_event
from medtrio.api.timeline import timeline_page

router = APIRouter(tags=["me"], include_in_schema=False)


@router.get("/me", name="me_timeline")
def me_timeline(
    request: Request,
    ctx: OwnRecord,
    s: DbSession,
    category: str | None = None,
    page: int = 1,
    lab: str | None = None,
    event: int | None = None,
) -> HTMLResponse:
    found = page_of_event(s, ctx.patient_id, event, category) if event is not None else None
    if found is not None:
        page, category = found
    return timeline_page(
        request, s, ctx, terminal="me", base_url="/me", category=category, page=page, lab=lab
    )
