"""The inbox and a conversation: lists and filters, unread marks, actions, tenant scoping, escaping, the live feed."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sochen.db.models_conversations import Conversation, ConversationTurn
from sochen.db.models_outbox import Job
from sochen.db.session import session_scope
from sochen.workflows.conversations import conversation_id_for

pytestmark = pytest.mark.unit

EVIL = '<script>alert("x")</script> שלום \u202eabc\u202c <b>bold</b>'


def seed(
    db_url: str,
    contact: str,
    text: str,
    *,
    tenant: str = "clinic",
    status: str = "active",
    reason: str | None = None,
    name: str | None = "דנה כהן",
    minutes_ago: int = 1,
) -> str:
    """A conversation with one customer message and one agent reply."""
    conv_id = conversation_id_for(tenant, "whatsapp", contact)
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    with session_scope(db_url) as session:
        session.add(
            Conversation(
                id=conv_id,
                tenant=tenant,
                channel="whatsapp",
                contact_id=contact,
                contact_name=name,
                status=status,
                handoff_reason=reason,
                turns=1,
                created_at=at,
                updated_at=at,
            )
        )
        session.add(
            ConversationTurn(
                conversation_id=conv_id, turn=1, role="user", text=text, message_id=f"wamid.{contact}", created_at=at
            )
        )
        session.add(
            ConversationTurn(
                conversation_id=conv_id,
                turn=1,
                role="agent",
                text="תודה, נחזור אליך",
                created_at=at,
                details={
                    "mode": "generative",
                    "route": {"route": "local", "model": "gemma3:270m", "reason": "sensitive_local"},
                    "citations": [{"title": "מחירון", "section_path": ["מחירים", "הלבנה"], "page": 2}],
                    "events": ["lead.captured"],
                },
            )
        )
    return conv_id


def conv_url(conv_id: str, tenant: str = "clinic", action: str = "") -> str:
    return f"/console/t/{tenant}/conversations/{conv_id}" + (f"/{action}" if action else "")


def test_inbox_lists_newest_first_with_filters_and_unread(db_url, signed_in):
    old = seed(db_url, "972500000001", "שאלה ישנה", minutes_ago=30)
    waiting = seed(db_url, "972500000002", "אני רוצה לדבר עם בן אדם", status="handoff", reason="human_request")
    client = signed_in("agent")
    page = client.get("/console/t/clinic/inbox")
    assert page.status_code == 200
    order = re.findall(r'data-conversation="([0-9a-f]+)"', page.text)
    assert order == [waiting, old]
    assert 'class="unread-count"' in page.text
    needs = client.get("/console/t/clinic/inbox?state=needs_person").text
    assert re.findall(r'data-conversation="([0-9a-f]+)"', needs) == [waiting]
    agent_list = client.get("/console/t/clinic/inbox/list?state=active").text
    assert re.findall(r'data-conversation="([0-9a-f]+)"', agent_list) == [old]
    assert 'class="badge"' in client.get("/console/t/clinic/inbox/badge").text
    # Opening it reads it (for this user only).
    assert client.get(conv_url(waiting)).status_code == 200
    again = client.get("/console/t/clinic/inbox").text
    row = again.split(f'data-conversation="{waiting}"')[1].split("</li>")[0]
    assert "unread-count" not in row
    other = signed_in("agent")
    row = other.get("/console/t/clinic/inbox").text.split(f'data-conversation="{waiting}"')[1].split("</li>")[0]
    assert "unread-count" in row


def test_conversation_shows_route_reason_citations_and_jobs(db_url, signed_in):
    conv = seed(db_url, "972500000003", "כמה עולה הלבנה?")
    from sochen.db.models_outbox import DomainEvent
    from sochen.workflows.events import Event

    with session_scope(db_url) as session:
        event = Event.create("lead.captured", tenant="clinic", conversation_id=conv, turn="wamid.x", payload={})
        row = DomainEvent(key=event.key, tenant="clinic", type=event.type, conversation_id=conv, payload={})
        session.add(row)
        session.flush()
        session.add(
            Job(
                key="k1",
                tenant="clinic",
                event_id=row.id,
                action="zoho_crm.upsert_lead",
                params={},
                status="dead",
                attempts=8,
                last_error="auth: Zoho refused the token (INVALID_TOKEN)",
            )
        )
    text = signed_in("viewer").get(conv_url(conv)).text
    assert "כמה עולה הלבנה?" in text and "תודה, נחזור אליך" in text
    assert "local" in text and "gemma3:270m" in text and "sensitive_local" in text
    assert "מחירון" in text and "מחירים › הלבנה" in text
    assert "zoho_crm.upsert_lead" in text and "INVALID_TOKEN" in text and 'data-status="dead"' in text
    assert "נכשלה סופית" in text and "ניסיונות: 8" in text
    from sochen.db.models_privacy import AccessLogEntry

    with session_scope(db_url) as session:  # who read the transcript is on the record
        entries = [(e.actor_kind, e.action, e.target) for e in session.scalars(select(AccessLogEntry))]
    assert ("user", "read", conv) in entries


def test_take_reply_note_release_close(db_url, signed_in):
    conv = seed(db_url, "972500000004", "אפשר לדבר עם נציג?", status="handoff", reason="human_request")
    client = signed_in("agent", login_name="receptionist")
    csrf = {"csrf_token": client.csrf}
    page = client.get(conv_url(conv)).text
    assert "חלון השירות של 24 השעות פתוח" in page
    assert client.post(conv_url(conv, action="take"), data=csrf, follow_redirects=False).status_code == 303
    with session_scope(db_url) as session:
        row = session.get(Conversation, conv)
        assert row.status == "handoff" and row.taken_by == "receptionist"
    sent = client.post(conv_url(conv, action="reply"), data={**csrf, "text": "שלום דנה, כאן רותי מהמרפאה"})
    assert sent.status_code == 200 and "התשובה בתור לשליחה" in sent.text
    note = client.post(conv_url(conv, action="note"), data={**csrf, "text": "להתקשר מחר ב-10:00"})
    assert note.status_code == 200 and "להתקשר מחר ב-10:00" in note.text
    with session_scope(db_url) as session:
        jobs = list(session.scalars(select(Job).where(Job.tenant == "clinic")))
        roles = [
            t.role for t in session.scalars(select(ConversationTurn).where(ConversationTurn.conversation_id == conv))
        ]
    assert [j.action for j in jobs] == ["whatsapp.send_message"]  # the note planned nothing
    assert jobs[0].params["text"] == "שלום דנה, כאן רותי מהמרפאה"
    assert sorted(roles) == ["agent", "human", "note", "user"]
    assert client.post(conv_url(conv, action="release"), data=csrf).status_code == 200
    with session_scope(db_url) as session:
        row = session.get(Conversation, conv)
        assert (row.status, row.taken_by) == ("active", None)
    assert client.post(conv_url(conv, action="close"), data=csrf).status_code == 200
    with session_scope(db_url) as session:
        assert session.get(Conversation, conv).status == "closed"


def test_reply_outside_the_window_is_refused_and_says_so(db_url, signed_in):
    conv = seed(db_url, "972500000005", "שאלה מאתמול", minutes_ago=60 * 30)
    client = signed_in("agent")
    page = client.get(conv_url(conv)).text
    assert "אפשר לשלוח רק תבנית מאושרת" in page
    refused = client.post(conv_url(conv, action="reply"), data={"csrf_token": client.csrf, "text": "היי"})
    assert refused.status_code == 409 and "תבנית מאושרת" in refused.text and ">היי</textarea>" in refused.text
    with session_scope(db_url) as session:
        assert session.scalars(select(Job)).first() is None


def test_viewer_cannot_act(db_url, signed_in):
    conv = seed(db_url, "972500000006", "שלום", status="handoff", reason="human_request")
    viewer = signed_in("viewer")
    page = viewer.get(conv_url(conv)).text
    assert "צפייה בלבד" in page and 'id="reply-form"' not in page and 'id="act-take"' not in page
    assert viewer.get(conv_url(conv, action="actions")).status_code == 403
    for action in ("take", "release", "close", "note", "reply"):
        response = viewer.post(conv_url(conv, action=action), data={"csrf_token": viewer.csrf, "text": "x"})
        assert response.status_code == 403, action
    with session_scope(db_url) as session:
        row = session.get(Conversation, conv)
        assert (row.status, row.taken_by) == ("handoff", None)


def test_every_route_answers_404_across_tenants(db_url, signed_in):
    mine = seed(db_url, "972500000007", "שלום", tenant="lawfirm")
    theirs = seed(db_url, "972500000008", "שלום מהמרפאה")
    client = signed_in("owner", tenant="lawfirm")
    assert client.get(conv_url(mine, tenant="lawfirm")).status_code == 200
    gets = [
        "/inbox",
        "/inbox/list",
        "/inbox/badge",
        "/events",
        f"/conversations/{theirs}",
        f"/conversations/{theirs}/panel",
    ]
    for path in gets:
        assert client.get("/console/t/clinic" + path).status_code == 404, path
        if "conversations" in path:  # the other tenant's id under my own tenant: not found either
            assert client.get("/console/t/lawfirm" + path).status_code == 404, path
    for action in ("take", "release", "close", "note", "reply"):
        data = {"csrf_token": client.csrf, "text": "x"}
        assert client.post(conv_url(theirs, action=action), data=data).status_code == 404, action
        assert client.post(conv_url(theirs, tenant="lawfirm", action=action), data=data).status_code == 404, action
    with session_scope(db_url) as session:
        row = session.get(Conversation, theirs)
        assert (row.status, row.turns) == ("active", 1)
        assert session.scalars(select(Job)).first() is None


def test_customer_text_renders_as_text(db_url, signed_in):
    conv = seed(db_url, "972500000009", EVIL, name="<img src=x onerror=alert(1)> \u202eמשה")
    client = signed_in("agent")
    for text in (client.get("/console/t/clinic/inbox").text, client.get(conv_url(conv)).text):
        assert "<script>alert" not in text and "<b>bold</b>" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
        assert "\u202e" not in text and "⟦U+202E⟧" in text
    note = client.post(conv_url(conv, action="note"), data={"csrf_token": client.csrf, "text": EVIL})
    assert "<script>alert" not in note.text and "&lt;b&gt;bold&lt;/b&gt;" in note.text


def test_live_feed_reports_a_change_from_elsewhere(db_url, signed_in, monkeypatch):
    monkeypatch.setenv("SOCHEN_CONSOLE_SSE_POLL_S", "0.2")
    monkeypatch.setenv("SOCHEN_CONSOLE_SSE_MAX_S", "3")
    conv = seed(db_url, "972500000010", "שלום")
    client = signed_in("viewer")

    def change() -> None:
        time.sleep(1.0)
        with session_scope(db_url) as session:  # as a worker in another process would
            row = session.get(Conversation, conv)
            row.status, row.handoff_reason = "handoff", "human_request"

    worker = threading.Thread(target=change)
    worker.start()
    with client.stream("GET", f"/console/t/clinic/events?conversation={conv}") as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    worker.join(timeout=10)
    assert body.startswith("retry: 3000")
    assert "event: inbox\ndata: changed" in body and "event: conv\ndata: changed" in body


def test_conversation_page_in_english(db_url, signed_in):
    conv = seed(db_url, "972500000012", "שלום, יש לי שאלה על Invisalign")
    client = signed_in("agent")
    client.get("/console/lang?to=en")
    page = client.get(conv_url(conv))
    assert page.status_code == 200 and '<html lang="en" dir="ltr">' in page.text
    assert "Take over" in page.text and "Internal note" in page.text
    assert '<p class="body" dir="auto">שלום, יש לי שאלה על Invisalign</p>' in page.text  # still right to left
    actions = client.get(conv_url(conv, action="actions"))
    assert actions.status_code == 200 and 'id="act-take"' in actions.text
