"""The scriptable loopback HTTP server behind the fake model endpoints.

A :class:`FakeServer` runs ``http.server`` in a daemon thread on ``127.0.0.1`` (port chosen by the
OS), records every request, answers chat requests from rules (regular expression on the last user
message → text or JSON) and can inject faults into the next requests: an HTTP status (429 with
``Retry-After``, 500, ...), a delay (to provoke client timeouts) or a malformed body.
Subclasses speak a concrete wire protocol (:mod:`.ollama`, :mod:`.openai`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

__all__ = ["FakeRule", "FakeServer", "Fault", "RecordedRequest", "example_from_schema"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    """The JSON body (None when absent or not JSON)."""


@dataclass
class FakeRule:
    """Answer chat requests whose last user message matches `pattern`."""

    pattern: str
    text: str | None = None
    json: Any = None
    refusal: str | None = None
    """OpenAI only: answer with a refusal instead of content."""
    handler: Callable[[dict[str, Any]], str] | None = None
    """Computes the reply text from the request body."""
    times: int | None = None
    used: int = 0


@dataclass
class Fault:
    """A failure injected into the next request(s)."""

    status: int | None = None
    retry_after: str | None = None
    delay_s: float = 0.0
    malformed: bool = False
    scope: Literal["chat", "all"] = "chat"
    times: int = 1


@dataclass
class _Reply:
    text: str
    refusal: str | None = None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeServer


class FakeServer:
    """Base of the fakes: lifecycle, recording, rules and faults. Use as a context manager."""

    chat_paths: tuple[str, ...] = ()

    def __init__(self, *, models: tuple[str, ...] | list[str] = ("test-model",), default_text: str = "בסדר.") -> None:
        self.models = list(models)
        self.default_text = default_text
        self.requests: list[RecordedRequest] = []
        self._rules: list[FakeRule] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeServer:
        """Start serving on a free loopback port."""
        handler = type("Handler", (_Handler,), {})
        self._server = _HTTPServer(("127.0.0.1", 0), handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (requests in flight are abandoned)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("the fake server is not running; use it as a context manager or call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- scripting -------------------------------------------------------------------------------
    def reply(
        self,
        pattern: str,
        text: str | None = None,
        *,
        json: Any = None,
        refusal: str | None = None,
        handler: Callable[[dict[str, Any]], str] | None = None,
        times: int | None = None,
    ) -> FakeServer:
        """Add a rule: requests whose last user message matches `pattern` get this answer."""
        with self._lock:
            self._rules.append(FakeRule(pattern, text, json, refusal, handler, times))
        return self

    def fail(
        self, status: int, *, retry_after: str | float | None = None, times: int = 1, scope: str = "chat"
    ) -> FakeServer:
        """Answer the next `times` requests with HTTP `status` (and ``Retry-After`` if given)."""
        with self._lock:
            ra = None if retry_after is None else str(retry_after)
            self._faults.append(Fault(status=status, retry_after=ra, times=times, scope=_scope(scope)))
        return self

    def delay(self, seconds: float, *, times: int = 1, scope: str = "chat") -> FakeServer:
        """Sleep `seconds` before answering the next `times` requests."""
        with self._lock:
            self._faults.append(Fault(delay_s=seconds, times=times, scope=_scope(scope)))
        return self

    def malformed(self, *, times: int = 1, scope: str = "chat") -> FakeServer:
        """Answer the next `times` requests with 200 and a body that is not valid JSON."""
        with self._lock:
            self._faults.append(Fault(malformed=True, times=times, scope=_scope(scope)))
        return self

    def chat_requests(self) -> list[RecordedRequest]:
        """The recorded chat requests only."""
        return [r for r in self.requests if r.path in self.chat_paths]

    # -- used by handlers ------------------------------------------------------------------------
    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.scope == "all" or path in self.chat_paths:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _answer(self, body: dict[str, Any], last_user: str, schema: dict[str, Any] | None, wants_json: bool) -> _Reply:
        with self._lock:
            rule = next(
                (
                    r
                    for r in self._rules
                    if (r.times is None or r.used < r.times) and re.search(r.pattern, last_user, re.I | re.S)
                ),
                None,
            )
            if rule is not None:
                rule.used += 1
        if rule is not None and rule.refusal is not None:
            return _Reply("", refusal=rule.refusal)
        if rule is not None and rule.json is not None:
            return _Reply(json.dumps(rule.json, ensure_ascii=False))
        if rule is not None and rule.handler is not None:
            text = rule.handler(body)
        else:
            text = rule.text if rule is not None and rule.text is not None else self.default_text
        if wants_json and not _is_json(text):
            # Honour the requested format the way a constrained decoder would: valid JSON, always.
            text = json.dumps(example_from_schema(schema, text) if schema else {"text": text}, ensure_ascii=False)
        return _Reply(text)

    def error_body(self, status: int, message: str) -> Any:
        """The protocol's error payload (subclasses override)."""
        return {"error": message}

    def handle(self, request: _Handler, method: str, path: str, body: Any) -> None:
        """Serve one request (subclasses implement the protocol)."""
        raise NotImplementedError


def _scope(value: str) -> Literal["chat", "all"]:
    if value not in ("chat", "all"):
        raise ValueError("scope must be 'chat' or 'all'")
    return "chat" if value == "chat" else "all"


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def example_from_schema(schema: dict[str, Any], text: str = "", defs: dict[str, Any] | None = None) -> Any:
    """A small instance that validates against `schema`; string fields are filled with `text`."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return example_from_schema(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), text, defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return example_from_schema(schema[key][0], text, defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: example_from_schema(sub, text, defs) for name, sub in props.items()}
    if kind == "array":
        return [example_from_schema(schema["items"], text, defs)] * int(schema.get("minItems", 0))
    return {"string": text, "integer": 0, "number": 0, "boolean": False, "null": None}.get(kind, text)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr logging."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path = self.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in self.headers.items()}
        with fake._lock:
            fake.requests.append(RecordedRequest(method, path, headers, body))
        try:
            fault = fake._take_fault(path)
            if fault is not None and fault.delay_s:
                time.sleep(fault.delay_s)
            if fault is not None and fault.malformed:
                self.send_body(200, b'{"message": {"role": "assistant", "content": "tru', "application/json")
                return
            if fault is not None and fault.status is not None:
                extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                self.send_json(fault.status, fake.error_body(fault.status, f"injected failure {fault.status}"), extra)
                return
            fake.handle(self, method, path, body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. it timed out)
            self.close_connection = True

    # -- writing ---------------------------------------------------------------------------------
    def send_body(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_body(status, data, "application/json; charset=utf-8", headers)

    def start_chunked(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_chunked(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
