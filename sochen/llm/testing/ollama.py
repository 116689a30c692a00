"""A fake Ollama server speaking the native wire protocol (``/api/chat``, ``/api/tags``, ``/api/version``).

Chat answers stream as NDJSON (the protocol's default) unless the request says ``"stream": false``;
``format`` (``"json"`` or a JSON schema) is honoured by always answering with JSON. A request for a
model the fake does not serve gets Ollama's 404. Scripting and faults: :class:`._server.FakeServer`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .._tokens import estimate_tokens
from ._server import FakeServer, _Handler

__all__ = ["FakeOllama"]

VERSION = "0.6.8"


class FakeOllama(FakeServer):
    """``with FakeOllama(models=["llama3.2"]) as server: ...`` then point a provider at ``server.url``."""

    chat_paths = ("/api/chat",)

    def handle(self, request: _Handler, method: str, path: str, body: Any) -> None:
        """Serve one Ollama request."""
        if path in ("/", "") and method in ("GET", "HEAD"):
            request.send_body(200, b"Ollama is running", "text/plain; charset=utf-8")
        elif path == "/api/version" and method == "GET":
            request.send_json(200, {"version": VERSION})
        elif path == "/api/tags" and method == "GET":
            request.send_json(200, {"models": [_tag(m) for m in self.models]})
        elif path == "/api/chat" and method == "POST":
            self._chat(request, body if isinstance(body, dict) else {})
        else:
            request.send_json(404, {"error": "404 page not found"})

    def _chat(self, request: _Handler, body: dict[str, Any]) -> None:
        model = str(body.get("model") or "")
        if not self._serves(model):
            request.send_json(404, {"error": f'model "{model}" not found, try pulling it first'})
            return
        messages = body.get("messages") or []
        seed = (body.get("options") or {}).get("seed")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            request.send_json(
                400, {"error": f"json: cannot unmarshal {type(seed).__name__} into options.seed of type int"}
            )
            return
        last_user = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
        fmt = body.get("format")
        schema = fmt if isinstance(fmt, dict) else None
        reply = self._answer(body, last_user, schema, wants_json=bool(fmt))
        prompt_tokens = sum(estimate_tokens(str(m.get("content", ""))) for m in messages)
        out_tokens = estimate_tokens(reply.text)
        final = {
            "model": model,
            "created_at": _now(),
            "done": True,
            "done_reason": "stop",
            "total_duration": 1_000_000,
            "load_duration": 100_000,
            "prompt_eval_count": prompt_tokens,
            "prompt_eval_duration": 200_000,
            "eval_count": out_tokens,
            "eval_duration": 700_000,
        }
        if body.get("stream", True) is False:
            request.send_json(200, {**final, "message": {"role": "assistant", "content": reply.text}})
            return
        request.start_chunked("application/x-ndjson")
        for piece in _pieces(reply.text):
            chunk = {
                "model": model,
                "created_at": _now(),
                "message": {"role": "assistant", "content": piece},
                "done": False,
            }
            request.write_chunk(json.dumps(chunk, ensure_ascii=False).encode("utf-8") + b"\n")
        last = {**final, "message": {"role": "assistant", "content": ""}}
        request.write_chunk(json.dumps(last).encode("utf-8") + b"\n")
        request.end_chunked()

    def _serves(self, model: str) -> bool:
        return any(model in (m, m.split(":")[0]) or f"{model}:latest" == m for m in self.models)

    def error_body(self, status: int, message: str) -> Any:
        """Ollama errors are ``{"error": "..."}``."""
        return {"error": message}


def _tag(name: str) -> dict[str, Any]:
    full = name if ":" in name else f"{name}:latest"
    return {
        "name": full,
        "model": full,
        "modified_at": _now(),
        "size": 2_019_393_189,
        "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": "llama",
            "families": ["llama"],
            "parameter_size": "3.2B",
            "quantization_level": "Q4_K_M",
        },
    }


def _pieces(text: str, size: int = 8) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")
