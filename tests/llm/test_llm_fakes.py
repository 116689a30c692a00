"""The fake servers speak the real protocols: the official clients work against them unchanged."""

from __future__ import annotations

import json

import httpx
import ollama
import openai
import pytest

from sochen.llm.testing import FakeOllama, FakeOpenAI, example_from_schema

pytestmark = pytest.mark.unit


def test_ollama_streaming_ndjson_and_metadata(fake_ollama: FakeOllama) -> None:
    fake_ollama.reply("שלום", "שלום! במה אפשר לעזור היום?")
    client = ollama.Client(host=fake_ollama.url)
    parts = list(client.chat(model="llama3.2", messages=[{"role": "user", "content": "שלום"}], stream=True))
    assert "".join(p.message.content or "" for p in parts) == "שלום! במה אפשר לעזור היום?"
    assert parts[-1].done and parts[-1].eval_count and parts[-1].prompt_eval_count
    assert not any(p.done for p in parts[:-1])
    assert {m.model for m in client.list().models} == {"llama3.2:latest", "qwen2.5:7b"}
    assert httpx.get(f"{fake_ollama.url}/api/version").json()["version"]
    chat = fake_ollama.chat_requests()[0]
    assert chat.body["stream"] is True and chat.body["messages"][0]["content"] == "שלום"


def test_ollama_format_schema_is_honoured(fake_ollama: FakeOllama) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "n": {"type": "integer"}},
        "required": ["city", "n"],
    }
    client = ollama.Client(host=fake_ollama.url)
    out = client.chat(model="llama3.2", messages=[{"role": "user", "content": "x"}], format=schema, stream=False)
    assert set(json.loads(out.message.content or "")) == {"city", "n"}
    assert fake_ollama.chat_requests()[0].body["format"] == schema


def test_ollama_unknown_model_is_404(fake_ollama: FakeOllama) -> None:
    with pytest.raises(ollama.ResponseError) as err:
        ollama.Client(host=fake_ollama.url).chat(model="nope", messages=[{"role": "user", "content": "x"}])
    assert err.value.status_code == 404


def test_openai_sse_streaming_with_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply("hello", "שלום וברכה לכל המשתתפים")
    client = openai.OpenAI(base_url=fake_openai.base_url, api_key="sk-test", max_retries=0)
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "hello"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "שלום וברכה לכל המשתתפים"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    assert [m.id for m in client.models.list()] == ["gpt-4o-mini", "gpt-4o"]


def test_openai_auth_and_error_envelope(fake_openai: FakeOpenAI) -> None:
    client = openai.OpenAI(base_url=fake_openai.base_url, api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as err:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
    assert err.value.body["type"] == "authentication_error"  # type: ignore[index]


def test_faults_are_consumed_in_order_and_requests_recorded(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail(429, retry_after=7).fail(500)
    client = openai.OpenAI(base_url=fake_openai.base_url, api_key="sk-test", max_retries=0)
    msgs = [{"role": "user", "content": "x"}]
    with pytest.raises(openai.RateLimitError) as rl:
        client.chat.completions.create(model="gpt-4o-mini", messages=msgs)  # type: ignore[arg-type]
    assert rl.value.response.headers["retry-after"] == "7"
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o-mini", messages=msgs)  # type: ignore[arg-type]
    ok = client.chat.completions.create(model="gpt-4o-mini", messages=msgs)  # type: ignore[arg-type]
    assert ok.choices[0].message.content == "בסדר."
    assert len(fake_openai.chat_requests()) == 3
    assert fake_openai.requests[0].headers["authorization"] == "Bearer sk-test"


def test_rules_with_limited_uses_fall_through() -> None:
    with FakeOllama(models=["m"], default_text="default") as server:
        server.reply("x", "first", times=1)
        client = ollama.Client(host=server.url)
        replies = [
            client.chat(model="m", messages=[{"role": "user", "content": "x"}]).message.content for _ in range(2)
        ]
    assert replies == ["first", "default"]


def test_example_from_schema_handles_refs_and_arrays() -> None:
    schema = {
        "$defs": {"C": {"type": "object", "properties": {"n": {"type": "integer"}, "q": {"type": "string"}}}},
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/$defs/C"}, "minItems": 1},
            "kind": {"enum": ["a", "b"]},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    }
    assert example_from_schema(schema, "t") == {"items": [{"n": 0, "q": "t"}], "kind": "a", "note": "t"}
