"""A real HTTP server on loopback, in a thread, that records every request and can be told to fail.

Each fake service subclasses :class:`FakeServer` and implements :meth:`FakeServer.route`. Failures
are scripted ahead of the calls they affect (``fail_next``, ``hang_next``); a hang holds the answer
until the given seconds pass or the server stops, so a client's own timeout fires first and no test
waits longer than that timeout.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from requests.structures import CaseInsensitiveDict

__all__ = ["FakeResponse", "FakeServer", "RecordedRequest"]

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class RecordedRequest:
    """One request exactly as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: CaseInsensitiveDict[str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        """The body parsed as ``application/x-www-form-urlencoded`` (first value of each key)."""
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}

    def param(self, name: str) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class FakeResponse:
    """What the fake answers."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> FakeResponse:
        """A JSON answer (UTF-8, Hebrew unescaped like the real services)."""
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})

    @classmethod
    def text(cls, text: str, status: int = 200, headers: dict[str, str] | None = None) -> FakeResponse:
        """A plain-text answer."""
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8", **(headers or {})})


Matcher = Callable[[RecordedRequest], bool]


@dataclass
class _Scripted:
    response: FakeResponse | None
    hang_s: float
    times: int
    match: Matcher | None
    after_routing: bool = False


class FakeServer:
    """Base of the fake services. Use as a context manager; ``url`` has no trailing slash."""

    service = "fake"

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        if host not in _LOOPBACK:
            raise ValueError(f"fakes listen on loopback only, not {host!r}")
        self._host = host
        self._lock = threading.RLock()
        self._requests: list[RecordedRequest] = []
        self._exchanges: list[tuple[RecordedRequest, FakeResponse | None]] = []
        self._script: list[_Scripted] = []
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind a free port and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        handler = _make_handler(self)
        httpd = ThreadingHTTPServer((self._host, 0), handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False  # keep-alive threads must not hold up stop()
        self._httpd = httpd
        self._stopping.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-{self.service}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release every held (hanging) answer."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        if self._httpd is None:
            raise RuntimeError("the fake is not started; use it as a context manager")
        port = self._httpd.server_address[1]
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{port}"

    # -- what was received -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path_part: str, method: str | None = None) -> list[RecordedRequest]:
        """Requests whose path contains ``path_part`` (and whose method is ``method``)."""
        return [r for r in self.requests if path_part in r.path and (method is None or r.method == method)]

    @property
    def exchanges(self) -> list[tuple[RecordedRequest, FakeResponse | None]]:
        """Each request with the answer it got (None: held until the client gave up)."""
        with self._lock:
            return list(self._exchanges)

    def clear_requests(self) -> None:
        """Forget what was received."""
        with self._lock:
            self._requests.clear()
            self._exchanges.clear()

    # -- scripting ---------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        json_body: Any = None,
        text: str | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        match: Matcher | str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with this status and body instead of routing them."""
        if json_body is not None:
            response = FakeResponse.json(json_body, status, headers)
        else:
            response = FakeResponse.text(text or "", status, headers)
        self.script_response(response, times=times, match=match)

    def script_response(self, response: FakeResponse, *, times: int = 1, match: Matcher | str | None = None) -> None:
        """Answer the next ``times`` matching requests with ``response``."""
        with self._lock:
            self._script.append(_Scripted(response, 0.0, times, _matcher(match)))

    def hang_next(
        self, *, seconds: float = 5.0, times: int = 1, match: Matcher | str | None = None, after_routing: bool = False
    ) -> None:
        """Hold the next matching requests for ``seconds`` (or until stop) so the client times out.

        ``after_routing=True`` routes the request first, so a write is done although its answer is lost:
        what a real service does when the connection drops after the work (the retry must not repeat it).
        """
        with self._lock:
            self._script.append(_Scripted(None, seconds, times, _matcher(match), after_routing))

    def clear_script(self) -> None:
        """Drop scripted failures not yet used."""
        with self._lock:
            self._script.clear()

    # -- for subclasses ----------------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> FakeResponse:
        """Answer a request the script did not take; subclasses implement the service here."""
        return FakeResponse.json({"error": "not found"}, 404)

    def _respond(self, request: RecordedRequest) -> FakeResponse | None:
        with self._lock:
            self._requests.append(request)
            scripted = None
            for item in self._script:
                if item.match is None or item.match(request):
                    scripted = item
                    item.times -= 1
                    if item.times <= 0:
                        self._script.remove(item)
                    break
        response: FakeResponse | None
        if scripted is not None:
            if scripted.response is None and scripted.after_routing:
                with self._lock:
                    self.route(request)  # the work is done; its answer never arrives
            if scripted.response is None:
                self._stopping.wait(scripted.hang_s)
            response = scripted.response
        else:
            with self._lock:
                response = self.route(request)
        with self._lock:
            self._exchanges.append((request, response))
        return response


def _matcher(match: Matcher | str | None) -> Matcher | None:
    if match is None or callable(match):
        return match
    part = match
    return lambda r: part in r.path


def _make_handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10  # idle keep-alive connections end on their own

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes: without this, Nagle + delayed ACK add 40 ms each.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = RecordedRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers=CaseInsensitiveDict(dict(self.headers.items())),
                body=body,
            )
            try:
                response = fake._respond(request)
            except Exception as exc:  # a bug in a fake must show up as a 500, not a hung client
                response = FakeResponse.text(f"fake {fake.service} failed: {exc!r}", 500)
            if response is None:  # a hang that outlived the client: drop the connection
                self.close_connection = True
                return
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD" and response.body:
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
