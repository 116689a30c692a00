"""Named model configurations that replace a tenant's ``models`` section, to compare modes on one suite.

``sochen evals compare --provider model-free --provider local --provider api`` runs the same
scenarios with the tenant's models replaced by each of these (or by the ``models:`` section of a
YAML file given as a path). They are for evaluation only: a go-live gate is always measured on the
tenant's own stored configuration.

- ``model-free`` — no providers: rules and extractive answers only.
- ``local`` — the bundled tiny model in-process (Gemma 3 270M through xllamacpp): proves the local
  path end to end; it knows no Hebrew, so its answers say nothing about quality.
- ``local-qwen`` — the opt-in Qwen2.5-Coder-1.5B (``sochen models fetch qwen-1.5b`` first).
- ``api`` — OpenAI's gpt-4o-mini with ``OPENAI_API_KEY``; personal data still never leaves
  (the policy is ``api_only``, so sensitive turns go nowhere rather than to the API).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..config.sections.models import ModelsConfig

__all__ = ["PRESETS", "models_preset"]

PRESETS: dict[str, dict[str, Any]] = {
    "model-free": {},
    "local": {
        "providers": {
            "local": {"kind": "llamacpp", "model": "gemma3-270m", "locality": "local", "timeout_s": 120},
        },
        "policy": {"mode": "local_only", "local": ["local"]},
    },
    "local-qwen": {
        "providers": {
            "local": {
                "kind": "llamacpp",
                "model": "qwen-1.5b",
                "locality": "local",
                "fetched": "qwen-1.5b",
                "timeout_s": 300,
            },
        },
        "policy": {"mode": "local_only", "local": ["local"]},
    },
    "api": {
        "providers": {
            "cloud": {"kind": "openai", "model": "gpt-4o-mini", "locality": "api", "api_key_env": "OPENAI_API_KEY"},
        },
        "policy": {"mode": "api_only", "api": ["cloud"]},
    },
}


def models_preset(name: str) -> ModelsConfig:
    """The models section named `name` (a preset, or a YAML file with a top-level ``models:``).

    Provider options are checked against their registered kinds; :class:`ValueError` says what is wrong.
    """
    from .providers.registry import models_problems

    if name in PRESETS:
        raw: Any = PRESETS[name]
    else:
        path = Path(name).expanduser()
        if not path.is_file():
            raise ValueError(f"--provider {name}: not a preset ({', '.join(PRESETS)}) and not a YAML file")
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"--provider {name}: cannot read it: {exc}") from None
        if not isinstance(document, dict) or not isinstance(document.get("models"), dict):
            raise ValueError(f"--provider {name}: the file needs a top-level `models:` section")
        raw = document["models"]
    models = ModelsConfig.model_validate(raw)
    problems = models_problems(models)
    if problems:
        raise ValueError(f"--provider {name}: " + "; ".join(problems))
    return models
