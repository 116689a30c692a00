"""WhatsApp and n8n webhooks: signatures on raw bytes, stored once before 200, clear 4xx for bad input."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from sochen.db.models_api import InboundDelivery
from sochen.db.session import session_scope

from ._support import (
    VECTOR_SIGNATURE,
    VERIFY_TOKEN,
    count_deliveries,
    count_events,
    event_rows,
    fixture_payloads,
    n8n_headers,
    status_body,
    text_message,
    vector_body,
    wa_headers,
)

pytestmark = pytest.mark.unit

WA = "/webhooks/whatsapp/clinic"


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and error["message_he"] and error["message_en"]
    if code:
        assert error["code"] == code
    return error


def test_signature_vector_is_accepted_and_stored_before_the_answer(client, db_url, queue):
    body = vector_body()
    response = client.post(
        WA, content=body, headers={"Content-Type": "application/json", "X-Hub-Signature-256": VECTOR_SIGNATURE}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "received": 1, "new": 1, "duplicates": 0, "rejected": 0}
    [row] = event_rows(db_url)
    assert row.event_key == "wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA"
    assert (row.tenant, row.channel, row.kind, row.status) == ("clinic", "whatsapp", "message", "pending")
    assert row.payload["text"] == "Hey there! I am using PyWa."
    assert queue.ids == [row.id]
    with session_scope(db_url) as session:
        delivery = session.scalar(select(InboundDelivery))
        assert delivery is not None and delivery.body == body and delivery.id == row.delivery_id


def test_tampered_body_is_403_and_stores_nothing(client, db_url, queue):
    body = vector_body().replace(b"Hey there", b"Hey thera")
    response = client.post(
        WA, content=body, headers={"Content-Type": "application/json", "X-Hub-Signature-256": VECTOR_SIGNATURE}
    )
    assert_error(response, 403, "signature_mismatch")
    assert count_events(db_url) == 0 and count_deliveries(db_url) == 0 and queue.ids == []


def test_reserialised_body_is_rejected(client, db_url):
    # The signature covers the bytes as sent, not the JSON they decode to.
    body = json.dumps(json.loads(vector_body())).encode()
    response = client.post(
        WA, content=body, headers={"Content-Type": "application/json", "X-Hub-Signature-256": VECTOR_SIGNATURE}
    )
    assert_error(response, 403)
    assert count_events(db_url) == 0


@pytest.mark.parametrize(
    ("header", "status"),
    [(None, 401), ("", 401), ("sha1=abc", 403), ("sha256=", 403), ("sha256=" + "0" * 64, 403), ("garbage", 403)],
)
def test_missing_or_malformed_signature(client, db_url, header, status):
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-Hub-Signature-256"] = header
    assert_error(client.post(WA, content=vector_body(), headers=headers), status)
    assert count_events(db_url) == 0


@pytest.mark.parametrize(("name", "payload"), fixture_payloads(), ids=[n for n, _ in fixture_payloads()])
def test_every_fixture_payload_is_accepted(client, db_url, queue, name, payload):
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    response = client.post(WA, content=body, headers=wa_headers(body))
    assert response.status_code == 200, response.text
    ack = response.json()
    assert ack["new"] >= 1 and ack["new"] + ack["duplicates"] == ack["received"]
    assert count_events(db_url) == ack["new"] == len(queue.ids)


def test_duplicate_delivery_is_stored_once_and_enqueued_once(client, db_url, queue):
    body = text_message("wamid.dup-1")
    answers = [client.post(WA, content=body, headers=wa_headers(body)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["new"] for a in answers] == [1, 0, 0]
    assert [a.json()["duplicates"] for a in answers] == [0, 1, 1]
    assert count_events(db_url) == 1 and count_deliveries(db_url) == 1
    assert len(queue.ids) == 1


def test_redelivery_batched_differently_adds_only_the_new_item(client, db_url, queue):
    first = text_message("wamid.a")
    client.post(WA, content=first, headers=wa_headers(first))
    payload = json.loads(text_message("wamid.a"))
    second_message = dict(payload["entry"][0]["changes"][0]["value"]["messages"][0], id="wamid.b")
    payload["entry"][0]["changes"][0]["value"]["messages"].append(second_message)
    both = json.dumps(payload).encode()
    ack = client.post(WA, content=both, headers=wa_headers(both)).json()
    assert (ack["new"], ack["duplicates"]) == (1, 1)
    assert count_events(db_url) == 2 and len(queue.ids) == 2


def test_statuses_dedupe_on_id_and_status(client, db_url, queue):
    first = status_body([("wamid.out-1", "sent"), ("wamid.out-1", "delivered")])
    assert client.post(WA, content=first, headers=wa_headers(first)).json()["new"] == 2
    # read without... and sent again: only 'read' is new (statuses arrive in any order).
    again = status_body([("wamid.out-1", "read"), ("wamid.out-1", "sent")])
    ack = client.post(WA, content=again, headers=wa_headers(again)).json()
    assert (ack["new"], ack["duplicates"]) == (1, 1)
    keys = sorted(r.event_key for r in event_rows(db_url))
    assert keys == ["wamid.out-1:delivered", "wamid.out-1:read", "wamid.out-1:sent"]
    assert count_events(db_url, kind="status") == 3 and len(queue.ids) == 3


def test_handshake(client):
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = client.get(WA, params=good)
    assert response.status_code == 200
    assert response.text == "1158201444" and response.headers["content-type"].startswith("text/plain")
    assert_error(client.get(WA, params={**good, "hub.verify_token": "wrong"}), 403, "handshake_token")
    assert_error(client.get(WA, params={**good, "hub.mode": "unsubscribe"}), 403, "handshake_mode")
    assert_error(client.get(WA, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN}), 400)
    assert_error(client.get(WA), 403)
    assert_error(client.get("/webhooks/whatsapp/nobody", params=good), 404, "unknown_tenant")
    assert_error(client.get("/webhooks/whatsapp/bare", params=good), 409, "connector_not_configured")


def test_n8n_signed_unsigned_and_deduplicated(client, db_url, queue):
    url = "/webhooks/n8n/clinic"
    body = json.dumps({"event": "appointment.booked", "patient": "דנה", "slot": "2026-12-01T10:00"}).encode()
    assert_error(client.post(url, content=body, headers={"Content-Type": "application/json"}), 401)
    bad = {"Content-Type": "application/json", "X-Sochen-Signature": "sha256=" + "1" * 64}
    assert_error(client.post(url, content=body, headers=bad), 403)
    assert count_events(db_url) == 0
    ok = client.post(url, content=body, headers=n8n_headers(body))
    assert ok.status_code == 200 and ok.json()["new"] == 1
    assert client.post(url, content=body, headers=n8n_headers(body)).json()["duplicates"] == 1
    # The caller's own event id is the key when given.
    other = json.dumps({"event": "x", "n": 2}).encode()
    for _ in range(2):
        client.post(url, content=other, headers=n8n_headers(other, **{"X-Sochen-Event-Id": "run-77"}))
    rows = event_rows(db_url)
    assert [r.kind for r in rows] == ["workflow_event", "workflow_event"]
    assert rows[1].event_key == "run-77" and rows[0].event_key.startswith("sha256:")
    assert rows[0].payload["name"] == "appointment.booked" and len(queue.ids) == 2


def test_oversized_body_is_413_before_it_is_read(make_client, db_url):
    from tests.api.conftest import api_settings

    client = make_client(api=api_settings(max_webhook_bytes=1000))
    body = text_message("wamid.big", "א" * 2000)
    assert_error(client.post(WA, content=body, headers=wa_headers(body)), 413, "body_too_large")

    def chunks():  # no Content-Length: counted while it streams
        for _ in range(10):
            yield b"x" * 500

    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=00"}
    assert_error(client.post(WA, content=chunks(), headers=headers), 413, "body_too_large")
    assert count_events(db_url) == 0


def test_malformed_json_is_400(client, db_url):
    for body in (b"{not json", b"[]", b'{"object": "page"}', "שלום".encode("cp1255")):
        assert_error(client.post(WA, content=body, headers=wa_headers(body)), 400, "invalid_payload")
    assert count_events(db_url) == 0 and count_deliveries(db_url) == 0


def test_wrong_content_type_is_415(client, db_url):
    body = vector_body()
    for kind in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"X-Hub-Signature-256": VECTOR_SIGNATURE}
        if kind:
            headers["Content-Type"] = kind
        assert_error(client.post(WA, content=body, headers=headers), 415, "unsupported_media_type")
    ok = {"Content-Type": "application/json; charset=utf-8", "X-Hub-Signature-256": VECTOR_SIGNATURE}
    assert client.post(WA, content=body, headers=ok).status_code == 200


def test_unknown_tenant_and_missing_connector(client, db_url, monkeypatch):
    body = vector_body()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": VECTOR_SIGNATURE}
    assert_error(client.post("/webhooks/whatsapp/nobody", content=body, headers=headers), 404, "unknown_tenant")
    assert_error(client.post("/webhooks/whatsapp/" + "x" * 300, content=body, headers=headers), 404)
    error = assert_error(client.post("/webhooks/n8n/bare", content=body, headers=headers), 409)
    assert "connectors.n8n" in error["message_en"]
    monkeypatch.delenv("WA_APP_SECRET")
    error = assert_error(client.post(WA, content=body, headers=headers), 409, "connector_misconfigured")
    assert "WA_APP_SECRET" not in error["message"]  # details go to the log, not to the caller
    assert count_events(db_url) == 0


def test_wrong_method_is_json_405(client):
    assert_error(client.put(WA, content=b"{}"), 405, "method_not_allowed")
    assert_error(client.get("/nowhere"), 404, "not_found")


def test_control_characters_never_reach_the_database_as_keys(client, db_url):
    notice = b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"\\u0000"}]}]}'
    assert client.post(WA, content=notice, headers=wa_headers(notice)).status_code == 200
    nul_text = text_message("wamid.nul\u0000", "a\u0000b")
    assert client.post(WA, content=nul_text, headers=wa_headers(nul_text)).json()["new"] == 1
    assert client.post(WA, content=nul_text, headers=wa_headers(nul_text)).json()["duplicates"] == 1
    assert all(r.event_key.isprintable() for r in event_rows(db_url))
    assert_error(client.post("/webhooks/whatsapp/%00", content=nul_text, headers=wa_headers(nul_text)), 404)
    assert_error(client.get("/webhooks/whatsapp/cl%00inic"), 404)


def test_a_client_that_disconnects_mid_body_gets_no_500(client, db_url):
    import anyio

    from sochen.api.routes.webhooks import whatsapp_webhook

    app = client.app
    messages = iter([{"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.disconnect"}])
    scope = {
        "type": "http",
        "method": "POST",
        "path": WA,
        "headers": [(b"content-type", b"application/json")],
        "query_string": b"",
        "app": app,
    }

    async def call():
        from starlette.requests import Request

        async def receive():
            return next(messages)

        request = Request(scope, receive)
        try:
            await whatsapp_webhook("clinic", request, app.state.sochen)
        except Exception as exc:
            return exc
        return None

    error = anyio.run(call)
    assert getattr(error, "status", None) == 400 and error.code == "client_disconnected"
    assert count_events(db_url) == 0
