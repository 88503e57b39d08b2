"""The MCP server through the SDK's real client (in-process transport): tool list, literature, calculators,
labs, and the token-guarded, audited patient summary."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import anyio
import pytest
from mcp import Client

from medtrio.errors import Forbidden
from medtrio.literature.index import LiteratureIndex
from medtrio.literature.pubmed import parse
from medtrio.mcpserver import tools
from medtrio.mcpserver.server import build_server

FIXTURE = Path(__file__).parents[1] / "literature" / "fixtures" / "mini_medline.xml"


async def _call(name: str, args: dict) -> dict:
    async with Client(build_server()) as client:
        result = await client.call_tool(name, args)
    return result.structured_content or json.loads(result.content[0].text)


async def _names() -> set[str]:
    async with Client(build_server()) as client:
        return {t.name for t in (await client.list_tools()).tools}


class TestServer:
    def test_tools_offered(self) -> None:
        names = anyio.run(_names)
        assert {"literature_search", "literature_answer", "patient_summary"} <= names
        assert {"calculate", "lab_interpretation", "triage_assessment"} <= names

    def test_calculator_through_mcp(self) -> None:
        out = anyio.run(
            _call, "calculate", {"name": "bmi", "inputs": {"weight": [70, "kg"], "height": [175, "cm"]}}
        )
        assert out["value"] == pytest.approx(22.857, abs=0.01) and out["source"]

    def test_domain_error_is_a_readable_result(self) -> None:
        out = anyio.run(_call, "calculate", {"name": "no-such-calculator", "inputs": {}})
        assert out["status"] in (404, 422) and out["error"]

    def test_lab_interpretation(self) -> None:
        out = anyio.run(
            _call,
            "lab_interpretation",
            {"analyte": "potassium", "value": "6.9", "unit": "mmol/L", "reference_range": "3.5-5.1"},
        )
        assert out["flag"] == "H" and out["critical"] is True


class TestTriageTool:
    def test_red_flag_escalates(self) -> None:
        out = anyio.run(
            _call,
            "triage_assessment",
            {"text": "crushing chest pain spreading to the left arm, sweating", "age": 62, "sex": "M"},
        )
        assert out["urgency"] and out["red_flags"] and out["differential"]


class TestLiteratureTools:
    def test_search_and_answer(self, tmp_path: Path) -> None:
        index = LiteratureIndex(tmp_path / "lit.sqlite")
        index.add(parse(FIXTURE))
        out = tools.literature_search("metformin type 2 diabetes", index_path=tmp_path / "lit.sqlite")
        assert out["hits"][0]["pmid"] == "90000003"
        ans = tools.literature_answer(
            "Do statins reduce cardiovascular events?", index_path=tmp_path / "lit.sqlite"
        )
        assert ans["claims"] and ans["disclaimer"]


class TestPatientSummary:
    def test_needs_the_token_and_is_audited(self, db, monkeypatch: pytest.MonkeyPatch) -> None:
        from medtrio.store.audit import query
        from medtrio.store.events import insert_events, with_occurrences
        from medtrio.store.patients import upsert_patient

        with db.session() as s:
            pid = upsert_patient(s, source="test", external_id="p1", sex="F", birth_date=dt.date(1960, 5, 1))
            insert_events(
                s,
                with_occurrences(
                    [
                        {
                            "patient_id": pid,
                            "time": dt.datetime(2024, 3, 2, 8),
                            "code": "LAB//LOINC//2823-3",
                            "numeric_value": 6.4,
                            "unit": "mmol/L",
                        }
                    ]
                ),
            )
        monkeypatch.setenv("MEDTRIO_MCP_PATIENT_TOKEN", "s3cret-token")
        with pytest.raises(Forbidden):
            tools.patient_summary(pid, "wrong", database_url=db.url)
        out = tools.patient_summary(pid, "s3cret-token", database_url=db.url)
        assert (
            out["sex"] == "F"
            and out["events"][0]["value"] == 6.4
            and out["events"][0]["source"].startswith("event:")
        )
        with db.session() as s:
            actions = [r.action for r in query(s, patient_id=pid)]
        assert "denied" in actions and "read" in actions

    def test_no_token_configured_means_no_access(self, db, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("MEDTRIO_MCP_PATIENT_TOKEN", raising=False)
        with pytest.raises(Forbidden):
            tools.patient_summary(1, "", database_url=db.url)
