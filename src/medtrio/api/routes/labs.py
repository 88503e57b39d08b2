"""Lab reports over HTTP: interpreting an upload, the patient's upload -> confirm -> save flow, the clinician
lab view.

JSON API
- `POST /api/labs/interpret` (any signed-in user): multipart `file` (+ `lang`, `sex`, `age`) -> the
  interpretation; nothing is stored.
- `POST /api/patients/{id}/labs` (record access): multipart `file`, optional `rows` (JSON list of the
  confirmed/corrected results: name, value, unit, range, flag) -> interpretation + what was saved. The file
  is kept as a document and the trustworthy results become events, in one transaction.
- `GET /api/patients/{id}/labs` -> the latest result of each lab in the record, flagged, with patterns.

Pages: `/me/labs` (upload, confirmation table, result cards, trends, questions) and
`/clinic/patients/{id}/labs` (flags, patterns, trend charts). All interpretation lives in `medtrio.labs`.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from medtrio.api.deps import (
    AppSettings,
    Clinician,
    CurrentAccount,
    DbSession,
    OwnRecord,
    PatientAccess,
    PatientContext,
    actor_of,
    audit,
)
from medtrio.api.render import render
from medtrio.api.uploads import store_upload, too_large
from medtrio.errors import InvalidInput
from medtrio.labs.catalog import load_catalog
from medtrio.labs.extract import RawResult, ReportMeta
from medtrio.labs.interpret import Interpretation, extract, interpret_bytes, interpret_raw
from medtrio.labs.record import CODE_PREFIX, previous_results, save_interpretation
from medtrio.store.schema import Event
from medtrio.web import i18n
from medtrio.web.charts import Point, lab_trend_svg

router = APIRouter(tags=["labs"])
STASH_HOURS = 24


async def _read(upload: UploadFile, limit_mb: int) -> bytes:
    data = await upload.read(limit_mb * 2**20 + 1)
    if len(data) > limit_mb * 2**20:
        raise too_large(limit_mb)
    if not data:
        raise InvalidInput("The file is empty.")
    return data


def _lang() -> str:
    return "zh" if str(i18n.current_language.get()).startswith("zh") else "en"


def rows_to_raw(rows: list[dict[str, Any]]) -> list[RawResult]:
    """The user's confirmed table -> raw results. Confirmed rows carry no OCR doubts any more; the value
    checks (plausibility, units, ranges, consistency) still run on them."""
    catalog = load_catalog()
    out = []
    for row in rows:
        if not isinstance(row, dict) or not str(row.get("name", "")).strip():
            raise InvalidInput("each corrected row needs a name")
        name = str(row["name"]).strip()
        spec = row.get("spec") or None
        analyte = catalog.by_key.get(row.get("analyte") or "") or catalog.lookup(name, spec)
        value = str(row.get("value") or "").strip() or None
        out.append(
            RawResult(
                name=name,
                analyte=analyte,
                value=value,
                unit=(str(row.get("unit") or "").strip() or None),
                range=(str(row.get("range") or "").strip() or None),
                flag=(str(row.get("flag") or "").strip() or None),
                spec=spec or (analyte.spec if analyte else None),
                line="confirmed by the user",
            )
        )
    return out


def _meta_for(ctx: PatientContext, meta: ReportMeta) -> ReportMeta:
    """The record's sex and age win over what the report header seemed to say."""
    meta.sex = (ctx.patient.sex or meta.sex or "").upper()[:1] or None
    age = ctx.patient.age()
    meta.age = float(age) if age is not None else meta.age
    return meta


def _save(
    request: Request,
    s: Session,
    ctx: PatientContext,
    settings: Any,
    upload: UploadFile,
    interp: Interpretation,
) -> dict[str, Any]:
    """Keep the document and save the results in the request's transaction; a failure removes the file."""
    doc = store_upload(s, upload, settings.upload_dir, settings.max_upload_mb, ctx.account.id)
    try:
        saved = save_interpretation(s, actor_of(ctx.account), ctx.patient_id, interp, document=doc)
        s.flush()
    except Exception:
        Path(doc.path).unlink(missing_ok=True)
        raise
    return {"events": saved.events, "skipped_unconfirmed": saved.skipped_unconfirmed, "document_id": doc.id}


@router.post("/api/labs/interpret", name="labs_interpret")
async def api_interpret(
    request: Request,
    account: CurrentAccount,
    s: DbSession,
    settings: AppSettings,
    file: UploadFile = File(...),  # noqa: B008
    lang: str | None = Form(None),  # noqa: B008
    sex: str | None = Form(None),  # noqa: B008
    age: float | None = Form(None),  # noqa: B008
) -> dict[str, Any]:
    """Interpret one uploaded report without storing anything."""
    data = await _read(file, settings.max_upload_mb)
    interp = interpret_bytes(data, file.filename or "", lang=lang, sex=sex, age=age)
    audit(request, s, account, "read", "lab_interpret", reason="uploaded report interpreted, nothing stored")
    return interp.as_dict()


@router.post("/api/patients/{patient_id}/labs", name="labs_save")
async def api_save(
    request: Request,
    ctx: PatientAccess,
    s: DbSession,
    settings: AppSettings,
    file: UploadFile = File(...),  # noqa: B008
    rows: str | None = Form(None),  # noqa: B008
    lang: str | None = Form(None),  # noqa: B008
) -> dict[str, Any]:
    """Interpret an upload (or the corrected rows for it); save the trustworthy results and the document."""
    data = await _read(file, settings.max_upload_mb)
    raw, meta, method = extract(data, file.filename or "")
    if rows:
        try:
            raw = rows_to_raw(json.loads(rows))
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"rows must be a JSON list: {exc}") from exc
        method = "confirmed"
    previous = previous_results(s, actor_of(ctx.account), ctx.patient_id)
    interp = interpret_raw(raw, _meta_for(ctx, meta), method=method, lang=lang, previous=previous)
    return interp.as_dict() | {"saved": _save(request, s, ctx, settings, file, interp)}


def record_view(
    s: Session, ctx: PatientContext, lang: str | None = None
) -> tuple[Interpretation | None, list]:  # type: ignore[type-arg]
    """The latest result of each catalog lab in the record, interpreted, and one trend chart per lab."""
    catalog = load_catalog()
    q = (
        select(
            Event.code,
            Event.time,
            Event.numeric_value,
            Event.unit,
            Event.text_value,
            Event.ref_low,
            Event.ref_high,
        )
        .where(Event.patient_id == ctx.patient_id, Event.code.like(CODE_PREFIX + "%"))
        .order_by(Event.time)
    )
    series: dict[str, list[Any]] = {}
    for row in s.execute(q):
        if catalog.by_loinc.get(row.code.removeprefix(CODE_PREFIX)):
            series.setdefault(row.code, []).append(row)
    if not series:
        return None, []
    raw, charts = [], []
    for code, events in series.items():
        a = catalog.by_loinc[code.removeprefix(CODE_PREFIX)]
        last = events[-1]
        value = f"{last.numeric_value:g}" if last.numeric_value is not None else last.text_value
        rng = (
            f"{last.ref_low:g}-{last.ref_high:g}"
            if last.ref_low is not None and last.ref_high is not None
            else None
        )
        raw.append(
            RawResult(
                name=a.name(lang or "en"),
                analyte=a,
                value=value,
                unit=last.unit or a.unit,
                range=rng,
                spec=a.spec,
                line=f"record {last.time:%Y-%m-%d}" if last.time else "record",
            )
        )
        pts = [
            Point(e.time, e.numeric_value, e.ref_low, e.ref_high)
            for e in events
            if e.time is not None and e.numeric_value is not None
        ]
        if len(pts) >= 2:
            charts.append(lab_trend_svg(pts, title=a.name(lang or "en"), unit=a.unit))
    previous = [p for p in previous_results(s, actor_of(ctx.account), ctx.patient_id)]
    latest = {c: ev[-1].time for c, ev in series.items()}
    previous = [
        p
        for p in previous
        if p.time is None or p.time < latest.get(CODE_PREFIX + catalog.by_key[p.key].loinc, p.time)
    ]
    age = ctx.patient.age()
    meta = ReportMeta(
        sex=(ctx.patient.sex or "")[:1] or None,
        age=float(age) if age is not None else None,
        lang=lang or "en",
    )
    return interpret_raw(raw, meta, method="record", previous=previous), charts


@router.get("/api/patients/{patient_id}/labs", name="labs_record")
def api_record(ctx: PatientAccess, s: DbSession, lang: str | None = None) -> dict[str, Any]:
    """The latest value of each lab in the record with flags, patterns and trends."""
    interp, _ = record_view(s, ctx, lang)
    return interp.as_dict() if interp else {"results": [], "summary": "", "urgency": "routine"}


# ---- pages ------------------------------------------------------------------------------------------------


def _stash_dir(settings: Any) -> Path:
    d = Path(settings.data_dir) / "lab_stash"
    d.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STASH_HOURS * 3600
    for f in d.iterdir():  # abandoned uploads are not kept
        if f.stat().st_mtime < cutoff:
            f.unlink(missing_ok=True)
    return d


@router.get("/me/labs", name="labs_me")
def me_labs(request: Request, ctx: OwnRecord, s: DbSession) -> HTMLResponse:
    lang = _lang()
    interp, charts = record_view(s, ctx, lang)
    return render(
        request, "labs/me.html", {"terminal": "me", "interp": interp, "charts": charts, "stage": "upload"}
    )


@router.post("/me/labs/preview", name="labs_me_preview")
async def me_preview(
    request: Request,
    ctx: OwnRecord,
    s: DbSession,
    settings: AppSettings,
    file: UploadFile = File(...),  # noqa: B008
) -> HTMLResponse:
    """Read the upload and show the confirmation table; the file waits in a private stash, unsaved."""
    data = await _read(file, settings.max_upload_mb)
    lang = _lang()
    error, interp = None, None
    try:
        raw, meta, method = extract(data, file.filename or "")
        interp = interpret_raw(raw, _meta_for(ctx, meta), method=method, lang=lang)
    except InvalidInput as exc:
        error = exc.message
    token = ""
    if interp is not None:
        token = secrets.token_hex(16)
        info = {"name": Path(file.filename or "report").name[-80:], "date": interp.meta.date}
        (_stash_dir(settings) / f"{ctx.patient_id}-{token}").write_bytes(data)
        (_stash_dir(settings) / f"{ctx.patient_id}-{token}.json").write_text(
            json.dumps(info), encoding="utf-8"
        )
    return render(
        request,
        "labs/me.html",
        {
            "terminal": "me",
            "interp": interp,
            "charts": [],
            "stage": "confirm",
            "token": token,
            "error": error,
        },
    )


@router.post("/me/labs/confirm", name="labs_me_confirm")
async def me_confirm(request: Request, ctx: OwnRecord, s: DbSession, settings: AppSettings) -> HTMLResponse:
    """Save the confirmed table with its document; rows the user removed or left doubtful are not saved."""
    form = await request.form()
    token = str(form.get("token", ""))
    stash = _stash_dir(settings) / f"{ctx.patient_id}-{token}"
    info_file = stash.with_name(stash.name + ".json")
    if not token.isalnum() or not stash.exists() or not info_file.exists():
        raise InvalidInput("This upload has expired; please upload the report again.")
    info = json.loads(info_file.read_text(encoding="utf-8"))
    rows = []
    for i in range(int(str(form.get("n", "0")) or 0)):
        if form.get(f"keep_{i}") != "on":
            continue
        rows.append(
            {k: form.get(f"{k}_{i}") for k in ("name", "value", "unit", "range", "flag", "spec", "analyte")}
        )
    lang = _lang()
    meta = _meta_for(ctx, ReportMeta(date=info.get("date"), lang=lang))
    interp = interpret_raw(
        rows_to_raw(rows),
        meta,
        method="confirmed",
        lang=lang,
        previous=previous_results(s, actor_of(ctx.account), ctx.patient_id),
    )
    upload = UploadFile(file=stash.open("rb"), filename=info.get("name") or "report")
    try:
        saved = _save(request, s, ctx, settings, upload, interp)
    finally:
        upload.file.close()
    stash.unlink(missing_ok=True)
    info_file.unlink(missing_ok=True)
    return render(
        request,
        "labs/me.html",
        {"terminal": "me", "interp": interp, "charts": [], "stage": "saved", "saved": saved},
    )


@router.get("/clinic/patients/{patient_id}/labs", name="labs_clinic")
def clinic_labs(request: Request, ctx: PatientAccess, account: Clinician, s: DbSession) -> HTMLResponse:
    lang = _lang()
    interp, charts = record_view(s, ctx, lang)
    return render(
        request,
        "labs/clinic.html",
        {
            "terminal": "clinic",
            "patient": ctx.patient,
            "interp": interp,
            "charts": charts,
            "today": dt.date.today(),
        },
    )
