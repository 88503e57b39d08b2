"""The eight steps of the case analysis. Each step reads the `CaseRecord` and the knowledge files and writes
statements with evidence; nothing here is a diagnosis, and red flags are always raised as `critical`.

Steps: (1) case summary, (2) abnormal findings and trends, (3) active problems, (4) differential for the
presenting complaint, (5) risk scores auto-filled from the record, (6) trajectory forecast, (7) risks and
warnings, (8) suggested next steps.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from medtrio.calculators.autofill import compute_from_record
from medtrio.calculators.core import metadata
from medtrio.errors import MedtrioError
from medtrio.reasoning.knowledge import OPS, cautions, critical_values, presentations
from medtrio.reasoning.model import CaseReport, Evidence, Step, ev, rule
from medtrio.reasoning.record import CaseRecord, Reading, load_record
from medtrio.reasoning.trajectory_step import trajectory_step
from medtrio.store.audit import Actor, record

if TYPE_CHECKING:
    from medtrio.trajectory.scoring import LoadedModel

# scores tried on every record; the ones whose inputs are all present are shown
AUTO_SCORES = (
    "ckd_epi_2021",
    "cockcroft_gault",
    "bmi",
    "map",
    "news2",
    "qsofa",
    "sirs",
    "cha2ds2_vasc",
    "has_bled",
    "ascvd_pce",
    "prevent_cvd",
    "charlson",
    "anion_gap",
    "fib4",
    "meld_na",
    "child_pugh",
)
AF_CODES = ["DIAGNOSIS//ICD//10//I48", "DIAGNOSIS//ICD//9//42731"]
TREND_MIN_READINGS = 3


def analyse(
    session: Session,
    patient_id: int,
    complaint: str | None = None,
    *,
    as_of: dt.datetime | None = None,
    actor: Actor | None = None,
    trajectory: LoadedModel | None = None,
) -> CaseReport:
    """Run the eight steps for one patient; the read is audited when an actor is given. Step 6 forecasts
    with `trajectory` (the active model, `medtrio.trajectory.registry.active_model`) when given."""
    started = time.perf_counter()
    rec = load_record(session, patient_id, as_of)
    if actor is not None:
        record(session, actor, "read", "case_analysis", patient_id=patient_id, route="reasoning.analyse")
    ctx: dict[str, Any] = {"next": [], "abnormal": {}}
    steps = [
        _summary(rec),
        _abnormal(rec, ctx),
        _problems(rec),
        _differential(rec, complaint, ctx),
        _scores(rec, ctx),
        trajectory_step(session, rec, trajectory),
        _warnings(rec, ctx),
        _next_steps(ctx),
    ]
    return CaseReport(
        patient_id, rec.as_of.isoformat(), complaint, steps, round(time.perf_counter() - started, 3)
    )


def _summary(rec: CaseRecord) -> Step:
    step = Step(1, "summary", "Case summary")
    p = rec.patient
    demo = Evidence("event", f"patient:{p.id}", f"patient record {p.external_id} ({p.source})")
    step.add(
        f"{rec.sex or 'sex not recorded'}, {rec.age if rec.age is not None else 'age unknown'} years; "
        f"analysis as of {rec.as_of.date().isoformat()} (the latest record entry unless chosen)",
        demo,
    )
    visits = rec.coded("ENCOUNTER//")
    n_enc = sum(1 for e in rec.events if e.code.startswith("ENCOUNTER//"))
    if n_enc:
        last = max(
            (e for e in rec.events if e.code.startswith("ENCOUNTER//") and e.time),
            key=lambda e: e.time,
            default=None,
        )
        step.add(
            f"{n_enc} encounter{'s' if n_enc != 1 else ''} recorded; the latest on "
            f"{last.time.date().isoformat() if last else 'unknown'}",
            *(ev(e) for e in ([last] if last else list(visits.values())[:1])),
        )
    dx, meds = rec.coded("DIAGNOSIS//"), _current_meds(rec)
    step.add(
        f"{len(dx)} recorded diagnoses, {len(meds)} current medicines (prescribed within the last year)",
        *(ev(e) for e in list(dx.values())[:5]),
        demo,
    )
    return step


def _current_meds(rec: CaseRecord) -> dict[str, Any]:
    return {
        c: e
        for c, e in rec.coded("MEDICATION//").items()
        if e.time is not None and rec.as_of - e.time <= dt.timedelta(days=365)
    }


def _abnormal(rec: CaseRecord, ctx: dict[str, Any]) -> Step:
    step = Step(2, "abnormal", "Abnormal findings (latest values, trends)")
    limits = critical_values()
    src = limits["source"]
    for analyte, lim in limits["analytes"].items():
        readings = rec.readings(analyte)
        if not readings:
            continue
        last = readings[-1]
        flag, severity = _flag(last.value, lim)
        trend = _trend(readings, lim)
        if flag is None and trend is None:
            continue
        ctx["abnormal"][analyte] = (last, flag)
        unit = lim["unit"]
        text = f"{lim['label']} {last.value:.4g} {unit}".strip()
        if flag:
            text += f": {flag}"
        if trend:
            text += f"; {trend}"
            severity = "warning" if severity == "info" else severity
        step.add(
            text,
            ev(last),
            *(ev(r) for r in readings[-3:-1]),
            rule(f"limits for {lim['label']}", src),
            severity=severity,
        )
    if not step.statements:
        step.add(
            "no value outside its reference range among the latest results",
            rule("reference and critical limits", src),
        )
    return step


def _flag(value: float, lim: dict[str, Any]) -> tuple[str | None, str]:
    if "critical_low" in lim and value < lim["critical_low"]:
        return f"critically low (< {lim['critical_low']})", "critical"
    if "critical_high" in lim and value > lim["critical_high"]:
        return f"critically high (> {lim['critical_high']})", "critical"
    if "low" in lim and value < lim["low"]:
        return f"low (< {lim['low']})", "info"
    if "high" in lim and value > lim["high"]:
        return f"high (> {lim['high']})", "info"
    return None, "info"


def _trend(readings: list[Reading], lim: dict[str, Any]) -> str | None:
    """A deteriorating trend: the last three values move steadily away from the normal range."""
    if len(readings) < TREND_MIN_READINGS:
        return None
    a, b, c = (r.value for r in readings[-3:])
    if "high" in lim and c > lim["high"] and a < b < c and (c - a) > 0.1 * abs(a or 1):
        return f"rising over the last 3 results ({a:.3g} → {b:.3g} → {c:.3g})"
    if "low" in lim and c < lim["low"] and a > b > c and (a - c) > 0.1 * abs(a or 1):
        return f"falling over the last 3 results ({a:.3g} → {b:.3g} → {c:.3g})"
    return None


def _problems(rec: CaseRecord) -> Step:
    step = Step(3, "problems", "Active problems")
    dx = rec.coded("DIAGNOSIS//")
    for code, event in sorted(dx.items(), key=lambda kv: kv[1].time or dt.datetime.min, reverse=True)[:15]:
        step.add(f"{event.label} ({code.split('//')[-1]})", ev(event))
    if not dx:
        step.add("no diagnosis recorded", Evidence("rule", "record", "no DIAGNOSIS entries in the record"))
    meds = _current_meds(rec)
    if meds:
        step.add(
            "current medicines: " + ", ".join(sorted({e.label for e in meds.values()})),
            *(ev(e) for e in meds.values()),
        )
    return step


def _differential(rec: CaseRecord, complaint: str | None, ctx: dict[str, Any]) -> Step:
    step = Step(4, "differential", "Differential for the current presentation")
    data = presentations()
    src = Evidence("source", "presentations.yaml", "differential knowledge file", data["source"])
    key = _complaint_key(complaint, data["complaints"])
    if key is None:
        step.add(
            (
                "no presenting complaint entered"
                if not complaint
                else f"no differential table for '{complaint}'"
            )
            + f"; tables exist for: {', '.join(data['complaints'])}",
            src,
        )
        return step
    ranked = []
    for cand in data["complaints"][key]["candidates"]:
        support = [e for f in cand["findings"] if (e := _finding(rec, f)) is not None]
        ranked.append((len(support), cand, support))
    ranked.sort(key=lambda t: -t[0])
    for n, cand, support in ranked:
        text = f"consider {cand['name']}: {n} supporting record finding{'s' if n != 1 else ''}"
        severity = "critical" if cand.get("red_flag") and n else "warning" if cand.get("red_flag") else "info"
        if cand.get("red_flag"):
            text += " (dangerous cause: exclude actively)"
            ctx["next"].append((2 if n else 4, f"{cand['name']}: {cand['next']}", [*support, src]))
        step.add(text, *(support or [src]), severity=severity)
    step.add("the ranking above is a count of supporting record findings, not a probability", src)
    _triage(rec, complaint, step, ctx)
    return step


def _triage(rec: CaseRecord, complaint: str, step: Step, ctx: dict[str, Any]) -> None:
    """Add the symptom-based triage engine's view of the complaint text (issue 5), when it is installed.

    The triage engine reads the complaint text only (not the record), so it may only raise concern: its red
    flags and emergency/urgent verdicts are shown as critical, a 'routine' verdict is not shown at all."""
    try:
        from medtrio.triage.assess import assess_text
    except ImportError:
        return
    try:
        sex = {"male": "M", "female": "F"}.get(rec.sex or "")
        result = assess_text(complaint, age=rec.age, sex=sex, lang="en")
    except MedtrioError as exc:
        step.add(
            f"triage engine could not read the complaint: {exc.message}",
            rule("triage engine", "medtrio.triage"),
        )
        return
    for flag in result.red_flags:
        ev_flag = Evidence("rule", f"triage:{flag['id']}", flag["name"], "; ".join(flag["sources"]))
        step.add(f"triage red flag: {flag['name']} — {flag['advice']}", ev_flag, severity="critical")
        ctx["next"].append((0, f"urgent: {flag['advice']}", [ev_flag]))
    if result.urgency in ("emergency", "urgent"):
        step.add(
            f"triage engine urgency from the complaint text: {result.urgency} ({result.urgency_reason})",
            rule("triage urgency", "medtrio.triage decide_urgency"),
            severity="critical",
        )
    for cand in result.differential[:5]:
        found = [f["name"] for f in cand["for"] if f["present"]]
        evidence = [
            Evidence(
                "source",
                f"triage:{cand['id']}",
                f"triage knowledge base: {cand['name']}",
                "; ".join(cand["sources"]),
            )
        ]
        code = (cand.get("icd10") or "").split(".")[0]
        recorded = rec.find([f"DIAGNOSIS//ICD//10//{code}"]) if code else None
        if recorded is not None:
            evidence.append(ev(recorded))
        step.add(
            f"triage engine (complaint text only): {cand['name']} ({cand.get('icd10') or 'no code'}), "
            f"{cand['probability']:.0%} given {', '.join(found) or 'the text'}"
            + ("; already in the record" if recorded is not None else ""),
            *evidence,
        )


def _complaint_key(complaint: str | None, table: dict[str, Any]) -> str | None:
    if not complaint:
        return None
    text = complaint.lower()
    for key, entry in table.items():
        if key in text or any(k in text for k in entry["keywords"]):
            return key
    return None


def _finding(rec: CaseRecord, finding: dict[str, Any]) -> Evidence | None:
    if "lab" in finding:
        last = rec.latest(finding["lab"], days=30)
        if last is not None and OPS[finding["op"]](last.value, finding["value"]):
            return ev(last)
        return None
    prefixes = finding.get("dx") or finding.get("med")
    event = rec.find(prefixes, current="med" in finding)
    return ev(event) if event is not None else None


def _scores(rec: CaseRecord, ctx: dict[str, Any]) -> Step:
    step = Step(5, "scores", "Risk scores computed from the record")
    has_af = rec.find(AF_CODES) is not None
    for name in AUTO_SCORES:
        if name in ("cha2ds2_vasc", "has_bled") and not has_af:
            continue
        result, fill, why = compute_from_record(
            name, rec.events, sex=rec.sex, age_years=rec.age, as_of=rec.as_of
        )
        meta = metadata(name)
        source = Evidence("calculator", name, f"{name} — {meta['source']} ({meta['year']})")
        used = [
            Evidence("event", str(u.event_id), f"{u.label} ({u.time[:10] if u.time else 'undated'})")
            for u in fill.used
        ]
        if result is not None:
            step.add(f"{name.replace('_', ' ')} = {result.value} {result.unit}", source, *used)
        elif fill.missing and len(fill.missing) <= 2 and fill.used:
            step.add(
                f"{name.replace('_', ' ')}: not computed, {why}"
                + (f"; too old: {', '.join(fill.stale)}" if fill.stale else ""),
                source,
                *used,
            )
            ctx["next"].append(
                (5, f"record {', '.join(fill.missing)} to compute {name.replace('_', ' ')}", [source])
            )
    if not step.statements:
        step.add(
            "no score has all its inputs in the record", rule("auto-fill", "calculators/data/record_map.yaml")
        )
    return step


def _warnings(rec: CaseRecord, ctx: dict[str, Any]) -> Step:
    step = Step(7, "warnings", "Potential risks and warnings")
    for analyte, (reading, flag) in ctx["abnormal"].items():
        if flag and flag.startswith("critically"):
            label = critical_values()["analytes"][analyte]["label"]
            step.add(
                f"critical value: {label} {reading.value:.4g} ({flag}) — escalate now",
                ev(reading),
                rule("critical limits", critical_values()["source"]),
                severity="critical",
            )
            ctx["next"].append((0, f"urgent review of {label}", [ev(reading)]))
    data = cautions()
    fired: set[tuple[str, str]] = set()
    for c in data["drug_lab"]:  # the stricter rule of a drug-lab pair comes first and silences the milder one
        drug = rec.find(c["drug"], current=True)
        lab = rec.latest(c["lab"], days=90)
        if drug is None or lab is None or (c["name"], c["lab"]) in fired:
            continue
        if OPS[c["op"]](lab.value, c["value"]):
            fired.add((c["name"], c["lab"]))
            step.add(c["text"], ev(drug), ev(lab), rule(c["name"], c["source"]), severity=c["severity"])
            ctx["next"].append((1, c["next"], [ev(drug), ev(lab), rule(c["name"], c["source"])]))
    for c in data["drug_condition"]:
        drug, cond = rec.find(c["drug"], current=True), rec.find(c["condition"])
        if drug is not None and cond is not None:
            step.add(c["text"], ev(drug), ev(cond), rule(c["name"], c["source"]), severity=c["severity"])
            ctx["next"].append((1, c["next"], [ev(drug), ev(cond), rule(c["name"], c["source"])]))
    for m in data["monitoring"]:
        trigger = rec.find(m["when"], current=True)
        if trigger is None:
            continue
        done = rec.find(m["lab_codes"]) if m.get("lab_codes") else None
        if m.get("lab_codes") is None:
            reading = rec.latest(m["lab"])
            done = reading.event if reading is not None else None
        if done is None or done.time is None or rec.as_of - done.time > dt.timedelta(days=m["days"]):
            step.add(
                f"missing monitoring: {m['text']}",
                ev(trigger),
                *([ev(done)] if done else []),
                rule(f"monitoring for {m['name']}", m["source"]),
                severity="warning",
            )
            ctx["next"].append(
                (3, m["next"], [ev(trigger), rule(f"monitoring for {m['name']}", m["source"])])
            )
    if not step.statements:
        step.add(
            "no critical value, drug caution or monitoring gap found by the rules",
            rule("cautions.yaml and critical limits", "drug–lab, drug–condition and monitoring rules"),
        )
    return step


def _next_steps(ctx: dict[str, Any]) -> Step:
    step = Step(8, "next", "Suggested next steps")
    seen = set()
    for priority, text, evidence in sorted(ctx["next"], key=lambda item: item[0]):
        if text in seen:
            continue
        seen.add(text)
        step.add(
            text, *evidence, severity="critical" if priority == 0 else "warning" if priority <= 2 else "info"
        )
    if not step.statements:
        step.add(
            "no action suggested by the rules; continue routine care and review the findings above",
            rule("next-step rules", "derived from steps 4, 5 and 7"),
        )
    return step
