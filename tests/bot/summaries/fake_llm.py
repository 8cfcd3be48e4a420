"""A fake OpenAI-compatible chat endpoint on 127.0.0.1 for the LLM client and service tests.

``mode`` chooses the answer: ``ok`` (a chat completion), ``500``, ``429``, ``slow``
(sleeps longer than the client waits), ``garbage`` (not JSON), ``empty`` (JSON without
choices). Every request body and its headers are kept in ``requests``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web


@dataclass
class FakeLLM:
    url: str = ""
    mode: str = "ok"
    answer: str = "- Bithead says Iran is behind it (#2)."
    slow_seconds: float = 2.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        self.headers.append(dict(request.headers))
        if self.mode == "500":
            return web.json_response({"error": {"message": "boom"}}, status=500)
        if self.mode == "429":
            return web.json_response(
                {"error": {"message": "slow down"}}, status=429, headers={"Retry-After": "7"}
            )
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        if self.mode == "garbage":
            return web.Response(text="<html>not json</html>", content_type="text/html")
        if self.mode == "empty":
            return web.json_response({"id": "x", "choices": []})
        body = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": self.requests[-1].get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": self.answer}}],
        }
        return web.Response(text=json.dumps(body), content_type="application/json")

    @property
    def user_prompt(self) -> str:
        messages = self.requests[-1]["messages"]
        return str(next(m["content"] for m in messages if m["role"] == "user"))


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeLLM]:
    fake = FakeLLM()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}/v1"
    try:
        yield fake
    finally:
        await runner.cleanup()
