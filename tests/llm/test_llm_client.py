"""The gateway client against the local OpenAI-compatible test server: completions, streaming, retries,
timeouts, token budgets, configuration."""

from __future__ import annotations

import pytest

from medtrio.errors import InvalidInput
from medtrio.llm.client import LLMClient, LLMConfig, LLMUnavailable, client_from_settings

MSG = [{"role": "user", "content": "Passages:\n[111] Aspirin helps. More text.\nQuestion?"}]


def client(server, model: str = "grounded", **kw) -> LLMClient:
    return LLMClient(LLMConfig(base_url=server.url, model=model, api_key="test-key", **kw))


class TestChat:
    def test_completion_and_usage(self, server) -> None:
        result = client(server).chat(MSG)
        assert result.text == "Aspirin helps [111]." and result.finish_reason == "stop"
        assert result.prompt_tokens and result.model == "grounded"
        sent = server.requests[-1]
        assert sent["model"] == "grounded" and sent["temperature"] == 0.0 and sent["max_tokens"] == 512

    def test_streaming_yields_deltas(self, server) -> None:
        parts = list(client(server).stream(MSG))
        assert len(parts) > 1 and "".join(parts) == "Aspirin helps [111]."

    def test_retries_a_503_then_succeeds(self, server) -> None:
        result = client(server, "flaky").chat(MSG)
        assert result.text.endswith("[111].") and server.calls == 2

    def test_streaming_retries_before_the_first_delta(self, server) -> None:
        assert "".join(client(server, "flaky").stream(MSG)).endswith("[111].")

    def test_timeout_becomes_unavailable(self, server) -> None:
        with pytest.raises(LLMUnavailable, match="not answering"):
            client(server, "slow", timeout_s=0.5, max_retries=0).chat(MSG)

    def test_client_errors_are_not_retried(self, server) -> None:
        with pytest.raises(LLMUnavailable, match="HTTP 400"):
            client(server, "broken").chat(MSG)
        assert server.calls == 1

    def test_unreachable_server(self) -> None:
        dead = LLMClient(LLMConfig(base_url="http://127.0.0.1:9/v1", model="m", max_retries=1, timeout_s=1))
        with pytest.raises(LLMUnavailable):
            dead.chat(MSG)


class TestBudgets:
    def test_prompt_over_budget_is_refused_before_sending(self, server) -> None:
        big = [{"role": "user", "content": "x" * 10_000}]
        with pytest.raises(InvalidInput, match="budget"):
            client(server, max_prompt_tokens=1000).chat(big)
        assert server.calls == 0

    def test_max_tokens_is_capped(self, server) -> None:
        client(server, max_tokens=64).chat(MSG, max_tokens=10_000)
        assert server.requests[-1]["max_tokens"] == 64


class TestSettings:
    def test_no_configuration_means_no_client(self, monkeypatch) -> None:
        from medtrio import settings

        monkeypatch.delenv("MEDTRIO_LLM_BASE_URL", raising=False)
        settings.get_settings.cache_clear()
        try:
            assert client_from_settings() is None
        finally:
            settings.get_settings.cache_clear()

    def test_configured_from_environment(self, monkeypatch, server) -> None:
        from medtrio import settings

        monkeypatch.setenv("MEDTRIO_LLM_BASE_URL", server.url)
        monkeypatch.setenv("MEDTRIO_LLM_MODEL", "grounded")
        monkeypatch.setenv("MEDTRIO_LLM_API_KEY", "k")
        settings.get_settings.cache_clear()
        try:
            c = client_from_settings()
            assert c is not None and c.chat(MSG).text.endswith("[111].")
        finally:
            settings.get_settings.cache_clear()
