"""The ``openai`` provider: the official ``openai`` client against any OpenAI-compatible ``base_url``.

One class serves the OpenAI API, Azure OpenAI's v1 endpoint, vLLM, the llama.cpp server and any
other server speaking ``/v1/chat/completions``. Structured output uses ``response_format`` of type
``json_schema`` (strict). The client is built with ``max_retries=0``: fallback is the router's job.
Contract: :mod:`.base`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, Field, SecretStr

from ...config.sections.models import ProviderConfig
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
    Usage,
    parse_retry_after,
    strict_json_schema,
    tls_context,
)

if TYPE_CHECKING:
    import openai as _openai

__all__ = ["NO_KEY", "ChatOptions", "OpenAIOptions", "OpenAIProvider"]

NO_KEY = "sk-no-key-required"
"""Sent when the tenant names no key variable: local OpenAI-compatible servers usually need none."""


class ChatOptions(ProviderOptions):
    """Sampling options shared by the kinds that speak the OpenAI chat protocol."""

    temperature: float = Field(default=0.2, ge=0, le=2, description="Sampling temperature.")
    seed: int | None = Field(
        default=None,
        ge=0,
        description="Sampling seed sent with every call: the same question over the same passages gets the same "
        "answer (llama.cpp and vLLM honour it; the OpenAI API on a best-effort basis); empty sends none.",
    )
    max_output_tokens: int | None = Field(
        default=None, gt=0, le=32768, description="Upper bound on generated tokens per call; empty: the server's."
    )


class OpenAIOptions(ChatOptions):
    """Options of the ``openai`` kind."""

    base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible server, e.g. http://10.0.0.7:8000/v1 (vLLM, llama.cpp "
        "server); empty uses the OpenAI API.",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="API key (written `api_key_env: VARIABLE`); empty sends a placeholder, which local servers accept.",
    )


class OpenAIProvider(Provider):
    """A model behind an OpenAI-compatible HTTP API.

    Subclasses that serve an OpenAI-compatible endpoint of their own (the embedded ``llamacpp``
    kind, a vLLM variant) override :meth:`_endpoint` to say where it is and with which key.
    """

    kind = "openai"
    options_model: ClassVar[type[ProviderOptions]] = OpenAIOptions
    options: ChatOptions

    def __init__(
        self,
        name: str,
        config: ProviderConfig,
        *,
        options: ProviderOptions | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(name, config, options=options, env=env)
        self._client_obj: _openai.OpenAI | None = None
        self._lock = threading.Lock()

    def _endpoint(self) -> tuple[str | None, SecretStr | None]:
        """The base URL and key to call (may do I/O in subclasses: it is called on first use only)."""
        opts = self.options
        if not isinstance(opts, OpenAIOptions):  # pragma: no cover - a subclass forgot to override
            raise ProviderConfigError(f"{type(self).__name__} must override _endpoint()")
        return opts.base_url, opts.api_key

    @property
    def _where(self) -> str:
        return getattr(self.options, "base_url", None) or "the OpenAI API"

    def _client(self) -> _openai.OpenAI:
        with self._lock:
            if self._client_obj is None:
                try:
                    import openai
                except ImportError:  # pragma: no cover - depends on the environment
                    raise ProviderConfigError(
                        "the 'openai' provider needs the llm extra: pip install 'sochen[llm]'"
                    ) from None
                base_url, api_key = self._endpoint()
                self._client_obj = openai.OpenAI(
                    api_key=api_key.get_secret_value() if api_key is not None else NO_KEY,
                    base_url=base_url or None,
                    timeout=self.options.timeout_s,
                    max_retries=0,
                    http_client=openai.DefaultHttpxClient(verify=tls_context()),
                )
            return self._client_obj

    def _request(self, messages: list[Message], schema: type[BaseModel] | None) -> dict[str, Any]:
        """The keyword arguments of one ``chat.completions.create`` call, timeout aside."""
        kwargs: dict[str, Any] = {
            "model": self.config.model,
            "messages": [m.as_dict() for m in messages],
            "temperature": self.options.temperature,
        }
        if self.options.seed is not None:
            kwargs["seed"] = self.options.seed
        if self.options.max_output_tokens is not None:
            kwargs["max_tokens"] = self.options.max_output_tokens
        if schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": schema.__name__,
                    "schema": strict_json_schema(schema),
                    "strict": True,
                },
            }
        return kwargs

    def _complete(self, messages: list[Message], *, schema: type[BaseModel] | None, timeout: float) -> RawCompletion:
        request = self._request(messages, schema)
        client = self._client()  # configuration problems surface as ProviderConfigError, not call failures
        try:
            completion = client.chat.completions.create(timeout=timeout, **request)
            choice = completion.choices[0]
        except Exception as exc:
            raise self._map_error(exc) from None
        message = choice.message
        if getattr(message, "refusal", None):
            raise Refused(f"the model refused: {str(message.refusal)[:200]}", provider=self.name)
        if choice.finish_reason == "content_filter":
            raise Refused("the answer was withheld by the provider's content filter", provider=self.name)
        usage = completion.usage
        return RawCompletion(
            text=message.content or "",
            usage=Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0) if usage else Usage(),
            model=completion.model or self.config.model,
            finish_reason=choice.finish_reason,
        )

    def check(self) -> Health:
        """List the endpoint's models (``GET /models``) and confirm the configured one is served."""
        started = time.perf_counter()
        client = self._client()
        try:
            ids = tuple(m.id for m in client.models.list(timeout=min(self.options.timeout_s, 10.0)))
        except Exception as exc:
            raise self._map_error(exc) from None
        present = self.config.model in ids
        detail = "ok" if present else f"model '{self.config.model}' is not served here (found: {', '.join(ids[:5])})"
        return Health(present, detail, (time.perf_counter() - started) * 1000.0, ids)

    def _map_error(self, exc: Exception) -> ProviderError:
        import openai

        if isinstance(exc, ProviderError):
            return exc
        if isinstance(exc, openai.APITimeoutError):
            return ProviderTimeout("the OpenAI-compatible endpoint did not answer in time", provider=self.name)
        if isinstance(exc, openai.APIConnectionError):
            return ProviderUnavailable(f"cannot reach {self._where}: {exc.message}", provider=self.name)
        if isinstance(exc, openai.RateLimitError):
            return RateLimited(
                f"rate limited: {_message(exc)}",
                retry_after=parse_retry_after(exc.response.headers.get("retry-after")),
                provider=self.name,
            )
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            if status in (400, 401, 403, 404, 409, 413, 422):
                hint = " (check api_key_env)" if status in (401, 403) else ""
                return InvalidRequest(f"rejected ({status}){hint}: {_message(exc)}", provider=self.name)
            return ProviderUnavailable(f"server error ({status}): {_message(exc)}", provider=self.name)
        if isinstance(exc, openai.ContentFilterFinishReasonError):
            return Refused("the answer was withheld by the provider's content filter", provider=self.name)
        if isinstance(exc, openai.APIResponseValidationError | ValueError | KeyError | IndexError | AttributeError):
            return ProviderUnavailable(f"malformed response: {type(exc).__name__}", provider=self.name)
        return ProviderUnavailable(f"call failed: {type(exc).__name__}: {exc}", provider=self.name)


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
    return str(getattr(exc, "message", exc))[:300]
