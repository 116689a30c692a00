"""The owner's privacy page: find, export, correct and erase one person — through the console, with the access log.

Two people write to the clinic in one webhook delivery, as in tests/api/test_privacy_rights.py: דנה
(+972501234567) and יוסי (+972501234568, sharing all but the last digit). The real webhook, the real
turn worker and its queued jobs put them in every store; the console page must show and act on דנה only.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from sochen.config import get_settings
from sochen.db.models_conversations import Conversation, ConversationTurn
from sochen.db.models_privacy import AccessLogEntry
from sochen.db.session import get_engine, session_scope
from sochen.workflows.dispatcher import Dispatcher
from sochen.workflows.inbound import INBOUND_ACTION, inbound_executor
from sochen.workflows.privacy_log import verify_chain
from tests.api._support import wa_headers

pytestmark = pytest.mark.unit

WA = "/webhooks/whatsapp/clinic"
DANA = "972501234567"
YOSSI = "972501234568"
DANA_TEXT = 'שלום, שמי דנה כהן, ת"ז 039337423, מייל dana.cohen@example.co.il. יש לי כאב חזק בשן אחרי הטיפול'
YOSSI_TEXT = "היי, אני יוסי לוי ורוצה לקבוע תור לניקוי אבנית"
BASE = "/console/t/clinic/owner/privacy"

DANA_SECRETS = [DANA, "039337423", "dana.cohen@example.co.il", "דנה כהן", "כאב חזק בשן"]


def _delivery(*people: tuple[str, str, str, str]) -> bytes:
    """One WhatsApp webhook body with a text message from each of ``people`` (wa_id, name, id, text)."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550953877", "phone_number_id": "277321005464405"},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id} for wa_id, name, _, _ in people],
        "messages": [
            {"from": wa_id, "id": mid, "timestamp": "1730231903", "text": {"body": body}, "type": "text"}
            for wa_id, _, mid, body in people
        ],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "264937493375603", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(payload, separators=(",", ":")).encode()  # ASCII-escaped, as Meta sends it


def _no_connectors(tenant, action, params, key):
    raise AssertionError(f"no connector job should run here ({action})")


@pytest.fixture
def people(db_url: str, make_client: Callable[..., TestClient]) -> dict[str, str]:
    """דנה and יוסי through the webhook and the turn worker; returns their conversation ids by phone."""
    client = make_client()
    body = _delivery((DANA, "דנה כהן", "wamid.dana-1", DANA_TEXT), (YOSSI, "יוסי", "wamid.yossi-1", YOSSI_TEXT))
    response = client.post(WA, content=body, headers=wa_headers(body))
    assert response.status_code == 200, response.text
    dispatcher = Dispatcher(db_url, inbound_executor(get_settings(), _no_connectors), actions=[INBOUND_ACTION])
    assert {o.status for o in dispatcher.run_due(50)} == {"succeeded"}
    with session_scope(db_url) as session:
        convs = {c.contact_id: c.id for c in session.scalars(select(Conversation))}
    assert set(convs) == {DANA, YOSSI}
    return convs


def _rows(url: str) -> str:
    """Every row of every table as text (as tests/api/test_privacy_rights.py reads the database)."""
    engine = get_engine(url)
    out = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    out.append(str(value))
    return "\n".join(out)


def _console_entries(url: str) -> list[AccessLogEntry]:
    with session_scope(url) as session:
        rows = list(
            session.scalars(
                select(AccessLogEntry)
                .where(AccessLogEntry.tenant == "clinic", AccessLogEntry.actor_kind == "user")
                .order_by(AccessLogEntry.seq)
            )
        )
        session.expunge_all()
    return rows


def _user_id(url: str, login: str) -> str:
    from sochen.db.models_console import ConsoleUser

    with session_scope(url) as session:
        return session.scalars(select(ConsoleUser.id).where(ConsoleUser.login == login)).one()


def _post(client: TestClient, path: str, **data: str):
    return client.post(BASE + path, data={"csrf_token": client.csrf, **data}, follow_redirects=False)


def test_find_shows_her_conversation_and_never_his(people, db_url, signed_in):
    owner = signed_in("owner", login_name="dana-owner@clinic.example")
    page = owner.get(BASE)
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert "0 רשומות ביומן" in page.text and 'href="/console/t/clinic/owner/privacy/audit"' in page.text

    found = _post(owner, "/find", contact="\u202a050-123-4567\u202c")  # copied from a Hebrew screen
    assert found.status_code == 200, found.text
    html = found.text
    assert f'/console/t/clinic/conversations/{people[DANA]}"' in html
    assert people[YOSSI] not in html
    assert html.count('name="contact" value="050-123-4567"') == 3  # export, correct, erase: without the marks
    for other in (YOSSI, "יוסי", YOSSI_TEXT):
        assert other not in html
    assert DANA_TEXT not in html  # the page shows counts and links, not her words
    stores = dict(re.findall(r'data-store="(\w+)"><td>[^<]*</td><td dir="ltr">(\d+)<', html))
    assert stores["conversations"] == "1" and stores["mentioned_in_conversations"] == "0"
    assert stores["inbound_events"] == "1"  # her message only: his, in the same delivery, is not counted
    assert "<code>message</code> × 1" in html  # the kind of her inbound item, not its content
    assert f"<code>{INBOUND_ACTION}</code> × 1" in html  # the job that processed it
    # Found by the ID number in her message as well (the CLI's inputs).
    by_id = _post(owner, "/find", contact="039337423")
    assert by_id.status_code == 200 and people[DANA] in by_id.text and people[YOSSI] not in by_id.text
    # Bad input: the service's Hebrew reason, nothing found, nothing logged for it.
    bad = _post(owner, "/find", contact="לא-טלפון")
    assert bad.status_code == 400 and 'לא מספר טלפון, ת"ז או דוא"ל' in htmllib.unescape(bad.text)

    entries = _console_entries(db_url)
    assert [e.action for e in entries] == ["find", "find"]
    assert "2 רשומות ביומן" in owner.get(BASE).text
    assert "שרשרת הגיבוב תקינה (2 רשומות)" in owner.get(BASE + "/audit").text  # privacy audit's check
    assert {e.actor for e in entries} == {_user_id(db_url, "dana-owner@clinic.example")}
    assert all(e.origin == "testclient" for e in entries)  # the client's address
    assert all(DANA not in json.dumps(e.detail) and DANA not in e.target for e in entries)


def test_export_downloads_her_json_and_report(people, db_url, signed_in):
    owner = signed_in("owner")
    download = _post(owner, "/export", contact="+972 50-123-4567", file="json")
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("application/json")
    assert "attachment" in download.headers["content-disposition"]
    data = download.json()
    assert data["format"] == "sochen.privacy.export/1" and data["tenant"] == "clinic"
    texts = [t["text"] for c in data["conversations"] for t in c["turns"]]
    assert DANA_TEXT in texts
    assert YOSSI_TEXT not in download.text and YOSSI not in download.text and "יוסי" not in download.text

    report = _post(owner, "/export", contact="0501234567", file="report")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/markdown")
    assert report.text.startswith("# דוח מידע אישי") and DANA_TEXT in report.text and YOSSI_TEXT not in report.text
    assert [e.action for e in _console_entries(db_url)] == ["export", "export"]


def test_erase_needs_the_contact_again_then_she_is_gone_and_he_remains(people, db_url, signed_in):
    owner = signed_in("owner")
    held = _rows(db_url)
    assert all(secret in held for secret in DANA_SECRETS)  # the check below can fail: she is there now

    # No confirmation, or another person's number (one digit apart): nothing is erased.
    for confirm in ("", YOSSI, "+972501234560"):
        refused = _post(owner, "/erase", contact="+972501234567", confirm=confirm)
        assert refused.status_code == 400 and "דבר לא נמחק" in refused.text
    assert _rows(db_url) == held

    done = _post(owner, "/erase", contact="+972501234567", confirm="050-123-4567")
    assert done.status_code == 200, done.text
    assert "אישור מחיקה" in done.text and 'data-step="conversations"' in done.text
    assert "conversations_deleted</code>: 1" in done.text
    assert "CRM" in done.text  # the clinic's connectors offer no erase_contact: the receipt says so
    assert DANA not in done.text

    rows = _rows(db_url)
    for secret in DANA_SECRETS:
        assert secret not in rows, f"{secret!r} is still in a row"
    assert YOSSI in rows and (YOSSI_TEXT in rows or json.dumps(YOSSI_TEXT).strip('"') in rows)
    with session_scope(db_url) as session:
        assert session.get(Conversation, people[DANA]) is None
        turns = session.scalars(select(ConversationTurn.text).where(ConversationTurn.conversation_id == people[YOSSI]))
        assert YOSSI_TEXT in list(turns)
    assert [e.action for e in _console_entries(db_url)] == ["erase"]
    assert verify_chain(db_url, "clinic").ok


def test_correct_gives_a_receipt_and_a_refusal_gives_its_reason(people, db_url, signed_in):
    owner = signed_in("owner")
    fixed = _post(
        owner,
        "/correct",
        contact="+972501234567",
        field="email",
        old="dana.cohen@example.co.il",
        new="dana@example.org",
    )
    assert fixed.status_code == 200, fixed.text
    assert "אישור תיקון" in fixed.text and "הושלמה" in fixed.text and 'data-step="transcripts"' in fixed.text

    refused = _post(
        owner,
        "/correct",
        contact="+972501234567",
        field="name",
        old="דנה כהן",
        new="דנה לוי",
        refuse="השם תואם לתעודה שהוצגה <b>בקבלה</b>",
    )
    assert refused.status_code == 200 and "נדחתה" in refused.text
    assert "השם תואם לתעודה שהוצגה &lt;b&gt;בקבלה&lt;/b&gt;" in refused.text  # rendered as text
    assert "סעיף 14(ג)" in refused.text

    bad = _post(owner, "/correct", contact="+972501234567", field="phone", old="0501234567", new="שלום")
    assert bad.status_code == 400 and 'id="privacy-problem"' in bad.text  # bad input: an error, nothing recorded
    assert [e.action for e in _console_entries(db_url)] == ["correct", "correct"]
    assert verify_chain(db_url, "clinic").ok
    # Someone with database access edits an entry: the page's check says where the chain breaks.
    with session_scope(db_url) as session:
        entry = session.scalars(select(AccessLogEntry).where(AccessLogEntry.tenant == "clinic")).first()
        entry.detail = {**entry.detail, "edited": 1}
        seq = entry.seq
    audit = owner.get(BASE + "/audit")
    assert audit.status_code == 200 and 'id="chain-verdict"' in audit.text
    assert f"שרשרת הגיבוב שבורה ברשומה {seq}" in audit.text


def test_only_owners_and_operators_and_never_another_tenant(people, db_url, signed_in):
    actions = [("/find", {"contact": DANA}), ("/export", {"contact": DANA}), ("/erase", {"contact": DANA})]
    for role in ("viewer", "agent"):
        client = signed_in(role)
        assert client.get(BASE).status_code == 403
        assert client.get(BASE + "/audit").status_code == 403
        for path, data in actions:
            assert _post(client, path, **data).status_code == 403, (role, path)
        assert "/owner/privacy" not in client.get("/console/t/clinic/owner/").text  # no tab for them
    # The law firm's owner changes the tenant in the URL: 404 on every route, nothing logged.
    stranger = signed_in("owner", tenant="lawfirm")
    assert stranger.get(BASE).status_code == 404
    assert stranger.get(BASE + "/audit").status_code == 404
    for path, data in [*actions, ("/correct", {"contact": DANA, "field": "name", "old": "דנה", "new": "דנה"})]:
        response = _post(stranger, path, **({**data, "confirm": DANA} if path == "/erase" else data))
        assert response.status_code == 404, (path, response.status_code)
    assert stranger.get("/console/t/lawfirm/owner/privacy").status_code == 200
    # CSRF on every POST: without the token, 403 and nothing done.
    owner = signed_in("owner")
    for path, data in actions:
        response = owner.post(BASE + path, data={**data, "confirm": DANA}, follow_redirects=False)
        assert response.status_code == 403, path
    with session_scope(db_url) as session:
        assert session.get(Conversation, people[DANA]) is not None
    assert _console_entries(db_url) == []
    # An operator reaches every tenant's page.
    operator = signed_in("operator")
    assert _post(operator, "/find", contact=DANA).status_code == 200
    assert [e.action for e in _console_entries(db_url)] == ["find"]


def test_hostile_input_is_rendered_as_text(db_url, signed_in):
    owner = signed_in("owner")
    evil = '<script>alert("x")</script>\u202e@example.com'
    response = _post(owner, "/find", contact=evil)
    assert response.status_code == 200  # the service reads it as an e-mail address: nobody has it
    assert "לא נמצאו שיחות" in response.text
    assert "<script>alert" not in response.text and "&lt;script&gt;" in response.text
    assert "\u202e" not in response.text  # direction marks are not part of an identifier
    assert "<script>" not in _post(owner, "/find", contact="<script>x").text
    english = owner.get("/console/lang?to=en", follow_redirects=False)
    assert english.status_code in (302, 303, 307)
    page = owner.get(BASE)
    assert "A person's data" in page.text or "A person&#39;s data" in page.text


VISITOR = "wc_" + "A1b2C3d4E5f6G7h8I9j0-_"
OTHER_VISITOR = "wc_" + "Z9y8X7w6V5u4T3s2R1q0-_"


def _webchat(db_url: str, visitor: str, text_in: str) -> str:
    """A web chat visitor with a conversation of one message, as the web chat channel stores them."""
    from sochen.db.models_webchat import WebchatMessage, WebchatVisitor
    from sochen.workflows.conversations import conversation_id_for

    conv_id = conversation_id_for("clinic", "webchat", visitor)
    with session_scope(db_url) as session:
        session.add(WebchatVisitor(id=visitor, tenant="clinic", last_seq=1))
        session.flush()
        session.add(
            WebchatMessage(id=f"{visitor}:m1", tenant="clinic", visitor_id=visitor, seq=1, direction="in", text=text_in)
        )
        session.add(Conversation(id=conv_id, tenant="clinic", channel="webchat", contact_id=visitor, turns=1))
        session.add(ConversationTurn(conversation_id=conv_id, turn=1, role="user", text=text_in))
    return conv_id


def test_a_web_chat_visitor_is_found_and_erased_by_their_visitor_id(db_url, signed_in):
    from sochen.db.models_webchat import WebchatMessage, WebchatVisitor

    mine = _webchat(db_url, VISITOR, "שלום, יש לי שאלה על טיפול שורש")
    theirs = _webchat(db_url, OTHER_VISITOR, "מה שעות הפתיחה ביום שישי?")
    owner = signed_in("owner")
    found = _post(owner, "/find", contact=VISITOR)
    assert found.status_code == 200, found.text
    assert f'data-conversation="{mine}"' in found.text and theirs not in found.text
    assert "מזהה מבקר בצ׳אט האתר" in found.text
    data = _post(owner, "/export", contact=VISITOR, file="json").json()
    assert data["identifier_kind"] == "webchat"
    assert [t["text"] for c in data["conversations"] for t in c["turns"]] == ["שלום, יש לי שאלה על טיפול שורש"]

    assert VISITOR in _rows(db_url)  # the check below can fail
    done = _post(owner, "/erase", contact=VISITOR, confirm=f"  {VISITOR} ")
    assert done.status_code == 200 and "webchat_messages_deleted</code>: 1" in done.text
    rows = _rows(db_url)
    assert VISITOR not in rows and "טיפול שורש" not in rows
    assert OTHER_VISITOR in rows and "שעות הפתיחה" in rows
    with session_scope(db_url) as session:
        assert session.get(WebchatVisitor, VISITOR) is None and session.get(Conversation, mine) is None
        assert session.get(WebchatVisitor, OTHER_VISITOR) is not None
        left = session.scalars(select(WebchatMessage.visitor_id)).all()
        assert left == [OTHER_VISITOR]
    assert verify_chain(db_url, "clinic").ok
