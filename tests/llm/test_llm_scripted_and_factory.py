"""The scripted double, the factory, secrets, and the no-I/O-at-construction rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from sochen.config.sections.models import ModelsConfig, ProviderConfig
from sochen.config.settings import Settings
from sochen.llm.providers import (
    InvalidRequest,
    ProviderConfigError,
    ProviderTimeout,
    RateLimited,
    Refused,
    build_provider,
    build_providers,
)
from sochen.llm.providers.llamacpp import LlamaCppProvider
from sochen.llm.providers.scripted import ScriptedProvider, ScriptRule

pytestmark = pytest.mark.unit

SCRIPTED = ProviderConfig(kind="scripted", model="double", locality="local")


class Slots(BaseModel):
    name: str
    phone: str


def test_scripted_replays_by_rule_and_records(settings: Settings) -> None:
    p = ScriptedProvider("s", SCRIPTED, settings=settings, rules=[ScriptRule(r"שעות|hours", "08:00–18:00")])
    p.add(r"פרטים", Slots(name="רון", phone="050-0000000")).add(r"json", {"a": 1})
    assert p.complete([{"role": "user", "content": "מה השעות?"}]).text == "08:00–18:00"
    out = p.complete([{"role": "user", "content": "הנה הפרטים"}], schema=Slots)
    assert out.parsed == Slots(name="רון", phone="050-0000000")
    assert p.complete([{"role": "user", "content": "json please"}]).text == '{"a": 1}'
    assert len(p.calls) == 3 and p.calls[1].schema is Slots
    with pytest.raises(InvalidRequest, match="no rule matches"):
        p.complete([{"role": "user", "content": "משהו אחר"}])


def test_scripted_matches_last_user_message_only(settings: Settings) -> None:
    p = ScriptedProvider("s", SCRIPTED, settings=settings, rules=[ScriptRule("תור", "יש תור")], default="ברירת מחדל")
    msgs = [
        {"role": "user", "content": "תור"},
        {"role": "assistant", "content": "כן"},
        {"role": "user", "content": "תודה"},
    ]
    assert p.complete(msgs).text == "ברירת מחדל"


def test_scripted_errors_and_limited_rules(settings: Settings) -> None:
    p = ScriptedProvider(
        "s",
        SCRIPTED,
        settings=settings,
        rules=[ScriptRule("x", ProviderTimeout("slow"), times=1), ScriptRule("x", "ok")],
    )
    with pytest.raises(ProviderTimeout) as err:
        p.complete([{"role": "user", "content": "x"}])
    assert err.value.provider == "s"
    assert p.complete([{"role": "user", "content": "x"}]).text == "ok"


def test_scripted_refuses_production() -> None:
    with pytest.raises(ProviderConfigError, match="production"):
        ScriptedProvider("s", SCRIPTED, settings=Settings(environment="production"))
    with pytest.raises(ProviderConfigError, match="production"):
        build_provider("s", SCRIPTED, settings=Settings(environment="production"))


def test_scripted_rules_from_yaml_file(tmp_path: Path, settings: Settings) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "- match: שעות\n  reply: 'א-ה 8-18'\n- match: סלוטים\n  json: {name: דנה, phone: '1'}\n"
        "- match: עומס\n  error: rate_limited\n- match: סירוב\n  error: refused\n",
        encoding="utf-8",
    )
    p = build_provider("s", SCRIPTED.model_copy(update={"model_path": str(rules)}), settings=settings)
    assert p.complete([{"role": "user", "content": "שעות?"}]).text == "א-ה 8-18"
    assert p.complete([{"role": "user", "content": "סלוטים"}], schema=Slots).parsed == Slots(name="דנה", phone="1")
    for _ in range(2):  # a fresh exception each time
        with pytest.raises(RateLimited):
            p.complete([{"role": "user", "content": "עומס"}])
    with pytest.raises(Refused):
        p.complete([{"role": "user", "content": "סירוב"}])


def test_bad_rules_file_is_a_config_error(tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- match: x\n  error: explode\n", encoding="utf-8")
    p = build_provider("s", SCRIPTED.model_copy(update={"model_path": str(bad)}), settings=settings)
    with pytest.raises(ProviderConfigError, match="error must be one of"):
        p.complete([{"role": "user", "content": "x"}])


def test_api_key_env_resolution(settings: Settings) -> None:
    cfg = ProviderConfig(kind="openai", model="gpt-4o-mini", locality="api", api_key_env="TENANT_OPENAI_KEY")
    with pytest.raises(ProviderConfigError, match="TENANT_OPENAI_KEY"):
        build_provider("api", cfg, settings=settings, env={})
    p = build_provider("api", cfg, settings=settings, env={"TENANT_OPENAI_KEY": "sk-very-secret"})
    assert "sk-very-secret" not in repr(p) and "sk-very-secret" not in str(vars(p))


def test_construction_does_no_io(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_socket(*_a: object, **_k: object) -> None:
        raise AssertionError("construction opened a socket")

    monkeypatch.setattr(socket.socket, "connect", no_socket)
    models = ModelsConfig.model_validate(
        {
            "providers": {
                "lan": {
                    "kind": "ollama",
                    "model": "llama3.2",
                    "locality": "local",
                    "base_url": "http://10.0.0.5:11434",
                },
                "api": {"kind": "openai", "model": "gpt-4o", "locality": "api", "api_key_env": "K"},
                "tiny": {
                    "kind": "llamacpp",
                    "model": "gemma3-270m",
                    "locality": "local",
                    "model_path": "/nonexistent.gguf",
                },
                "double": {
                    "kind": "scripted",
                    "model": "d",
                    "locality": "local",
                    "model_path": "/nonexistent.yaml",
                },
            }
        }
    )
    built = build_providers(models, settings=settings, env={"K": "k"})
    assert {n: p.kind for n, p in built.items()} == {
        "lan": "ollama",
        "api": "openai",
        "tiny": "llamacpp",
        "double": "scripted",
    }


def test_llamacpp_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, unblocked_llamacpp: None) -> None:
    import builtins

    from sochen.llm.providers import llamacpp

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "xllamacpp":
            raise ImportError("No module named 'xllamacpp'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake_import)
    assert not llamacpp.xllamacpp_available()
    p = LlamaCppProvider("tiny", ProviderConfig(kind="llamacpp", model="m", locality="local", model_path="/x.gguf"))
    with pytest.raises(ProviderConfigError, match=r"sochen\[llamacpp\]"):
        p.complete([{"role": "user", "content": "x"}])


def test_kind_mismatch_is_rejected(settings: Settings) -> None:
    with pytest.raises(ProviderConfigError):
        ScriptedProvider("s", ProviderConfig(kind="ollama", model="m", locality="local"), settings=settings)
