"""Literature pages and API: the clinician's evidence search (`/clinic/literature`), cited answers, saving a
source to a patient's case, and the terminal chat endpoint (`/api/chat`).

The pure logic lives in `medtrio.literature` and `medtrio.llm`; this module only reads the request, checks
access through the typed dependencies and renders. The index is the installation's
(`<data_dir>/literature/index.sqlite`, filled by `medtrio literature index`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup, escape
from pydantic import BaseModel, Field

from medtrio.api.deps import AppSettings, Clinician, CurrentAccount, DbSession, PatientAccess
from medtrio.api.render import render
from medtrio.errors import Forbidden, InvalidInput, NotFound
from medtrio.literature.retrieve import Filters, stopwords
from medtrio.store.events import insert_events, with_occurrences

router = APIRouter(tags=["literature"])
SAVED_CODE = "LITERATURE//PMID//"


def _index_path(settings):  # type: ignore[no-untyped-def]
    return settings.data_dir / "literature" / "index.sqlite"


def _filters(year_min: int | None, year_max: int | None, pub_type: str) -> Filters:
    return Filters(year_min=year_min, year_max=year_max, pub_types=(pub_type,) if pub_type else ())


def highlight(text: str, question: str) -> Markup:
    """The passage with the question's content words marked (<mark>), everything else escaped."""
    words = sorted(
        {w.lower() for w in re.findall(r"[A-Za-z0-9]{3,}", question)} - stopwords(), key=len, reverse=True
    )
    safe = str(escape(text))
    if words:
        pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)
        safe = pattern.sub(r"<mark>\1</mark>", safe)
    return Markup(safe)


def _search(settings, q: str, k: int, filters: Filters) -> tuple[Any, str | None]:  # type: ignore[no-untyped-def]
    from medtrio.literature.service import search

    try:
        return search(q, k=k, filters=filters, path=_index_path(settings)), None
    except NotFound as exc:
        return None, exc.message


@router.get("/api/literature/search", name="literature_search_api")
def search_api(
    settings: AppSettings,
    account: Clinician,
    q: str,
    k: int = 10,
    year_min: int | None = None,
    year_max: int | None = None,
    pub_type: str = "",
) -> dict[str, Any]:
    from medtrio.literature.service import search

    if not q.strip():
        raise InvalidInput("the question is empty")
    result = search(
        q, k=max(1, min(k, 50)), filters=_filters(year_min, year_max, pub_type), path=_index_path(settings)
    )
    return {
        "retriever": result.retriever,
        "ms": result.timing_ms,
        "hits": [
            {
                "doc_id": h.doc_id,
                "title": h.title,
                "year": h.year,
                "evidence_level": h.evidence_level,
                "pub_types": list(h.pub_types),
                "text": h.text,
            }
            for h in result.hits
        ],
    }


@router.get("/api/literature/answer", name="literature_answer_api")
def answer_api(settings: AppSettings, account: Clinician, q: str) -> dict[str, Any]:
    from medtrio.llm.grounded import answer_question

    if not q.strip():
        raise InvalidInput("the question is empty")
    return answer_question(q, path=_index_path(settings))


@router.get("/clinic/literature", name="literature_page", include_in_schema=False)
def literature_page(
    request: Request,
    settings: AppSettings,
    account: Clinician,
    q: str = "",
    year_min: int | None = None,
    year_max: int | None = None,
    pub_type: str = "",
    patient_id: int | None = None,
    answer: bool = False,
) -> HTMLResponse:
    result, error, reply = None, None, None
    if q.strip():
        result, error = _search(settings, q, 30, _filters(year_min, year_max, pub_type))
        if result is not None:  # one entry per article (its best passage), ten articles
            best = list({h.doc_id: h for h in reversed(result.hits)}.values())[::-1]
            result = replace(result, hits=tuple(sorted(best, key=lambda h: -h.score)[:10]))
        if result is not None and answer:
            from medtrio.llm.grounded import answer_question

            reply = answer_question(q, path=_index_path(settings))
    return render(
        request,
        "literature/search.html",
        {
            "terminal": "clinic",
            "q": q,
            "year_min": year_min,
            "year_max": year_max,
            "pub_type": pub_type,
            "patient_id": patient_id,
            "result": result,
            "error": error,
            "reply": reply,
            "highlight": lambda text: highlight(text, q),
            "pub_types": (
                "Practice Guideline",
                "Meta-Analysis",
                "Systematic Review",
                "Randomized Controlled Trial",
            ),
        },
    )


@router.post("/clinic/patients/{patient_id}/literature", name="literature_save", include_in_schema=False)
def save_to_case(
    request: Request,
    ctx: PatientAccess,
    s: DbSession,
    settings: AppSettings,
    doc_id: str = Form(...),
    q: str = Form(""),
) -> RedirectResponse:
    """Save a source to the patient's case: one event `LITERATURE//PMID//<id>` on the timeline."""
    from medtrio.literature.service import open_index

    if ctx.account.role != "clinician":
        raise Forbidden("only clinicians save literature to a case")
    article = open_index(_index_path(settings)).article(doc_id)
    if article is None:
        raise NotFound(f"{doc_id} is not in the literature index")
    text = f"{article['title']} ({article['journal'] or 'source'} {article['year'] or ''})".strip()
    insert_events(
        s,
        with_occurrences(
            [
                {
                    "patient_id": ctx.patient.id,
                    "time": dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
                    "code": f"{SAVED_CODE}{doc_id}",
                    "text_value": text,
                    "source": f"literature:{ctx.account.username}",
                }
            ]
        ),
    )
    return RedirectResponse(
        f"/clinic/literature?q={q}&patient_id={ctx.patient.id}&saved={doc_id}", status_code=303
    )


class ChatIn(BaseModel):
    message: str = Field(min_length=1, max_length=2000)


def _reply_json(reply) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "mode": reply.mode,
        "text": reply.text,
        "sentences": list(reply.sentences),
        "red_flags": list(reply.red_flags),
        "dropped": list(reply.dropped),
        "actions": [{"label": a.label, "href": a.href} for a in reply.actions],
    }


@router.post("/api/patients/{patient_id}/chat", name="patient_chat")
def patient_chat_api(body: ChatIn, ctx: PatientAccess, s: DbSession) -> dict[str, Any]:
    """Chat about one record (the patient's own, or a clinician's patient), grounded in its entries: each
    sentence cites [R#], and `facts` maps each label to its record entry. Audited by `PatientAccess`."""
    from medtrio.llm.chat import chat
    from medtrio.llm.facts import record_facts

    facts = record_facts(s, ctx.patient.id)
    terminal = "patient" if ctx.account.role == "patient" else "clinician"
    identifiers = tuple(x for x in (ctx.patient.name, ctx.patient.external_id) if x)
    reply = chat(terminal, body.message, facts, identifiers=identifiers)
    return {
        **_reply_json(reply),
        "facts": [{"label": f.label, "text": f.text, "source": f.source} for f in facts],
    }


@router.post("/api/chat", name="chat_api")
def chat_api(body: ChatIn, account: CurrentAccount) -> dict[str, Any]:
    """Chat from either terminal. Without an LLM it answers with guided actions; facts from the record are
    added by the pages that know the context (this endpoint sends none, so it never reads patient data)."""
    from medtrio.llm.chat import chat

    terminal = "patient" if account.role == "patient" else "clinician"
    reply = chat(terminal, body.message, [])
    return {
        "mode": reply.mode,
        "text": reply.text,
        "sentences": list(reply.sentences),
        "actions": [{"label": a.label, "href": a.href} for a in reply.actions],
    }


def _scope(s, account) -> list[int] | None:  # type: ignore[no-untyped-def]
    """The patients this account may read (None = every patient, for admins granted clinical access)."""
    from sqlalchemy import or_, select

    from medtrio.store.schema import CareAssignment, Patient

    if account.role == "admin" and account.clinical_access:
        return None
    if account.role != "clinician":
        raise Forbidden("cohorts are for clinicians and researchers with clinical access")
    assigned = select(CareAssignment.patient_id).where(CareAssignment.doctor_id == account.doctor_id)
    q = select(Patient.id).where(
        or_(Patient.department_id == account.department_id, Patient.id.in_(assigned))
    )
    return list(s.scalars(q))


def _criteria(
    include: str,
    exclude: str,
    sex: str,
    age_min: int | None,
    age_max: int | None,
    start: str,
    end: str,
    outcome: str,
):  # type: ignore[no-untyped-def]
    from medtrio.literature.cohort import CohortCriteria

    def date(text: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(text) if text else None
        except ValueError as exc:
            raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)") from exc

    split = lambda text: tuple(c.strip() for c in re.split(r"[,\s]+", text) if c.strip())  # noqa: E731
    return CohortCriteria(
        split(include),
        split(exclude),
        sex or None,
        age_min,
        age_max,
        date(start),
        date(end),
        outcome.strip() or None,
    )


@router.get("/clinic/research", name="cohort_page", include_in_schema=False)
def cohort_page(
    request: Request,
    account: CurrentAccount,
    s: DbSession,
    include: str = "",
    exclude: str = "",
    sex: str = "",
    age_min: int | None = None,
    age_max: int | None = None,
    start: str = "",
    end: str = "",
    outcome: str = "",
    export: str = "",
):  # type: ignore[no-untyped-def]
    """Cohort builder: size, new cases per year, Kaplan-Meier curve; export as CSV or MEDS parquet."""
    from fastapi.responses import Response

    from medtrio.api.deps import audit
    from medtrio.literature import cohort as c
    from medtrio.literature.plots import km_svg

    scope = _scope(s, account)
    members, incidence, curve, error = None, {}, [], None
    if include.strip():
        try:
            members = c.build_cohort(
                s, _criteria(include, exclude, sex, age_min, age_max, start, end, outcome), scope
            )
        except InvalidInput as exc:
            error = exc.message
    if members is not None:
        # a cohort reads many records: one audit row with the count, never the values
        audit(
            request, s, account, "export" if export else "read", "cohort", reason=f"{len(members)} patients"
        )
        if export == "csv":
            return Response(
                c.members_csv(members),
                media_type="text/csv",
                headers={"Content-Disposition": "attachment; filename=cohort.csv"},
            )
        if export == "meds":
            return Response(
                c.members_meds_parquet(s, members),
                media_type="application/vnd.apache.parquet",
                headers={"Content-Disposition": "attachment; filename=cohort_meds.parquet"},
            )
        incidence, curve = c.incidence_by_year(members), c.kaplan_meier(members)
    return render(
        request,
        "literature/cohort.html",
        {
            "terminal": "clinic",
            "include": include,
            "exclude": exclude,
            "sex": sex,
            "age_min": age_min,
            "age_max": age_max,
            "start": start,
            "end": end,
            "outcome": outcome,
            "members": members,
            "incidence": incidence,
            "curve": curve,
            "error": error,
            "km": Markup(km_svg(curve, max((m.followup_days for m in members or []), default=0.0)))
            if curve and outcome
            else None,
            "query": request.url.query,
        },
    )
