"""Chat pages: `/me/chat` (a patient asks about their own record) and `/clinic/patients/{id}/chat` (a
clinician asks about one case).

Server-rendered: a form POST appends the answer to the conversation shown. Answers come from
`medtrio.llm.chat.chat`, grounded in the record facts of `medtrio.llm.facts.record_facts`; every kept
sentence cites [R#] labels, shown as links to the timeline entry they rest on. With no LLM configured
(the default) the page offers the engine's guided actions, pointed at this terminal's real pages.
The earlier turns travel in a hidden field signed with the installation's secret and bound to the
account and patient, so a tampered or moved conversation is dropped rather than shown.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from medtrio.api.deps import AppSettings, DbSession, OwnRecord, PatientAccess, PatientContext, audit
from medtrio.api.nav import N_
from medtrio.api.render import render
from medtrio.settings import Settings

router = APIRouter(tags=["chat"], include_in_schema=False)
MAX_TURNS = 8
MAX_MESSAGE = 2000

# clinician guided actions about one patient (prompts/guided_actions.yaml) -> that patient's chart tab
_CLINIC_PAGES = {
    "/clinic/labs": "/clinic/patients/{pid}/labs",
    "/clinic/case": "/clinic/patients/{pid}/analysis",
    "/clinic/literature": "/clinic/literature",
}


def _serializer(settings: Settings, ctx: PatientContext) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=f"medtrio-chat:{ctx.account.id}:{ctx.patient_id}")


def _history(settings: Settings, ctx: PatientContext, blob: str) -> list[dict[str, Any]]:
    if not blob:
        return []
    try:
        turns = _serializer(settings, ctx).loads(blob)
    except BadSignature:
        return []
    return turns if isinstance(turns, list) else []


def _client(settings: Settings):  # type: ignore[no-untyped-def]
    if not settings.llm_base_url or not settings.llm_model:
        return None
    from medtrio.llm.client import LLMClient, LLMConfig

    return LLMClient(
        LLMConfig(base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key)
    )


def _entry_href(terminal: str, patient_id: int, source: str) -> str | None:
    if not source.startswith("event:"):
        return None
    eid = source.split(":", 1)[1]
    base = "/me" if terminal == "me" else f"/clinic/patients/{patient_id}"
    return f"{base}?event={eid}#event-{eid}"


def _action_href(terminal: str, patient_id: int, href: str) -> str:
    if terminal == "me":
        return href
    return _CLINIC_PAGES.get(href, href).format(pid=patient_id)


def _turn(
    terminal: str, ctx: PatientContext, s: Session, settings: Settings, question: str
) -> dict[str, Any]:
    from medtrio.llm.chat import chat
    from medtrio.llm.facts import record_facts

    facts = record_facts(s, ctx.patient_id)
    by_label = {f.label: f for f in facts}
    client = _client(settings)
    identifiers = tuple(x for x in (ctx.patient.name, ctx.patient.external_id) if x)
    reply = chat(
        "patient" if terminal == "me" else "clinician",
        question,
        facts,
        client=client,
        identifiers=identifiers,
        allow_identifiers=settings.llm_allow_identifiers,
        use_llm=client is not None,
    )
    sentences = []
    for sent in reply.sentences:
        cites = []
        for label in sent["citations"]:
            fact = by_label.get(label)
            href = _entry_href(terminal, ctx.patient_id, fact.source) if fact else None
            if fact and href:
                cites.append({"label": label, "href": href, "text": fact.text})
        sentences.append({"text": sent["text"], "cites": cites})
    actions = [
        {"label": a.label, "href": _action_href(terminal, ctx.patient_id, a.href)} for a in reply.actions
    ]
    timeline = "/me" if terminal == "me" else f"/clinic/patients/{ctx.patient_id}"
    if all(a["href"] != timeline for a in actions):
        actions.append({"label": N_("Open the timeline of the record"), "href": timeline})
    return {
        "q": question,
        "mode": reply.mode,
        "no_llm": client is None,
        "text": reply.text,
        "sentences": sentences,
        "actions": actions,
        "red_flags": list(reply.red_flags),
    }


def _page(
    request: Request, terminal: str, ctx: PatientContext, settings: Settings, turns: list[dict[str, Any]]
) -> HTMLResponse:
    action = "/me/chat" if terminal == "me" else f"/clinic/patients/{ctx.patient_id}/chat"
    return render(
        request,
        "chat/page.html",
        {
            "terminal": terminal,
            "patient": ctx.patient,
            "turns": turns,
            "history": _serializer(settings, ctx).dumps(turns) if turns else "",
            "form_action": action,
            "llm_configured": _client(settings) is not None,
        },
    )


def _ask(
    request: Request,
    terminal: str,
    ctx: PatientContext,
    s: Session,
    settings: Settings,
    message: str,
    history: str,
) -> HTMLResponse:
    from medtrio.errors import InvalidInput

    question = message.strip()
    if not question or len(question) > MAX_MESSAGE:
        raise InvalidInput(f"write a question of 1 to {MAX_MESSAGE} characters")
    # the answer reads the record's entries: audited as a read (the access dependency logged the POST)
    audit(
        request, s, ctx.account, "read", "chat_record_facts", patient_id=ctx.patient_id, reason="chat answer"
    )
    turns = _history(settings, ctx, history)
    turns.append(_turn(terminal, ctx, s, settings, question))
    return _page(request, terminal, ctx, settings, turns[-MAX_TURNS:])


@router.get("/me/chat", name="chat_me")
def chat_me(request: Request, ctx: OwnRecord, settings: AppSettings) -> HTMLResponse:
    return _page(request, "me", ctx, settings, [])


@router.post("/me/chat", name="chat_me_ask")
def chat_me_ask(
    request: Request,
    ctx: OwnRecord,
    s: DbSession,
    settings: AppSettings,
    message: Annotated[str, Form()] = "",
    history: Annotated[str, Form()] = "",
) -> HTMLResponse:
    return _ask(request, "me", ctx, s, settings, message, history)


@router.get("/clinic/patients/{patient_id}/chat", name="chat_clinic")
def chat_clinic(request: Request, ctx: PatientAccess, settings: AppSettings) -> HTMLResponse:
    return _page(request, "clinic", ctx, settings, [])


@router.post("/clinic/patients/{patient_id}/chat", name="chat_clinic_ask")
def chat_clinic_ask(
    request: Request,
    ctx: PatientAccess,
    s: DbSession,
    settings: AppSettings,
    message: Annotated[str, Form()] = "",
    history: Annotated[str, Form()] = "",
) -> HTMLResponse:
    return _ask(request, "clinic", ctx, s, settings, message, history)
