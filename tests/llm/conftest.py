"""A small OpenAI-compatible chat server started by the test suite (FastAPI + uvicorn on a free local port).

It is a real HTTP server speaking the /v1/chat/completions dialect (JSON and server-sent-event streaming), so
the gateway's real client is exercised end to end. Its "model" is deterministic and chosen by the model name:

- `grounded`: one sentence per passage/fact ("<first sentence of the passage> [id]"), for up to two of them;
- `rogue`: the grounded answer plus a sentence citing an id that was not given and one citing nothing;
- `refuse`: the refusal marker;
- `flaky`: HTTP 503 on every other request (the first one fails), then as `grounded`;
- `slow`: waits 3 s before answering (for timeouts);
- `broken`: HTTP 400.
Every request body is kept in `server.requests` so tests can check what left the process.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

_ITEM = re.compile(r"^\[([^\]]+)\]\s*(.+)$", re.M)


def compose(model: str, prompt: str) -> str:
    items = _ITEM.findall(prompt)
    if model == "refuse" or not items:
        return "INSUFFICIENT_EVIDENCE"
    sents = []
    for ident, text in items[:2]:
        first = re.split(r"(?<=[.!?])\s", text.strip())[0].rstrip(".")
        sents.append(f"{first} [{ident}].")
    if model == "rogue":
        sents.append("A large trial proved the opposite [99999999].")
        sents.append("This is certainly the right treatment.")
    return " ".join(sents)


@dataclass
class TestServer:
    url: str
    requests: list[dict] = field(default_factory=list)
    calls: int = 0


def _app(state: TestServer) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/models")
    def models() -> dict:
        return {
            "object": "list",
            "data": [{"id": m, "object": "model"} for m in ("grounded", "rogue", "refuse")],
        }

    @app.post("/v1/chat/completions")
    async def completions(request: Request):
        body = await request.json()
        state.requests.append(body)
        state.calls += 1
        model = body.get("model", "grounded")
        if model == "broken":
            return JSONResponse({"error": {"message": "bad request"}}, status_code=400)
        if model == "flaky" and state.calls % 2 == 1:
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
        if model == "slow":
            await asyncio.sleep(3)
        text = compose(model, body["messages"][-1]["content"])
        if body.get("stream"):

            def events() -> Iterator[str]:
                for word in re.findall(r"\S+\s*", text):
                    chunk = {"choices": [{"index": 0, "delta": {"content": word}}]}
                    yield f"data: {json.dumps(chunk)}\n\n"
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")
        return {
            "id": "t",
            "object": "chat.completion",
            "model": model,
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
            ],
            "usage": {"prompt_tokens": len(str(body)) // 4, "completion_tokens": len(text) // 4},
        }

    return app


@pytest.fixture(scope="session")
def llm_server() -> Iterator[TestServer]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    state = TestServer(url=f"http://127.0.0.1:{port}/v1")
    server = uvicorn.Server(uvicorn.Config(_app(state), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("the LLM test server did not start")
        time.sleep(0.05)
    yield state
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def server(llm_server: TestServer) -> TestServer:
    llm_server.requests.clear()
    llm_server.calls = 0
    return llm_server
