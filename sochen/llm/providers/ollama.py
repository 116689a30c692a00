"""The ``ollama`` provider: Ollama's native ``/api/chat`` through the official ``ollama`` client.

Structured output uses ``format`` with the JSON schema; ``keep_alive`` and the tenant's host are
passed through; ``options.temperature`` comes from the configuration. Contract: :mod:`.base`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, SecretStr, ValidationError

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
    Usage,
    parse_retry_after,
    tls_context,
)

if TYPE_CHECKING:
    import ollama as _ollama

__all__ = ["OllamaOptions", "OllamaProvider"]


class OllamaOptions(ProviderOptions):
    """Options of the ``ollama`` kind."""

    base_url: str | None = Field(
        default=None, description="Ollama host, e.g. http://10.0.0.5:11434; empty uses the client default."
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="Bearer token for an Ollama behind an authenticating proxy (written `api_key_env: VARIABLE`).",
    )
    keep_alive: str | None = Field(default=None, description="How long Ollama keeps the model loaded, e.g. '5m'.")
    temperature: float = Field(default=0.2, ge=0, le=2, description="Sampling temperature.")
    seed: int | None = Field(
        default=None,
        ge=0,
        description="Sampling seed sent with every call: the same question over the same passages gets the same "
        "answer; empty sends none.",
    )


class OllamaProvider(Provider):
    """A model served by Ollama (on this machine or on the LAN)."""

    kind = "ollama"
    options_model = OllamaOptions
    options: OllamaOptions

    def __init__(
        self,
        name: str,
        config: ProviderConfig,
        *,
        options: OllamaOptions | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(name, config, options=options, env=env)
        self._api_key = self.options.api_key
        self._clients: dict[float, _ollama.Client] = {}
        self._lock = threading.Lock()
        # The ollama client drops response headers on errors; a response hook keeps Retry-After.
        self._last = threading.local()

    def _client(self, timeout: float) -> _ollama.Client:
        try:
            import ollama
        except ImportError:  # pragma: no cover - depends on the environment
            raise ProviderConfigError("the 'ollama' provider needs the llm extra: pip install 'sochen[llm]'") from None
        with self._lock:
            client = self._clients.get(timeout)
            if client is None:
                headers = {}
                if self._api_key is not None:
                    headers["authorization"] = f"Bearer {self._api_key.get_secret_value()}"
                client = ollama.Client(
                    host=self.options.base_url or None,
                    timeout=timeout,
                    headers=headers or None,
                    event_hooks={"response": [self._remember_headers]},
                    verify=tls_context(),
                )
                self._clients[timeout] = client
            return client

    def _remember_headers(self, response: Any) -> None:
        self._last.retry_after = response.headers.get("retry-after")

    def _complete(self, messages: list[Message], *, schema: type[BaseModel] | None, timeout: float) -> RawCompletion:
        client = self._client(timeout)
        self._last.retry_after = None
        try:
            response = client.chat(
                model=self.config.model,
                messages=[m.as_dict() for m in messages],
                format=schema.model_json_schema() if schema is not None else None,
                options={"temperature": self.options.temperature}
                | ({"seed": self.options.seed} if self.options.seed is not None else {}),
                keep_alive=self.options.keep_alive,
                stream=False,
            )
        except Exception as exc:
            raise self._map_error(exc) from None
        return RawCompletion(
            text=response.message.content or "",
            usage=Usage(response.prompt_eval_count or 0, response.eval_count or 0),
            model=response.model or self.config.model,
            finish_reason=getattr(response, "done_reason", None),
        )

    def check(self) -> Health:
        """List the host's models (``/api/tags``) and confirm the configured one is there."""
        started = time.perf_counter()
        try:
            listed = self._client(min(self.options.timeout_s, 10.0)).list()
        except Exception as exc:
            raise self._map_error(exc) from None
        names = tuple(m.model or "" for m in listed.models)
        wanted = self.config.model
        present = any(n == wanted or n.split(":")[0] == wanted or n == f"{wanted}:latest" for n in names)
        detail = "ok" if present else f"model '{wanted}' is not pulled on this host (ollama pull {wanted})"
        return Health(present, detail, (time.perf_counter() - started) * 1000.0, names)

    def _map_error(self, exc: Exception) -> ProviderError:
        import httpx
        import ollama

        if isinstance(exc, ProviderError):
            return exc
        if isinstance(exc, httpx.TimeoutException):
            return ProviderTimeout(f"ollama did not answer in time: {type(exc).__name__}", provider=self.name)
        if isinstance(exc, ollama.ResponseError):
            status, message = exc.status_code, str(exc.error)[:300]
            if status == 429:
                return RateLimited(
                    f"ollama: {message}",
                    retry_after=parse_retry_after(getattr(self._last, "retry_after", None)),
                    provider=self.name,
                )
            if status in (400, 401, 403, 404, 422):
                return InvalidRequest(f"ollama rejected the request ({status}): {message}", provider=self.name)
            return ProviderUnavailable(f"ollama error ({status}): {message}", provider=self.name)
        if isinstance(exc, ConnectionError | httpx.TransportError):
            return ProviderUnavailable(
                f"cannot reach ollama at {self.options.base_url or 'default host'}", provider=self.name
            )
        if isinstance(exc, ValueError | ValidationError):  # JSON decoding or an unexpected response shape
            return ProviderUnavailable(f"malformed response from ollama: {type(exc).__name__}", provider=self.name)
        return ProviderUnavailable(f"ollama call failed: {type(exc).__name__}: {exc}", provider=self.name)
