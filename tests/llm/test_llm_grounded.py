"""Grounded answers over a real index with the local LLM test server: only retrieved PMIDs are ever cited,
refusals and failures fall back to the offline extractive summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from medtrio.literature.index import LiteratureIndex
from medtrio.literature.pubmed import parse
from medtrio.llm.client import LLMClient, LLMConfig
from medtrio.llm.grounded import answer_question, check_grounding, citations_in
from medtrio.llm.prompts import load_prompt

FIXTURE = Path(__file__).parents[1] / "literature" / "fixtures" / "mini_medline.xml"
QUESTION = "Do statins reduce cardiovascular events?"


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    path = tmp_path / "lit.sqlite"
    index = LiteratureIndex(path)
    index.add(parse(FIXTURE))
    index.close()
    return path


def llm(server, model: str) -> LLMClient:
    return LLMClient(LLMConfig(base_url=server.url, model=model, max_retries=0, timeout_s=5))


def _assert_only_retrieved(answer: dict) -> None:
    retrieved = {r["doc_id"] for r in answer["retrieved"]}
    for sentence in answer["sentences"]:
        assert sentence["citations"] and set(sentence["citations"]) <= retrieved
        assert set(citations_in(sentence["text"])) <= retrieved


class TestCheck:
    def test_citation_forms(self) -> None:
        assert citations_in("A [1]. B [2, 3] and [4; 5].") == ["1", "2", "3", "4", "5"]

    def test_unknown_or_missing_citations_are_dropped(self) -> None:
        kept, dropped = check_grounding("Good [1]. Bad [9]. Mixed [1, 9]. None here.", {"1"})
        assert [k.text for k in kept] == ["Good [1]."]
        assert dropped == ["Bad [9].", "Mixed [1, 9].", "None here."]


class TestAnswer:
    def test_grounded_llm_answer_cites_retrieved_pmids(self, server, index_path: Path) -> None:
        answer = answer_question(QUESTION, path=index_path, client=llm(server, "grounded"))
        assert answer["mode"] == "llm" and not answer["refused"] and answer["sentences"]
        _assert_only_retrieved(answer)
        prompt = server.requests[-1]["messages"][-1]["content"]
        assert all(f"[{r['doc_id']}]" in prompt for r in answer["retrieved"])

    def test_unsupported_sentences_are_removed(self, server, index_path: Path) -> None:
        answer = answer_question(QUESTION, path=index_path, client=llm(server, "rogue"))
        assert answer["mode"] == "llm"
        _assert_only_retrieved(answer)
        assert "A large trial proved the opposite [99999999]." in answer["dropped"]
        assert "certainly" not in answer["text"]

    def test_refusal_falls_back_to_the_extractive_summary(self, server, index_path: Path) -> None:
        answer = answer_question(QUESTION, path=index_path, client=llm(server, "refuse"))
        assert answer["mode"] == "extractive" and answer["llm_refused"]
        assert "[9000000" in answer["text"]

    def test_unreachable_llm_still_answers(self, index_path: Path) -> None:
        dead = LLMClient(LLMConfig(base_url="http://127.0.0.1:9/v1", model="m", max_retries=0, timeout_s=1))
        answer = answer_question(QUESTION, path=index_path, client=dead)
        assert answer["mode"] == "extractive" and "llm_error" in answer

    def test_no_llm_configured(self, index_path: Path) -> None:
        answer = answer_question(QUESTION, path=index_path, use_llm=False)
        assert answer["mode"] == "extractive" and answer["summary"]["claims"]


class TestPrompts:
    @pytest.mark.parametrize("name", ["grounded_answer", "chat_patient", "chat_clinician"])
    def test_prompts_load_and_render(self, name: str) -> None:
        prompt = load_prompt(name)
        values = {"question": "q", "passages": "[1] p", "facts": "[R1] f"}
        msgs = prompt.messages(**{k: v for k, v in values.items() if f"${k}" in prompt.user})
        assert msgs[0]["role"] == "system" and prompt.refusal_marker in msgs[0]["content"]


@pytest.mark.shared
@pytest.mark.slow
class TestPubMedQA:
    def test_answers_cite_only_retrieved_pmids(self, shared: Path, server, tmp_path: Path) -> None:
        from medtrio.literature.beir import read_corpus, read_queries

        folder = shared / "literature" / "derived" / "pubmedqa_pqal_beir"
        index = LiteratureIndex(tmp_path / "pqa.sqlite")
        index.add(read_corpus(folder / "corpus.jsonl"))
        index.close()
        questions = list(read_queries(folder / "queries.jsonl").values())[:40]
        sentences = 0
        for q in questions:
            answer = answer_question(q, path=tmp_path / "pqa.sqlite", client=llm(server, "rogue"))
            _assert_only_retrieved(answer)
            sentences += len(answer["sentences"])
            assert len(answer["dropped"]) == 2  # the invented citation and the uncited sentence
        assert sentences >= len(questions)
