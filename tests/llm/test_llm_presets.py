"""Named model configurations for comparing modes on one suite (`sochen evals compare --provider`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sochen.llm.presets import PRESETS, models_preset

pytestmark = pytest.mark.unit


def test_every_preset_is_valid_for_its_registered_kinds() -> None:
    for name in PRESETS:
        models = models_preset(name)
        for group in ("local", "api"):
            for provider in getattr(models.policy, group):
                assert models.providers[provider].locality == group
    assert models_preset("model-free").providers == {}
    assert models_preset("api").policy.mode == "api_only"  # sensitive turns never reach the API


def test_a_yaml_file_with_a_models_section(tmp_path: Path) -> None:
    good = tmp_path / "lan.yaml"
    good.write_text(
        "# שרת vLLM ברשת המקומית\nmodels:\n  providers:\n    lan: {kind: openai, model: qwen, locality: local, "
        "base_url: 'http://127.0.0.1:8000/v1'}\n  policy: {mode: local_only, local: [lan]}\n",
        encoding="utf-8",
    )
    assert models_preset(str(good)).providers["lan"].options == {"base_url": "http://127.0.0.1:8000/v1"}
    bad = tmp_path / "typo.yaml"
    bad.write_text(
        "models:\n  providers:\n    lan: {kind: openai, model: q, locality: local, base_ulr: x}\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="did you mean `base_url`"):
        models_preset(str(bad))
    with pytest.raises(ValueError, match="not a preset"):
        models_preset("מקומי")


def test_a_run_with_replaced_models_is_never_stored_as_the_versions_own() -> None:
    from sochen.config.settings import Settings
    from sochen.evals import run_suite

    with pytest.raises(ValueError, match="cannot be stored"):
        run_suite(Settings(environment="test"), "clinic", models=models_preset("model-free"), store=True)
