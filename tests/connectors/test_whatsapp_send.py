from __future__ import annotations

import hashlib
from typing import Any

import pytest

from sochen.connectors import (
    ButtonsMessage,
    CheckStatus,
    ConnectorError,
    ListMessage,
    TemplateMessage,
    TextMessage,
    WebhookRequest,
)
from sochen.connectors.testing.fakes import graph_error, signed_webhook, text_webhook
from sochen.connectors.whatsapp import ServiceWindowClosed

from ._support import APP_SECRET

pytestmark = pytest.mark.unit

PATIENT = "+972501234567"


def open_window(whatsapp: Any, clock: Any, wa_id: str = "972501234567") -> None:
    body = text_webhook("היי, רציתי לקבוע תור לבדיקה", wa_id=wa_id, timestamp=str(int(clock.now) - 60))
    whatsapp.receive_webhook(WebhookRequest("POST", body, signed_webhook(body, APP_SECRET)))


def test_text_inside_window(whatsapp: Any, graph: Any, clock: Any) -> None:
    open_window(whatsapp, clock)
    result = whatsapp.send_message(TextMessage(to="050-123-4567", text="בשמחה! מתי נוח לך?", reply_to="wamid.abc"))
    assert result.message_id.startswith("wamid.") and result.to == PATIENT
    (request,) = graph.requests_to("/messages")
    assert request.headers["Authorization"] == f"Bearer {graph.access_token}"
    assert request.path == f"/v23.0/{graph.phone_number_id}/messages"
    assert request.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "972501234567",
        "type": "text",
        "text": {"body": "בשמחה! מתי נוח לך?", "preview_url": False},
        "context": {"message_id": "wamid.abc"},
    }


def test_window_closed_requires_template(whatsapp: Any, graph: Any, clock: Any) -> None:
    with pytest.raises(ServiceWindowClosed) as err:
        whatsapp.send_message(TextMessage(to=PATIENT, text="שלום"))
    assert err.value.code == "131047" and not err.value.retryable
    assert graph.requests == []  # refused before any call
    open_window(whatsapp, clock)
    assert whatsapp.window_open(PATIENT)
    clock.now += 24 * 3600
    assert not whatsapp.window_open(PATIENT)
    result = whatsapp.send_message(
        TemplateMessage(to=PATIENT, name="appointment_reminder", body_parameters=["דנה", "יום ג׳ 10:00"])
    )
    assert result.provider_details == {"message_status": "accepted"}
    assert graph.sent[-1]["template"] == {
        "name": "appointment_reminder",
        "language": {"code": "he"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "דנה"}, {"type": "text", "text": "יום ג׳ 10:00"}],
            }
        ],
    }


def test_remote_131047_is_also_mapped(whatsapp: Any, graph: Any, clock: Any) -> None:
    open_window(whatsapp, clock)
    graph.closed_windows.add("972501234567")  # Meta's clock disagrees with ours
    with pytest.raises(ServiceWindowClosed):
        whatsapp.send_message(TextMessage(to=PATIENT, text="שלום"))


def test_interactive_buttons_and_list(whatsapp: Any, graph: Any, clock: Any) -> None:
    open_window(whatsapp, clock)
    whatsapp.send_message(
        ButtonsMessage(
            to=PATIENT,
            body="האם לאשר את התור?",
            buttons=[{"id": "confirm", "title": "כן, מאשר/ת"}, {"id": "cancel", "title": "לבטל"}],
            footer="מרפאת השן",
        )
    )
    whatsapp.send_message(
        ListMessage(
            to=PATIENT,
            body="בחרו שעה",
            button="שעות פנויות",
            sections=[
                {
                    "title": "יום א׳",
                    "rows": [{"id": "a-10", "title": "10:00"}, {"id": "a-12", "title": "12:00"}],
                }
            ],
        )
    )
    buttons, menu = graph.sent[-2]["interactive"], graph.sent[-1]["interactive"]
    assert buttons["type"] == "button" and buttons["footer"] == {"text": "מרפאת השן"}
    assert buttons["action"]["buttons"][0] == {
        "type": "reply",
        "reply": {"id": "confirm", "title": "כן, מאשר/ת"},
    }
    assert menu["action"] == {
        "button": "שעות פנויות",
        "sections": [{"title": "יום א׳", "rows": [{"id": "a-10", "title": "10:00"}, {"id": "a-12", "title": "12:00"}]}],
    }


def test_typed_limits() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ButtonsMessage(to=PATIENT, body="x", buttons=[{"id": str(i), "title": "t"} for i in range(4)])
    with pytest.raises(ValidationError):
        ButtonsMessage(to=PATIENT, body="x", buttons=[{"id": "a", "title": "כותרת ארוכה מדי לכפתור אחד"}])


def test_mark_read_is_an_action(whatsapp: Any, graph: Any) -> None:
    receipt = whatsapp.run_action("mark_read", {"message_id": "wamid.in1", "typing_indicator": True})
    assert receipt.success and graph.read_marks == ["wamid.in1"]
    assert graph.requests[-1].json()["typing_indicator"] == {"type": "text"}
    assert whatsapp.actions()["mark_read"].idempotent
    assert not whatsapp.actions()["send_message"].idempotent


@pytest.mark.parametrize(
    ("code", "status", "kind", "retry_after"),
    [
        (131026, 400, "permanent", None),
        (130429, 429, "rate_limited", 3.0),
        (131056, 400, "rate_limited", 6.0),
        (131000, 500, "unreachable", None),
        (132001, 404, "misconfigured", None),
        (131009, 400, "invalid_request", None),
        (131048, 400, "permanent", None),
    ],
)
def test_graph_errors_are_classified(
    whatsapp: Any, graph: Any, clock: Any, code: int, status: int, kind: str, retry_after: float | None
) -> None:
    open_window(whatsapp, clock)
    headers = {"Retry-After": "3"} if code == 130429 else None
    graph.script_response(graph_error(code, "error", status=status, headers=headers))
    with pytest.raises(ConnectorError) as err:
        whatsapp.send_message(TextMessage(to=PATIENT, text="שלום"))
    assert (err.value.kind, err.value.code, err.value.retry_after) == (kind, str(code), retry_after)
    assert err.value.retryable == (kind in ("rate_limited", "unreachable"))


def test_expired_token(whatsapp: Any, graph: Any, clock: Any) -> None:
    open_window(whatsapp, clock)
    graph.token_expired = True
    with pytest.raises(ConnectorError) as err:
        whatsapp.send_message(TextMessage(to=PATIENT, text="שלום"))
    assert (err.value.kind, err.value.code, err.value.details["error_subcode"]) == (
        "auth_invalid",
        "190",
        463,
    )
    assert whatsapp.check().status is CheckStatus.AUTH_INVALID


def test_check(whatsapp: Any, graph: Any) -> None:
    result = whatsapp.check()
    assert result.ok and "מרפאת" in result.detail
    graph.fail_next(
        429,
        json_body={"error": {"code": 4, "message": "(#4) Application request limit reached"}},
        headers={"Retry-After": "120"},
    )
    result = whatsapp.check()
    assert (result.status, result.retry_after) == (CheckStatus.RATE_LIMITED, 120.0)


def test_wrong_phone_number_id_is_misconfigured(whatsapp: Any, graph: Any) -> None:
    graph.phone_number_id = "999999999"
    assert whatsapp.check().status is CheckStatus.MISCONFIGURED


def test_media_download(whatsapp: Any, graph: Any) -> None:
    data = b"%PDF-1.7 referral letter"
    graph.add_media("778899", data, "application/pdf")
    content = whatsapp.download_media("778899")
    assert content.data == data and content.mime_type == "application/pdf"
    info, download = graph.requests
    assert info.path == "/v23.0/778899"
    assert download.path == "/whatsapp_business/attachments/" and download.headers["Authorization"].startswith(
        "Bearer "
    )


def test_media_checksum_mismatch_is_refused(whatsapp: Any, graph: Any) -> None:
    from sochen.connectors.testing.fakes import FakeResponse

    graph.add_media("55", b"real bytes", "image/jpeg")
    info = {
        "url": f"{graph.url}/whatsapp_business/attachments/?mid=55",
        "mime_type": "image/jpeg",
        "sha256": hashlib.sha256(b"other bytes").hexdigest(),
        "file_size": 10,
        "id": "55",
    }
    graph.script_response(FakeResponse.json(info), match="/v23.0/55")
    with pytest.raises(ConnectorError, match="checksum"):
        whatsapp.download_media("55")


def test_media_limits(whatsapp: Any, graph: Any) -> None:
    graph.add_media("1", b"x" * 100, "application/x-msdownload")
    with pytest.raises(ConnectorError, match="type not allowed") as err:
        whatsapp.download_media("1")
    assert err.value.kind == "permanent"
    small = whatsapp.config.model_copy(update={"max_media_bytes": 10})
    from sochen.connectors.whatsapp import WhatsAppConnector

    limited = WhatsAppConnector(small, session=whatsapp.session)
    graph.add_media("2", b"y" * 100, "image/jpeg")
    with pytest.raises(ConnectorError, match="larger than 10 bytes"):
        limited.download_media("2")
    with pytest.raises(ConnectorError) as missing:
        whatsapp.download_media("no-such-media")
    assert missing.value.kind == "misconfigured"


def test_send_message_runs_as_an_action_from_json(whatsapp: Any, graph: Any) -> None:
    # What the dispatcher does with a stored job: JSON parameters in, a typed result out.
    job = {"type": "template", "to": "+972501234567", "name": "lead_followup", "body_parameters": ["דנה"]}
    result = whatsapp.run_action("send_message", job)
    assert result.message_id.startswith("wamid.") and graph.sent[-1]["template"]["name"] == "lead_followup"
    with pytest.raises(ConnectorError) as err:
        whatsapp.run_action("no_such_action", {})
    assert err.value.kind == "invalid_request"


def test_media_token_goes_only_to_meta_hosts(whatsapp: Any, graph: Any) -> None:
    from sochen.connectors.testing.fakes import FakeResponse

    graph.add_media("66", b"x", "image/jpeg")
    info = {"url": "http://127.0.0.2:9/steal?mid=66", "mime_type": "image/jpeg", "file_size": 1, "id": "66"}
    graph.script_response(FakeResponse.json(info), match="/v23.0/66")
    with pytest.raises(ConnectorError, match=r"refusing to download from 127\.0\.0\.2"):
        whatsapp.download_media("66")
    assert len(graph.requests) == 1
