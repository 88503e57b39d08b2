"""`/health`: is the database reachable, and which version runs (for load balancers and monitoring)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

import medtrio
from medtrio.api.deps import Db

router = APIRouter(tags=["health"])


@router.get("/health")
def health(db: Db) -> JSONResponse:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        ok, detail = True, None
    except Exception as exc:  # noqa: BLE001 - report, never raise, from a health probe
        ok, detail = False, type(exc).__name__
    body = {
        "status": "ok" if ok else "unavailable",
        "database": db.dialect,
        "database_ok": ok,
        "version": medtrio.__version__,
        "detail": detail,
    }
    return JSONResponse(body, status_code=200 if ok else 503)
