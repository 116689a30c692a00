"""A fake Meta Graph API for the WhatsApp Business Cloud API (protocols.md §1.6-1.9).

Serves ``GET /{version}/{phone-number-id}``, ``POST /{version}/{phone-number-id}/messages`` (text,
template, interactive buttons and lists, mark-as-read), ``GET /{version}/{media-id}`` and the
media bytes behind the returned URL (which needs the same bearer token). Errors use the Graph
envelope ``{"error": {"message", "type", "code", "error_subcode", "error_data", "fbtrace_id"}}``.
Builders for signed inbound webhook deliveries live here too, for tests and the eval sandbox.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from ...http import hmac_sha256_hex
from ._server import FakeResponse, FakeServer, RecordedRequest

__all__ = ["FakeGraphApi", "graph_error", "signed_webhook", "text_webhook"]

_VERSION = r"v\d+\.\d+"


def graph_error(
    code: int,
    message: str,
    *,
    status: int = 400,
    type: str = "OAuthException",
    subcode: int | None = None,
    details: str | None = None,
    headers: dict[str, str] | None = None,
) -> FakeResponse:
    """A Graph API error response in Meta's envelope."""
    error: dict[str, Any] = {"message": message, "type": type, "code": code, "fbtrace_id": "AbCdEfGhIjKlMn0"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return FakeResponse.json({"error": error}, status, headers)


class FakeGraphApi(FakeServer):
    """The slice of the Graph API that the WhatsApp connector uses."""

    service = "graph"

    def __init__(
        self,
        *,
        phone_number_id: str = "1122334455667",
        access_token: str = "EAAG-test-token",
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(host=host)
        self.phone_number_id = phone_number_id
        self.access_token = access_token
        self.token_expired = False
        self.sent: list[dict[str, Any]] = []
        self.read_marks: list[str] = []
        self.closed_windows: set[str] = set()
        """wa_ids to which free-form messages fail with 131047 (outside the 24-hour window)."""
        self.undeliverable: set[str] = set()
        """wa_ids for which every send fails with 131026."""
        self.media: dict[str, tuple[bytes, str]] = {}
        self._counter = 0

    def add_media(self, media_id: str, data: bytes, mime_type: str) -> None:
        """Make media downloadable by id."""
        with self._lock:
            self.media[media_id] = (data, mime_type)

    # -- routing -----------------------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> FakeResponse:
        """Answer one Graph API call."""
        path = request.path
        if path.startswith("/whatsapp_business/attachments"):
            return self._download(request)
        auth = self._auth(request)
        if auth is not None:
            return auth
        m = re.fullmatch(rf"/{_VERSION}/([^/]+)/messages", path)
        if m and request.method == "POST":
            if m.group(1) != self.phone_number_id:
                return _no_object(m.group(1))
            return self._messages(request)
        m = re.fullmatch(rf"/{_VERSION}/([^/]+)", path)
        if m and request.method == "GET":
            object_id = m.group(1)
            if object_id == self.phone_number_id:
                return FakeResponse.json(
                    {
                        "verified_name": "מרפאת שיניים לדוגמה",
                        "display_phone_number": "+972 3-123-4567",
                        "quality_rating": "GREEN",
                        "code_verification_status": "VERIFIED",
                        "id": self.phone_number_id,
                    }
                )
            if object_id in self.media:
                return self._media_info(request, object_id)
            return _no_object(object_id)
        return graph_error(2500, "Unknown path components: " + path, type="OAuthException")

    def _auth(self, request: RecordedRequest) -> FakeResponse | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token", status=401)
        if header[len("Bearer ") :] != self.access_token:
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token", status=401)
        if self.token_expired:
            return graph_error(
                190,
                "Error validating access token: Session has expired on Friday, 26-Apr-24 06:00:00 PDT.",
                status=401,
                subcode=463,
            )
        return None

    def _messages(self, request: RecordedRequest) -> FakeResponse:
        try:
            body = request.json()
        except ValueError:
            return graph_error(100, "(#100) Invalid JSON", type="OAuthException")
        if body.get("messaging_product") != "whatsapp":
            return graph_error(100, "(#100) The parameter messaging_product is required.")
        if body.get("status") == "read":
            if not str(body.get("message_id", "")).startswith("wamid."):
                return graph_error(100, "(#100) Invalid parameter", details="message_id is not valid")
            self.read_marks.append(body["message_id"])
            return FakeResponse.json({"success": True})
        to = str(body.get("to", ""))
        if not to.isdigit():
            return graph_error(100, "(#100) Invalid parameter", details="to must be a phone number in digits")
        problem = _validate_message(body)
        if problem:
            return graph_error(131009, "(#131009) Parameter value is not valid", details=problem)
        if to in self.undeliverable:
            return graph_error(131026, "Message undeliverable", details="Message Undeliverable.", type="OAuthException")
        if to in self.closed_windows and body.get("type") != "template":
            return graph_error(
                131047,
                "Re-engagement message",
                details="Message failed to send because more than 24 hours have passed since the customer "
                "last replied to this number.",
            )
        self._counter += 1
        wamid = "wamid." + base64.b64encode(f"fake-{self._counter:08d}-{to}".encode()).decode()
        self.sent.append(body)
        message: dict[str, Any] = {"id": wamid}
        if body.get("type") == "template":
            message["message_status"] = "accepted"
        return FakeResponse.json(
            {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [message]}
        )

    def _media_info(self, request: RecordedRequest, media_id: str) -> FakeResponse:
        data, mime = self.media[media_id]
        digest = hashlib.sha256(data).hexdigest()
        return FakeResponse.json(
            {
                "url": f"{self.url}/whatsapp_business/attachments/?mid={media_id}&ext=1&hash={digest[:12]}",
                "mime_type": mime,
                "sha256": digest,
                "file_size": len(data),
                "id": media_id,
                "messaging_product": "whatsapp",
            }
        )

    def _download(self, request: RecordedRequest) -> FakeResponse:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return FakeResponse.text("Unauthorized", 401)
        media_id = request.param("mid") or ""
        if media_id not in self.media:
            return FakeResponse.text("Not Found", 404)
        data, mime = self.media[media_id]
        return FakeResponse(200, data, {"Content-Type": mime})


def _no_object(object_id: str) -> FakeResponse:
    return graph_error(
        100,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation.",
        type="GraphMethodException",
        subcode=33,
    )


def _validate_message(body: dict[str, Any]) -> str | None:
    kind = body.get("type", "text")
    if kind == "text":
        text = (body.get("text") or {}).get("body")
        return None if isinstance(text, str) and 0 < len(text) <= 4096 else "text.body must be 1-4096 characters"
    if kind == "template":
        template = body.get("template") or {}
        if not template.get("name") or not (template.get("language") or {}).get("code"):
            return "template.name and template.language.code are required"
        return None
    if kind == "interactive":
        interactive = body.get("interactive") or {}
        action = interactive.get("action") or {}
        if not (interactive.get("body") or {}).get("text"):
            return "interactive.body.text is required"
        if interactive.get("type") == "button":
            buttons = action.get("buttons") or []
            if not 1 <= len(buttons) <= 3:
                return "interactive buttons: 1 to 3 buttons"
            if any(len(b["reply"]["title"]) > 20 for b in buttons):
                return "button title longer than 20 characters"
            return None
        if interactive.get("type") == "list":
            rows = [row for s in action.get("sections") or [] for row in s.get("rows") or []]
            if not action.get("button") or not 1 <= len(rows) <= 10:
                return "interactive list: a button label and 1 to 10 rows"
            return None
        return f"unsupported interactive type {interactive.get('type')!r}"
    return f"unsupported message type {kind!r}"


# -- inbound deliveries -------------------------------------------------------------------------------


def text_webhook(
    text: str,
    *,
    wa_id: str = "972501234567",
    name: str = "ישראל ישראלי",
    message_id: str = "wamid.HBgMOTcyNTAxMjM0NTY3FQIAEhggQUJDREVGMDEyMzQ1Njc4OQA=",
    timestamp: str = "1730231903",
    phone_number_id: str = "1122334455667",
) -> bytes:
    """The exact bytes Meta would POST for one inbound text message (compact, non-ASCII escaped)."""
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "264937493375603",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "97231234567",
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": message_id,
                                    "timestamp": timestamp,
                                    "text": {"body": text},
                                    "type": "text",
                                }
                            ],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
    return json.dumps(payload, separators=(",", ":")).encode("ascii")


def signed_webhook(body: bytes, app_secret: str) -> dict[str, str]:
    """Headers Meta sends with ``body``: content type and ``X-Hub-Signature-256``."""
    return {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": "sha256=" + hmac_sha256_hex(app_secret, body),
    }
