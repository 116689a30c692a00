"""The provider contract: the one place it is written down.

A *provider* is one model endpoint a tenant may use (``models.providers.<name>`` in the tenant
YAML). Every provider, built-in or not, honours this contract:

Construction
    ``Provider(name, config, ...)`` stores configuration and does **no I/O**: no connection, no
    model loading, no file reading. Secrets arrive as :class:`~pydantic.SecretStr` and are never
    logged or shown in ``repr``. Heavy work (loading a GGUF file, opening a client) happens lazily
    on first use, once per process.

``check() -> Health``
    The only call besides ``complete`` that does I/O: it asks the endpoint whether it is up and
    whether it serves the configured model. It returns :class:`Health` or raises a
    :class:`ProviderError`.

``complete(messages, *, schema=None, timeout=None) -> Completion``
    ``messages`` is a sequence of chat messages (:class:`Message`, or mappings with ``role`` in
    ``system``/``user``/``assistant`` and ``content``). ``timeout`` (seconds) overrides the
    configured ``timeout_s`` for this call. When ``schema`` (a pydantic model class) is given, the
    provider asks the model for JSON constrained to that schema with the endpoint's native
    mechanism (Ollama ``format``, OpenAI ``response_format`` ``json_schema``, llama.cpp grammar),
    and :attr:`Completion.parsed` is the validated object. The result carries the text, token
    usage, latency in milliseconds, the model that answered and the provider kind.

Errors
    Every failure is one of a small closed set, all subclasses of :class:`ProviderError` with a
    ``kind`` (used in the ledger as ``error:<kind>``) and ``retryable`` (whether the *same* request
    to the *same* provider may succeed later):

    =====================  ============  =========  ==============================================
    class                  kind          retryable  raised when
    =====================  ============  =========  ==============================================
    ProviderTimeout        timeout       yes        no answer within the timeout (connect or read)
    ProviderUnavailable    unavailable   yes        cannot connect; HTTP 5xx; a malformed response
                                                    body; structured output that does not validate
    RateLimited            rate_limited  yes        HTTP 429; ``retry_after`` seconds if the server
                                                    said (``Retry-After``), else ``None``
    InvalidRequest         invalid       no         HTTP 400/401/403/404/422: a bad request, an
                                                    unknown model, rejected credentials
    Refused                refused       no         the model declined (OpenAI ``refusal``,
                                                    ``content_filter``)
    =====================  ============  =========  ==============================================

    Construction problems (a missing optional dependency, an unset API-key variable, the scripted
    double in production) raise :class:`ProviderConfigError` instead: they are configuration
    mistakes, not call failures.

Providers never decide routing and never retry: the router (:mod:`sochen.llm.router`) and
:func:`sochen.llm.service.run_routed` handle fallback. Clients are built with retries disabled.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ValidationError

from ...config.sections.models import ProviderConfig

__all__ = [
    "Completion",
    "Health",
    "InvalidRequest",
    "Message",
    "MessageLike",
    "Provider",
    "ProviderConfigError",
    "ProviderError",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "RawCompletion",
    "Refused",
    "Usage",
    "as_messages",
    "parse_retry_after",
    "parse_structured",
    "strict_json_schema",
]

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: Role
    content: str

    def as_dict(self) -> dict[str, str]:
        """The wire form shared by every chat API: ``{"role": ..., "content": ...}``."""
        return {"role": self.role, "content": self.content}


MessageLike = Message | Mapping[str, str]


def as_messages(messages: Sequence[MessageLike]) -> list[Message]:
    """Normalise messages to :class:`Message`, raising :class:`InvalidRequest` on a bad role or shape."""
    out: list[Message] = []
    for i, m in enumerate(messages):
        if isinstance(m, Message):
            out.append(m)
            continue
        role, content = m.get("role"), m.get("content")
        if role not in ("system", "user", "assistant") or not isinstance(content, str):
            raise InvalidRequest(f"message {i}: needs role system/user/assistant and string content")
        out.append(Message(role, content))  # type: ignore[arg-type]
    if not out:
        raise InvalidRequest("no messages")
    return out


@dataclass(frozen=True)
class Usage:
    """Tokens consumed by one call."""

    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class Completion:
    """What a provider returns."""

    text: str
    usage: Usage
    latency_ms: float
    model: str
    provider: str
    """The provider kind: 'ollama', 'openai', 'llamacpp', 'scripted'."""
    parsed: BaseModel | None = None
    """The validated object when a schema was requested."""


@dataclass(frozen=True)
class RawCompletion:
    """What a provider implementation returns to the base class before timing and parsing."""

    text: str
    usage: Usage
    model: str


@dataclass(frozen=True)
class Health:
    """The result of :meth:`Provider.check`."""

    ok: bool
    detail: str
    latency_ms: float
    models: tuple[str, ...] = field(default_factory=tuple)


class ProviderError(Exception):
    """A model call failed; see the module docstring for the closed set of subclasses."""

    kind: ClassVar[str] = "error"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, provider: str | None = None) -> None:
        super().__init__(message)
        self.provider = provider


class ProviderTimeout(ProviderError):
    """No answer within the timeout."""

    kind = "timeout"
    retryable = True


class ProviderUnavailable(ProviderError):
    """Unreachable, a server error, or an answer that could not be used."""

    kind = "unavailable"
    retryable = True


class RateLimited(ProviderError):
    """HTTP 429; ``retry_after`` is the server's hint in seconds, if any."""

    kind = "rate_limited"
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, provider: str | None = None) -> None:
        super().__init__(message, provider=provider)
        self.retry_after = retry_after


class InvalidRequest(ProviderError):
    """The endpoint rejected the request (bad input, unknown model, rejected credentials)."""

    kind = "invalid"


class Refused(ProviderError):
    """The model declined to answer."""

    kind = "refused"


class ProviderConfigError(ValueError):
    """A provider cannot be built from its configuration (missing extra, unset key variable, ...)."""


class Provider(ABC):
    """Base class of every provider: timing, structured-output parsing and error tagging live here."""

    kind: ClassVar[str]

    def __init__(self, name: str, config: ProviderConfig) -> None:
        if config.kind != self.kind:
            raise ProviderConfigError(f"provider '{name}' has kind '{config.kind}', not '{self.kind}'")
        self.name = name
        self.config = config

    @property
    def model(self) -> str:
        """The configured model name."""
        return self.config.model

    @property
    def locality(self) -> Literal["local", "api"]:
        """'local' or 'api' (from configuration)."""
        return self.config.locality

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={self.model!r}, locality={self.locality!r})"

    def complete(
        self,
        messages: Sequence[MessageLike],
        *,
        schema: type[BaseModel] | None = None,
        timeout: float | None = None,
    ) -> Completion:
        """Run one chat completion (see the module docstring)."""
        msgs = as_messages(messages)
        limit = float(timeout) if timeout is not None else self.config.timeout_s
        started = time.perf_counter()
        try:
            raw = self._complete(msgs, schema=schema, timeout=limit)
            parsed = parse_structured(raw.text, schema) if schema is not None else None
        except ProviderError as exc:
            exc.provider = exc.provider or self.name
            raise
        latency = (time.perf_counter() - started) * 1000.0
        return Completion(
            text=raw.text,
            usage=raw.usage,
            latency_ms=latency,
            model=raw.model,
            provider=self.kind,
            parsed=parsed,
        )

    @abstractmethod
    def _complete(self, messages: list[Message], *, schema: type[BaseModel] | None, timeout: float) -> RawCompletion:
        """Call the endpoint; raise only :class:`ProviderError` subclasses."""

    @abstractmethod
    def check(self) -> Health:
        """Ask the endpoint whether it is up and serves the model (does I/O)."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def parse_structured(text: str, schema: type[BaseModel]) -> BaseModel:
    """Validate model output against `schema`; a Markdown code fence around the JSON is tolerated."""
    match = _FENCE.match(text)
    body = match.group(1) if match else text.strip()
    try:
        return schema.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {"msg": str(exc)}
        raise ProviderUnavailable(
            f"structured output does not match {schema.__name__}: {first.get('msg')} "
            f"at {'.'.join(str(p) for p in first.get('loc', ())) or '(root)'}"
        ) from None


def strict_json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of `schema` in the strict dialect OpenAI requires.

    Every object gets ``additionalProperties: false`` and lists all its properties as required;
    ``$ref`` siblings (which strict mode rejects) are dropped in favour of the reference.
    """
    raw = schema.model_json_schema()
    return _strictify(json.loads(json.dumps(raw)))


def _strictify(node: Any) -> Any:
    """Strict form of one schema node (``properties`` and ``$defs`` are maps of names to schemas)."""
    if isinstance(node, list):
        return [_strictify(v) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("default", "title"):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: _strictify(sub) for name, sub in value.items()}
        else:
            out[key] = _strictify(value)
    if out.get("type") == "object" and "properties" in out:
        out["additionalProperties"] = False
        out["required"] = list(out["properties"])
    return out
