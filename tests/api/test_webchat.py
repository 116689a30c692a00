"""The web chat channel over HTTP: origins, tokens, limits, bad input, durable inbound, the stream, isolation."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from sochen.config import get_settings
from sochen.connectors.registry import build_config, load_connector
from sochen.db.models_api import InboundEventRow
from sochen.db.models_outbox import Job
from sochen.db.models_webchat import WebchatMessage, WebchatVisitor
from sochen.db.session import session_scope

from ._support import apply_tenant
from ._webchat import (
    ORIGIN,
    OTHER_SECRET,
    SECRET,
    ensure_entry_point,
    headers,
    open_session,
    read_stream,
    say,
    webchat_yaml,
)

pytestmark = pytest.mark.unit

OTHER_ORIGIN = "https://other-clinic.example.co.il"


@pytest.fixture
def shop(db_url, tmp_path, monkeypatch):
    """Tenants 'shop' and 'other', each with a web chat on its own site; the entry point registered."""
    ensure_entry_point(tmp_path, monkeypatch)
    monkeypatch.setenv("WEBCHAT_SECRET", SECRET)
    monkeypatch.setenv("OTHER_WEBCHAT_SECRET", OTHER_SECRET)
    apply_tenant(db_url, "shop", connectors=False, extra=webchat_yaml([ORIGIN], stream_poll_s=0.05))
    apply_tenant(db_url, "slow", connectors=False, extra=webchat_yaml([ORIGIN], visitor_per_min=3))
    apply_tenant(db_url, "other", connectors=False, extra=webchat_yaml([OTHER_ORIGIN], "OTHER_WEBCHAT_SECRET"))
    return db_url


def count(url, model, *where):
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_widget_script_is_served_configured_for_the_tenant(shop, client, make_client):
    response = client.get("/webchat/shop/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert '"tenant": "shop"' in response.text and "attachShadow" in response.text
    assert "http://testserver/webchat/shop" in response.text
    assert "https://" not in response.text.replace(ORIGIN, "")  # no third-party asset, no CDN
    assert client.get("/webchat/bare/widget.js").status_code == 404  # a tenant without a web chat
    from tests.api.conftest import api_settings

    behind_proxy = make_client(api=api_settings(public_url="https://sochen.clinic.co.il"))
    assert '"api": "https://sochen.clinic.co.il/webchat/shop"' in behind_proxy.get("/webchat/shop/widget.js").text
    assert client.get("/webchat/nobody/widget.js").status_code == 404


def test_a_message_is_acknowledged_only_once_stored_as_an_inbound_item_and_job(shop, client, queue):
    session = open_session(client)
    assert session["resumed"] is False and session["messages"] == []
    response = say(client, session["token"], 'שָׁלוֹם! מה שעות הפתיחה ב-ת"א?', "m1")
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.json()["new"] == 1
    [row] = _rows(shop)
    assert (row.tenant, row.channel, row.kind, row.status) == ("shop", "webchat", "message", "pending")
    assert row.payload["contact"]["id"].startswith("wc_") and row.payload["contact"]["phone"] is None
    assert queue.ids == [row.id]
    assert count(shop, Job, Job.id == row.id, Job.action == "sochen.inbound") == 1
    # The same message again (the widget retried after a lost answer): acknowledged, nothing new.
    again = say(client, session["token"], 'שָׁלוֹם! מה שעות הפתיחה ב-ת"א?', "m1")
    assert again.status_code == 200 and again.json() == {"ok": True, "new": 0, "duplicates": 1}
    assert count(shop, WebchatMessage) == 1 and len(queue.ids) == 1


def test_origins_are_refused_on_every_request(shop, client):
    token = open_session(client)["token"]
    evil = "https://evil.example.com"
    assert client.post("/webchat/shop/session", json={}, headers={"Origin": evil}).status_code == 403
    refused = say(client, token, "שלום", "m1", origin=evil)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in refused.headers
    assert client.post("/webchat/shop/session", json={}).status_code == 403  # no Origin at all
    with client.stream("GET", "/webchat/shop/stream?wait=1", headers=headers(token, evil)) as r:
        assert r.status_code == 403
    preflight = client.options(
        "/webchat/shop/messages", headers={"Origin": evil, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 403
    ok = client.options("/webchat/shop/messages", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == ORIGIN
    assert "Authorization" in ok.headers["access-control-allow-headers"]
    assert _rows(shop) == []


def test_tampered_expired_and_foreign_tokens_are_refused(shop, client, monkeypatch):
    token = open_session(client)["token"]
    payload, mac = token.split(".")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    for bad in (f"{flipped}.{mac}", f"{payload}.{mac[:-1]}x", "not-a-token", ""):
        response = say(client, bad, "שלום", "m1")
        assert response.status_code == 401, bad
        body = response.json()["error"]
        assert body["message_he"] and "Traceback" not in json.dumps(body)
        assert response.headers["access-control-allow-origin"] == ORIGIN  # the widget can read why
    # A token of tenant 'other' (another secret, another site) is refused by 'shop', and vice versa.
    other = open_session(client, "other", origin=OTHER_ORIGIN)["token"]
    assert say(client, other, "שלום", "m1").status_code == 401
    assert say(client, token, "שלום", "m1", tenant="other", origin=OTHER_ORIGIN).status_code == 401
    # Expired: the clock moves past session_days.
    import time as time_module

    real = time_module.time
    monkeypatch.setattr(time_module, "time", lambda: real() + 31 * 86400)
    assert say(client, token, "שלום", "m1").status_code == 401
    monkeypatch.setattr(time_module, "time", real)
    assert _rows(shop) == []
    # An invalid token at session start is not an error: a new anonymous visitor begins.
    fresh = open_session(client, token=f"{flipped}.{mac}")
    assert fresh["resumed"] is False and fresh["token"] != token


def test_malformed_input_gets_clear_hebrew_errors_and_stores_nothing(shop, client):
    token = open_session(client)["token"]
    h = headers(token)
    cases = [
        (b'{"id": "m1", "text": "   "}', 400, "empty_message"),
        (json.dumps({"id": "m1", "text": "א" * 2001}).encode(), 400, "message_too_long"),
        (b'{"id": "m1", "text": "\xff\xfe"}', 400, "invalid_payload"),
        (b"[1, 2]", 400, "invalid_payload"),
        (b'{"id": "../etc", "text": "hi"}', 400, "invalid_payload"),
        (b'{"id": "m1", "text": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, "payload_too_deep"),
        (b'{"id": "m1", "text": "' + "א".encode() * 20000 + b'"}', 413, "body_too_large"),
    ]
    for body, status, code in cases:
        response = client.post("/webchat/shop/messages", content=body, headers=h)
        assert response.status_code == status, (code, response.text)
        error = response.json()["error"]
        assert error["code"] == code and error["message_he"]
        assert "object has no attribute" not in error["message"] and "Error(" not in error["message"]
    wrong_type = client.post("/webchat/shop/messages", content=b"id=m1", headers={**h, "Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    assert _rows(shop) == [] and count(shop, WebchatMessage) == 0
    # The generic webhook route does not take web chat messages (no limits, no stream there).
    body = json.dumps({"id": "m9", "text": "שלום"}).encode()
    assert client.post("/webhooks/webchat/shop", content=body, headers=h).status_code == 403


def test_rate_limits_per_visitor_and_per_ip(shop, make_client, queue, db_url, monkeypatch):
    client = make_client(queue=queue)
    token = open_session(client, "slow")["token"]
    answers = [say(client, token, f"הודעה {i}", f"m{i}", tenant="slow").status_code for i in range(5)]
    assert answers == [200, 200, 200, 429, 429]  # visitor_per_min: 3
    limited = say(client, token, "עוד אחת", "m9", tenant="slow")
    assert int(limited.headers["retry-after"]) >= 1 and "נסו שוב" in limited.json()["error"]["message_he"]
    assert limited.headers["access-control-allow-origin"] == ORIGIN
    assert len(_rows(shop)) == 3
    # Another visitor from the same address is not slowed by the first visitor's limit...
    second = open_session(client, "slow")["token"]
    assert say(client, second, "שלום", "x1", tenant="slow").status_code == 200
    # ...but the address as a whole is limited (ip_per_min: 60 by default).
    statuses = {
        client.post("/webchat/slow/session", json={}, headers={"Origin": ORIGIN}).status_code for _ in range(70)
    }
    assert 429 in statuses


def test_reload_resumes_the_session_and_its_history(shop, client):
    first = open_session(client)
    token = first["token"]
    assert say(client, token, "שלום, אני רוצה לקבוע תור", "m1").status_code == 200
    assert say(client, token, "ליום ראשון בבוקר", "m2").status_code == 200
    resumed = open_session(client, token=token)
    assert resumed["resumed"] is True
    assert [m["text"] for m in resumed["messages"]] == ["שלום, אני רוצה לקבוע תור", "ליום ראשון בבוקר"]
    assert [m["direction"] for m in resumed["messages"]] == ["in", "in"]
    # The fresh token names the same visitor: a message through it joins the same conversation.
    assert say(client, resumed["token"], "תודה", "m3").status_code == 200
    contacts = {row.payload["contact"]["id"] for row in _rows(shop)}
    assert len(contacts) == 1


def test_a_phone_given_by_the_visitor_becomes_the_contacts_phone(shop, client):
    token = open_session(client)["token"]
    say(client, token, "שלום", "m1")
    say(client, token, "המספר שלי 052-555-1234, תחזרו אליי", "m2")
    say(client, token, "תודה!", "m3")
    phones = [row.payload["contact"]["phone"] for row in sorted(_rows(shop), key=lambda r: r.created_at)]
    assert phones == [None, "+972525551234", "+972525551234"]
    with session_scope(shop) as session:
        [visitor] = session.scalars(select(WebchatVisitor))
        assert visitor.phone == "+972525551234"


def _connector(url, tenant="shop"):
    from sochen.api.tenants import TenantConnectors

    return TenantConnectors(url, ttl_s=0).get(tenant, "webchat")


def test_a_persons_reply_reaches_the_stream_exactly_once(shop, client):
    from sochen.workflows.executors import connector_executor, tenant_connector_factory

    token = open_session(client)["token"]
    say(client, token, "שלום", "m1")
    visitor = _rows(shop)[0].payload["contact"]["id"]
    execute = connector_executor(tenant_connector_factory(shop))
    params = {"type": "text", "to": visitor, "text": "כאן דנה מהמרפאה 🙂 איך אפשר לעזור?"}
    first = execute("shop", "webchat.send_message", params, "job-key-1")
    again = execute("shop", "webchat.send_message", params, "job-key-1")  # a retried job
    assert first["message_id"] == again["message_id"]
    events = read_stream(client, token)
    assert [(e["direction"], e["text"]) for e in events] == [("in", "שלום"), ("out", params["text"])]
    # Resuming after the last event id sends nothing again.
    assert read_stream(client, token, last=events[-1]["seq"]) == []
    assert count(shop, WebchatMessage, WebchatMessage.direction == "out") == 1


def test_visitor_a_cannot_read_visitor_bs_messages_nor_another_tenants(shop, client):
    a = open_session(client)["token"]
    b = open_session(client)["token"]
    say(client, a, "הסוד של א׳", "m1")
    say(client, b, "הסוד של ב׳", "m1")
    assert [e["text"] for e in read_stream(client, a)] == ["הסוד של א׳"]
    assert [e["text"] for e in read_stream(client, b)] == ["הסוד של ב׳"]
    resumed = open_session(client, token=a)
    assert [m["text"] for m in resumed["messages"]] == ["הסוד של א׳"]
    # Tenant 'other' cannot serve shop's visitor, even asked directly through its connector.
    other = _connector(shop, "other")
    visitor_a = next(r.payload["contact"]["id"] for r in _rows(shop) if r.payload["text"] == "הסוד של א׳")
    assert other.messages_after(visitor_a, 0) == []
    assert other.window_open(visitor_a) is False
    from sochen.connectors.errors import ConnectorError
    from sochen.connectors.types import TextMessage

    with pytest.raises(ConnectorError):
        other.send_message(TextMessage(to=visitor_a, text="שלום מדייר אחר"))
    with client.stream("GET", "/webchat/other/stream?wait=1", headers=headers(a, OTHER_ORIGIN)) as r:
        assert r.status_code == 401


def test_window_is_the_visitors_presence(shop, client, monkeypatch):
    from sochen.connectors.errors import ConnectorError
    from sochen.connectors.types import TextMessage

    token = open_session(client)["token"]
    say(client, token, "שלום", "m1")
    visitor = _rows(shop)[0].payload["contact"]["id"]
    connector = _connector(shop)
    assert connector.window_open(visitor) is True
    assert connector.window_open("wc_" + "x" * 22) is False
    import time as time_module

    real = time_module.time
    connector.clock = lambda: real() + 61 * 60  # reply_window_min: 60
    assert connector.window_open(visitor) is False
    with pytest.raises(ConnectorError) as info:
        connector.send_message(TextMessage(to=visitor, text="עדיין כאן?"))
    assert info.value.kind.value == "permanent" and "עזב" in str(info.value)


def test_config_refuses_bad_origins_and_short_secrets():
    from sochen.connectors.errors import ConnectorConfigError

    cls = load_connector("webchat").cls if _installed() else None
    from sochen.connectors.webchat import WebchatConnector

    cls = cls or WebchatConnector
    with pytest.raises(ConnectorConfigError) as info:
        build_config(cls, {"allowed_origins": ["https://clinic.co.il/page"], "token_secret": "short"})
    assert "scheme://host" in str(info.value)
    from sochen.connectors.base import ConnectorHost

    weak = cls(
        build_config(cls, {"allowed_origins": [ORIGIN], "token_secret": "short"}),
        host=ConnectorHost("shop", "sqlite://"),
    )
    assert weak.check().status.value == "misconfigured" and "32" in weak.check().detail
    ok = build_config(cls, {"allowed_origins": ["HTTPS://Clinic.co.il/"], "token_secret": SECRET})
    assert ok.allowed_origins == ["https://clinic.co.il"] and SECRET not in repr(ok)


def _installed() -> bool:
    from importlib.metadata import entry_points

    return any(ep.name == "webchat" for ep in entry_points(group="sochen.connectors"))


def _rows(url):
    with session_scope(url) as session:
        rows = list(session.scalars(select(InboundEventRow).where(InboundEventRow.channel == "webchat")))
        for row in rows:
            session.expunge(row)
        return rows


def test_settings_are_loaded(shop):
    assert get_settings().database_url == shop


def test_erasure_by_phone_removes_the_visitors_session_and_messages(shop, client):
    """Same privacy rules: a person erased by the phone they gave in the chat leaves nothing in the web chat."""
    from sochen.db.models_conversations import Conversation
    from sochen.workflows.conversations import conversation_id_for
    from sochen.workflows.privacy_log import Actor
    from sochen.workflows.privacy_rights import erase, find, parse_contact

    token = open_session(client)["token"]
    say(client, token, "אפשר שתחזרו אליי? 050-7654321", "m1")
    other = open_session(client)["token"]
    say(client, other, "שאלה על מחירים", "m1")
    rows = _rows(shop)
    with session_scope(shop) as session:
        for row in rows:  # the turns made these conversations (the inbound worker is not running here)
            visitor = row.payload["contact"]["id"]
            session.add(
                Conversation(
                    id=conversation_id_for("shop", "webchat", visitor),
                    tenant="shop",
                    channel="webchat",
                    contact_id=visitor,
                    status="active",
                    turns=1,
                )
            )
    subject = parse_contact("shop", "+972507654321")
    found = find(get_settings(), subject)
    assert len(found.conversations) == 1
    erase(get_settings(), subject, actor=Actor("cli", "tester", "cli@test"))
    with session_scope(shop) as session:
        texts = [m.text for m in session.scalars(select(WebchatMessage))]
        assert texts == ["שאלה על מחירים"]
        assert session.scalar(select(func.count()).select_from(WebchatVisitor)) == 1
    assert open_session(client, token=token)["resumed"] is False  # the erased visitor's token opens nothing


def test_with_a_data_key_messages_and_phones_are_ciphertext_at_rest(shop, client, monkeypatch):
    from cryptography.fernet import Fernet
    from sqlalchemy import text

    from sochen.db.crypto import reset_keys

    monkeypatch.setenv("SOCHEN_DATA_KEYS", f"k1:{Fernet.generate_key().decode()}")
    reset_keys()
    try:
        token = open_session(client)["token"]
        say(client, token, "שמי דנה, הטלפון 052-555-1234", "m1")
        with session_scope(shop) as session:
            raw_text = session.execute(text("SELECT text FROM webchat_messages")).scalar()
            raw_phone = session.execute(text("SELECT phone FROM webchat_visitors")).scalar()
        assert raw_text.startswith("enc:f1:") and "דנה" not in raw_text
        assert raw_phone.startswith("enc:f1:") and "555" not in raw_phone
        assert [m["text"] for m in open_session(client, token=token)["messages"]] == ["שמי דנה, הטלפון 052-555-1234"]
    finally:
        reset_keys()


def test_a_weak_token_secret_is_refused_at_run_time_and_by_connectors_doctor(db_url, tmp_path, monkeypatch, client):
    from typer.testing import CliRunner

    from sochen.cli import app as cli

    ensure_entry_point(tmp_path, monkeypatch)
    monkeypatch.setenv("WEAK_SECRET", "tiny-s3cr3t")
    monkeypatch.setenv("WEBCHAT_SECRET", SECRET)
    apply_tenant(db_url, "weak", connectors=False, extra=webchat_yaml([ORIGIN], "WEAK_SECRET"))
    apply_tenant(db_url, "shop", connectors=False, extra=webchat_yaml([ORIGIN]))
    refused = client.post("/webchat/weak/session", json={}, headers={"Origin": ORIGIN})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "connector_misconfigured"
    assert "tiny-s3cr3t" not in refused.text
    from sochen.config import reset_settings

    # Only this connector is loaded: another distribution installed beside Sochen cannot fail the check.
    monkeypatch.setenv("SOCHEN_CONNECTORS_ALLOW", '["webchat"]')
    reset_settings()
    runner = CliRunner()
    weak = runner.invoke(cli, ["connectors", "doctor", "--tenant", "weak", "--json"])
    assert weak.exit_code == 1, weak.output
    assert "shorter than 32" in weak.output and "tiny-s3cr3t" not in weak.output
    good = runner.invoke(cli, ["connectors", "doctor", "--tenant", "shop", "--json"])
    assert good.exit_code == 0, good.output


def test_a_persons_reply_to_a_visitor_who_left_is_refused_with_the_reason(shop, client):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from sochen.db.models_conversations import Conversation
    from sochen.workflows.conversations import ConversationError, conversation_id_for, reply_as_person

    token = open_session(client)["token"]
    say(client, token, "שלום", "m1")
    visitor = _rows(shop)[0].payload["contact"]["id"]
    conversation = conversation_id_for("shop", "webchat", visitor)
    with session_scope(shop) as session:
        session.add(
            Conversation(
                id=conversation, tenant="shop", channel="webchat", contact_id=visitor, status="active", turns=1
            )
        )
    job = reply_as_person(get_settings(), "shop", conversation, "כאן דנה, איך אפשר לעזור?", author="דנה")
    assert job  # present: the reply is planned as webchat.send_message
    with session_scope(shop) as session:
        session.execute(
            update(WebchatVisitor).values(last_seen_at=datetime.now(UTC) - timedelta(hours=2))
        )  # the visitor closed the site two hours ago (reply_window_min: 60)
    with pytest.raises(ConversationError) as info:
        reply_as_person(get_settings(), "shop", conversation, "עדיין כאן?", author="דנה")
    assert "עזב" in str(info.value) and "24" not in str(info.value)
    assert count(shop, Job, Job.action == "webchat.send_message") == 1


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("המספר שלי 054-7788990", "+972547788990"),
        ("תחזרו אליי ל-+972-52-333-4455 בבקשה", "+972523334455"),
        ('ת"ז 039337423, מה המחיר?', None),  # an ID number is never taken for a phone
        ("אני רוצה תור ב-22.11 בשעה 10:30", None),
    ],
)
def test_the_phone_a_visitor_writes_is_told_from_ids_and_dates(text, phone):
    from sochen.connectors.webchat import phone_in

    assert phone_in(text) == phone
