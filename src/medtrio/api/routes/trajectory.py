"""Health-trajectory forecasts over HTTP, and the model registry for administrators.

JSON API
- `GET /api/patients/{id}/trajectory` (record access): the forecast of the active model at today's age:
  risks within 1/5/10 years with a 10-90% band, the events driving each risk (with the record entry they
  rest on), the most likely next events, sampled futures (`?samples=K`, at most 20), notes (unknown codes,
  age-sex prior when there is no history).
- `GET /api/admin/trajectory/models` (admin): registered versions with metrics; which one is active.
- `POST /api/admin/trajectory/models/{version}/activate` (admin): activate or roll back.
- `POST /api/admin/trajectory/train` (admin, JSON `{"preset": "tiny", "max_minutes": 5}`): start a
  training job on the event store (`medtrio.trajectory.jobs`); follow it at `/api/admin/jobs/{id}`.

Pages: `/clinic/patients/{id}/forecast` (risk bars with bands, drivers, sampled futures over age),
`/me/forecast` (plain-language outlook: risk is not destiny; talk to your doctor) and
`/admin/trajectory` (registry, and a form that starts a training job; `?job=ID` shows that job's
progress and log, polled like the import job page). The model lives in `medtrio.trajectory`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from markupsafe import Markup, escape
from sqlalchemy import select

from medtrio.api.deps import Admin, AppSettings, Db, DbSession, OwnRecord, PatientAccess, audit
from medtrio.api.render import render
from medtrio.errors import InvalidInput, NotFound
from medtrio.store.schema import Job
from medtrio.trajectory import jobs, registry
from medtrio.trajectory.inference import Forecast, forecast
from medtrio.trajectory.records import History, history_from_session
from medtrio.trajectory.vocab import DEATH_NAME

router = APIRouter(tags=["trajectory"])


def _forecast(settings: Any, s: Any, patient_id: int, samples: int = 0) -> tuple[Forecast, History, str]:
    root = registry.root_of(settings.data_dir)
    lm = registry.load_active(root)
    h = history_from_session(s, patient_id, lm, dt.date.today())
    if h.dead:
        raise InvalidInput("the patient is recorded as deceased: there is no future to forecast")
    f = forecast(
        lm,
        h.ages_days,
        h.tokens,
        h.now_days,
        n_samples=max(0, min(samples, 20)),
        unknown_codes=h.unknown_codes,
    )
    return f, h, registry.active_version(root) or ""


def _as_json(f: Forecast, h: History, version: str) -> dict[str, Any]:
    by_token = {int(t): e for t, e in zip(h.tokens, h.event_ids, strict=True) if e is not None}
    risks = []
    for r in f.risks:
        d = asdict(r)
        d["drivers"] = [{**asdict(x), "event_id": by_token.get(x.token)} for x in r.drivers]
        risks.append(d)
    return {
        "model_version": version,
        "age_years": round(f.age_years, 1),
        "basis": f.basis,
        "risks": risks,
        "next_events": [{"name": n, "probability": p} for n, p in f.next_events],
        "samples": [[{"age": a, "event": n} for a, n in s] for s in f.samples],
        "unknown_codes": list(f.unknown_codes),
        "notes": list(f.notes),
        "method": "Delphi-style transformer; risk = 1 - exp(-rate x years); band: 10-90% over dropout passes",
    }


@router.get("/api/patients/{patient_id}/trajectory", name="trajectory_forecast")
def forecast_api(
    patient_id: int, ctx: PatientAccess, s: DbSession, settings: AppSettings, samples: int = 0
) -> dict[str, Any]:
    f, h, version = _forecast(settings, s, ctx.patient.id, samples)
    return _as_json(f, h, version)


@router.get("/api/admin/trajectory/models", name="trajectory_models")
def models_api(account: Admin, settings: AppSettings) -> dict[str, Any]:
    root = registry.root_of(settings.data_dir)
    return {
        "active": registry.active_version(root),
        "models": [
            {"version": m.version, "active": m.active, "metadata": m.metadata, "metrics": m.metrics}
            for m in registry.list_models(root)
        ],
    }


@router.post("/api/admin/trajectory/models/{version}/activate", name="trajectory_activate")
def activate_api(
    version: str, request: Request, account: Admin, s: DbSession, settings: AppSettings
) -> dict[str, Any]:
    registry.activate(registry.root_of(settings.data_dir), version)
    audit(request, s, account, "write", "trajectory_activate", reason=f"activated model {version}")
    return {"active": version}


def _futures_svg(f: Forecast) -> Markup:
    """Sampled futures as dots on an age axis, one row per sample."""
    if not f.samples:
        return Markup("")
    start, end = f.age_years, f.age_years + 10
    w, row = 640, 22
    parts = [f'<svg class="trajectory-futures" width="{w}" height="{row * len(f.samples) + 30}" role="img">']
    for i, sample in enumerate(f.samples):
        y = 15 + i * row
        parts.append(f'<line x1="40" x2="{w - 10}" y1="{y}" y2="{y}" stroke="#ccc"/>')
        for age, name in sample:
            x = 40 + (age - start) / (end - start) * (w - 50)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y}" r="5" fill="#b33"><title>{escape(name)} '
                f"({age:.1f})</title></circle>"
            )
    y = 15 + len(f.samples) * row
    for k in range(0, 11, 2):
        x = 40 + k / 10 * (w - 50)
        parts.append(f'<text x="{x:.0f}" y="{y + 10}" font-size="10">{start + k:.0f}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@router.get("/clinic/patients/{patient_id}/forecast", name="trajectory_clinic_page")
def clinic_page(request: Request, ctx: PatientAccess, s: DbSession, settings: AppSettings) -> HTMLResponse:
    f, h, version = _forecast(settings, s, ctx.patient.id, samples=8)
    return render(
        request,
        "trajectory/clinic.html",
        {"terminal": "clinic", "patient": ctx.patient, "f": f, "version": version, "svg": _futures_svg(f)},
    )


# lifestyle tokens a person can act on; the page words each one (trajectory/me.html)
CHANGEABLE = ("Smoking_high", "Smoking_mid", "BMI_high", "BMI_low", "Alcohol_high", "Alcohol_mid")


def changeable_drivers(f: Forecast) -> dict[int, list[str]]:
    """Per risk (token), the lifestyle tokens among its drivers: what the patient page calls changeable."""
    return {r.token: [d.name for d in r.drivers if d.name in CHANGEABLE] for r in f.risks}


@router.get("/me/forecast", name="trajectory_me_page")
def me_page(request: Request, ctx: OwnRecord, s: DbSession, settings: AppSettings) -> HTMLResponse:
    f, _, _ = _forecast(settings, s, ctx.patient.id)
    # the patient page lists conditions; the risk of death is for the clinician's forecast, not this outlook
    top = [r for r in f.risks if r.name != DEATH_NAME][:5]
    ctx_ = {"terminal": "me", "f": f, "top": top, "changeable": changeable_drivers(f)}
    return render(request, "trajectory/me.html", ctx_)


@router.get("/admin/trajectory", name="trajectory_admin_page")
def admin_page(
    request: Request, account: Admin, s: DbSession, settings: AppSettings, job: int | None = None
) -> HTMLResponse:
    """The registry; `?job=ID` adds that training job's live progress and log on top."""
    root = registry.root_of(settings.data_dir)
    recent = list(s.scalars(select(Job).where(Job.kind == jobs.KIND).order_by(Job.id.desc()).limit(10)))
    shown = None
    if job is not None:
        shown = s.get(Job, job)
        if shown is None or shown.kind != jobs.KIND:
            raise NotFound(f"No training job with id {job}.")
    ctx = {"terminal": "admin", "models": registry.list_models(root), "jobs": recent,
           "presets": jobs.PRESETS, "job": shown}
    return render(request, "trajectory/admin.html", ctx)


EVAL_PLOTS = ("calibration.png", "auc_by_chapter.png")


@router.get("/admin/trajectory/{version}/eval/{name}", name="trajectory_admin_plot")
def admin_plot(version: str, name: str, account: Admin, settings: AppSettings) -> FileResponse:
    """A version's evaluation plot (written by training on held-out patients); no patient data in it."""
    models = registry.list_models(registry.root_of(settings.data_dir))
    entry = next((m for m in models if m.version == version), None)
    if entry is None or name not in EVAL_PLOTS or not (entry.path / "eval" / name).is_file():
        raise NotFound(f"No evaluation plot {name!r} for model {version!r}.")
    return FileResponse(entry.path / "eval" / name, media_type="image/png")


def _minutes(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"Max minutes must be a number, not {str(value)[:20]!r}.") from None


def _start(request: Request, account: Any, db: Any, s: Any, settings: Any, preset: str,
           max_minutes: float | None, max_steps: int | None = None) -> int:
    job_id = jobs.start_training_job(db, settings.data_dir, preset, max_minutes=max_minutes,
                                     max_steps=max_steps, user_id=account.id)
    audit(request, s, account, "write", "trajectory_train",
          reason=f"job {job_id}: train preset {preset}, max {max_minutes or '-'} min")
    return job_id


@router.post("/admin/trajectory/train", name="trajectory_admin_train")
async def admin_train(
    request: Request, account: Admin, db: Db, s: DbSession, settings: AppSettings
) -> RedirectResponse:
    form = await request.form()
    job_id = _start(request, account, db, s, settings, str(form.get("preset") or "tiny"),
                    _minutes(form.get("max_minutes")))
    return RedirectResponse(f"/admin/trajectory?job={job_id}", status_code=303)


@router.post("/api/admin/trajectory/train", name="trajectory_train", status_code=202)
def train_api(
    request: Request, account: Admin, db: Db, s: DbSession, settings: AppSettings,
    preset: str = Body("tiny"), max_minutes: float | None = Body(None), max_steps: int | None = Body(None),
) -> dict[str, Any]:
    job_id = _start(request, account, db, s, settings, preset, _minutes(max_minutes), max_steps)
    return {"job_id": job_id, "status_url": f"/api/admin/jobs/{job_id}"}


@router.post("/admin/trajectory/{version}/activate", name="trajectory_admin_activate")
def admin_activate(
    version: str, request: Request, account: Admin, s: DbSession, settings: AppSettings
) -> RedirectResponse:
    registry.activate(registry.root_of(settings.data_dir), version)
    audit(request, s, account, "write", "trajectory_activate", reason=f"activated model {version}")
    return RedirectResponse("/admin/trajectory", status_code=303)
