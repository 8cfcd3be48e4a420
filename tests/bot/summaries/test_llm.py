"""The chat client against a fake OpenAI-compatible endpoint on 127.0.0.1."""

from __future__ import annotations

import pytest

from bot.summaries.llm import (
    ChatClient,
    LLMBadAnswer,
    LLMHTTPError,
    LLMRateLimited,
    LLMTimeout,
    Message,
    endpoint,
    parse_answer,
)
from tests.bot.summaries.fake_llm import FakeLLM, fake_llm

__all__ = ["fake_llm"]

MESSAGES = [Message("system", "Summarise."), Message("user", "#2: words")]


def test_endpoint_joins_base_and_path() -> None:
    assert endpoint("http://h/v1") == "http://h/v1/chat/completions"
    assert endpoint("http://h/v1/") == "http://h/v1/chat/completions"


def test_parse_answer_refuses_what_is_not_a_completion() -> None:
    assert parse_answer({"choices": [{"message": {"content": " hi "}}]}) == "hi"
    for bad in ({}, {"choices": []}, {"choices": [{"message": {"content": ""}}]}, [1], None):
        with pytest.raises(LLMBadAnswer):
            parse_answer(bad)


async def test_success_sends_model_messages_and_key(fake_llm: FakeLLM) -> None:
    client = ChatClient(fake_llm.url, "tiny-model", "sk-test")
    assert await client.chat(MESSAGES) == fake_llm.answer
    body = fake_llm.requests[-1]
    assert body["model"] == "tiny-model"
    assert body["messages"] == [
        {"role": "system", "content": "Summarise."},
        {"role": "user", "content": "#2: words"},
    ]
    assert fake_llm.headers[-1]["Authorization"] == "Bearer sk-test"


async def test_no_key_sends_no_authorization(fake_llm: FakeLLM) -> None:
    await ChatClient(fake_llm.url, "m").chat(MESSAGES)
    assert "Authorization" not in fake_llm.headers[-1]


async def test_server_error(fake_llm: FakeLLM) -> None:
    fake_llm.mode = "500"
    with pytest.raises(LLMHTTPError) as caught:
        await ChatClient(fake_llm.url, "m").chat(MESSAGES)
    assert caught.value.status == 500 and "500" in caught.value.reason


async def test_rate_limited(fake_llm: FakeLLM) -> None:
    fake_llm.mode = "429"
    with pytest.raises(LLMRateLimited) as caught:
        await ChatClient(fake_llm.url, "m").chat(MESSAGES)
    assert caught.value.retry_after == 7.0


async def test_timeout(fake_llm: FakeLLM) -> None:
    fake_llm.mode = "slow"
    fake_llm.slow_seconds = 1.0
    with pytest.raises(LLMTimeout) as caught:
        await ChatClient(fake_llm.url, "m", timeout=0.1).chat(MESSAGES)
    assert "did not answer" in caught.value.reason


async def test_malformed_json(fake_llm: FakeLLM) -> None:
    fake_llm.mode = "garbage"
    with pytest.raises(LLMBadAnswer, match="not JSON"):
        await ChatClient(fake_llm.url, "m").chat(MESSAGES)


async def test_json_without_choices(fake_llm: FakeLLM) -> None:
    fake_llm.mode = "empty"
    with pytest.raises(LLMBadAnswer):
        await ChatClient(fake_llm.url, "m").chat(MESSAGES)


async def test_unreachable_server_is_an_http_error() -> None:
    # Port 9 on 127.0.0.1 (discard) is closed on a test machine: connection refused.
    with pytest.raises(LLMHTTPError) as caught:
        await ChatClient("http://127.0.0.1:9/v1", "m", timeout=2).chat(MESSAGES)
    assert caught.value.status == 0
