"""The provider contract: the one place it is written down.

A *provider* is one model endpoint a tenant may use (``models.providers.<name>`` in the tenant
YAML). Every provider, built-in or not, honours this contract:

Registration and options
    A provider kind is a :class:`Provider` subclass registered under its ``kind`` in the
    ``sochen.providers`` entry-point group (:mod:`sochen.llm.providers.registry`); the built-ins are
    registered the same way in Sochen's own ``pyproject.toml``. Each class names its
    ``options_model``: a strict :class:`ProviderOptions` subclass (unknown keys rejected, a
    description on every field) for the keys of ``models.providers.<name>`` beyond ``kind``,
    ``model`` and ``locality``. A secret is a ``SecretStr`` field ``x`` written ``x_env: VARIABLE``
    in the tenant file and read from the environment when the provider is built.

Construction
    ``Provider(name, config, ...)`` validates its options and stores them (``self.options``); it
    does **no I/O**: no connection, no model loading, no file reading. Secrets arrive as
    :class:`~pydantic.SecretStr` and are never logged or shown in ``repr``. Heavy work (starting
    a model server, opening a client) happens lazily on first use, once per process.

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
    Truncated              truncated     no         structured output cut off at the output-token
                                                    cap (``finish_reason`` ``length``): a kind of
                                                    ``Refused``, so the chain ends there
    =====================  ============  =========  ==============================================

    A structured answer that hits the output-token cap is never parsed as data, and it is not a sign
    of the provider's health: a small model that writes on and on (a prompt injection, a question that
    invites prose) does it again on retry, so :class:`Truncated` is not retryable and leaves the
    breaker alone. Providers report the cap through :attr:`RawCompletion.finish_reason`; the base class
    raises.

    Construction problems (a missing optional dependency, an unset API-key variable, the scripted
    double in production) raise :class:`ProviderConfigError` instead: they are configuration
    mistakes, not call failures.

Providers never decide routing and never retry: the router (:mod:`sochen.llm.router`) and
:func:`sochen.llm.service.run_routed` handle fallback. Clients are built with retries disabled.
"""

from __future__ import annotations

import email.utils
import functools
import json
import re
import ssl
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

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
    "ProviderOptions",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "RawCompletion",
    "Refused",
    "Truncated",
    "Usage",
    "as_messages",
    "parse_options",
    "parse_retry_after",
    "parse_structured",
    "secret_fields",
    "strict_json_schema",
    "tls_context",
]

Role = Literal["system", "user", "assistant"]


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """The TLS context every provider's HTTP client verifies servers with, made once per process.

    httpx's default (certifi's certificate authorities; ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` honoured):
    making it loads the whole CA bundle, about 55 ms, which a client made with its own paid on every
    request that built its providers (``/v1/ask``, a conversation turn, ``sochen ask``) — even for a
    model on loopback over plain HTTP. Verification is unchanged; the context is shared, not loosened.
    """
    import httpx

    return httpx.create_ssl_context()


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
    """The provider kind (a name in the ``sochen.providers`` entry-point group, e.g. 'ollama', 'llamacpp')."""
    parsed: BaseModel | None = None
    """The validated object when a schema was requested."""


@dataclass(frozen=True)
class RawCompletion:
    """What a provider implementation returns to the base class before timing and parsing."""

    text: str
    usage: Usage
    model: str
    finish_reason: str | None = None
    """Why generation stopped, in OpenAI's words ('stop', 'length', ...), when the endpoint says."""


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


class Truncated(Refused):
    """Structured output was cut off at the output-token cap: unusable, and no retry will change it."""

    kind = "truncated"


class ProviderConfigError(ValueError):
    """A provider cannot be built from its configuration (unknown kind, bad options, unset key variable, ...).

    ``problems`` lists each problem on its own (for ``sochen tenant apply``); the message joins them.
    """

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems) if problems is not None else [message]


class ProviderOptions(BaseModel):
    """Options every provider kind has; each kind's ``options_model`` extends this (and stays strict)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_s: float = Field(default=60.0, gt=0, le=600, description="Per-request timeout in seconds.")


def secret_fields(model: type[BaseModel]) -> frozenset[str]:
    """Names of the options typed ``SecretStr`` (optional ones included)."""
    return _option_names(model)[0]


@functools.cache
def _option_names(model: type[BaseModel]) -> tuple[frozenset[str], list[str]]:
    """(secret options, every key a tenant may write) of an options model: computed once per class."""
    secrets = frozenset(n for n, f in model.model_fields.items() if _mentions(f.annotation, SecretStr))
    allowed = sorted((set(model.model_fields) - secrets) | {f"{s}_env" for s in secrets})
    return secrets, allowed


def _mentions(annotation: Any, target: type) -> bool:
    if annotation is target:
        return True
    return any(_mentions(arg, target) for arg in getattr(annotation, "__args__", ()) or ())


def parse_options(
    model: type[ProviderOptions],
    raw: Mapping[str, Any],
    *,
    name: str,
    environ: Mapping[str, str] | None = None,
) -> ProviderOptions:
    """Validate the kind-specific keys of provider `name` against `model`.

    ``x_env: VARIABLE`` fills the secret option ``x`` from `environ` (default: the process
    environment). Raises :class:`ProviderConfigError` listing every problem with how to fix it:
    unknown keys get a "did you mean", a secret written inline is refused, and the text of a secret
    never appears in a message.
    """
    import difflib
    import os

    env = os.environ if environ is None else environ
    secrets, allowed = _option_names(model)
    data: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        base = key[:-4] if key.endswith("_env") else None
        if base in secrets:
            found = env.get(value) if isinstance(value, str) else None
            if not found:
                problems.append(f"environment variable {value} ({key}) is not set; export it or fix the name")
            else:
                data[base] = found
        elif key in secrets:
            problems.append(
                f"`{key}`: secrets are never written in the tenant file; put the value in an environment "
                f"variable and write `{key}_env: VARIABLE_NAME` instead"
            )
        else:
            data[key] = value
    try:
        options = model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            if err["type"] == "extra_forbidden":
                hint = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
                tip = f" — did you mean `{hint[0]}`?" if hint else ""
                problems.append(f"`{where}`: unknown key{tip} (allowed: {', '.join(allowed)})")
            elif err["type"] == "missing":
                if f"{where}_env" in raw:
                    continue  # reported above: its environment variable is not set
                alt = f" (or `{where}_env: VARIABLE`)" if where in secrets else ""
                problems.append(f"`{where}`: required key is missing{alt}")
            elif where in secrets:
                problems.append(f"`{where}`: {err['msg']}")
            else:
                problems.append(f"`{where}`: {err['msg']} (got {err.get('input')!r})")
        raise ProviderConfigError(f"provider '{name}': " + "; ".join(problems), problems=problems) from None
    if problems:
        raise ProviderConfigError(f"provider '{name}': " + "; ".join(problems), problems=problems)
    return options


class Provider(ABC):
    """Base class of every provider: timing, structured-output parsing and error tagging live here.

    A subclass sets ``kind`` (its entry-point name) and ``options_model``, and implements
    ``_complete`` and ``check``. :meth:`from_config` is what the factory calls; override it when the
    constructor needs more than the configuration (the scripted double takes the settings).
    """

    kind: ClassVar[str]
    options_model: ClassVar[type[ProviderOptions]] = ProviderOptions
    options: ProviderOptions

    def __init__(
        self,
        name: str,
        config: ProviderConfig,
        *,
        options: ProviderOptions | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if config.kind != self.kind:
            raise ProviderConfigError(f"provider '{name}' has kind '{config.kind}', not '{self.kind}'")
        self.name = name
        self.config = config
        if options is None:
            options = parse_options(self.options_model, config.options, name=name, environ=env)
        elif not isinstance(options, self.options_model):
            raise ProviderConfigError(
                f"provider '{name}': options must be {self.options_model.__name__}, not {type(options).__name__}"
            )
        self.options = options

    @classmethod
    def from_config(
        cls,
        name: str,
        config: ProviderConfig,
        *,
        settings: Any = None,
        env: Mapping[str, str] | None = None,
    ) -> Provider:
        """Build provider `name` from its tenant configuration (no I/O); `env` resolves ``*_env`` secrets."""
        return cls(name, config, env=env)

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
        limit = float(timeout) if timeout is not None else self.options.timeout_s
        started = time.perf_counter()
        try:
            raw = self._complete(msgs, schema=schema, timeout=limit)
            if schema is not None and raw.finish_reason == "length":
                raise Truncated(
                    f"the answer was cut off at the output-token cap after {raw.usage.output_tokens} tokens "
                    f"(incomplete {schema.__name__})"
                )
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


_LENGTHS = ("minLength", "maxLength")


def strict_json_schema(schema: type[BaseModel], *, lengths: bool = False) -> dict[str, Any]:
    """The JSON schema of `schema` in the strict dialect OpenAI requires.

    Every object gets ``additionalProperties: false`` and lists all its properties as required;
    ``$ref`` siblings (which strict mode rejects) are dropped in favour of the reference. String
    length bounds (``maxLength``), which OpenAI's strict mode does not take, are dropped unless
    `lengths`: a grammar-constrained server (llama.cpp) enforces them while sampling, which bounds
    how long a small model can write.
    """
    raw = schema.model_json_schema()
    return _strictify(json.loads(json.dumps(raw)), lengths)


def _strictify(node: Any, lengths: bool = False) -> Any:
    """Strict form of one schema node (``properties`` and ``$defs`` are maps of names to schemas)."""
    if isinstance(node, list):
        return [_strictify(v, lengths) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("default", "title") or (key in _LENGTHS and not lengths):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: _strictify(sub, lengths) for name, sub in value.items()}
        else:
            out[key] = _strictify(value, lengths)
    if out.get("type") == "object" and "properties" in out:
        out["additionalProperties"] = False
        out["required"] = list(out["properties"])
    return out
