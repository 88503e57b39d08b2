"""Symptom check over HTTP: the JSON API, the patient's interview -> result -> doctor -> appointment
request flow (`/me/triage`), and the clinician's incoming pre-visit summaries (`/clinic/triage`).

The interview is stateless on the server: the page carries the answers so far in a hidden field and
every step recomputes the posterior (fast: < 50 ms a step). The engine lives in `medtrio.triage`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse

from medtrio.api.deps import Clinician, CurrentAccount, DbSession, OwnRecord, audit
from medtrio.api.render import render
from medtrio.errors import Forbidden, InvalidInput
from medtrio.triage.assess import assess_text, assessment_from, check_inputs
from medtrio.triage.interview import Interview
from medtrio.triage.knowledge import load_knowledge
from medtrio.triage.navigation import (
    doctor_appointment,
    due_reminders,
    incoming,
    previsit_summary,
    recommend_doctors,
    request_appointment,
    visit_plan,
)
from medtrio.triage.textparse import parse_text

router = APIRouter(tags=["triage"])
MAX_QUESTIONS = 12

LABELS = {
    "en": {
        "title": "Symptom check",
        "describe": "Describe what is wrong, in your own words",
        "start": "Start",
        "yes": "Yes",
        "no": "No",
        "unknown": "Don't know",
        "back": "Back",
        "question": "Question",
        "of": "of",
        "result": "Your result",
        "department": "Recommended department",
        "causes": "Possible causes (not a diagnosis)",
        "because": "because",
        "against": "against",
        "seek": "When to seek help immediately",
        "doctors": "Doctors with free appointments",
        "request": "Request appointment",
        "questions": "Your questions for the doctor (one per line)",
        "booked": "Appointment requested",
        "booked_text": "Your request and a summary were sent to",
        "incoming": "Incoming pre-visit summaries",
        "complaint": "Complaint",
        "answers": "Answers",
        "meds": "Current medications",
        "labs": "Recent labs",
        "patient_q": "Patient's questions",
        "plan": "Post-visit plan",
        "save": "Save plan",
        "no_doctors": "No free appointments found.",
        "understood": "What we understood",
        "urgency": {
            "emergency": "Emergency",
            "urgent": "See a doctor today",
            "routine": "See a doctor soon",
            "self_care": "Self-care",
        },
    },
    "zh": {
        "title": "症状自查",
        "describe": "请用自己的话描述哪里不舒服",
        "start": "开始",
        "yes": "是",
        "no": "否",
        "unknown": "不知道",
        "back": "上一步",
        "question": "问题",
        "of": "/",
        "result": "您的结果",
        "department": "建议科室",
        "causes": "可能的原因（不是诊断）",
        "because": "支持",
        "against": "不支持",
        "seek": "何时需要立即就医",
        "doctors": "可预约的医生",
        "request": "申请预约",
        "questions": "您想问医生的问题（每行一个）",
        "booked": "已提交预约申请",
        "booked_text": "预约申请和病情摘要已发送给",
        "incoming": "待诊病情摘要",
        "complaint": "主诉",
        "answers": "问答",
        "meds": "当前用药",
        "labs": "近期化验",
        "patient_q": "患者的问题",
        "plan": "诊后计划",
        "save": "保存计划",
        "no_doctors": "暂无可预约时段。",
        "understood": "我们理解到的",
        "urgency": {
            "emergency": "急诊",
            "urgent": "今天就医",
            "routine": "近期就医",
            "self_care": "自我护理",
        },
    },
}


def _lang(request: Request) -> str:
    from medtrio.web import i18n

    return "zh" if i18n.current_language.get() == "zh" else "en"


def _state(raw: str) -> dict[str, Any]:
    try:
        state = json.loads(raw or "{}")
        answers = [(str(f), v if v in (True, False) else None) for f, v in state.get("answers", [])]
        return {"text": str(state.get("text", "")), "answers": answers}
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput("The interview state is damaged; please start again.") from exc


def _interview(
    text: str, answers: list[tuple[str, bool | None]], age: float | None, sex: str | None, lang: str
) -> tuple[Interview, Any]:
    kb = load_knowledge()
    parsed = parse_text(kb, text, lang)
    iv = Interview(
        kb,
        age=age if age is not None else parsed.age,
        sex=sex or parsed.sex,
        lang=lang,
        max_questions=MAX_QUESTIONS,
    )
    iv.add_given(parsed.findings)
    for fid, value in answers:
        if fid in kb.findings:
            iv.answer(fid, value)
    return iv, parsed


# ---- JSON API --------------------------------------------------------------------------------------
@router.post("/api/triage/assess", name="triage_assess")
def api_assess(account: CurrentAccount, body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Free-text assessment: `{"text", "age"?, "sex"?, "lang"?}` -> urgency, differential, department."""
    return assess_text(
        str(body.get("text", "")), body.get("age"), body.get("sex"), body.get("lang")
    ).to_dict()


@router.post("/api/triage/interview", name="triage_interview_step")
def api_interview(account: CurrentAccount, body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """One interview step: `{"text", "answers": [[finding, true|false|null], ...], "age", "sex", "lang"}` ->
    the next question, or the result when the interview is over."""
    text, lang = str(body.get("text", "")), body.get("lang") or "en"
    check_inputs(text, body.get("age"), body.get("sex"), lang)
    iv, parsed = _interview(text, _state(json.dumps(body))["answers"], body.get("age"), body.get("sex"), lang)
    q = iv.next_question()
    if q is not None:
        return {
            "question": {"id": q.id, "text": q.question(lang)},
            "asked": iv.questions_asked,
            "max_questions": iv.max_questions,
            "result": None,
        }
    result = assessment_from(iv.kb, {**iv.given, **iv.answers}, iv.age, iv.sex, lang, parsed)
    return {
        "question": None,
        "asked": iv.questions_asked,
        "max_questions": iv.max_questions,
        "result": result.to_dict(),
    }


# ---- patient pages ---------------------------------------------------------------------------------
def _patient_age_sex(ctx: OwnRecord) -> tuple[float | None, str | None]:
    return ctx.patient.age(), ctx.patient.sex if ctx.patient.sex in ("F", "M") else None


@router.get("/me/triage", name="triage_start", include_in_schema=False)
def triage_start(request: Request, ctx: OwnRecord) -> HTMLResponse:
    lang = _lang(request)
    return render(request, "triage/start.html", {"terminal": "me", "L": LABELS[lang]})


@router.post("/me/triage", name="triage_step", include_in_schema=False)
async def triage_step(request: Request, ctx: OwnRecord, s: DbSession) -> HTMLResponse:
    lang = _lang(request)
    form = await request.form()
    state = _state(str(form.get("state", "")))
    if form.get("text"):
        state = {"text": str(form["text"]), "answers": []}
    age, sex = _patient_age_sex(ctx)
    check_inputs(state["text"], age, sex, lang)
    action, qid = str(form.get("answer", "")), str(form.get("question", ""))
    if action == "back" and state["answers"]:
        state["answers"].pop()
    elif action in ("yes", "no", "unknown") and qid:
        state["answers"].append((qid, {"yes": True, "no": False}.get(action)))
    iv, parsed = _interview(state["text"], state["answers"], age, sex, lang)
    q = iv.next_question()
    ctx_out: dict[str, Any] = {
        "terminal": "me",
        "L": LABELS[lang],
        "state": json.dumps(state, ensure_ascii=False),
    }
    if q is not None:
        names = {True: LABELS[lang]["yes"], False: LABELS[lang]["no"], None: LABELS[lang]["unknown"]}
        history = [
            (iv.kb.findings[f].question(lang), names[v]) for f, v in state["answers"] if f in iv.kb.findings
        ]
        return render(
            request,
            "triage/question.html",
            {
                **ctx_out,
                "question": q,
                "question_text": q.question(lang),
                "asked": iv.questions_asked,
                "max_questions": iv.max_questions,
                "progress": int(100 * iv.questions_asked / iv.max_questions),
                "history": history,
                "complaint": state["text"],
            },
        )
    result = assessment_from(iv.kb, {**iv.given, **iv.answers}, iv.age, iv.sex, lang, parsed).to_dict()
    doctors = [] if result["urgency"] == "emergency" else recommend_doctors(s, result["department"], lang)
    return render(request, "triage/result.html", {**ctx_out, "result": result, "doctors": doctors})


@router.post("/me/triage/appointments", name="triage_request", include_in_schema=False)
async def triage_request(request: Request, ctx: OwnRecord, s: DbSession) -> HTMLResponse:
    lang = _lang(request)
    form = await request.form()
    state = _state(str(form.get("state", "")))
    age, sex = _patient_age_sex(ctx)
    check_inputs(state["text"], age, sex, lang)
    try:
        doctor_id = int(str(form.get("doctor_id", "")))
        start = dt.datetime.fromisoformat(str(form.get("start", "")))
    except ValueError as exc:
        raise InvalidInput("Please choose a doctor and a time.") from exc
    iv, parsed = _interview(state["text"], state["answers"], age, sex, lang)
    result = assessment_from(iv.kb, {**iv.given, **iv.answers}, iv.age, iv.sex, lang, parsed).to_dict()
    answers = [
        {"finding": f, "question": iv.kb.findings[f].question(lang), "answer": v}
        for f, v in state["answers"]
        if f in iv.kb.findings
    ]
    summary = previsit_summary(
        s, ctx.patient.id, state["text"], result, answers, str(form.get("questions", ""))
    )
    appt = request_appointment(s, ctx.patient.id, doctor_id, start, state["text"][:200], summary)
    from medtrio.store.schema import Doctor

    doctor = s.get(Doctor, doctor_id)
    return render(
        request,
        "triage/booked.html",
        {"terminal": "me", "L": LABELS[lang], "appointment": appt, "doctor": doctor},
    )


@router.get("/me/triage/appointments", name="triage_my_appointments", include_in_schema=False)
def triage_my_appointments(request: Request, ctx: OwnRecord, s: DbSession) -> HTMLResponse:
    """The patient's appointment requests and, after the visit, the plan with today's reminders."""
    from sqlalchemy import select

    from medtrio.store.schema import Appointment, Doctor

    rows = s.execute(
        select(Appointment, Doctor.name)
        .join(Doctor, Doctor.id == Appointment.doctor_id)
        .where(Appointment.patient_id == ctx.patient.id)
        .order_by(Appointment.start.desc())
    ).all()
    today = dt.date.today()
    items = [
        {"appointment": a, "doctor": name, "today": due_reminders(a.plan, today) if a.plan else []}
        for a, name in rows
    ]
    return render(
        request, "triage/mine.html", {"terminal": "me", "L": LABELS[_lang(request)], "items": items}
    )


# ---- clinician pages -------------------------------------------------------------------------------
def _doctor_id(account: Clinician) -> int:
    if account.doctor_id is None:
        raise Forbidden("This clinician account is not linked to a doctor.")
    return account.doctor_id


@router.get("/clinic/triage", name="triage_incoming", include_in_schema=False)
def triage_incoming(request: Request, account: Clinician, s: DbSession) -> HTMLResponse:
    from medtrio.store.schema import Patient

    appts = incoming(s, _doctor_id(account))
    names = {
        p.id: p.name for p in s.query(Patient).filter(Patient.id.in_([a.patient_id for a in appts])).all()
    }
    for a in appts:
        audit(request, s, account, "read", "triage_incoming", patient_id=a.patient_id)
    return render(
        request,
        "triage/incoming.html",
        {"terminal": "clinic", "L": LABELS[_lang(request)], "appointments": appts, "names": names},
    )


@router.get("/clinic/triage/{appointment_id}", name="triage_summary", include_in_schema=False)
def triage_summary(request: Request, appointment_id: int, account: Clinician, s: DbSession) -> HTMLResponse:
    appt = doctor_appointment(s, _doctor_id(account), appointment_id)
    audit(request, s, account, "read", "triage_summary", patient_id=appt.patient_id)
    return render(
        request,
        "triage/summary.html",
        {
            "terminal": "clinic",
            "L": LABELS[_lang(request)],
            "appointment": appt,
            "summary": appt.summary or {},
        },
    )


@router.post("/clinic/triage/{appointment_id}/plan", name="triage_plan", include_in_schema=False)
async def triage_plan(
    request: Request, appointment_id: int, account: Clinician, s: DbSession
) -> HTMLResponse:
    appt = doctor_appointment(s, _doctor_id(account), appointment_id)
    form = await request.form()
    meds, tests = [], []
    try:
        for line in str(form.get("medications", "")).splitlines():
            parts = [p.strip() for p in line.split("|")]
            if parts[0]:
                times = [t.strip() for t in (parts[1] if len(parts) > 1 else "").split(",") if t.strip()]
                meds.append(
                    {"name": parts[0], "times": times, "days": int(parts[2]) if len(parts) > 2 else 0}
                )
        for line in str(form.get("tests", "")).splitlines():
            parts = [p.strip() for p in line.split("|")]
            if parts[0]:
                tests.append({"name": parts[0], "in_days": int(parts[1]) if len(parts) > 1 else 7})
        recheck = int(str(form.get("recheck_in_days") or 0)) or None
        appt.plan = visit_plan(appt.start.date(), meds, tests, recheck, str(form.get("notes", "")))
    except ValueError as exc:
        raise InvalidInput(
            f"Plan not saved: {exc}. Use 'name | 08:00,20:00 | days' and 'test | in days'."
        ) from exc
    appt.status = "done"
    audit(request, s, account, "write", "triage_plan", patient_id=appt.patient_id)
    return render(
        request,
        "triage/summary.html",
        {
            "terminal": "clinic",
            "L": LABELS[_lang(request)],
            "appointment": appt,
            "summary": appt.summary or {},
        },
    )
