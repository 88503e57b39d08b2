"""Chat pages of the patient (`/me/chat`) and clinician (`/clinic/patients/{id}/chat`) terminals: guided
actions without an LLM, answers citing only the patient's own record entries with the local
OpenAI-compatible test server of tests/llm, access refusals audited, CSRF required."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from medtrio.api.app import create_app
from medtrio.store.schema import AuditLog, Event

# the real OpenAI-compatible server the LLM tests start (tests/llm/conftest.py), reused as is
_spec = importlib.util.spec_from_file_location(
    "llm_test_server", Path(__file__).parents[1] / "llm" / "conftest.py"
)
assert _spec and _spec.loader
_llm = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(_llm)
llm_server = _llm.llm_server

_HISTORY = re.compile(r'name="history" value="([^"]*)"')


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _event_ids(db, patient_id: int) -> set[int]:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return set(s.scalars(select(Event.id).where(Event.patient_id == patient_id)))


def test_patient_chat_without_llm_offers_guided_actions(client: TestClient, seeded, sign_in, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice")
    page = client.get("/me/chat")
    assert page.status_code == 200
    assert 'id="no-llm"' in page.text and 'href="/me/chat"' in page.text  # note, and in the menu
    r = client.post(
        "/me/chat", data={"message": "What do my lab results mean?", "csrf_token": _csrf(page.text)}
    )
    assert r.status_code == 200
    assert "What do my lab results mean?" in r.text
    assert "No language model is configured here. These pages answer your question:" in r.text
    assert 'href="/me/labs"' in r.text and 'href="/me"' in r.text  # lab interpretation, timeline
    # a second question keeps the first in the conversation
    r2 = client.post(
        "/me/chat",
        data={
            "message": "When is my next visit?",
            "csrf_token": _csrf(r.text),
            "history": _HISTORY.search(r.text).group(1),
        },  # type: ignore[union-attr]
    )
    assert "What do my lab results mean?" in r2.text and "When is my next visit?" in r2.text
    assert 'href="/me/triage/appointments"' in r2.text
    # a tampered conversation is dropped, not shown
    r3 = client.post(
        "/me/chat", data={"message": "Hello", "csrf_token": _csrf(r.text), "history": "forged.blob"}
    )
    assert r3.status_code == 200 and "What do my lab results mean?" not in r3.text
    # without the CSRF token the POST is refused
    assert client.post("/me/chat", data={"message": "hi"}).status_code == 403
    with db.session() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.patient_id == seeded.patient_a)).all()
    assert {"chat_me", "chat_record_facts"} <= {r.resource for r in rows}


def test_llm_answer_cites_only_this_patients_entries(db, seeded, app_settings, llm_server, sign_in) -> None:  # type: ignore[no-untyped-def]
    settings = app_settings.model_copy(update={"llm_base_url": llm_server.url, "llm_model": "grounded"})
    client = TestClient(create_app(settings, db))
    own, other = (
        _event_ids(db, seeded.patient_a),
        _event_ids(db, seeded.patient_b) | _event_ids(db, seeded.patient_c),
    )
    sign_in(client, "alice")
    page = client.get("/me/chat")
    assert 'id="no-llm"' not in page.text
    r = client.post("/me/chat", data={"message": "How is my HbA1c?", "csrf_token": _csrf(page.text)})
    assert r.status_code == 200
    cited = [int(x) for x in re.findall(r'class="cite" href="/me\?event=(\d+)#event-\1"', r.text)]
    assert cited and set(cited) <= own and not set(cited) & other
    assert "Alice Test" not in str(llm_server.requests[-1])  # the name is masked before it leaves
    sign_in(client, "doc")
    page = client.get(f"/clinic/patients/{seeded.patient_a}/chat")
    assert page.status_code == 200 and 'class="tabs"' in page.text
    r = client.post(
        f"/clinic/patients/{seeded.patient_a}/chat",
        data={"message": "Summarise the labs", "csrf_token": _csrf(page.text)},
    )
    pid = seeded.patient_a
    cited = [
        int(x)
        for x in re.findall(rf'class="cite" href="/clinic/patients/{pid}\?event=(\d+)#event-\1"', r.text)
    ]
    assert cited and set(cited) <= own


def test_another_patients_chat_is_refused_and_audited(client: TestClient, seeded, sign_in, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice")
    assert client.get(f"/clinic/patients/{seeded.patient_b}/chat").status_code == 404
    sign_in(client, "doc")
    assert client.get(f"/clinic/patients/{seeded.patient_b}/chat").status_code == 403
    with db.session() as s:
        denied = s.scalars(
            select(AuditLog).where(AuditLog.patient_id == seeded.patient_b, AuditLog.action == "denied")
        ).all()
    assert len(denied) >= 2
