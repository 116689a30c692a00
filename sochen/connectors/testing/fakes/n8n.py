"""A fake n8n that answers production webhook calls the way n8n 2.40.7 did (protocols.md §3.7).

Register workflows by path with their response mode: ``onReceived`` answers 200
``{"message":"Workflow was started"}``; ``lastNode`` and ``responseNode`` answer with data (the
default responder echoes like the verified Respond-to-Webhook node: ``{"ok", "echo", "mode"}``).
Header auth failures answer 403 ``Authorization data is wrong!`` in plain text with
``WWW-Authenticate: Basic realm="Webhook"``; unknown paths and methods answer n8n's 404 JSON
(with a ``stacktrace`` that clients must not show); ``/webhook-test/...`` is never listening.

Two 404s, as a real n8n 2.40.7 answers them: for about five seconds after n8n starts its port is
open but webhooks are not mounted yet, and Express answers an HTML page ``Cannot POST
/webhook/…`` (transient: :meth:`FakeN8n.starting`); once mounted, an unknown path gets n8n's JSON
``The requested webhook "…" is not registered.`` (the permanent misconfiguration). A workflow may
also refuse a call itself (its own signature check, a Respond to Webhook node with 403):
``FakeWorkflow.refuse`` answers that, without n8n's ``WWW-Authenticate`` header.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ._server import FakeResponse, FakeServer, RecordedRequest

__all__ = ["FakeN8n", "FakeWorkflow"]

ResponseMode = Literal["onReceived", "lastNode", "responseNode"]
_STACK = "Error: not registered\n    at findWebhook (/usr/lib/node_modules/n8n/dist/webhooks.js:1:1)"


def _echo(item: dict[str, Any]) -> Any:
    return {"ok": True, "echo": item["body"], "mode": item["executionMode"]}


@dataclass
class FakeWorkflow:
    """One active workflow with a Webhook trigger."""

    path: str
    method: str = "POST"
    response_mode: ResponseMode = "onReceived"
    response_code: int = 200
    header_auth: tuple[str, str] | None = None
    respond: Callable[[dict[str, Any]], Any] = _echo
    fails: bool = False
    """The workflow errors before answering (n8n then answers 500)."""
    refuse: tuple[int, Any] | None = None
    """The workflow's own check refuses the call: (status, JSON body) from a Respond to Webhook node."""


class FakeN8n(FakeServer):
    """Production webhooks of active workflows, and ``/healthz``."""

    service = "n8n"

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        super().__init__(host=host)
        self.workflows: dict[str, FakeWorkflow] = {}
        self.executions: list[dict[str, Any]] = []
        """Items the Webhook node produced, one per run, oldest first."""
        self._unmounted = 0

    def starting(self, *, calls: int = 1) -> None:
        """n8n has just started: the next ``calls`` webhook calls get Express's HTML 404 (webhooks not mounted)."""
        with self._lock:
            self._unmounted = calls

    def register(self, path: str, **options: Any) -> FakeWorkflow:
        """Activate a workflow whose Webhook node listens on ``/webhook/<path>``."""
        workflow = FakeWorkflow(path=path.strip("/"), **options)
        with self._lock:
            self.workflows[workflow.path] = workflow
        return workflow

    def route(self, request: RecordedRequest) -> FakeResponse:
        """Answer like n8n's webhook server."""
        if request.path == "/healthz":
            return FakeResponse.json({"status": "ok"})
        if request.path.startswith("/webhook-test/"):
            path = request.path[len("/webhook-test/") :]
            return _not_registered(
                f'The requested webhook "{path}" is not registered.',
                "Click the 'Execute workflow' button on the canvas, then try again. (In test mode, the "
                "webhook only works for one call after you click this button)",
            )
        if not request.path.startswith("/webhook/") or self._unmounted > 0:
            if request.path.startswith("/webhook/"):
                self._unmounted -= 1
            return _express_404(request.method, request.path)
        path = request.path[len("/webhook/") :]
        workflow = self.workflows.get(path)
        if workflow is None:
            return _not_registered(
                f'The requested webhook "{request.method} {path}" is not registered.',
                "The workflow must be active for a production URL to run successfully. You can activate the "
                "workflow using the toggle in the top-right of the editor. Note that unlike test URL calls, "
                "production URL calls aren't shown on the canvas (only in the executions list)",
            )
        if workflow.method != request.method:
            return _not_registered(
                f"This webhook is not registered for {request.method} requests. Did you mean to make a "
                f"{workflow.method} request?",
                None,
            )
        if workflow.header_auth is not None:
            name, value = workflow.header_auth
            if request.headers.get(name) != value:
                return FakeResponse.text(
                    "Authorization data is wrong!", 403, {"WWW-Authenticate": 'Basic realm="Webhook"'}
                )
        try:
            body = json.loads(request.body.decode("utf-8")) if request.body else {}
        except ValueError:
            body = {}
        item = {
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "params": {},
            "query": {k: v[0] for k, v in request.query.items()},
            "body": body,
            "webhookUrl": f"{self.url}/webhook/{path}",
            "executionMode": "production",
        }
        self.executions.append(item)
        if workflow.response_mode == "onReceived" and workflow.refuse is None:
            return FakeResponse.json({"message": "Workflow was started"}, workflow.response_code)
        if workflow.refuse is not None:
            status, answer = workflow.refuse
            return FakeResponse.json(answer, status)
        if workflow.fails:
            return FakeResponse.json({"message": "Error in workflow"}, 500)
        return FakeResponse.json(workflow.respond(item), workflow.response_code)


def _not_registered(message: str, hint: str | None) -> FakeResponse:
    body: dict[str, Any] = {"code": 404, "message": message}
    if hint:
        body["hint"] = hint
    body["stacktrace"] = _STACK
    return FakeResponse.json(body, 404)


def _express_404(method: str, path: str) -> FakeResponse:
    """Express's own 404 page, which n8n's port answers before its webhooks are mounted."""
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n'
        f"<body>\n<pre>Cannot {method} {path}</pre>\n</body>\n</html>\n"
    )
    return FakeResponse(404, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})
