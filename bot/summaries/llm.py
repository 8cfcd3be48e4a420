"""A small client for any OpenAI-compatible chat endpoint (hosted APIs and local servers).

Only ``POST {base}/chat/completions`` with ``model`` and ``messages`` is used, which
every compatible server implements. Failures become one of the :class:`LLMError`
subclasses with a short reason a user may read; the summary service falls back to the
offline summary on any of them. aiohttp is already installed with discord.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp

DEFAULT_TIMEOUT = 30.0
"""Seconds for one whole request; a deferred interaction can wait this long."""
MAX_ANSWER = 4000
"""Characters of an answer kept (the renderer cuts further to fit Discord)."""


class LLMError(Exception):
    """The model gave no usable answer; ``reason`` is short and safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LLMTimeout(LLMError):
    pass


class LLMRateLimited(LLMError):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class LLMHTTPError(LLMError):
    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.status = status


class LLMBadAnswer(LLMError):
    """The server answered, but not with a chat completion we can read."""


@dataclass(frozen=True, slots=True)
class Message:
    role: str
    content: str


def endpoint(base_url: str) -> str:
    """``{base}/chat/completions``: ``https://api.example.com/v1`` and a trailing slash alike."""
    return base_url.rstrip("/") + "/chat/completions"


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def parse_answer(payload: Any) -> str:
    """The text of the first choice of a chat completion; ``LLMBadAnswer`` otherwise."""
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LLMBadAnswer("the model's answer was not a chat completion") from None
    if not isinstance(content, str) or not content.strip():
        raise LLMBadAnswer("the model's answer was empty")
    return content.strip()[:MAX_ANSWER]


class ChatClient:
    """Sends one chat request per call; holds no connection between calls."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        temperature: float = 0.2,
        max_tokens: int = 600,
    ) -> None:
        self.url = endpoint(base_url)
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.temperature = temperature
        self.max_tokens = max_tokens

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    async def chat(self, messages: list[Message]) -> str:
        """The model's answer to ``messages``; raises an :class:`LLMError` on any failure."""
        body = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(self.url, json=body, headers=self._headers()) as response,
            ):
                if response.status == 429:
                    raise LLMRateLimited(
                        "the model is rate limited",
                        _retry_after(response.headers.get("Retry-After")),
                    )
                if response.status >= 400:
                    raise LLMHTTPError(
                        f"the model's server answered HTTP {response.status}", response.status
                    )
                text = await response.text()
        except TimeoutError:
            raise LLMTimeout(f"the model did not answer within {self.timeout:.0f} s") from None
        except aiohttp.ClientError as exc:
            raise LLMHTTPError(f"could not reach the model ({type(exc).__name__})", 0) from None
        try:
            payload = json.loads(text)
        except ValueError:
            raise LLMBadAnswer("the model's answer was not JSON") from None
        return parse_answer(payload)
