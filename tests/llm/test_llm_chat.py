"""Terminal chat: guided actions without an LLM, grounded replies with one, identifiers out, red flags in."""

from __future__ import annotations

import pytest

from medtrio.errors import InvalidInput
from medtrio.llm.chat import Fact, chat, guided_actions
from medtrio.llm.client import LLMClient, LLMConfig
from medtrio.llm.privacy import redact

FACTS = [
    Fact(
        "R1",
        "Jane Example, MRN 12345678: potassium 6.4 mmol/L on 2024-03-02 (high)",
        "event:1",
        red_flag=True,
    ),
    Fact("R2", "HbA1c 7.1 % on 2024-03-02", "event:2"),
]


def llm(server, model: str = "grounded") -> LLMClient:
    return LLMClient(LLMConfig(base_url=server.url, model=model, max_retries=0, timeout_s=5))


class TestGuided:
    def test_no_llm_offers_matching_actions(self) -> None:
        reply = chat("patient", "What do my lab results mean?", FACTS, use_llm=False)
        assert reply.mode == "guided" and reply.actions[0].href == "/me/labs"
        assert reply.red_flags and "potassium 6.4" in reply.red_flags[0]

    def test_unmatched_question_offers_every_action(self) -> None:
        assert len(guided_actions("clinician", "hello")) >= 4

    def test_bad_input(self) -> None:
        with pytest.raises(InvalidInput):
            chat("visitor", "hi", FACTS, use_llm=False)
        with pytest.raises(InvalidInput):
            chat("patient", "  ", FACTS, use_llm=False)


class TestWithLLM:
    def test_reply_cites_given_facts_and_keeps_red_flags(self, server) -> None:
        reply = chat(
            "clinician",
            "Summarise the labs",
            FACTS,
            client=llm(server),
            identifiers=("Jane Example",),
            allow_identifiers=False,
        )
        assert reply.mode == "llm" and reply.sentences
        assert all(set(s["citations"]) <= {"R1", "R2"} for s in reply.sentences)
        assert reply.red_flags

    def test_identifiers_never_leave_unless_allowed(self, server) -> None:
        chat(
            "patient",
            "Is my potassium ok? I am Jane Example",
            FACTS,
            client=llm(server),
            identifiers=("Jane Example",),
            allow_identifiers=False,
        )
        sent = str(server.requests[-1])
        assert "Jane Example" not in sent and "12345678" not in sent and "2024-03-02" not in sent
        chat(
            "patient",
            "Is my potassium ok?",
            FACTS,
            client=llm(server),
            identifiers=("Jane Example",),
            allow_identifiers=True,
        )
        assert "Jane Example" in str(server.requests[-1])

    def test_ungrounded_reply_becomes_guided(self, server) -> None:
        reply = chat("patient", "anything", FACTS, client=llm(server, "refuse"), allow_identifiers=False)
        assert reply.mode == "guided" and reply.actions

    def test_rogue_sentences_are_dropped(self, server) -> None:
        reply = chat("clinician", "labs?", FACTS, client=llm(server, "rogue"), allow_identifiers=False)
        assert reply.mode == "llm" and len(reply.dropped) == 2 and "99999999" not in reply.text


class TestRedact:
    def test_patterns(self) -> None:
        text = redact("Call +1 (555) 123-4567 or jane@example.org; born 01/02/1960; MRN 0012345", ())
        assert "555" not in text and "jane@" not in text and "1960" not in text and "0012345" not in text


class TestRecordFacts:
    def test_chat_grounded_in_record_entries(self, db, server) -> None:
        import datetime as dt

        from medtrio.llm.facts import record_facts
        from medtrio.store.events import insert_events, with_occurrences
        from medtrio.store.patients import upsert_patient

        with db.session() as s:
            pid = upsert_patient(s, "test", "MRN-77", name="Jane Example", sex="F")
            insert_events(
                s,
                with_occurrences(
                    [
                        {
                            "patient_id": pid,
                            "time": dt.datetime(2024, 3, 2),
                            "code": "LAB//LOINC//4548-4",
                            "numeric_value": 7.1,
                            "unit": "%",
                            "ref_low": 4.0,
                            "ref_high": 5.6,
                        },
                        {
                            "patient_id": pid,
                            "time": dt.datetime(2023, 1, 5),
                            "code": "DIAGNOSIS//ICD//10//E11.9",
                        },
                    ]
                ),
            )
            facts = record_facts(s, pid)
        assert [f.label for f in facts] == ["R1", "R2"] and all(f.source.startswith("event:") for f in facts)
        reply = chat(
            "patient",
            "How is my diabetes control, Jane Example?",
            facts,
            client=llm(server),
            identifiers=("Jane Example", "MRN-77"),
            allow_identifiers=False,
        )
        assert reply.mode == "llm" and all(set(x["citations"]) <= {"R1", "R2"} for x in reply.sentences)
        assert "Jane Example" not in str(server.requests[-1])
