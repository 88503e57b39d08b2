"""Step 6 of the case analysis: the trajectory model's forecast and the eGFR slope.

The forecast is the active trajectory model of issue 3 (`medtrio.trajectory`), read at the analysis time
(entries after it are not seen). It is worded as an estimated risk, never a diagnosis; each risk cites the
model version (and its held-out evaluation when it has one) and the record entries that raise it most
(leave-one-out drivers). Without a model, the step says so instead of guessing.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from medtrio.errors import MedtrioError
from medtrio.reasoning.model import Evidence, Step, ev, rule
from medtrio.reasoning.record import CaseRecord

if TYPE_CHECKING:
    from medtrio.trajectory.scoring import LoadedModel

TREND_MIN_READINGS = 3
TOP_RISKS = 3


@lru_cache(maxsize=8)
def _held_out(report: str, _mtime: int) -> str:
    """The held-out AUC sentence of a model's eval.json (read once per file version, not per analysis)."""
    r = json.loads(Path(report).read_text())
    if isinstance(r.get("mean_auc"), float) and isinstance(r.get("baseline_age_sex_mean_auc"), float):
        return (
            f"; held-out mean AUC {r['mean_auc']:.2f} vs age-sex baseline "
            f"{r['baseline_age_sex_mean_auc']:.2f} ({r.get('n_patients', '?')} patients)"
        )
    return ""


def _model_rule(lm: LoadedModel) -> Evidence:
    version = lm.path.name
    source = "Delphi-style transformer (Shmatko et al., Nature 2025) trained on this hospital's records"
    report = lm.path / "eval.json"
    if report.is_file():
        source += _held_out(str(report), report.stat().st_mtime_ns)
    return Evidence("rule", f"trajectory model {version}", f"trajectory model {version}", source)


def _forecast(step: Step, session: Session, rec: CaseRecord, lm: LoadedModel) -> None:
    from medtrio.trajectory.inference import forecast
    from medtrio.trajectory.records import history_from_session

    model_rule = _model_rule(lm)
    try:
        h = history_from_session(session, rec.patient.id, lm, rec.as_of.date())
    except MedtrioError as exc:
        step.add(f"no forecast: {exc.message}", model_rule)
        return
    if h.dead:
        step.add("no forecast: the patient is recorded as deceased", model_rule)
        return
    f = forecast(lm, h.ages_days, h.tokens, h.now_days, top=TOP_RISKS, unknown_codes=h.unknown_codes)
    if f.basis != "model":
        step.add(f"no personal forecast ({f.basis}): no coded diagnoses, medicines or procedures", model_rule)
        return
    events = {int(t): e for t, e in zip(h.tokens, h.event_ids, strict=True) if e is not None}
    labels = {e.id: e for e in rec.events}
    for r in f.risks:
        cited = []
        for d in r.drivers:
            event = labels.get(events.get(d.token))
            if event is not None:
                cited.append(ev(event))
        why = f"; raised most by {', '.join(d.name for d in r.drivers)}" if r.drivers else ""
        step.add(
            f"estimated 5-year risk of {r.name}: {r.risk['5y']:.1%} ("
            + (f"range {r.low['5y']:.1%}-{r.high['5y']:.1%}; " if r.high["5y"] > r.low["5y"] else "")
            + f"1 year {r.risk['1y']:.1%}){why}. "
            "A model estimate from the coded history, not a diagnosis",
            *cited,
            model_rule,
        )
    if f.unknown_codes:
        step.add(f"{len(f.unknown_codes)} coded entries are unknown to the model, not used", model_rule)


def trajectory_step(session: Session, rec: CaseRecord, lm: LoadedModel | None) -> Step:
    """Step 6: the forecast (when a model is active) and the eGFR slope (when there are >= 3 readings)."""
    step = Step(6, "trajectory", "Trajectory forecast")
    if lm is None:
        step.add(
            "no disease-trajectory forecast: no trajectory model is active in this installation (train one "
            "in the admin terminal); no forecast is shown rather than a guess",
            Evidence("rule", "model availability", "model availability", "medtrio.trajectory.registry"),
        )
    else:
        _forecast(step, session, rec, lm)
    egfr = rec.readings("egfr")
    if len(egfr) >= TREND_MIN_READINGS:
        first, last = egfr[0], egfr[-1]
        years = max((last.time - first.time).days / 365.25, 0.1)
        slope = (last.value - first.value) / years
        step.add(
            f"eGFR changed {slope:+.1f} mL/min/1.73m² per year over {years:.1f} years (a decline faster than "
            f"5 per year counts as rapid progression)",
            ev(first),
            ev(last),
            rule("rapid CKD progression", "KDIGO 2012 CKD guideline, 2.1.4"),
            severity="warning" if slope < -5 else "info",
        )
    return step
