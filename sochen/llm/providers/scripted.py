"""The ``scripted`` provider: a deterministic test double that replays canned answers by rule.

Each :class:`ScriptRule` is a regular expression matched (``re.search``) against the last user
message; the first rule that matches and still has uses left answers with text, JSON (a mapping,
list or pydantic object, serialised) or an error (a :class:`~.base.ProviderError` instance, raised).
Every call is recorded in :attr:`ScriptedProvider.calls`. Rules come from code, or, when built from
a tenant file, from the YAML file named by ``model_path``::

    - match: "שעות פעילות"
      reply: "אנחנו פתוחים א׳-ה׳ 08:00-18:00"
    - match: "סכם"
      json: {"summary": "..."}
    - match: "תקלה"
      error: timeout            # timeout | unavailable | rate_limited | invalid | refused

It refuses to be constructed when ``settings.environment == "production"``. Contract: :mod:`.base`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from ...config.sections.models import ProviderConfig
from ...config.settings import Settings, get_settings
from .._tokens import estimate_tokens
from .base import (
    Health,
    InvalidRequest,
    Message,
    Provider,
    ProviderConfigError,
    ProviderError,
    ProviderOptions,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    RawCompletion,
    Refused,
    Truncated,
    Usage,
)

__all__ = ["Reply", "ScriptRule", "ScriptedCall", "ScriptedOptions", "ScriptedProvider", "load_script"]

Reply = str | dict[str, Any] | list[Any] | BaseModel | ProviderError | Callable[[list[Message]], Any]
"""Text, JSON-able data, a pydantic object, an error to raise, or a function of the messages."""

_ERRORS: dict[str, Callable[[str], ProviderError]] = {
    "timeout": lambda m: ProviderTimeout(m),
    "unavailable": lambda m: ProviderUnavailable(m),
    "rate_limited": lambda m: RateLimited(m, retry_after=1.0),
    "invalid": lambda m: InvalidRequest(m),
    "refused": lambda m: Refused(m),
    "truncated": lambda m: Truncated(m),
}


@dataclass
class ScriptRule:
    """When `pattern` matches the last user message, answer with `reply` (at most `times` times)."""

    pattern: str
    reply: Reply
    times: int | None = None
    used: int = 0

    def matches(self, text: str) -> bool:
        """Whether this rule applies to `text` and has uses left."""
        if self.times is not None and self.used >= self.times:
            return False
        return re.search(self.pattern, text, flags=re.IGNORECASE | re.DOTALL) is not None


@dataclass(frozen=True)
class ScriptedCall:
    """One recorded call."""

    messages: tuple[Message, ...]
    schema: type[BaseModel] | None
    timeout: float


@dataclass
class _State:
    rules: list[ScriptRule] | None
    calls: list[ScriptedCall] = field(default_factory=list)


class ScriptedOptions(ProviderOptions):
    """Options of the ``scripted`` kind."""

    model_path: str | None = Field(
        default=None,
        description="A YAML file of rules ({match, reply | json | error[, times]}); empty: rules come from code.",
    )


class ScriptedProvider(Provider):
    """Replays canned answers; never touches the network."""

    kind = "scripted"
    options_model = ScriptedOptions
    options: ScriptedOptions

    @classmethod
    def from_config(
        cls,
        name: str,
        config: ProviderConfig,
        *,
        settings: Any = None,
        env: Mapping[str, str] | None = None,
    ) -> ScriptedProvider:
        """The factory's entry: the settings decide whether the double may exist (never in production)."""
        return cls(name, config, settings=settings)

    def __init__(
        self,
        name: str,
        config: ProviderConfig,
        *,
        rules: Sequence[ScriptRule] | None = None,
        default: Reply | None = None,
        settings: Settings | None = None,
    ) -> None:
        settings = settings or get_settings()
        if settings.environment == "production":
            raise ProviderConfigError(
                f"provider '{name}' is the scripted test double, which is refused in production; "
                "configure a real provider (ollama, openai or llamacpp)"
            )
        super().__init__(name, config)
        self.default = default
        # Rules from code are used as given; otherwise they are read from model_path on first use.
        self._state = _State(list(rules) if rules is not None else None)
        self._lock = threading.Lock()

    @property
    def calls(self) -> list[ScriptedCall]:
        """Every call received, in order."""
        return self._state.calls

    @property
    def rules(self) -> list[ScriptRule]:
        """The script (loaded from ``model_path`` on first access when not given in code)."""
        if self._state.rules is None:
            path = self.options.model_path
            self._state.rules = load_script(Path(path)) if path else []
        return self._state.rules

    def add(self, pattern: str, reply: Reply, *, times: int | None = None) -> ScriptedProvider:
        """Append a rule; returns self so rules can be chained."""
        self.rules.append(ScriptRule(pattern, reply, times))
        return self

    def _complete(self, messages: list[Message], *, schema: type[BaseModel] | None, timeout: float) -> RawCompletion:
        last_user = next((m.content for m in reversed(messages) if m.role == "user"), "")
        with self._lock:
            self._state.calls.append(ScriptedCall(tuple(messages), schema, timeout))
            rule = next((r for r in self.rules if r.matches(last_user)), None)
            if rule is not None:
                rule.used += 1
        reply = rule.reply if rule is not None else self.default
        if reply is None:
            raise InvalidRequest(f"scripted provider '{self.name}': no rule matches {last_user[:60]!r}")
        if callable(reply) and not isinstance(reply, BaseModel | ProviderError):
            reply = reply(messages)
        if isinstance(reply, ProviderError):
            raise reply
        if isinstance(reply, BaseModel):
            text = reply.model_dump_json()
        elif isinstance(reply, dict | list):
            text = json.dumps(reply, ensure_ascii=False)
        else:
            text = str(reply)
        prompt = sum(estimate_tokens(m.content) for m in messages)
        return RawCompletion(text, Usage(prompt, estimate_tokens(text)), self.config.model)

    def check(self) -> Health:
        """Always healthy (it has no endpoint)."""
        return Health(True, "scripted", 0.0, (self.config.model,))


def load_script(path: Path) -> list[ScriptRule]:
    """Read rules from a YAML list of ``{match, reply | json | error[, times]}`` entries."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProviderConfigError(f"cannot read scripted rules from {path}: {exc}") from None
    if not isinstance(raw, list):
        raise ProviderConfigError(f"{path}: expected a list of rules")
    rules = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or "match" not in entry:
            raise ProviderConfigError(f"{path}: rule {i} needs 'match' and one of 'reply', 'json', 'error'")
        reply: Reply
        if "error" in entry:
            make = _ERRORS.get(str(entry["error"]))
            if make is None:
                raise ProviderConfigError(f"{path}: rule {i}: error must be one of {', '.join(_ERRORS)}")
            reply = _raiser(make, f"scripted {entry['error']}")
        elif "json" in entry:
            reply = entry["json"]
        elif "reply" in entry:
            reply = str(entry["reply"])
        else:
            raise ProviderConfigError(f"{path}: rule {i} needs one of 'reply', 'json', 'error'")
        rules.append(ScriptRule(str(entry["match"]), reply, entry.get("times")))
    return rules


def _raiser(make: Callable[[str], ProviderError], message: str) -> Callable[[list[Message]], ProviderError]:
    # A fresh exception per call: an instance must not be raised twice.
    return lambda _messages: make(message)
