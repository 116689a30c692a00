"""n8n: trigger workflows through production webhooks; receive n8n's calls as events (protocols.md §3)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from ..base import Capability, Connector, SandboxFake, check_result_from_error
from ..errors import ConnectorError, ErrorKind
from ..http import hmac_sha256_hex, kind_for_status, parse_retry_after, send, verify_hmac_header
from ..types import (
    CheckResult,
    CheckStatus,
    InboundEvent,
    WebhookRequest,
    WorkflowEvent,
    WorkflowRunRef,
    WorkflowTrigger,
)
from ._config import N8nConfig

__all__ = ["EVENT_ID_HEADER", "IDEMPOTENCY_HEADER", "RUN_ID_HEADER", "N8nConnector", "sign_body"]

RUN_ID_HEADER = "X-Sochen-Run-Id"
IDEMPOTENCY_HEADER = "X-Sochen-Idempotency-Key"
EVENT_ID_HEADER = "X-Sochen-Event-Id"
_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-/.:]*$")
_STARTED = {"message": "Workflow was started"}


def sign_body(secret: str, body: bytes) -> str:
    """The signature header value for ``body``: ``sha256=<hex>``."""
    return "sha256=" + hmac_sha256_hex(secret, body)


class N8nConnector(Connector[N8nConfig]):
    """n8n workflows with Webhook triggers."""

    name = "n8n"
    title = "n8n"
    config_model = N8nConfig
    capabilities = frozenset({Capability.TRIGGER_WORKFLOW, Capability.RECEIVE_WEBHOOK})

    @classmethod
    def sandbox_fake(
        cls, settings: Mapping[str, Any], *, planned: Sequence[tuple[str, Mapping[str, Any]]] = ()
    ) -> SandboxFake:
        """A fake n8n with every workflow of the settings and of the planned triggers registered."""
        from ..testing.fakes import FakeN8n

        secrets: dict[str, str] = {}
        auth = None
        if settings.get("auth_header_value_env"):
            secrets["auth_header_value"] = "sandbox-n8n-auth"
            auth = (str(settings.get("auth_header_name") or "X-Sochen-Token"), secrets["auth_header_value"])
        paths = [str(p).strip("/") for p in settings.get("workflows") or []]
        for action_name, params in planned:
            workflow = params.get("workflow") if action_name == "trigger_workflow" else None
            if isinstance(workflow, str) and "{" not in workflow:  # a template is filled in per turn
                paths.append(workflow.strip("/"))
        fake = FakeN8n().start()
        for path in dict.fromkeys(p for p in paths if p):
            fake.register(path, header_auth=auth)
        return SandboxFake(
            fake=fake, overrides={"base_url": fake.url}, urls=[fake.url], stop=fake.stop, secrets=secrets
        )

    def check(self) -> CheckResult:
        """``GET /healthz``: n8n is up at base_url (webhook auth can only be proven by a real trigger)."""
        url = f"{self.config.base_url.rstrip('/')}/healthz"
        try:
            response = send(self.session, "GET", url, timeout=self.config.timeout_s)
        except ConnectorError as exc:
            return check_result_from_error(exc)
        if response.status_code == 200:
            return CheckResult(status=CheckStatus.OK, detail=f"n8n answers at {self.config.base_url}")
        retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock())
        status = response.status_code
        error = ConnectorError(
            kind_for_status(status), f"n8n /healthz answered HTTP {status}", status=status, retry_after=retry_after
        )
        return check_result_from_error(error)

    # -- outbound ------------------------------------------------------------------------------------

    def trigger_workflow(self, trigger: WorkflowTrigger) -> WorkflowRunRef:
        """POST the payload to the production webhook, signed; 'accepted' or 'completed' with data."""
        path = trigger.workflow.strip("/")
        if not _PATH.match(path) or ".." in path.split("/"):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"not a webhook path: {trigger.workflow!r}")
        if self.config.workflows and path not in self.config.workflows:
            raise ConnectorError(
                ErrorKind.MISCONFIGURED, f"workflow '{path}' is not in this tenant's n8n workflows list"
            )
        run_id = trigger.idempotency_key or uuid.uuid4().hex
        body = json.dumps(trigger.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            self.config.signature_header: sign_body(self.config.signing_secret.get_secret_value(), body),
            RUN_ID_HEADER: run_id,
        }
        if trigger.idempotency_key:
            headers[IDEMPOTENCY_HEADER] = trigger.idempotency_key
        if self.config.auth_header_value is not None:
            headers[self.config.auth_header_name] = self.config.auth_header_value.get_secret_value()
        url = f"{self.config.base_url.rstrip('/')}/{self.config.webhook_prefix}/{path}"
        response = send(self.session, "POST", url, timeout=self.config.timeout_s, data=body, headers=headers)
        if response.status_code >= 300:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock())
            raise self._error(
                response.status_code,
                response.text,
                retry_after,
                workflow=path,
                html="html" in response.headers.get("Content-Type", "").lower(),
                challenged="WWW-Authenticate" in response.headers,
            )
        details = {"http_status": response.status_code}
        if not response.content:
            return WorkflowRunRef(workflow=path, run_id=run_id, status="accepted", provider_details=details)
        try:
            answer: Any = response.json()
        except ValueError:
            answer = response.text
        if answer == _STARTED:  # "Respond: Immediately"
            return WorkflowRunRef(workflow=path, run_id=run_id, status="accepted", provider_details=details)
        return WorkflowRunRef(
            workflow=path, run_id=run_id, status="completed", response=answer, provider_details=details
        )

    def _error(
        self,
        status: int,
        text: str,
        retry_after: float | None,
        *,
        workflow: str | None = None,
        html: bool = False,
        challenged: bool = False,
    ) -> ConnectorError:
        message, hint, is_json = text.strip()[:300], None, False
        try:
            body = json.loads(text)
            if isinstance(body, dict):  # never pass on n8n's stacktrace
                message, hint, is_json = str(body.get("message") or message), body.get("hint"), True
        except ValueError:
            pass
        what = f"workflow '{workflow}'" if workflow else "n8n"
        if status == 404 and (html or not is_json):
            # Express's "Cannot POST /webhook/..." page: n8n is up but has not mounted its webhooks yet (the
            # first seconds after a start). Transient: the dispatcher retries with backoff.
            return ConnectorError(
                ErrorKind.UNREACHABLE,
                f"{what}: n8n answered 404 before its webhooks were mounted (starting up?); will retry",
                code="webhooks_not_mounted",
                status=status,
                retry_after=retry_after,
            )
        if status == 404:
            return ConnectorError(
                ErrorKind.MISCONFIGURED,
                f"{what}: {message} (is the workflow active, and is this its production path?)",
                code="webhook_not_registered",
                status=status,
                details={"hint": hint} if hint else {},
            )
        if status in (401, 403) and (challenged or message == "Authorization data is wrong!"):
            return ConnectorError(
                ErrorKind.MISCONFIGURED,
                f"{what}: {message} (check auth_header_name / auth_header_value against the Webhook node)",
                code="webhook_auth",
                status=status,
            )
        if status in (401, 403):  # the workflow's own check (a Respond to Webhook node), not n8n's header auth
            return ConnectorError(
                ErrorKind.MISCONFIGURED,
                f"{what} refused the call itself: HTTP {status}: {message} (its own check, e.g. of "
                f"{self.config.signature_header} against signing_secret; the Webhook node's auth passed)",
                code="workflow_refused",
                status=status,
            )
        return ConnectorError(
            kind_for_status(status),
            f"{what}: HTTP {status}: {message}",
            status=status,
            retry_after=retry_after,
        )

    # -- inbound -------------------------------------------------------------------------------------

    def verify_webhook(self, request: WebhookRequest) -> None:
        """The same signature header over the raw body, with the shared secret, in constant time."""
        verify_hmac_header(
            self.config.signing_secret.get_secret_value(),
            request.body,
            request.header(self.config.signature_header),
            header_name=self.config.signature_header,
        )

    def parse_webhook(self, request: WebhookRequest) -> list[InboundEvent]:
        """One WorkflowEvent; id from X-Sochen-Event-Id, the body's ``event_id``, or a hash of the body."""
        try:
            payload = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "n8n call body is not UTF-8 JSON") from None
        if not isinstance(payload, dict):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "n8n call body must be a JSON object")
        event_id = request.header(EVENT_ID_HEADER) or payload.get("event_id")
        if not event_id:
            event_id = "sha256:" + hashlib.sha256(request.body).hexdigest()[:32]
        name = payload.get("event") or payload.get("name") or "unnamed"
        # n8n sends no execution header of its own: a workflow that wants its execution known puts
        # {{ $execution.id }} in the body (and in event_id, see docs/connectors.md).
        details = {"execution_id": str(payload["execution_id"])} if payload.get("execution_id") else {}
        return [
            WorkflowEvent(
                event_id=str(event_id),
                connector=self.name,
                name=str(name),
                payload=payload,
                provider_details=details,
            )
        ]
