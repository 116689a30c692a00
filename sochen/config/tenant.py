"""The tenant configuration: one YAML file, validated by a strict pydantic model.

Every section is a frozen model that rejects unknown keys. Problems are reported all at once, each
with the dotted path of the offending key and what to do about it (``did you mean ...``).
Secrets are never written inline: a key that looks like a secret (``api_key``, ``token``,
``password``, ...) must instead be written as ``<key>_env: ENV_VAR_NAME``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError

from .sections._base import StrictModel
from .sections.agent import AgentConfig
from .sections.evals import EvalsConfig
from .sections.knowledge import KnowledgeConfig
from .sections.models import ModelsConfig
from .sections.persona import PersonaConfig
from .sections.privacy import PrivacyConfig
from .sections.workflows import WorkflowsConfig

__all__ = [
    "LoadedTenant",
    "TenantConfig",
    "TenantConfigError",
    "load_tenant_file",
    "parse_tenant_yaml",
]

_SLUG = r"^[a-z][a-z0-9-]{1,62}$"
_SECRET_KEY = re.compile(r"(^|_)(api_key|apikey|token|secret|password|passwd|client_secret|app_secret)$")


class TenantConfig(StrictModel):
    """One tenant: a business using Sochen."""

    slug: str = Field(pattern=_SLUG, description="Stable identifier: lower-case Latin letters, digits, '-'.")
    name: str = Field(min_length=1, max_length=200, description="Display name, usually Hebrew.")
    language: str = Field(default="he", pattern=r"^[a-z]{2}$", description="Primary language (ISO 639-1).")
    timezone: str = Field(default="Asia/Jerusalem", description="IANA time zone for dates and business hours.")
    knowledge: KnowledgeConfig = Field(default_factory=KnowledgeConfig, description="The knowledge base.")
    models: ModelsConfig = Field(default_factory=ModelsConfig, description="Model providers and routing policy.")
    connectors: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Settings per connector, keyed by connector name (whatsapp, zoho_crm, n8n, webchat, or a "
        "plugin's name); each is validated against that connector's own configuration model by `sochen tenant "
        "apply`. The web chat's keys (allowed_origins, token_secret_env, title, greeting, session_days, "
        "reply_window_min, max_message_chars, visitor_per_min, ip_per_min, stream_poll_s) are described in "
        "docs/connectors.md, 'webchat'.",
    )
    agent: AgentConfig = Field(
        default_factory=AgentConfig, description="What the conversation agent collects and says."
    )
    workflows: WorkflowsConfig = Field(
        default_factory=WorkflowsConfig, description="Rules that turn the agent's events into connector jobs."
    )
    evals: EvalsConfig = Field(default_factory=EvalsConfig, description="Scenario suite and go-live gate.")
    persona: PersonaConfig = Field(
        default_factory=PersonaConfig, description="How the agent speaks and its fixed replies."
    )
    privacy: PrivacyConfig = Field(
        default_factory=PrivacyConfig, description="How long each kind of personal data is kept (days)."
    )

    def digest(self) -> str:
        """A stable hash of the effective configuration (used to tell versions apart)."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class TenantConfigError(ValueError):
    """The tenant YAML is not valid; ``problems`` lists each one with where and how to fix it."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid tenant configuration in {source}:\n{lines}")


@dataclass(frozen=True)
class LoadedTenant:
    """A validated tenant with the text it came from and the folder relative paths resolve against."""

    config: TenantConfig
    source_text: str
    base_dir: Path

    def resolve(self, path: str) -> Path:
        """Resolve a path written in the YAML relative to the YAML's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()


def parse_tenant_yaml(text: str, *, source: str = "<text>") -> TenantConfig:
    """Parse and validate tenant YAML text, raising :class:`TenantConfigError` with every problem."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise TenantConfigError(source, [f"YAML syntax error{where}: {problem}"]) from None
    if not isinstance(raw, dict):
        raise TenantConfigError(source, ["the file must be a mapping with at least `slug` and `name`"])
    problems = _inline_secrets(raw)
    try:
        config = TenantConfig.model_validate(raw)
    except ValidationError as exc:
        reported = {p.split("`")[1] for p in problems}
        problems.extend(m for m in _describe(exc, raw) if m.split("`")[1] not in reported)
        raise TenantConfigError(source, problems) from None
    if problems:
        raise TenantConfigError(source, problems)
    return config


def load_tenant_file(path: str | Path) -> LoadedTenant:
    """Read, parse and validate a tenant YAML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TenantConfigError(str(p), ["file not found"]) from None
    except UnicodeDecodeError:
        raise TenantConfigError(str(p), ["the file is not UTF-8 text"]) from None
    return LoadedTenant(parse_tenant_yaml(text, source=str(p)), text, p.resolve().parent)


def _inline_secrets(raw: Any, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _SECRET_KEY.search(key) and not isinstance(value, dict | list):
                found.append(
                    f"`{where}`: secrets are never written in the tenant file; put the value in an "
                    f"environment variable and write `{key}_env: VARIABLE_NAME` instead"
                )
            else:
                found.extend(_inline_secrets(value, where))
    elif isinstance(raw, list):
        for i, item in enumerate(raw):
            found.extend(_inline_secrets(item, f"{path}[{i}]"))
    return found


def _describe(exc: ValidationError, raw: dict[str, Any]) -> list[str]:
    out = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".") or "(top level)"
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            hint = difflib.get_close_matches(loc[-1], allowed, n=1)
            msg = f"`{where}`: unknown key"
            if hint:
                msg += f" — did you mean `{hint[0]}`?"
            if allowed:
                msg += f" (allowed here: {', '.join(allowed)})"
            out.append(msg)
        elif err["type"] == "missing":
            out.append(f"`{where}`: required key is missing")
        else:
            given = _lookup(raw, err["loc"])
            scalar = given is not _MISSING and not isinstance(given, dict | list)
            shown = f" (got {given!r})" if scalar else ""
            message = str(err["msg"]).removeprefix("Value error, ")
            out.append(f"`{where}`: {message}{shown}")
    return out


_MISSING = object()


def _lookup(raw: Any, loc: tuple[int | str, ...]) -> Any:
    node = raw
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return node


def _allowed_keys(loc: list[str]) -> list[str]:
    """Field names of the model found by walking `loc` from TenantConfig (dict keys are skipped)."""
    model: Any = TenantConfig
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if fields is None:
            return []
        if part in fields:
            model = _inner_model(fields[part].annotation)
        else:  # a dict key such as a provider name: step into the dict's value type
            continue
    fields = getattr(model, "model_fields", None)
    return sorted(fields) if fields else []


def _inner_model(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    if args:  # dict[str, Model] / list[Model] / Model | None
        for arg in reversed(args):
            if hasattr(arg, "model_fields"):
                return arg
    return annotation
