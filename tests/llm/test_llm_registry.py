"""Provider kinds are plugins: the ``sochen.providers`` entry-point group, strict options per kind.

A third-party package is installed for real (a distribution on ``sys.path`` with its metadata, as
pip would leave it) and its kind — an OpenAI-compatible vLLM variant — is built, called over
loopback and checked at apply time with no edit to Sochen.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from sochen.config import parse_tenant_yaml
from sochen.config.sections.models import ModelsConfig, ProviderConfig
from sochen.config.settings import Settings
from sochen.llm.providers import ProviderConfigError, build_provider, build_providers
from sochen.llm.providers.base import ProviderOptions, parse_options
from sochen.llm.providers.registry import (
    ENTRY_POINT_GROUP,
    discover,
    installed_kinds,
    load_kind,
    models_problems,
    validate_provider_class,
)
from sochen.llm.testing import FakeOpenAI

pytestmark = pytest.mark.unit

BUILT_INS = {"ollama", "openai", "llamacpp", "scripted"}

PLUGIN = '''
"""A third party's provider kind: vLLM's OpenAI-compatible server with its guided-decoding backend."""
from typing import Any, Literal

from pydantic import Field

from sochen.llm.providers.openai import OpenAIOptions, OpenAIProvider


class VllmOptions(OpenAIOptions):
    """Options of the vllm kind."""

    guided_decoding_backend: Literal["xgrammar", "outlines", "guidance"] = Field(
        default="xgrammar", description="vLLM's engine for schema-constrained output."
    )


class VllmProvider(OpenAIProvider):
    kind = "vllm"
    options_model = VllmOptions

    def _request(self, messages, schema):
        request: dict[str, Any] = super()._request(messages, schema)
        request["extra_body"] = {"guided_decoding_backend": self.options.guided_decoding_backend}
        return request
'''


@pytest.fixture
def vllm_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the package `sochen-vllm` into a fresh site directory (code + dist-info metadata)."""
    site = tmp_path / "site"
    (site / "sochen_vllm").mkdir(parents=True)
    (site / "sochen_vllm" / "__init__.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = site / "sochen_vllm-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sochen-vllm\nVersion: 0.1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nvllm = sochen_vllm:VllmProvider\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("sochen_vllm", None)


def test_built_ins_are_registered_through_the_entry_points() -> None:
    assert set(installed_kinds()) >= BUILT_INS
    found, problems = discover()
    assert problems == []
    for kind in BUILT_INS:
        assert found[kind].cls.kind == kind and found[kind].distribution == "sochen"
        described = found[kind].to_dict()["options"]
        assert "timeout_s" in described and all(described.values())  # every option is described


def test_the_factory_has_no_list_of_kinds() -> None:
    source = (Path(__file__).parents[2] / "sochen/llm/providers/__init__.py").read_text(encoding="utf-8")
    for kind in BUILT_INS:
        assert f'"{kind}"' not in source


def test_a_third_party_kind_is_built_and_called_with_no_core_edit(vllm_installed: Path, settings: Settings) -> None:
    assert "vllm" in installed_kinds()
    info = load_kind("vllm")
    assert info.distribution == "sochen-vllm" and info.version == "0.1.0"
    with FakeOpenAI(models=["Qwen/Qwen2.5-7B-Instruct"], api_key="vllm-token") as server:
        server.reply("שעות", "א׳–ה׳ 08:00–18:00")
        tenant = parse_tenant_yaml(
            f"""slug: clinic
name: מרפאת השן
models:
  providers:
    gpu:
      kind: vllm
      model: Qwen/Qwen2.5-7B-Instruct
      locality: local
      base_url: "{server.base_url}"
      api_key_env: VLLM_TOKEN
      guided_decoding_backend: outlines
      timeout_s: 5
  policy: {{mode: local_only, local: [gpu]}}
"""
        )
        assert models_problems(tenant.models) == []
        (provider,) = build_providers(tenant.models, settings=settings, env={"VLLM_TOKEN": "vllm-token"}).values()
        answer = provider.complete([{"role": "user", "content": "מה שעות הפעילות?"}])
    assert answer.text == "א׳–ה׳ 08:00–18:00" and provider.kind == "vllm"
    (request,) = server.chat_requests()
    assert request.body["guided_decoding_backend"] == "outlines"
    assert "vllm-token" not in repr(provider)


def test_unknown_options_of_a_plugin_kind_are_caught_at_apply_with_a_suggestion(vllm_installed: Path) -> None:
    models = ModelsConfig.model_validate(
        {
            "providers": {
                "gpu": {
                    "kind": "vllm",
                    "model": "m",
                    "locality": "local",
                    "guided_backend": "outlines",
                    "timeout_s": 0,
                }
            }
        }
    )
    problems = models_problems(models)
    assert any(
        p.startswith("`models.providers.gpu`: `guided_backend`: unknown key — did you mean `guided_decoding_backend`?")
        for p in problems
    ), problems
    assert any("`timeout_s`" in p and "greater than 0" in p for p in problems), problems


def test_an_unknown_kind_names_what_is_registered(settings: Settings) -> None:
    cfg = ProviderConfig(kind="vllm", model="m", locality="local")
    with pytest.raises(ProviderConfigError, match=r"'vllm' is not registered \(registered: .*llamacpp.*openai"):
        build_provider("gpu", cfg, settings=settings)
    (problem,) = models_problems(ModelsConfig(providers={"gpu": cfg}))
    assert problem.startswith("`models.providers.gpu`: provider kind 'vllm' is not registered")


def test_a_stale_install_without_the_group_says_to_reinstall() -> None:
    with pytest.raises(ProviderConfigError, match="reinstall"):
        load_kind("openai", eps=[])


def test_built_in_options_are_strict_with_did_you_mean(settings: Settings) -> None:
    cfg = ProviderConfig(kind="ollama", model="qwen2.5:7b", locality="local", base_ulr="http://127.0.0.1:11434")
    with pytest.raises(ProviderConfigError, match=r"`base_ulr`: unknown key — did you mean `base_url`\?"):
        build_provider("lan", cfg, settings=settings)
    (problem,) = models_problems(ModelsConfig(providers={"lan": cfg}))
    assert "did you mean `base_url`" in problem


def test_secrets_are_referenced_never_written(settings: Settings) -> None:
    from sochen.llm.providers.openai import OpenAIOptions

    with pytest.raises(ProviderConfigError, match="api_key_env: VARIABLE_NAME") as err:
        parse_options(OpenAIOptions, {"api_key": "sk-live-123"}, name="cloud")
    assert "sk-live-123" not in str(err.value)
    options = parse_options(OpenAIOptions, {"api_key_env": "K"}, name="cloud", environ={"K": "sk-live-123"})
    assert options.api_key is not None and "sk-live-123" not in repr(options)
    # At apply time the variable is only named: an unset one is no problem there.
    models = ModelsConfig.model_validate(
        {
            "providers": {
                "cloud": {"kind": "openai", "model": "gpt-4o-mini", "locality": "api", "api_key_env": "UNSET_X"}
            }
        }
    )
    assert models_problems(models) == []


def test_scripted_is_still_refused_in_production() -> None:
    cfg = ProviderConfig(kind="scripted", model="double", locality="local")
    with pytest.raises(ProviderConfigError, match="refused in production"):
        build_provider("s", cfg, settings=Settings(environment="production"))


def test_class_checks_catch_a_broken_plugin() -> None:
    from pydantic import ConfigDict, Field

    from sochen.llm.providers.openai import OpenAIProvider

    class Loose(ProviderOptions):
        model_config = ConfigDict(extra="allow", frozen=True)
        host: str = Field(default="")

    class Broken(OpenAIProvider):
        kind = "other"
        options_model = Loose

    problems = validate_provider_class("mine", Broken, origin="pkg (x:Broken)")
    assert any("whose kind is 'other'" in p for p in problems)
    assert any("must reject unknown keys" in p for p in problems)
    assert any("option 'host'" in p and "no description" in p for p in problems)
    assert validate_provider_class("mine", object, origin="pkg") == [
        "pkg: entry point 'mine' does not point at a Provider subclass"
    ]
    eps = [EntryPoint("mine", "sochen_nowhere:Thing", ENTRY_POINT_GROUP)]
    with pytest.raises(ProviderConfigError, match="cannot be imported"):
        load_kind("mine", eps=eps)


def test_tenant_apply_checks_provider_options_through_the_registry(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sochen.cli import app

    bad = tmp_path / "tenant.yaml"
    bad.write_text(
        """slug: clinic
name: מרפאת השן
models:
  providers:
    local: {kind: ollama, model: "qwen2.5:7b", locality: local, keep_alve: 10m}
    gpu: {kind: vllm, model: m, locality: local}
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["tenant", "apply", str(bad)])
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert "`models.providers.local`: `keep_alve`: unknown key — did you mean `keep_alive`?" in flat
    assert "`models.providers.gpu`: provider kind 'vllm' is not registered" in flat
