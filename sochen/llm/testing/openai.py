"""A fake OpenAI-compatible server: ``/v1/chat/completions`` (plain and SSE streaming) and ``/v1/models``.

``response_format`` of type ``json_schema`` or ``json_object`` is honoured by always answering with
JSON; answers carry the ``usage`` block (and a final usage chunk when streaming with
``stream_options.include_usage``). ``max_tokens`` is honoured as a server does: a longer answer is
cut to that many (estimated) tokens and ends with ``finish_reason: "length"``. Errors use OpenAI's
``{"error": {...}}`` shape. When built with ``api_key``, requests without ``Authorization: Bearer
<key>`` get 401. Scripting and faults: :class:`._server.FakeServer`.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from .._tokens import estimate_tokens
from ._server import FakeServer, _Handler, _Reply

__all__ = ["FakeOpenAI"]

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_error",
}


class FakeOpenAI(FakeServer):
    """``with FakeOpenAI(models=["gpt-4o-mini"]) as server:`` then use ``base_url=server.base_url``."""

    chat_paths = ("/v1/chat/completions",)

    def __init__(self, *, api_key: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_key = api_key

    @property
    def base_url(self) -> str:
        """The URL to give an OpenAI client (ends in ``/v1``)."""
        return f"{self.url}/v1"

    def handle(self, request: _Handler, method: str, path: str, body: Any) -> None:
        """Serve one OpenAI-protocol request."""
        if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
            request.send_json(401, self.error_body(401, "Incorrect API key provided."))
        elif path == "/v1/models" and method == "GET":
            data = [
                {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "sochen-fake"} for m in self.models
            ]
            request.send_json(200, {"object": "list", "data": data})
        elif path == "/v1/chat/completions" and method == "POST":
            self._chat(request, body if isinstance(body, dict) else {})
        else:
            request.send_json(404, self.error_body(404, f"Invalid URL ({method} {path})"))

    def error_body(self, status: int, message: str) -> Any:
        """OpenAI's error envelope."""
        kind = _ERROR_TYPES.get(status, "server_error")
        return {"error": {"message": message, "type": kind, "param": None, "code": None}}

    def _chat(self, request: _Handler, body: dict[str, Any]) -> None:
        model = str(body.get("model") or "")
        if model not in self.models:
            payload = self.error_body(404, f"The model `{model}` does not exist or you do not have access to it.")
            payload["error"]["code"] = "model_not_found"
            request.send_json(404, payload)
            return
        messages = body.get("messages") or []
        if not messages:
            request.send_json(400, self.error_body(400, "'messages' must contain at least one message"))
            return
        seed = body.get("seed")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            request.send_json(400, self.error_body(400, f"Invalid type for 'seed': expected an integer, got {seed!r}"))
            return
        last_user = next((str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"), "")
        fmt = body.get("response_format") or {}
        schema = (fmt.get("json_schema") or {}).get("schema") if fmt.get("type") == "json_schema" else fmt.get("schema")
        wants_json = fmt.get("type") in ("json_schema", "json_object")
        reply = self._answer(body, last_user, schema, wants_json)
        finish = "stop"
        cap = body.get("max_tokens") or body.get("max_completion_tokens")
        if reply.refusal is None and isinstance(cap, int) and estimate_tokens(reply.text) > cap:
            reply, finish = _Reply(_cut(reply.text, cap)), "length"
        usage = {
            "prompt_tokens": sum(estimate_tokens(str(m.get("content", ""))) for m in messages),
            "completion_tokens": estimate_tokens(reply.text or reply.refusal or ""),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        message: dict[str, Any] = {
            "role": "assistant",
            "content": reply.text if reply.refusal is None else None,
            "refusal": reply.refusal,
        }
        if not body.get("stream"):
            request.send_json(
                200,
                {
                    "id": ident,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
                    "usage": usage,
                    "system_fingerprint": "fp_sochen_fake",
                },
            )
            return
        base = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model}
        request.start_chunked("text/event-stream; charset=utf-8")

        def event(payload: Any) -> None:
            request.write_chunk(b"data: " + json.dumps(payload, ensure_ascii=False).encode("utf-8") + b"\n\n")

        event(
            {
                **base,
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
            }
        )
        text = reply.text or ""
        for i in range(0, len(text), 8):
            event(
                {
                    **base,
                    "choices": [{"index": 0, "delta": {"content": text[i : i + 8]}, "finish_reason": None}],
                }
            )
        event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            event({**base, "choices": [], "usage": usage})
        request.write_chunk(b"data: [DONE]\n\n")
        request.end_chunked()


def _cut(text: str, cap: int) -> str:
    """The longest prefix of `text` within `cap` estimated tokens (what a server stopped at the cap sent)."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if estimate_tokens(text[:mid]) <= cap:
            low = mid
        else:
            high = mid - 1
    return text[:low]
