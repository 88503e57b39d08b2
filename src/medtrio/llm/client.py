"""A small client for the OpenAI-compatible `/v1/chat/completions` API, with streaming, timeouts, retries
and token budgets. Plain httpx: every server in the list (vLLM, llama.cpp server, Ollama's /v1, hosted
APIs) speaks this dialect, so no vendor SDK is needed.

Retries: connection errors, timeouts, 429 and 5xx are retried with exponential backoff (0.5 s, 1 s, 2 s ...);
other 4xx are not (they will not get better). Token budgets: the prompt is estimated at 4 characters per token
(the usual rule of thumb for English BPE vocabularies) and refused before sending when it exceeds the budget;
the completion is capped by `max_tokens`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from medtrio.errors import InvalidInput, MedtrioError

log = logging.getLogger(__name__)
CHARS_PER_TOKEN = 4


class LLMUnavailable(MedtrioError):
    """The LLM server could not be reached or kept failing; callers fall back to the offline path."""

    status_code = 503


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 60.0
    max_retries: int = 2
    max_tokens: int = 512
    max_prompt_tokens: int = 6000
    temperature: float = 0.0


@dataclass(frozen=True)
class ChatResult:
    text: str
    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    return sum(len(m.get("content", "")) for m in messages) // CHARS_PER_TOKEN + 4 * len(messages)


class LLMClient:
    def __init__(self, config: LLMConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._http = httpx.Client(
            base_url=config.base_url.rstrip("/"),
            headers=headers,
            transport=transport,
            timeout=httpx.Timeout(config.timeout_s, connect=min(10.0, config.timeout_s)),
        )

    def close(self) -> None:
        self._http.close()

    def _payload(self, messages: list[dict[str, str]], max_tokens: int | None, stream: bool) -> dict:
        budget = self.config.max_prompt_tokens
        if estimate_tokens(messages) > budget:
            raise InvalidInput(
                f"the prompt is about {estimate_tokens(messages)} tokens, over the budget of "
                f"{budget}: ask a narrower question or retrieve fewer passages"
            )
        return {
            "model": self.config.model,
            "messages": messages,
            "stream": stream,
            "temperature": self.config.temperature,
            "max_tokens": min(max_tokens or self.config.max_tokens, self.config.max_tokens),
        }

    def _with_retries(self, send):
        delay = 0.5
        for attempt in range(self.config.max_retries + 1):
            try:
                return send()
            except (httpx.TransportError, _Retryable) as exc:
                if attempt == self.config.max_retries:
                    raise LLMUnavailable(
                        f"the LLM server at {self.config.base_url} is not answering "
                        f"({type(exc).__name__}); the offline answer is shown instead"
                    ) from exc
                log.warning(
                    "LLM request failed (%s), retry %d in %.1f s", type(exc).__name__, attempt + 1, delay
                )
                time.sleep(delay)
                delay *= 2

    def chat(self, messages: list[dict[str, str]], max_tokens: int | None = None) -> ChatResult:
        """One completion (non-streaming)."""
        payload = self._payload(messages, max_tokens, stream=False)

        def send() -> ChatResult:
            resp = self._http.post("/chat/completions", json=payload)
            _check(resp)
            body = resp.json()
            choice = body["choices"][0]
            usage = body.get("usage") or {}
            return ChatResult(
                choice["message"].get("content") or "",
                body.get("model", self.config.model),
                usage.get("prompt_tokens"),
                usage.get("completion_tokens"),
                choice.get("finish_reason"),
            )

        return self._with_retries(send)

    def stream(self, messages: list[dict[str, str]], max_tokens: int | None = None) -> Iterator[str]:
        """Text deltas as the server sends them (server-sent events). Retries only before the first delta."""
        payload = self._payload(messages, max_tokens, stream=True)

        def open_stream():
            ctx = self._http.stream("POST", "/chat/completions", json=payload)
            resp = ctx.__enter__()
            if resp.status_code >= 400:
                resp.read()
                ctx.__exit__(None, None, None)
                _check(resp)
            return ctx, resp

        ctx, resp = self._with_retries(open_stream)
        try:
            for line in resp.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta
        except httpx.TransportError as exc:
            raise LLMUnavailable(f"the LLM stream broke off ({type(exc).__name__})") from exc
        finally:
            ctx.__exit__(None, None, None)


class _Retryable(Exception):
    pass


def _check(resp: httpx.Response) -> None:
    if resp.status_code == 429 or resp.status_code >= 500:
        raise _Retryable(f"HTTP {resp.status_code}")
    if resp.status_code >= 400:
        raise LLMUnavailable(f"the LLM server refused the request: HTTP {resp.status_code} {resp.text[:200]}")


def client_from_settings() -> LLMClient | None:
    """The configured client, or None when MEDTRIO_LLM_BASE_URL / MEDTRIO_LLM_MODEL are not set."""
    from medtrio.settings import get_settings

    s = get_settings()
    if not s.llm_base_url or not s.llm_model:
        return None
    log.info("LLM gateway: %s model %s", s.llm_base_url, s.llm_model)
    return LLMClient(LLMConfig(base_url=s.llm_base_url, model=s.llm_model, api_key=s.llm_api_key))
