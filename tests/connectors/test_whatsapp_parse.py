from __future__ import annotations

import json
from typing import Any

import pytest

from sochen.connectors import DeliveryStatus, InboundMessage, ProviderNotice, WebhookRejected, WebhookRequest
from sochen.connectors.testing.fakes import signed_webhook, text_webhook
from sochen.connectors.whatsapp import advance_status, parse_delivery

from ._support import APP_SECRET, FIXTURES, VERIFY_TOKEN

pytestmark = pytest.mark.unit

WA = FIXTURES / "whatsapp"


def variants() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for name in ("message", "message_status", "callback_button", "callback_selection"):
        for key, payload in json.loads((WA / f"{name}.json").read_text(encoding="utf-8")).items():
            out.append((name, key, payload))
    return out


@pytest.mark.parametrize(("file", "key", "payload"), variants(), ids=[f"{f}:{k}" for f, k, _ in variants()])
def test_every_fixture_payload_parses(file: str, key: str, payload: dict[str, Any]) -> None:
    events = parse_delivery(json.dumps(payload).encode(), connector="whatsapp")
    assert events, "every fixture yields at least one event"
    for event in events:
        assert event.event_id
        if isinstance(event, InboundMessage | DeliveryStatus):
            assert isinstance(event.timestamp, str) and event.timestamp.isdigit()
    again = parse_delivery(json.dumps(payload).encode(), connector="whatsapp")
    assert [e.event_id for e in again] == [e.event_id for e in events]


def parse_variant(file: str, key: str) -> list[Any]:
    payload = json.loads((WA / f"{file}.json").read_text(encoding="utf-8"))[key]
    return parse_delivery(json.dumps(payload).encode(), connector="whatsapp")


def test_text_message_fields() -> None:
    (m,) = parse_variant("message", "text")
    assert isinstance(m, InboundMessage)
    assert (m.event_id, m.message_id, m.timestamp, m.kind, m.text) == (
        "wamid.xyzxyz",
        "wamid.xyzxyz",
        "1697043223",
        "text",
        "Body Text",
    )
    assert m.contact.id == "972987654321" and m.contact.phone == "+972987654321"
    assert m.contact.name == "Test Name"
    assert m.contact.provider_details["user_id"] == "US.13491208655302741918"
    assert m.provider_details["phone_number_id"] == "1122334455667"


def test_media_voice_document_and_sticker() -> None:
    (voice,) = parse_variant("message", "voice")
    assert voice.media[0].kind == "voice" and voice.media[0].mime_type == "audio/ogg; codecs=opus"
    (doc,) = parse_variant("message", "document")
    assert (doc.media[0].filename, doc.text, doc.reply_to.forwarded) == ("filename.pdf", "caption", True)
    (img,) = parse_variant("message", "media_with_url")
    assert img.media[0].provider_details["url"].startswith("https://lookaside.fbsbx.com/")
    (sticker,) = parse_variant("message", "animated_sticker")
    assert sticker.media[0].kind == "sticker"


def test_interactive_replies_and_template_buttons() -> None:
    (button,) = parse_variant("callback_button", "button")
    assert button.selection.source == "button" and button.selection.id == "callback_data"
    (quick,) = parse_variant("callback_button", "quick_reply")
    assert quick.kind == "button" and quick.selection.source == "template_button"
    assert quick.reply_to.message_id == "wamid.xyzxyz=="
    (no_ctx,) = parse_variant("callback_button", "quick_reply_without_context")
    assert no_ctx.reply_to is None and no_ctx.contact.provider_details["user_id"].startswith("US.")
    (row,) = parse_variant("callback_selection", "description")
    assert row.selection.source == "list" and row.selection.description == "description"


def test_reactions_and_unreactions() -> None:
    (r,) = parse_variant("message", "reaction")
    assert r.text == "😮" and r.provider_details["reaction"] == {
        "message_id": "wamid.yzxyzx=",
        "removed": False,
    }
    for key in ("unreaction_empty", "unreaction_no_emoji"):
        (u,) = parse_variant("message", key)
        assert u.text is None and u.provider_details["reaction"]["removed"] is True


def test_errors_in_all_three_places() -> None:
    (unsupported,) = parse_variant("message", "unsupported")
    assert [(e.code, e.where) for e in unsupported.errors] == [("131051", "message")]
    (with_err,) = parse_variant("message", "interactive_message_with_err")
    assert [(e.code, e.where, e.details) for e in with_err.errors] == [
        ("131000", "value", "Unsupported webhook payload")
    ]
    (failed,) = parse_variant("message_status", "failed")
    assert isinstance(failed, DeliveryStatus)
    assert [(e.code, e.where) for e in failed.errors] == [("130472", "status")]


def test_statuses_dedupe_on_id_and_status() -> None:
    (sent,) = parse_variant("message_status", "sent")
    (read,) = parse_variant("message_status", "read")
    assert (sent.event_id, read.event_id) == ("wamid.xyzxyz:sent", "wamid.xyzxyz:read")
    assert sent.provider_details["pricing"]["category"] == "service"
    (tracked,) = parse_variant("message_status", "with_tracker")
    assert tracked.provider_details["biz_opaque_callback_data"] == "some data"
    (group,) = parse_variant("message_status", "group")
    assert group.provider_details["recipient_type"] == "group"


def test_other_kinds_keep_their_details() -> None:
    (loc,) = parse_variant("message", "chosen_location")
    assert loc.provider_details["location"]["name"] == "Facebook HQ"
    (contacts,) = parse_variant("message", "contacts")
    assert len(contacts.provider_details["contacts"]) == 3
    (order,) = parse_variant("message", "order")
    assert order.provider_details["order"]["product_items"][0]["currency"] == "ILS"
    (ref,) = parse_variant("message", "referral")
    assert ref.text == "BODY" and ref.provider_details["referral"]["ctwa_clid"] == "CTWA_CLID"
    (fwd,) = parse_variant("message", "forwarded_many_times")
    assert fwd.reply_to.frequently_forwarded is True


def test_batches_are_iterated_completely() -> None:
    msg = json.loads((WA / "message.json").read_text(encoding="utf-8"))
    status = json.loads((WA / "message_status.json").read_text(encoding="utf-8"))
    value_a = msg["text"]["entry"][0]["changes"][0]["value"]
    value_b = msg["image"]["entry"][0]["changes"][0]["value"]
    value_s = status["delivered"]["entry"][0]["changes"][0]["value"]
    value_a = {
        **value_a,
        "messages": [*value_a["messages"], {**value_a["messages"][0], "id": "wamid.second"}],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [{"field": "messages", "value": value_a}, {"field": "messages", "value": value_s}],
            },
            {"id": "2", "changes": [{"field": "messages", "value": value_b}]},
            {
                "id": "3",
                "changes": [{"field": "message_template_status_update", "value": {"event": "APPROVED"}}],
            },
        ],
    }
    events = parse_delivery(json.dumps(body).encode(), connector="whatsapp")
    kinds = [(type(e).__name__, e.event_id.split(":")[0]) for e in events]
    assert kinds[:4] == [
        ("InboundMessage", "wamid.xyzxyz"),
        ("InboundMessage", "wamid.second"),
        ("DeliveryStatus", "wamid.xyzxyz"),
        ("InboundMessage", "wamid.xyzxyz"),
    ]
    assert isinstance(events[4], ProviderNotice) and events[4].field == "message_template_status_update"


def test_not_a_delivery_is_an_invalid_request() -> None:
    from sochen.connectors import ConnectorError

    for body in (b"not json", b'{"object": "page"}', b"\xff\xfe"):
        with pytest.raises(ConnectorError) as err:
            parse_delivery(body, connector="whatsapp")
        assert err.value.kind == "invalid_request"


def test_statuses_accepted_in_any_order() -> None:
    assert advance_status(None, "read") == "read"
    assert advance_status("read", "delivered") == "read"
    assert advance_status("sent", "read") == "read"
    assert advance_status("delivered", "sent") == "delivered"
    assert advance_status("read", "failed") == "read"
    assert advance_status("sent", "failed") == "failed"
    assert advance_status("failed", "read") == "read"
    assert advance_status("read", "played") == "played"


# -- signature and handshake --------------------------------------------------------------------------


def test_protocol_signature_vector_verifies(whatsapp: Any) -> None:
    from sochen.connectors.whatsapp import WhatsAppConnector

    body = (WA / "signature_vector.body").read_bytes()
    header = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"
    connector = WhatsAppConnector(
        {
            **whatsapp.config.model_dump(),
            "phone_number_id": "277321005464405",  # the number the vector was delivered for
            "app_secret": "1222e786b144d0e85b9f365372d93676",
            "access_token": "x",
            "verify_token": "y",
        }
    )
    request = WebhookRequest("POST", body, {"x-hub-signature-256": header})
    events = connector.receive_webhook(request)
    assert [e.event_id for e in events] == [
        "wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA"
    ]
    reserialised = json.dumps(json.loads(body)).encode()
    with pytest.raises(WebhookRejected):
        connector.verify_webhook(WebhookRequest("POST", reserialised, {"X-Hub-Signature-256": header}))


def test_signature_rejections(whatsapp: Any) -> None:
    body = text_webhook("שלום, אפשר לקבוע תור?")
    headers = signed_webhook(body, APP_SECRET)
    whatsapp.verify_webhook(WebhookRequest("POST", body, headers))
    with pytest.raises(WebhookRejected) as missing:
        whatsapp.verify_webhook(WebhookRequest("POST", body, {}))
    assert missing.value.status == 401
    with pytest.raises(WebhookRejected) as tampered:
        whatsapp.verify_webhook(WebhookRequest("POST", body.replace(b"1730231903", b"1730231904"), headers))
    assert tampered.value.status == 403
    with pytest.raises(WebhookRejected):
        whatsapp.verify_webhook(WebhookRequest("POST", body, {"X-Hub-Signature-256": "sha1=abc"}))


def test_hebrew_text_survives_escaped_body(whatsapp: Any) -> None:
    body = text_webhook("שלום, אפשר לקבוע תור למחר?")
    assert b"\\u05e9" in body  # Meta escapes non-ASCII; the signature covers these bytes
    (m,) = whatsapp.receive_webhook(WebhookRequest("POST", body, signed_webhook(body, APP_SECRET)))
    assert m.text == "שלום, אפשר לקבוע תור למחר?" and m.contact.phone == "+972501234567"


def test_handshake(whatsapp: Any) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    assert whatsapp.handshake(WebhookRequest("GET", query=query)) == "1158201444"
    with pytest.raises(WebhookRejected):
        whatsapp.handshake(WebhookRequest("GET", query={**query, "hub.verify_token": "wrong"}))
    with pytest.raises(WebhookRejected):
        whatsapp.handshake(WebhookRequest("GET", query={**query, "hub.mode": "unsubscribe"}))
