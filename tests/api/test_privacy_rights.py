"""A person's rights end to end: real webhooks, real turns, queued jobs and checkpoints — then find, export, erase.

Two people write to the clinic in the same webhook delivery: דנה (+972501234567) and יוסי (+972501234568,
sharing all but the last digit). Erasing דנה must leave no byte of her phone, ID, e-mail, name or words in
the database file, the checkpoints, the outbox or the logs — and leave יוסי and the tenant's figures alone.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from sochen.config import get_settings
from sochen.db.models import LlmCall
from sochen.db.models_conversations import Conversation, ConversationTurn
from sochen.db.models_outbox import Job
from sochen.db.models_privacy import PrivacyOperation
from sochen.db.session import get_engine, session_scope
from sochen.workflows.dispatcher import Dispatcher
from sochen.workflows.inbound import INBOUND_ACTION, inbound_executor
from sochen.workflows.privacy_log import Actor, verify_chain
from sochen.workflows.privacy_rights import (
    REDACTED,
    ContactError,
    Needles,
    erase,
    export,
    export_report_he,
    find,
    parse_contact,
    scrub_json,
    scrub_text,
)

from ._support import wa_headers

pytestmark = pytest.mark.unit

WA = "/webhooks/whatsapp/clinic"
DANA = "972501234567"
YOSSI = "972501234568"
DANA_TEXT = 'שלום, שמי דנה כהן, ת"ז 039337423, מייל dana.cohen@example.co.il. יש לי כאב חזק בשן אחרי הטיפול'
DANA_TEXT_2 = "אפשר לקבוע תור למחר בבוקר? אפשר לחזור אליי ל-050-1234567"
YOSSI_TEXT = "היי, אני יוסי לוי ורוצה לקבוע תור לניקוי אבנית"
ACTOR = Actor("cli", "tester", "cli@test")

SECRETS = [
    DANA.encode(),
    b"050-1234567",
    b"039337423",
    b"dana.cohen@example.co.il",
    "דנה כהן".encode(),
    "כאב חזק בשן".encode(),
    "למחר בבוקר".encode(),
    json.dumps("דנה כהן").strip('"').encode(),  # the \\u-escaped form Meta sends
    json.dumps("כאב חזק בשן").strip('"').encode(),
]


def _message(wa_id: str, name: str, message_id: str, body: str) -> tuple[dict, dict]:
    contact = {"profile": {"name": name}, "wa_id": wa_id}
    message = {"from": wa_id, "id": message_id, "timestamp": "1730231903", "text": {"body": body}, "type": "text"}
    return contact, message


def _delivery(*items: tuple[dict, dict]) -> bytes:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "264937493375603",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550953877", "phone_number_id": "277321005464405"},
                            "contacts": [c for c, _ in items],
                            "messages": [m for _, m in items],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload, separators=(",", ":")).encode()  # ASCII-escaped, as Meta sends it


def _no_connectors(tenant, action, params, key):
    raise AssertionError(f"no connector job should run here ({action})")


@pytest.fixture
def people(client, db_url):
    """Both people's messages through the webhook and the agent; replies stay queued in the outbox."""
    first = _delivery(
        _message(DANA, "דנה כהן", "wamid.dana-1", DANA_TEXT), _message(YOSSI, "יוסי", "wamid.yossi-1", YOSSI_TEXT)
    )
    second = _delivery(_message(DANA, "דנה כהן", "wamid.dana-2", DANA_TEXT_2))
    for body in (first, second):
        response = client.post(WA, content=body, headers=wa_headers(body))
        assert response.status_code == 200, response.text
    dispatcher = Dispatcher(db_url, inbound_executor(get_settings(), _no_connectors), actions=[INBOUND_ACTION])
    assert set(o.status for o in dispatcher.run_due(50)) == {"succeeded"}
    with session_scope(db_url) as session:
        convs = {c.contact_id: c.id for c in session.scalars(select(Conversation))}
        assert set(convs) == {DANA, YOSSI}
        # The ledger: model calls of both conversations (a turn that needed no model records none).
        for conv, tokens in ((convs[DANA], 100), (convs[DANA], 50), (convs[YOSSI], 70)):
            session.add(
                LlmCall(
                    tenant_slug="clinic",
                    conversation_id=conv,
                    route="api",
                    provider="openai",
                    model="gpt-4o-mini",
                    reason="test",
                    tokens_in=tokens,
                    tokens_out=10,
                    cost_usd=0.001,
                    outcome="ok",
                )
            )
    return convs


def _dump_rows(url: str, *, checkpoints: bool = True) -> bytes:
    """Every row of every table as text (SQLite and PostgreSQL alike), blobs decoded.

    ``checkpoints=False`` leaves out LangGraph's tables (on PostgreSQL they share the database)."""
    engine = get_engine(url)
    out = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            if not checkpoints and table.startswith("checkpoint"):
                continue
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    out.append(str(value))
    return "\n".join(out).encode()


def _checkpoint_file(url: str) -> Path:
    return Path(url.split("///", 1)[-1]).parent / "checkpoints.db"


def _file_bytes(path: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal"):
        candidate = Path(str(path) + suffix)
        if candidate.exists():
            data += candidate.read_bytes()
    return data


def _assert_gone(url: str, *, sqlite_files: bool) -> None:
    rows = _dump_rows(url)
    for secret in SECRETS:
        assert secret not in rows, f"{secret!r} is still in a row"
    if sqlite_files:
        from sochen.agents.graph import forget_checkpointers

        forget_checkpointers()
        get_engine(url).dispose()
        main = Path(url.split("///", 1)[-1])
        for path in (main, _checkpoint_file(url)):
            raw = _file_bytes(path)  # before any VACUUM: secure_delete and the WAL checkpoint did it
            for secret in SECRETS:
                assert secret not in raw, f"{secret!r} is still in the bytes of {path.name}"
            with sqlite3.connect(path) as conn:
                conn.execute("VACUUM")
            raw = _file_bytes(path)
            for secret in SECRETS:
                assert secret not in raw, f"{secret!r} is still in {path.name} after VACUUM"


def _assert_yossi_untouched(url: str, convs: dict[str, str]) -> None:
    rows = _dump_rows(url)
    assert YOSSI.encode() in rows
    assert YOSSI_TEXT.encode() in rows or json.dumps(YOSSI_TEXT).strip('"').encode() in rows
    with session_scope(url) as session:
        turns = list(session.scalars(select(ConversationTurn).where(ConversationTurn.conversation_id == convs[YOSSI])))
        assert YOSSI_TEXT in [t.text for t in turns]
        assert session.get(Conversation, convs[YOSSI]).contact_name == "יוסי"
    from sochen.agents.graph import checkpointer_for

    saver = checkpointer_for(get_settings())
    assert saver.get_tuple({"configurable": {"thread_id": convs[YOSSI], "checkpoint_ns": ""}}) is not None


def _ledger_totals(url: str) -> tuple[int, int, float]:
    with session_scope(url) as session:
        row = session.execute(select(func.count(), func.sum(LlmCall.tokens_in), func.sum(LlmCall.cost_usd))).one()
        return int(row[0]), int(row[1]), round(float(row[2]), 6)


def test_find_and_export_cover_every_store_and_never_show_the_other_person(people, db_url):
    settings = get_settings()
    subject = parse_contact("clinic", "050-123-4567")
    assert subject.value == "+" + DANA and "050" not in repr(subject)
    found = find(settings, subject)
    summary = found.summary()
    assert summary["conversations"] == 1 and summary["llm_calls"] == 2
    assert summary["inbound_events"] == 2 and summary["inbound_deliveries"] == 2
    assert summary["outbox_jobs"] >= 2  # her two inbound jobs, and her queued replies if the agent answered
    assert "039337423" in found.needles.ids and "dana.cohen@example.co.il" in found.needles.emails

    data = export(settings, subject, actor=ACTOR)
    text_out = json.dumps(data, ensure_ascii=False)
    texts = [t["text"] for c in data["conversations"] for t in c["turns"]]
    assert DANA_TEXT in texts and DANA_TEXT_2 in texts
    assert YOSSI not in text_out and YOSSI_TEXT not in text_out and "יוסי" not in text_out
    assert {c["provider"] for c in data["model_calls"]} == {"openai"}
    assert all(c["message_text"] in (DANA_TEXT, DANA_TEXT_2) for c in data["model_calls"])
    report = export_report_he(data)
    assert report.startswith("# דוח מידע אישי") and "ספק חיצוני" in report and DANA_TEXT in report
    # An ID number finds her too (it is in her own message).
    assert find(settings, parse_contact("clinic", "039337423")).conversations == found.conversations


def test_erase_leaves_no_byte_of_her_and_keeps_yossi_and_the_figures(people, db_url, any_database_url, caplog):
    caplog.set_level(logging.DEBUG)
    settings = get_settings()
    held = _dump_rows(db_url)
    assert all(secret in held for secret in SECRETS)  # the check below can fail: everything is there now
    before = _ledger_totals(db_url)
    with session_scope(db_url) as session:
        queued = session.scalar(
            select(func.count()).select_from(Job).where(Job.status == "pending", Job.action != INBOUND_ACTION)
        )
    receipt = erase(settings, parse_contact("clinic", "+972 50-123-4567"), actor=ACTOR)

    assert receipt["status"] == "done"
    assert receipt["steps"]["conversations"]["conversations_deleted"] == 1
    assert receipt["steps"]["llm_calls"]["rows_pseudonymised"] == 2
    assert receipt["steps"]["crm"]["tenant_must_handle"] is True and "CRM" in receipt["notes"][0]
    assert receipt["steps"]["cancel_jobs"]["jobs_cancelled"] >= 0
    assert DANA not in json.dumps(receipt, ensure_ascii=False)
    assert _ledger_totals(db_url) == before  # usage figures unchanged
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.status == "pending")) <= queued
        assert not session.scalar(select(func.count()).select_from(Job).where(Job.params.is_(None)))
    _assert_yossi_untouched(db_url, people)
    logged = caplog.text.encode()
    for secret in SECRETS:
        assert secret not in logged
    _assert_gone(db_url, sqlite_files=any_database_url.startswith("sqlite"))
    assert verify_chain(db_url, "clinic").ok
    # Erasing again finds nothing left and changes nothing.
    again = erase(settings, parse_contact("clinic", "0501234567"), actor=ACTOR)
    assert again["steps"]["conversations"]["conversations_deleted"] == 0


@pytest.mark.parametrize("killed_after", ["cancel_jobs", "domain_events", "inbound_deliveries", "checkpoints"])
def test_erase_killed_mid_way_finishes_on_rerun(people, db_url, any_database_url, killed_after):
    settings = get_settings()
    subject = parse_contact("clinic", "+972501234567")
    with pytest.raises(RuntimeError):
        erase(settings, subject, actor=ACTOR, crash_after=killed_after)
    with session_scope(db_url) as session:
        ops = list(session.scalars(select(PrivacyOperation)))
        assert [o.status for o in ops] == ["running"]
        assert session.get(Conversation, people[DANA]) is not None  # her conversation goes last
    receipt = erase(settings, subject, actor=ACTOR)
    assert receipt["status"] == "done" and receipt["operation"] == ops[0].id  # resumed, not restarted
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(PrivacyOperation)) == 1
    _assert_yossi_untouched(db_url, people)
    _assert_gone(db_url, sqlite_files=any_database_url.startswith("sqlite"))


@pytest.mark.parametrize(
    "raw,kind,value",
    [
        ("050-123-4567", "phone", "+972501234567"),
        ("+972 (0)50 123 4567", "phone", "+972501234567"),
        ("00972501234567", "phone", "+972501234567"),
        ("039337423", "id_number", "039337423"),
        ("Dana.Cohen@Example.co.il", "email", "dana.cohen@example.co.il"),
    ],
)
def test_contacts_are_normalised(raw, kind, value):
    subject = parse_contact("clinic", raw)
    assert (subject.kind, subject.value) == (kind, value)


@pytest.mark.parametrize("raw", ["", "שלום", "12", "not@mail"])
def test_bad_contacts_are_refused_with_a_hebrew_reason(raw):
    from sochen.workflows.privacy_rights import ContactError

    with pytest.raises(ContactError) as err:
        parse_contact("clinic", raw)
    assert any("\u0590" <= ch <= "\u05ff" for ch in str(err.value))


def test_a_phone_sharing_a_prefix_is_never_touched():
    needles = Needles()
    needles.add("phone", "+97250123456")  # eight digits after 972: a prefix of the other number
    others = [
        "972501234567",
        "+972-50-123-4567",
        "0501234567",
        "הטלפון של יוסי 050-1234567 ושל אמא 0501234560",
    ]
    for value in others:
        assert scrub_text(value, needles, owned=False) == value
    assert scrub_text("תתקשרו ל-050-123456 בבקשה", needles, owned=False) == f"תתקשרו ל-{REDACTED} בבקשה"
    assert scrub_text("+972 50 123 456", needles, owned=False) == REDACTED


def test_json_scrub_blanks_only_the_persons_own_objects():
    needles = Needles()
    needles.add("phone", "+972501234567")
    needles.weak.add("דנה")
    body = {
        "contacts": [{"profile": {"name": "דנה"}, "wa_id": DANA}, {"profile": {"name": "דנה"}, "wa_id": YOSSI}],
        "messages": [
            {"from": DANA, "id": "wamid.1", "text": {"body": "כואב לי"}, "type": "text"},
            {"from": YOSSI, "id": "wamid.2", "text": {"body": "הטלפון של דנה הוא 0501234567"}, "type": "text"},
        ],
    }
    out = scrub_json(body, needles)
    assert out["contacts"][0] == {"profile": {"name": REDACTED}, "wa_id": REDACTED}
    assert out["contacts"][1] == body["contacts"][1]  # another דנה, another phone: untouched
    assert out["messages"][0] == {"from": REDACTED, "id": "wamid.1", "text": {"body": REDACTED}, "type": "text"}
    assert out["messages"][1]["text"]["body"] == f"הטלפון של דנה הוא {REDACTED}"  # only her number goes


def _key(db_url: str, tenant: str | None) -> dict[str, str]:
    from sochen.api.keys import create_key

    with session_scope(db_url) as session:
        _, key = create_key(session, tenant=tenant, label="privacy test")
    return {"Authorization": f"Bearer {key}"}


def test_over_http_a_tenant_key_reaches_only_its_tenant_and_every_access_is_logged(people, client, db_url):
    from sochen.db.models_privacy import AccessLogEntry

    clinic, bare = _key(db_url, "clinic"), _key(db_url, "bare")
    body = {"contact": "+972501234567"}
    assert client.post("/v1/clinic/privacy/find", json=body, headers=bare).status_code == 404
    assert client.post("/v1/clinic/privacy/erase", json=body, headers=bare).status_code == 404
    assert client.post("/v1/clinic/privacy/find", json={"contact": "שלום"}, headers=clinic).status_code == 422

    found = client.post("/v1/clinic/privacy/find", json=body, headers=clinic)
    assert found.status_code == 200 and found.json()["stores"]["conversations"] == 1
    exported = client.post("/v1/clinic/privacy/export", json=body, headers=clinic).json()
    assert exported["report_he"].startswith("# דוח מידע אישי") and exported["summary"]["conversations"] == 1
    shown = client.get(f"/v1/clinic/conversations/{people[YOSSI]}", headers=clinic)
    assert shown.status_code == 200
    assert client.get(f"/v1/clinic/conversations/{people[YOSSI]}", headers=bare).status_code == 404  # not logged
    from sochen.db.models_api import InboundEventRow

    with session_scope(db_url) as session:
        item = session.scalar(select(InboundEventRow.id).where(InboundEventRow.event_key == "wamid.yossi-1"))
    assert client.get(f"/v1/inbound/{item}", headers=clinic).status_code == 200
    receipt = client.post("/v1/clinic/privacy/erase", json=body, headers=clinic).json()
    assert receipt["status"] == "done"

    with session_scope(db_url) as session:
        entries = list(session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)))
    assert [(e.action, e.target_kind) for e in entries] == [
        ("find", "person"),
        ("export", "person"),
        ("read", "conversation"),
        ("read", "inbound"),
        ("erase", "person"),
    ]
    assert {e.actor_kind for e in entries} == {"api_key"} and entries[2].target == people[YOSSI]
    assert all(e.origin for e in entries)  # from where
    assert entries[0].target == entries[4].target  # the same person, named by a reference, not a phone
    assert entries[3].target == item
    logged = json.dumps([[e.target, e.detail, e.actor, e.origin] for e in entries], ensure_ascii=False)
    assert DANA not in logged and "דנה" not in logged
    audit = client.get("/v1/clinic/privacy/audit?entries=true", headers=clinic).json()
    assert audit["ok"] and audit["entries"] == 5 and len(audit["log"]) == 5
    assert client.get("/v1/clinic/privacy/audit", headers=bare).status_code == 404


def test_the_audit_detects_an_edited_a_removed_and_a_reordered_entry(people, db_url):
    from typer.testing import CliRunner

    from sochen.cli import app as cli
    from sochen.db.models_privacy import AccessLogEntry

    runner = CliRunner()
    for args in (
        ["privacy", "find", "--tenant", "clinic", "--contact", "050-1234567", "--json"],
        ["conversations", "show", people[YOSSI], "--json"],
        ["privacy", "find", "--tenant", "clinic", "--contact", "dana.cohen@example.co.il"],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    ok = runner.invoke(cli, ["privacy", "audit", "--tenant", "clinic"])
    assert ok.exit_code == 0 and "3 entries" in ok.output, ok.output
    with session_scope(db_url) as session:
        entries = list(session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)))
        assert [(e.actor_kind, e.action) for e in entries] == [("cli", "find"), ("cli", "read"), ("cli", "find")]
        entries[1].target = people[DANA]  # someone hides that they read דנה's conversation
    broken = runner.invoke(cli, ["privacy", "audit", "--tenant", "clinic"])
    assert broken.exit_code == 1 and "entry 2" in broken.output
    with session_scope(db_url) as session:
        session.get(AccessLogEntry, entries[1].id).target = people[YOSSI]  # restored
    assert verify_chain(db_url, "clinic").ok
    with session_scope(db_url) as session:
        session.delete(session.get(AccessLogEntry, entries[1].id))
    report = verify_chain(db_url, "clinic")
    assert not report.ok and report.broken_at == 3 and "missing" in (report.problem or "")


def test_cli_export_writes_json_and_a_hebrew_report_and_erase_prints_a_receipt(people, db_url, tmp_path):
    from typer.testing import CliRunner

    from sochen.cli import app as cli

    runner = CliRunner()
    out = tmp_path / "export"
    result = runner.invoke(
        cli, ["privacy", "export", "--tenant", "clinic", "--contact", "+972501234567", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "export.json").read_text(encoding="utf-8"))
    assert data["summary"]["conversations"] == 1
    assert "השיחות שלך" in (out / "report.he.md").read_text(encoding="utf-8")
    refused = runner.invoke(cli, ["privacy", "erase", "--tenant", "clinic", "--contact", "+972501234567"], input="n\n")
    assert refused.exit_code == 1
    with session_scope(db_url) as session:
        assert session.get(Conversation, people[DANA]) is not None
    receipt_file = tmp_path / "receipt.json"
    done = runner.invoke(
        cli,
        [
            "privacy",
            "erase",
            "--tenant",
            "clinic",
            "--contact",
            "+972501234567",
            "--yes",
            "--receipt",
            str(receipt_file),
        ],
    )
    assert done.exit_code == 0, done.output
    assert json.loads(receipt_file.read_text(encoding="utf-8"))["status"] == "done"
    bad = runner.invoke(cli, ["privacy", "find", "--tenant", "clinic", "--contact", "לא מספר"])
    assert bad.exit_code != 0


# ------------------------------------------------------------------------------------------- retention


def _age(db_url: str, model, where, column: str, when) -> None:
    from sqlalchemy import update

    with session_scope(db_url) as session:
        session.execute(update(model).where(where).values({column: when}))


def test_the_purge_removes_exactly_what_expired_and_nothing_a_pending_job_needs(people, db_url):
    from datetime import UTC, datetime, timedelta

    from sochen.agents.graph import checkpointer_for
    from sochen.config.sections.privacy import PrivacyConfig
    from sochen.db.models_api import InboundDelivery, InboundEventRow
    from sochen.db.models_outbox import DomainEvent
    from sochen.workflows.privacy_retention import purge_tenant

    settings = get_settings()
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=100), now - timedelta(days=5)
    dana, yossi = people[DANA], people[YOSSI]
    with session_scope(db_url) as session:
        # Deterministic tags: her message carried health details, his did not.
        for turn in session.scalars(select(ConversationTurn).where(ConversationTurn.role == "user")):
            turn.details = {"sensitivity_types": ["health", "name"] if turn.conversation_id == dana else []}
        # Nobody is handling either conversation (a person's open handoff is never purged: the next test).
        for conversation in session.scalars(select(Conversation)):
            conversation.status, conversation.handoff_reason = "active", None
        events = {e.id for e in session.scalars(select(DomainEvent).where(DomainEvent.conversation_id == dana))}
        her_pending = [
            j.id for j in session.scalars(select(Job).where(Job.event_id.in_(events), Job.status == "pending"))
        ]
        his_events = {e.id for e in session.scalars(select(DomainEvent).where(DomainEvent.conversation_id == yossi))}
        his_jobs = list(session.scalars(select(Job).where(Job.event_id.in_(his_events))))
        for job in his_jobs:  # his replies were sent
            job.status = "succeeded"
        first_delivery = session.scalar(
            select(InboundEventRow.delivery_id).where(InboundEventRow.event_key.like("%yossi%"))
        )
        call = session.scalar(select(LlmCall.id).where(LlmCall.conversation_id == yossi))
    assert her_pending, "the agent's reply to her waits in the outbox"
    _age(db_url, Conversation, Conversation.id.in_([dana, yossi]), "updated_at", old)
    _age(db_url, InboundEventRow, InboundEventRow.delivery_id == first_delivery, "created_at", old)
    _age(db_url, InboundEventRow, InboundEventRow.delivery_id != first_delivery, "created_at", recent)
    _age(db_url, InboundDelivery, InboundDelivery.id == first_delivery, "received_at", old)
    _age(db_url, InboundDelivery, InboundDelivery.id != first_delivery, "received_at", recent)
    _age(db_url, Job, Job.id.is_not(None), "updated_at", old)
    _age(db_url, LlmCall, LlmCall.id == call, "created_at", now - timedelta(days=800))
    config = PrivacyConfig.model_validate(
        {
            "retention": {
                "transcripts": 365,
                "checkpoints": 90,
                "inbound_raw": 30,
                "job_params": 60,
                "ledger_detail": 730,
            },
            "health": {"transcripts": 90, "checkpoints": 30, "inbound_raw": 7, "job_params": 30},
            "purge_batch": 1,
        }
    )

    first = purge_tenant(settings, "clinic", config, now=now).removed
    # Her conversation expired (health: 90 days) but her reply is still queued: nothing of it goes yet.
    # His transcript is within 365 days; his checkpoint (90 days) is not.
    assert first == {
        "checkpoints": 1,
        "inbound_events": 2,
        "inbound_deliveries": 1,
        "job_params": 3 + len(his_jobs),
        "ledger_detail": 1,
    }
    saver = checkpointer_for(settings)
    assert saver.get_tuple({"configurable": {"thread_id": dana, "checkpoint_ns": ""}}) is not None
    assert saver.get_tuple({"configurable": {"thread_id": yossi, "checkpoint_ns": ""}}) is None
    with session_scope(db_url) as session:
        assert session.get(Conversation, dana) is not None and session.get(Conversation, yossi) is not None
        assert session.get(InboundDelivery, first_delivery) is None
        assert [
            i.payload for i in session.scalars(select(InboundEventRow).where(InboundEventRow.delivery_id.is_(None)))
        ]
        assert all(session.get(Job, j).params.get("to") for j in her_pending)  # a pending job keeps what it needs
        assert session.get(LlmCall, call).conversation_id is None
        for job_id in her_pending:  # the replies are sent
            session.get(Job, job_id).status = "succeeded"
    _age(db_url, Job, Job.id.is_not(None), "updated_at", old)

    second = purge_tenant(settings, "clinic", config, now=now).removed
    assert second == {"checkpoints": 1, "transcripts": 1}  # her finished jobs are blanked with her transcript
    with session_scope(db_url) as session:
        assert session.get(Conversation, dana) is None and session.get(Conversation, yossi) is not None
        assert all(session.get(Job, j).params == {"purged": True} for j in her_pending)
        assert YOSSI_TEXT in [t.text for t in session.scalars(select(ConversationTurn))]
        assert session.scalar(select(func.count()).select_from(LlmCall)) == 3  # figures stay
    assert purge_tenant(settings, "clinic", config, now=now).removed == {}  # nothing left to expire
    assert verify_chain(db_url, "clinic").ok


def test_the_purge_never_removes_a_conversation_a_person_is_handling(people, db_url):
    from datetime import UTC, datetime, timedelta

    from sochen.config.sections.privacy import PrivacyConfig
    from sochen.workflows.privacy_retention import purge_tenant

    now = datetime.now(UTC)
    dana = people[DANA]
    with session_scope(db_url) as session:
        for conversation in session.scalars(select(Conversation)):
            conversation.status = "handoff" if conversation.id == dana else "active"
        for job in session.scalars(select(Job)):
            job.status = "succeeded"
    _age(db_url, Conversation, Conversation.id.is_not(None), "updated_at", now - timedelta(days=1000))
    _age(db_url, Job, Job.id.is_not(None), "updated_at", now - timedelta(days=1000))
    config = PrivacyConfig.model_validate({"retention": {"transcripts": 1, "checkpoints": 1}})
    purge_tenant(get_settings(), "clinic", config, now=now)
    with session_scope(db_url) as session:
        assert session.get(Conversation, dana) is not None  # a person is on it
        assert session.get(Conversation, people[YOSSI]) is None
        assert DANA_TEXT in [t.text for t in session.scalars(select(ConversationTurn))]


# ------------------------------------------------------------------------------------- encryption at rest


@pytest.fixture
def data_key(monkeypatch):
    """A data key configured before the app and the first rows exist."""
    from cryptography.fernet import Fernet

    from sochen.db.crypto import reset_keys

    keys = {"old": Fernet.generate_key().decode(), "new": Fernet.generate_key().decode()}
    monkeypatch.setenv("SOCHEN_DATA_KEYS", f"old:{keys['old']}")
    monkeypatch.setenv("SOCHEN_LOOKUP_KEYS", "l1:מפתח-חיפוש-ראשון-0123456789")
    reset_keys()
    yield keys
    reset_keys()


def test_with_a_key_rows_hold_ciphertext_everything_works_and_rotation_retires_the_old_key(
    data_key, people, db_url, monkeypatch
):
    from typer.testing import CliRunner

    from sochen.cli import app as cli
    from sochen.db.crypto import MissingKeyError, reset_keys

    settings = get_settings()
    rows = _dump_rows(db_url)  # LangGraph's checkpoint tables too (on PostgreSQL they share the database)
    if settings.is_sqlite:
        rows += _file_bytes(_checkpoint_file(db_url))
    for secret in (*SECRETS, YOSSI.encode(), YOSSI_TEXT.encode(), "יוסי".encode()):
        assert secret not in rows, f"{secret!r} is stored in clear"
    # The channel address is found by its keyed hash (SOCHEN_LOOKUP_KEYS), never stored in clear.
    with session_scope(db_url) as session:
        assert session.scalar(select(Conversation.id).where(Conversation.contact_id == DANA)) is not None
    assert b"enc:f1:" in rows and b"_enc" in rows
    # The agent and the rights keep working on the decrypted values.
    found = find(settings, parse_contact("clinic", "+972501234567"))
    assert found.summary()["conversations"] == 1 and "039337423" in found.needles.ids
    with session_scope(db_url) as session:
        assert YOSSI_TEXT in [t.text for t in session.scalars(select(ConversationTurn))]

    # Rotation: the new key first, the old one kept until every row is re-encrypted; then it can go.
    # The lookup key rotates the same way: new first, `privacy encrypt` re-hashes, then the old one goes.
    monkeypatch.setenv("SOCHEN_DATA_KEYS", f"new:{data_key['new']},old:{data_key['old']}")
    monkeypatch.setenv("SOCHEN_LOOKUP_KEYS", "l2:מפתח-חיפוש-שני-9876543210,l1:מפתח-חיפוש-ראשון-0123456789")
    reset_keys()
    result = CliRunner().invoke(cli, ["privacy", "encrypt", "--batch", "2"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    rewritten = out["rewritten"]
    assert rewritten["conversation_turns.text"] >= 3 and rewritten["inbound_deliveries.body"] == 2
    assert rewritten["conversations.contact_id"] == 2 and out["rehashed"]["conversations.contact_key"] == 2
    assert sum(out["checkpoints"].values()) >= 2  # rotated to the new key
    again = json.loads(CliRunner().invoke(cli, ["privacy", "encrypt"]).output)
    assert set(again["rewritten"].values()) == {0} and set(again["checkpoints"].values()) == {0}  # idempotent
    assert set(again["rehashed"].values()) == {0}
    monkeypatch.setenv("SOCHEN_DATA_KEYS", f"new:{data_key['new']}")
    monkeypatch.setenv("SOCHEN_LOOKUP_KEYS", "l2:מפתח-חיפוש-שני-9876543210")
    reset_keys()
    from sochen.agents.graph import checkpointer_for, forget_checkpointers

    forget_checkpointers()
    with session_scope(db_url) as session:
        assert YOSSI_TEXT in [t.text for t in session.scalars(select(ConversationTurn))]
        yossi = session.scalar(select(Conversation).where(Conversation.contact_id == YOSSI))
        assert yossi is not None and yossi.contact_id == YOSSI
    state = checkpointer_for(settings).get_tuple({"configurable": {"thread_id": yossi.id, "checkpoint_ns": ""}})
    assert state is not None and state.checkpoint["channel_values"]["text"] == YOSSI_TEXT
    receipt = erase(settings, parse_contact("clinic", "+972501234567"), actor=ACTOR)
    assert receipt["status"] == "done"
    with session_scope(db_url) as session:
        assert len(list(session.scalars(select(Conversation)))) == 1
    # Without the key, encrypted rows are refused with the reason, never shown as ciphertext.
    monkeypatch.delenv("SOCHEN_DATA_KEYS")
    reset_keys()
    with pytest.raises(MissingKeyError), session_scope(db_url) as session:
        list(session.scalars(select(ConversationTurn)))


def test_encrypting_plain_rows_and_checkpoints_written_before_a_key_existed(people, db_url, monkeypatch):
    from cryptography.fernet import Fernet

    from sochen.agents.checkpoints import reencrypt_checkpoints
    from sochen.agents.graph import checkpointer_for, forget_checkpointers
    from sochen.db.crypto import reencrypt_all, reset_keys

    settings = get_settings()

    def stored() -> bytes:
        rows = _dump_rows(db_url)
        return rows + (_file_bytes(_checkpoint_file(db_url)) if settings.is_sqlite else b"")

    assert YOSSI_TEXT.encode() in _dump_rows(db_url, checkpoints=False)
    assert YOSSI_TEXT.encode() in stored()  # the checkpoints, written without a key, hold it too
    monkeypatch.setenv("SOCHEN_DATA_KEYS", f"k1:{Fernet.generate_key().decode()}")
    reset_keys()
    try:
        forget_checkpointers()
        # Clear checkpoints written before the key stay readable with it.
        saver = checkpointer_for(settings)
        thread = {"configurable": {"thread_id": people[YOSSI], "checkpoint_ns": ""}}
        assert saver.get_tuple(thread).checkpoint["channel_values"]["text"] == YOSSI_TEXT
        counts = reencrypt_all(db_url, batch=3)
        assert counts["conversation_turns.text"] >= 3 and counts["inbound_events.payload"] == 3
        moved = reencrypt_checkpoints(settings, batch=2)
        assert sum(moved.values()) >= 2
        assert reencrypt_checkpoints(settings) == dict.fromkeys(moved, 0)  # idempotent
        forget_checkpointers()
        if settings.is_sqlite:
            with sqlite3.connect(_checkpoint_file(db_url)) as conn:
                conn.execute("VACUUM")
        rows = stored()
        for secret in (YOSSI_TEXT.encode(), DANA_TEXT.encode(), "כאב חזק בשן".encode(), b"dana.cohen@example.co.il"):
            assert secret not in rows, f"{secret!r} is stored in clear"
        with session_scope(db_url) as session:
            assert YOSSI_TEXT in [t.text for t in session.scalars(select(ConversationTurn))]
        saver = checkpointer_for(settings)
        assert saver.get_tuple(thread).checkpoint["channel_values"]["text"] == YOSSI_TEXT
    finally:
        monkeypatch.delenv("SOCHEN_DATA_KEYS")
        reset_keys()


def test_a_connector_offering_erase_contact_gets_an_outbox_job_instead_of_a_note(people, db_url, monkeypatch):
    from types import SimpleNamespace

    from sochen.connectors import registry

    real = registry.load_connector

    class Erasing:
        @classmethod
        def actions(cls):
            return {"erase_contact": object(), "send_message": object()}

    def load(name, **kwargs):
        return SimpleNamespace(name=name, cls=Erasing) if name == "whatsapp" else real(name, **kwargs)

    monkeypatch.setattr(registry, "load_connector", load)
    receipt = erase(get_settings(), parse_contact("clinic", "+972501234567"), actor=ACTOR)
    assert receipt["steps"]["crm"] == {"planned": ["whatsapp"], "tenant_must_handle": False, "done": True}
    assert receipt["notes"] == []
    with session_scope(db_url) as session:
        jobs = list(session.scalars(select(Job).where(Job.action == "whatsapp.erase_contact")))
    assert len(jobs) == 1 and jobs[0].status == "pending" and jobs[0].params["phones"] == ["+972501234567"]
    assert "039337423" not in json.dumps(jobs[0].params)  # identifiers it needs, nothing else


def test_the_embedded_worker_runs_the_purge_when_idle_and_at_most_once_per_period(db_url, monkeypatch):
    import threading

    from sochen.workflows import privacy_retention
    from sochen.workflows.worker import EmbeddedWorker

    calls: list[str] = []
    ran = threading.Event()

    def fake_purge_all(settings, **kwargs):
        calls.append(settings.database_url)
        ran.set()
        return {}

    monkeypatch.setattr(privacy_retention, "purge_all", fake_purge_all)
    hourly = privacy_retention.periodic_purge(get_settings(), every_s=3600, first_after_s=0)
    dispatcher = Dispatcher(db_url, inbound_executor(get_settings(), _no_connectors), actions=[INBOUND_ACTION])
    with EmbeddedWorker(dispatcher, poll_s=0.01, maintenance=hourly):
        assert ran.wait(10)
        for _ in range(20):
            hourly()  # idle rounds within the hour purge nothing more
    assert calls == [db_url]


def test_a_web_chat_visitor_id_names_a_person_and_matches_only_itself():
    visitor = "wc_" + "A1b2C3d4E5f6G7h8I9j0-_"
    subject = parse_contact("clinic", f" {visitor} ")
    assert (subject.kind, subject.value) == ("webchat", visitor)
    with pytest.raises(ContactError):
        parse_contact("clinic", "wc_short")
    needles = Needles()
    needles.add("webchat", visitor)
    assert needles.hits(json.dumps({"from": visitor, "text": "שלום"}))
    assert not needles.hits(visitor + "x") and not needles.hits("x" + visitor)
    assert scrub_json({"contact_id": visitor, "text": "שלום"}, needles) == {"contact_id": REDACTED, "text": REDACTED}
