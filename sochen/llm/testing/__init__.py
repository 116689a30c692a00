"""Test kit for model providers: loopback fakes that speak the real Ollama and OpenAI wire protocols.

Tests (and the eval sandbox) point the real client libraries at these servers, so requests and
responses cross a real HTTP boundary::

    with FakeOllama(models=["llama3.2"]) as server:
        server.reply("שעות", "א׳-ה׳ 08:00-18:00")
        server.fail(429, retry_after=3)         # the next chat request is rate limited
        provider = build_provider("local", ProviderConfig(kind="ollama", model="llama3.2",
                                  locality="local", base_url=server.url))
"""

from __future__ import annotations

from ._server import FakeRule, FakeServer, Fault, RecordedRequest, example_from_schema
from .ollama import FakeOllama
from .openai import FakeOpenAI

__all__ = [
    "FakeOllama",
    "FakeOpenAI",
    "FakeRule",
    "FakeServer",
    "Fault",
    "RecordedRequest",
    "example_from_schema",
]
