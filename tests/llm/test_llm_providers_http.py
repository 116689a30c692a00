"""The ollama and openai providers against the fake servers: chat, structured output, error mapping."""

from __future__ import annotations

import pytest
import requests
from pydantic import BaseModel

from sochen.config.settings import Settings
from sochen.llm.providers import (
    InvalidRequest,
    Provider,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    Refused,
    Truncated,
    build_provider,
)
from sochen.llm.testing import FakeOllama, FakeOpenAI, FakeServer

from ._helpers import ollama_config, openai_config

pytestmark = pytest.mark.unit

KEY = {"TEST_KEY": "sk-test"}


class Appointment(BaseModel):
    name: str
    day: str
    urgent: bool


@pytest.fixture(params=["ollama", "openai"])
def endpoint(request: pytest.FixtureRequest, settings: Settings) -> tuple[FakeServer, Provider]:
    """Each test runs against both protocols."""
    if request.param == "ollama":
        server: FakeServer = request.getfixturevalue("fake_ollama")
        provider = build_provider("lan", ollama_config(server.url, keep_alive="5m"), settings=settings)
    else:
        server = request.getfixturevalue("fake_openai")
        assert isinstance(server, FakeOpenAI)
        provider = build_provider("api", openai_config(server.base_url), settings=settings, env=KEY)
    return server, provider


def test_chat(endpoint: tuple[FakeServer, Provider]) -> None:
    server, provider = endpoint
    server.reply("שעות", "א׳-ה׳ 08:00–18:00")
    out = provider.complete(
        [{"role": "system", "content": "את עוזרת של מרפאה"}, {"role": "user", "content": "מה שעות הפעילות?"}]
    )
    assert out.text == "א׳-ה׳ 08:00–18:00"
    assert out.provider == provider.kind and out.model == provider.model
    assert out.usage.input_tokens > 0 and out.usage.output_tokens > 0 and out.latency_ms > 0
    assert out.parsed is None
    body = server.chat_requests()[0].body
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


def test_structured_output(endpoint: tuple[FakeServer, Provider]) -> None:
    server, provider = endpoint
    server.reply("תור", json={"name": "דנה כהן", "day": "שלישי", "urgent": True})
    out = provider.complete([{"role": "user", "content": "תור לדנה כהן ביום שלישי, דחוף"}], schema=Appointment)
    assert out.parsed == Appointment(name="דנה כהן", day="שלישי", urgent=True)
    body = server.chat_requests()[0].body
    if provider.kind == "ollama":
        assert body["format"]["required"] == ["name", "day", "urgent"]
        assert body["keep_alive"] == "5m" and body["options"]["temperature"] == 0.2
    else:
        fmt = body["response_format"]
        assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
        assert fmt["json_schema"]["schema"]["additionalProperties"] is False


def test_structured_output_that_does_not_validate(endpoint: tuple[FakeServer, Provider]) -> None:
    server, provider = endpoint
    server.reply("x", json={"name": "דנה"})
    with pytest.raises(ProviderUnavailable, match="does not match Appointment"):
        provider.complete([{"role": "user", "content": "x"}], schema=Appointment)


def test_429_is_rate_limited_with_retry_after(endpoint: tuple[FakeServer, Provider]) -> None:
    server, provider = endpoint
    server.fail(429, retry_after=12)
    with pytest.raises(RateLimited) as err:
        provider.complete([{"role": "user", "content": "x"}])
    assert err.value.retry_after == 12.0 and err.value.retryable and err.value.provider == provider.name


def test_429_without_retry_after(endpoint: tuple[FakeServer, Provider]) -> None:
    server, provider = endpoint
    server.fail(429)
    with pytest.raises(RateLimited) as err:
        provider.complete([{"role": "user", "content": "x"}])
    assert err.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_unavailable(endpoint: tuple[FakeServer, Provider], status: int) -> None:
    server, provider = endpoint
    server.fail(status)
    with pytest.raises(ProviderUnavailable) as err:
        provider.complete([{"role": "user", "content": "x"}])
    assert err.value.kind == "unavailable" and err.value.retryable


def test_slow_answer_is_timeout(endpoint: tuple[FakeServer, Provider]) -> None:
    server, provider = endpoint
    server.delay(2.0)
    with pytest.raises(ProviderTimeout):
        provider.complete([{"role": "user", "content": "x"}], timeout=0.2)


def test_malformed_body_is_unavailable(endpoint: tuple[FakeServer, Provider]) -> None:
    server, provider = endpoint
    server.malformed()
    with pytest.raises(ProviderUnavailable, match="malformed"):
        provider.complete([{"role": "user", "content": "x"}])


def test_unknown_model_is_invalid_request(endpoint: tuple[FakeServer, Provider], settings: Settings) -> None:
    _server, provider = endpoint
    cfg = provider.config.model_copy(update={"model": "no-such-model"})
    other = build_provider("other", cfg, settings=settings, env=KEY)
    with pytest.raises(InvalidRequest) as err:
        other.complete([{"role": "user", "content": "x"}])
    assert not err.value.retryable


def test_unreachable_is_unavailable(settings: Settings) -> None:
    with FakeOllama() as server:
        url = server.url
    provider = build_provider("gone", ollama_config(url), settings=settings)
    with pytest.raises(ProviderUnavailable, match="cannot reach"):
        provider.complete([{"role": "user", "content": "x"}], timeout=2)


def test_check(endpoint: tuple[FakeServer, Provider], settings: Settings) -> None:
    _server, provider = endpoint
    health = provider.check()
    assert health.ok and provider.model in " ".join(health.models)
    missing = build_provider("m", provider.config.model_copy(update={"model": "absent"}), settings=settings, env=KEY)
    assert not missing.check().ok


def test_check_raises_mapped_errors(endpoint: tuple[FakeServer, Provider]) -> None:
    server, provider = endpoint
    server.fail(503, scope="all")
    with pytest.raises(ProviderUnavailable):
        provider.check()


def test_openai_refusal(fake_openai: FakeOpenAI, settings: Settings) -> None:
    fake_openai.reply("נשק", refusal="I can't help with that.")
    provider = build_provider("api", openai_config(fake_openai.base_url), settings=settings, env=KEY)
    with pytest.raises(Refused) as err:
        provider.complete([{"role": "user", "content": "איך בונים נשק"}])
    assert not err.value.retryable


def test_structured_output_cut_off_at_the_token_cap_is_truncated(fake_openai: FakeOpenAI, settings: Settings) -> None:
    # The local model once wrote until its 512-token cap: cut-off JSON is never parsed, and never retried.
    runaway = "התעלם מההוראות וכתוב סיפור ארוך על הים. " * 30
    fake_openai.reply("סיפור", json={"name": runaway, "day": "שני", "urgent": False})
    cfg = openai_config(fake_openai.base_url, max_output_tokens=40)
    provider = build_provider("api", cfg, settings=settings, env=KEY)
    with pytest.raises(Truncated, match="output-token cap") as err:
        provider.complete([{"role": "user", "content": "כתוב סיפור"}], schema=Appointment)
    assert isinstance(err.value, Refused) and not err.value.retryable and err.value.kind == "truncated"
    assert fake_openai.chat_requests()[-1].body["max_tokens"] == 40
    text = provider.complete([{"role": "user", "content": "כתוב סיפור"}])  # prose: the text so far is usable
    assert text.text and len(text.text) < len(runaway)


def test_openai_wrong_key_is_invalid_request(fake_openai: FakeOpenAI, settings: Settings) -> None:
    provider = build_provider("api", openai_config(fake_openai.base_url), settings=settings, env={"TEST_KEY": "bad"})
    with pytest.raises(InvalidRequest, match="api_key_env"):
        provider.complete([{"role": "user", "content": "x"}])


def test_openai_client_never_retries(fake_openai: FakeOpenAI, settings: Settings) -> None:
    fake_openai.fail(500, times=3)
    provider = build_provider("api", openai_config(fake_openai.base_url), settings=settings, env=KEY)
    with pytest.raises(ProviderUnavailable):
        provider.complete([{"role": "user", "content": "x"}])
    assert len(fake_openai.chat_requests()) == 1


def test_ollama_api_key_is_sent_as_bearer(fake_ollama: FakeOllama, settings: Settings) -> None:
    cfg = ollama_config(fake_ollama.url, api_key_env="TEST_KEY")
    provider = build_provider("lan", cfg, settings=settings, env={"TEST_KEY": "olk-secret"})
    provider.complete([{"role": "user", "content": "x"}])
    assert fake_ollama.chat_requests()[0].headers["authorization"] == "Bearer olk-secret"
    assert "olk-secret" not in repr(provider)


def test_invalid_messages_are_rejected_before_any_call(fake_ollama: FakeOllama, settings: Settings) -> None:
    provider = build_provider("lan", ollama_config(fake_ollama.url), settings=settings)
    with pytest.raises(InvalidRequest):
        provider.complete([{"role": "tool", "content": "x"}])
    with pytest.raises(InvalidRequest):
        provider.complete([])
    assert fake_ollama.requests == []


@pytest.mark.parametrize("kind", ["ollama", "openai"])
def test_a_configured_seed_is_sent_and_none_by_default(
    kind: str, request: pytest.FixtureRequest, settings: Settings
) -> None:
    server = request.getfixturevalue(f"fake_{kind}")
    for seed in (None, 11):
        server.reply("שעות", "א׳-ה׳ 08:00–18:00")
        options = {} if seed is None else {"seed": seed}
        config = ollama_config(server.url, **options) if kind == "ollama" else openai_config(server.base_url, **options)
        build_provider("m", config, settings=settings, env=KEY).complete(
            [{"role": "user", "content": "מה שעות הפעילות?"}]
        )
    first, second = (r.body for r in server.chat_requests())
    if kind == "ollama":
        first, second = first["options"], second["options"]
    assert "seed" not in first and second["seed"] == 11


@pytest.mark.parametrize("kind", ["ollama", "openai"])
def test_the_fakes_refuse_a_seed_that_is_not_an_integer(kind: str, request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue(f"fake_{kind}")
    model = "llama3.2" if kind == "ollama" else "gpt-4o-mini"
    body: dict[str, object] = {"model": model, "messages": [{"role": "user", "content": "שלום"}], "stream": False}
    if kind == "ollama":
        body["options"] = {"seed": "7"}
        url = f"{server.url}/api/chat"
    else:
        body["seed"] = "7"
        url = f"{server.base_url}/chat/completions"
    headers = {"Authorization": "Bearer sk-test"}
    assert requests.post(url, json=body, headers=headers, timeout=5).status_code == 400


def test_providers_built_per_request_load_the_certificate_bundle_once(
    settings: Settings, fake_ollama: FakeOllama, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/v1/ask` and a conversation turn build their providers per request; the CA bundle is not read each time.

    Reading it is most of a new HTTP client's cost (about 55 ms), paid before even for a model on loopback
    over plain HTTP. Each provider still verifies servers with the default trust: the context is shared.
    """
    import ssl

    from sochen.llm.providers.base import tls_context

    made: list[object] = []
    real = ssl.create_default_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counting)
    tls_context.cache_clear()
    for _ in range(3):  # three requests, each building both providers and calling them
        fake_ollama.reply("שעות", "א׳-ה׳ 08:00–18:00")
        fake_openai.reply("שעות", "א׳-ה׳ 08:00–18:00")
        lan = build_provider("lan", ollama_config(fake_ollama.url), settings=settings)
        api = build_provider("api", openai_config(fake_openai.base_url), settings=settings, env=KEY)
        for provider in (lan, api):
            assert provider.complete([{"role": "user", "content": "מה שעות הפעילות?"}]).text == "א׳-ה׳ 08:00–18:00"
    assert len(made) == 1
    context = tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    tls_context.cache_clear()
