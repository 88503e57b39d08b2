"""LLM-assisted extraction against a real local OpenAI-compatible HTTP server whose 'model' returns a fixed
JSON answer: numbers not in the note are rejected, disagreements keep the rule-based value, LLM-only findings
are added and reported."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from medtrio.calculators.llm_extract import cross_check, llm_inputs
from medtrio.calculators.note_inputs import inputs_from_note
from medtrio.llm import LLMClient, LLMConfig

NOTE = (
    "A 70-year-old man with hypertension. Blood pressure 150/90 mmHg. He had a transient ischemic "
    "attack last year. Creatinine 1.3 mg/dL."
)
ANSWER = {
    "age": [70, "years"],
    "sex": "male",
    "hypertension": True,
    "stroke_tia_te": True,
    "diabetes": False,
    "vascular_disease": True,
    "chf": [88, "kg"],
}


@pytest.fixture(scope="module")
def llm_url(serve_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = FastAPI()
    seen: list[dict] = []

    @app.post("/v1/chat/completions")
    def complete(body: dict) -> dict:
        seen.append(body)
        return {
            "model": body["model"],
            "choices": [
                {
                    "message": {"content": "```json\\n" + json.dumps(ANSWER) + "\\n```"},
                    "finish_reason": "stop",
                }
            ],
        }

    with serve_app(app) as url:
        yield f"{url}/v1"


def test_cross_check(llm_url: str) -> None:
    client = LLMClient(LLMConfig(base_url=llm_url, model="fixed"))
    from_llm = llm_inputs("cha2ds2_vasc", NOTE, client)
    rules, _ = inputs_from_note("cha2ds2_vasc", NOTE)
    merged, report = cross_check("cha2ds2_vasc", NOTE, rules, from_llm)
    assert "chf: 88 does not appear in the note" in report.rejected
    assert "stroke_tia_te" in report.agreed and "hypertension" in report.agreed
    assert merged["vascular_disease"] is True and "vascular_disease" in report.added  # LLM-only: to confirm
    assert merged["age"] == [70.0, "years"]
