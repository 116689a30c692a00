"""Correction of a person's data (Privacy Protection Law s. 14): every store, the CRM, refusals, resumption."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sochen.config import get_settings
from sochen.connectors import RecordRef
from sochen.db.models_conversations import Conversation, ConversationTurn
from sochen.db.models_outbox import DomainEvent, Job
from sochen.db.models_privacy import AccessLogEntry, PrivacyOperation
from sochen.db.session import session_scope
from sochen.workflows.privacy_correct import correct
from sochen.workflows.privacy_log import verify_chain
from sochen.workflows.privacy_rights import ContactError, export, export_report_he, parse_contact

from . import test_privacy_rights as rights
from .test_privacy_rights import ACTOR, DANA, DANA_TEXT, YOSSI, YOSSI_TEXT, _dump_rows

people = rights.people  # the same two people (Dana and Yossi) through the webhook and the agent

pytestmark = pytest.mark.unit


@pytest.fixture
def zoho_connector():
    """Zoho CRM on its strict loopback fake."""
    import requests

    from sochen.connectors.testing.fakes import FakeZoho
    from sochen.connectors.zoho_crm import TokenCache, ZohoCrmConnector

    with FakeZoho() as fake, requests.Session() as session:
        config = {
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "refresh_token": fake.refresh_token,
            "accounts_url": fake.accounts_url,
            "timeout_s": 2,
        }
        yield ZohoCrmConnector(config, session=session, token_cache=TokenCache())


OLD_MAIL = "dana.cohen@example.co.il"
NEW_MAIL = "dana.k@example.co.il"


def _dana():
    return parse_contact("clinic", "+972501234567")


def _everything(url: str) -> str:
    """Every value Sochen holds, decrypted (the ORM), as one string."""
    with session_scope(url) as session:
        parts = [t.text + json.dumps(t.details, ensure_ascii=False) for t in session.scalars(select(ConversationTurn))]
        parts += [json.dumps(e.payload, ensure_ascii=False) for e in session.scalars(select(DomainEvent))]
        parts += [json.dumps([j.params, j.deferred], ensure_ascii=False) for j in session.scalars(select(Job))]
    return "\n".join(parts)


def test_an_email_is_corrected_in_her_records_her_messages_are_annotated_and_yossi_is_untouched(people, db_url):
    settings = get_settings()
    yossi_before = _dump_rows(db_url).count(YOSSI.encode())
    receipt = correct(settings, _dana(), "email", OLD_MAIL.upper(), NEW_MAIL, actor=ACTOR)
    assert receipt["status"] == "done" and receipt["field"] == "email" and receipt["refusal"] is None
    assert receipt["steps"]["transcripts"]["messages_annotated"] == 1
    assert OLD_MAIL not in json.dumps(receipt) and NEW_MAIL not in json.dumps(receipt)  # counts only
    with session_scope(db_url) as session:
        turns = {t.text: t for t in session.scalars(select(ConversationTurn))}
        # Her message stays what she wrote; it carries the correction (no values in the annotation).
        note = turns[DANA_TEXT].details["corrections"]
        assert [n["field"] for n in note] == ["email"] and NEW_MAIL not in json.dumps(note)
        assert "corrections" not in (turns[YOSSI_TEXT].details or {})
    # Her export shows the corrected value beside the message; the Hebrew report says it too.
    data = export(settings, _dana(), actor=ACTOR)
    fixes = [f for c in data["conversations"] for t in c["turns"] for f in t.get("corrections", [])]
    assert [f["corrected_to"] for f in fixes] == [NEW_MAIL]
    assert "תוקן" in export_report_he(data) and NEW_MAIL in export_report_he(data)
    # Nothing outside her messages' quoted text holds the old address any more (events, jobs, details).
    held = _everything(db_url).replace(DANA_TEXT, "")
    assert OLD_MAIL not in held
    assert _dump_rows(db_url).count(YOSSI.encode()) == yossi_before
    # Recorded: an access-log entry "correct" in a chain that still verifies.
    with session_scope(db_url) as session:
        actions = [e.action for e in session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq))]
    assert actions[-2:] == ["correct", "export"] and verify_chain(db_url, "clinic").ok


def test_a_phone_correction_keeps_the_channel_address_and_where_replies_go(people, db_url):
    settings = get_settings()
    with session_scope(db_url) as session:
        queued = {j.id: j.params.get("to") for j in session.scalars(select(Job)) if isinstance(j.params, dict)}
    receipt = correct(settings, _dana(), "phone", "050-1234567", "052-7654321", actor=ACTOR)
    assert receipt["status"] == "done"
    assert any("כתובת הערוץ" in n and "channel address" in n for n in receipt["notes"])
    with session_scope(db_url) as session:
        conv = session.scalar(select(Conversation).where(Conversation.contact_id == DANA))
        assert conv is not None and conv.contact_id == DANA  # still found by it, still the address
        for job in session.scalars(select(Job)):
            if job.id in queued:
                assert (job.params or {}).get("to") == queued[job.id]  # replies still go to her WhatsApp
    # The person's address alone cannot be "corrected": refused with the reason.
    refused = correct(settings, parse_contact("clinic", YOSSI), "phone", YOSSI, "052-7654321", actor=ACTOR)
    assert refused["status"] == "refused" and refused["refusal"]["reason"] == "channel_address"
    assert "סעיף 15" in refused["refusal"]["notice"]


def test_the_tenant_may_refuse_with_a_reason_and_a_value_held_nowhere_is_refused(people, db_url):
    settings = get_settings()
    reason = "הפרט תואם את הרשומה הרפואית | the detail matches the medical record"
    refused = correct(settings, _dana(), "name", "דנה כהן", "דנה כהן-לוי", actor=ACTOR, refuse=reason)
    assert refused["status"] == "refused" and refused["refusal"]["reason"] == reason
    with session_scope(db_url) as session:
        assert session.scalar(select(Conversation.contact_name).where(Conversation.contact_id == DANA)) == "דנה כהן"
    nothing = correct(settings, _dana(), "fact", "אלרגיה לפניצילין", "אין אלרגיות", actor=ACTOR)
    assert nothing["status"] == "refused" and nothing["refusal"]["reason"] == "not_found"
    # Bad input is an error and records nothing.
    with session_scope(db_url) as session:
        before = len(list(session.scalars(select(PrivacyOperation))))
    for field, new in (("phone", "לא טלפון"), ("email", "not-mail"), ("id_number", "123456789"), ("shoe", "x")):
        with pytest.raises(ContactError):
            correct(settings, _dana(), field, "039337423" if field == "id_number" else OLD_MAIL, new, actor=ACTOR)
    with session_scope(db_url) as session:
        assert len(list(session.scalars(select(PrivacyOperation)))) == before


def test_a_name_correction_reaches_the_conversation_and_is_idempotent(people, db_url):
    settings = get_settings()
    first = correct(settings, _dana(), "name", "דנה כהן", "דנה כהן-לוי", actor=ACTOR)
    assert first["steps"]["conversations"]["contact_names_corrected"] == 1
    with session_scope(db_url) as session:
        names = {c.contact_id: c.contact_name for c in session.scalars(select(Conversation))}
    assert names == {DANA: "דנה כהן-לוי", YOSSI: "יוסי"}
    again = correct(settings, _dana(), "name", "דנה כהן", "דנה כהן-לוי", actor=ACTOR)
    assert again["operation"] == first["operation"] and again["steps"] == first["steps"]


@pytest.mark.parametrize("killed_after", ["conversations", "transcripts", "outbox_jobs", "checkpoints"])
def test_a_correction_killed_mid_way_finishes_on_rerun(people, db_url, any_database_url, killed_after):
    settings = get_settings()
    with pytest.raises(RuntimeError):
        correct(settings, _dana(), "id_number", "039337423", "000000018", actor=ACTOR, crash_after=killed_after)
    receipt = correct(settings, _dana(), "id_number", "039337423", "000000018", actor=ACTOR)
    assert receipt["status"] == "done"
    with session_scope(db_url) as session:
        ops = list(session.scalars(select(PrivacyOperation).where(PrivacyOperation.kind == "correct")))
        assert len(ops) == 1 and ops[0].id == receipt["operation"]
        turns = list(session.scalars(select(ConversationTurn)))
    notes = [t.details["corrections"] for t in turns if (t.details or {}).get("corrections")]
    # Her one message with the ID is annotated once, by the one operation, however often it was resumed.
    assert notes == [[{"operation": receipt["operation"], "field": "id_number", "at": notes[0][0]["at"]}]]
    assert "039337423" not in _everything(db_url).replace(DANA_TEXT, "")


def test_connected_systems_get_a_correct_contact_job_or_are_named_in_the_receipt(
    people, db_url, monkeypatch, zoho_connector
):
    from types import SimpleNamespace

    from sochen.connectors import registry
    from sochen.connectors.zoho_crm import LeadParams

    real = registry.load_connector

    class Correcting:
        @classmethod
        def actions(cls):
            return {"correct_contact": object(), "send_message": object()}

    def load(name, **kwargs):
        return SimpleNamespace(name=name, cls=Correcting) if name == "whatsapp" else real(name, **kwargs)

    monkeypatch.setattr(registry, "load_connector", load)
    receipt = correct(get_settings(), _dana(), "email", OLD_MAIL, NEW_MAIL, actor=ACTOR)
    assert receipt["steps"]["crm"]["planned"] == ["whatsapp"]
    assert receipt["steps"]["crm"]["not_supported"] == ["n8n"]
    assert any("'n8n'" in n and "does not support correction" in n for n in receipt["notes"])
    with session_scope(db_url) as session:
        jobs = list(session.scalars(select(Job).where(Job.action == "whatsapp.correct_contact")))
    assert len(jobs) == 1 and jobs[0].status == "pending"
    # The job's parameters are what Zoho's correct_contact takes: run them against the strict fake.
    zoho = zoho_connector
    lead = zoho.upsert_lead(LeadParams(last_name="כהן", first_name="דנה", email=OLD_MAIL)).id
    result = zoho.run_action("correct_contact", jobs[0].params)
    assert result.updated["Leads"] == 1
    assert zoho.get_record(RecordRef(module="Leads", id=lead)).fields["Email"] == NEW_MAIL


def test_an_erase_job_planned_for_zoho_deletes_her_lead_in_the_crm(people, db_url, monkeypatch, zoho_connector):
    from types import SimpleNamespace

    from sochen.connectors import registry
    from sochen.connectors.zoho_crm import LeadParams, ZohoCrmConnector
    from sochen.workflows.privacy_rights import erase

    real = registry.load_connector
    monkeypatch.setattr(
        registry,
        "load_connector",
        lambda name, **kw: SimpleNamespace(name=name, cls=ZohoCrmConnector) if name == "n8n" else real(name, **kw),
    )
    lead = zoho_connector.upsert_lead(LeadParams(last_name="כהן", first_name="דנה", phone="050-123-4567")).id
    other = zoho_connector.upsert_lead(LeadParams(last_name="לוי", phone="+" + YOSSI)).id
    receipt = erase(get_settings(), _dana(), actor=ACTOR)
    assert receipt["steps"]["crm"]["planned"] == ["n8n"]  # n8n stands in for a tenant's zoho_crm here
    with session_scope(db_url) as session:
        job = session.scalar(select(Job).where(Job.action == "n8n.erase_contact"))
    result = zoho_connector.run_action("erase_contact", job.params)
    assert result.deleted["Leads"] == 1
    assert zoho_connector.get_record(RecordRef(module="Leads", id=lead)) is None
    assert zoho_connector.get_record(RecordRef(module="Leads", id=other)) is not None


def test_over_http_and_the_cli_a_correction_answers_with_its_receipt(people, client, db_url, tmp_path):
    from typer.testing import CliRunner

    from sochen.cli import app as cli

    clinic, bare = rights._key(db_url, "clinic"), rights._key(db_url, "bare")
    body = {"contact": "050-123-4567", "field": "email", "old": OLD_MAIL, "new": NEW_MAIL}
    assert client.post("/v1/clinic/privacy/correct", json=body, headers=bare).status_code == 404
    bad = client.post("/v1/clinic/privacy/correct", json={**body, "new": "לא כתובת"}, headers=clinic)
    assert bad.status_code == 422 and "invalid_correction" in bad.text
    assert client.post("/v1/clinic/privacy/correct", json={**body, "field": "shoe"}, headers=clinic).status_code == 422
    done = client.post("/v1/clinic/privacy/correct", json=body, headers=clinic)
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = client.post("/v1/clinic/privacy/correct", json=body, headers=clinic).json()
    assert again["operation"] == done.json()["operation"]  # idempotent
    with session_scope(db_url) as session:
        entries = [
            (e.action, e.actor_kind) for e in session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq))
        ]
    assert entries == [("correct", "api_key"), ("correct", "api_key")]

    runner = CliRunner()
    args = ["privacy", "correct", "--tenant", "clinic", "--contact", "+972501234567", "--field", "name"]
    out = tmp_path / "receipt.json"
    refused = runner.invoke(
        cli, [*args, "--old", "דנה כהן", "--new", "דנה לוי", "--refuse", "השם תואם תעודה", "--receipt", str(out)]
    )
    assert refused.exit_code == 0, refused.output
    assert json.loads(out.read_text(encoding="utf-8"))["refusal"]["reason"] == "השם תואם תעודה"
    fixed = runner.invoke(cli, [*args, "--old", "דנה כהן", "--new", "דנה לוי"])
    assert fixed.exit_code == 0, fixed.output
    assert json.loads(fixed.output)["steps"]["conversations"]["contact_names_corrected"] == 1
    wrong = runner.invoke(cli, [*args[:-1], "email", "--old", OLD_MAIL, "--new", "@@"])
    assert wrong.exit_code != 0 and "e-mail" in wrong.output


def test_with_keys_every_lookup_by_the_address_still_works(rights_data_key, people, db_url):
    """Encrypted address + blind index: inbound, the WhatsApp window, a person's reply, find, export, erase."""
    from sochen.workflows.conversations import reply_as_person
    from sochen.workflows.executors import TranscriptServiceWindows
    from sochen.workflows.privacy_rights import erase, find

    settings = get_settings()
    rows = _dump_rows(db_url)
    assert DANA.encode() not in rows and YOSSI.encode() not in rows  # the address is encrypted
    with session_scope(db_url) as session:
        conv = session.scalar(select(Conversation).where(Conversation.contact_id == DANA))
        assert conv is not None and conv.contact_id == DANA and conv.contact_key != DANA
        both = session.scalars(select(Conversation.contact_id).where(Conversation.contact_id.in_([DANA, YOSSI])))
        assert sorted(both) == sorted([DANA, YOSSI])  # selecting the attribute reads the decrypted value
        assert session.scalar(select(Conversation.id).where(Conversation.contact_id != DANA)) == people[YOSSI]
    assert TranscriptServiceWindows(db_url, "clinic").last_inbound(DANA) is not None
    with session_scope(db_url) as session:  # her messages carry 2024 timestamps: open the 24-hour window
        for turn in session.scalars(select(ConversationTurn).where(ConversationTurn.conversation_id == people[DANA])):
            turn.created_at = datetime.now(UTC)
    job_id = reply_as_person(settings, "clinic", people[DANA], "שלום דנה, קבענו לך תור", author="נועה")
    with session_scope(db_url) as session:
        job = session.get(Job, job_id)
        assert json.dumps(job.params).count(DANA) == 1  # the reply goes to her number
    assert find(settings, _dana()).summary()["conversations"] == 1
    assert export(settings, _dana(), actor=ACTOR)["conversations"][0]["contact_id"] == DANA
    assert erase(settings, _dana(), actor=ACTOR)["status"] == "done"
    with session_scope(db_url) as session:
        assert [c.contact_id for c in session.scalars(select(Conversation))] == [YOSSI]
    with pytest.raises(NotImplementedError, match="encrypted"):
        select(Conversation).where(Conversation.contact_id.like("9725%"))


rights_data_key = rights.data_key


def test_erasing_her_afterwards_leaves_no_byte_of_what_she_corrected(people, db_url, any_database_url):
    from sochen.workflows.privacy_rights import erase

    settings = get_settings()
    fixed = correct(settings, _dana(), "email", OLD_MAIL, NEW_MAIL, actor=ACTOR)
    by_id = correct(settings, parse_contact("clinic", "039337423"), "fact", "כאב חזק בשן", "רגישות בשן", actor=ACTOR)
    assert fixed["status"] == by_id["status"] == "done"
    assert NEW_MAIL.encode() in _dump_rows(db_url, checkpoints=False)  # held in her records and the request
    receipt = erase(settings, _dana(), actor=ACTOR)
    assert receipt["steps"]["conversations"]["correction_requests_dropped"] == 2  # by phone and by ID
    rows = _dump_rows(db_url)
    for secret in (OLD_MAIL, NEW_MAIL, "רגישות בשן", "כאב חזק בשן"):
        assert secret.encode() not in rows, secret
    with session_scope(db_url) as session:  # the corrections' receipts stay (counts, status), for the auditor
        kept = list(session.scalars(select(PrivacyOperation).where(PrivacyOperation.kind == "correct")))
    assert sorted(op.status for op in kept) == ["done", "done"]
