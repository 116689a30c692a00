"""Conversation turns through the real graph, checkpointer, outbox and workflow rules (no model: extractive)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sochen.config import get_settings, parse_tenant_yaml
from sochen.db.migrate import upgrade
from sochen.db.models_conversations import Conversation, ConversationTurn
from sochen.db.models_outbox import Job
from sochen.db.session import session_scope
from sochen.db.tenants import store_version
from sochen.rag.ingest import ingest_paths
from sochen.rag.retriever import Retriever
from sochen.tenancy import resolver_for
from sochen.workflows.conversations import Inbound, handle_message, release_handoff
from tests.rag.samples import PRICES_MD

TZ = ZoneInfo("Asia/Jerusalem")
START = datetime(2026, 11, 22, 10, 0, tzinfo=TZ)

TENANT = """slug: clinic
name: מרפאה
agent:
  services: [הלבנת שיניים, ניקוי אבנית]
connectors:
  whatsapp: {phone_number_id: "1", access_token_env: T, app_secret_env: S, verify_token_env: V}
  zoho_crm: {data_centre: eu, client_id: c, client_secret_env: CS, refresh_token_env: RT}
workflows:
  rules:
    - name: lead
      on: lead.captured
      do:
        - id: lead
          action: zoho_crm.upsert_lead
          params: {last_name: "{{ event.slots.name }}", phone: "{{ event.slots.phone | e164 }}"}
        - action: zoho_crm.create_task
          params:
            subject: "לחזור ל{{ event.slots.name }}"
            related: {module: Leads, id: "{{ steps.lead.id }}"}
            due_date: "{{ next_business_day() }}"
"""


@pytest.fixture
def clinic(any_database_url, tmp_path):
    upgrade(any_database_url)
    cfg = parse_tenant_yaml(TENANT)
    with session_scope(any_database_url) as s:
        store_version(
            s,
            slug="clinic",
            name=cfg.name,
            config=cfg.model_dump(mode="json"),
            digest=cfg.digest(),
            source_text=TENANT,
            source_path=None,
        )
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "prices.md").write_text(PRICES_MD, encoding="utf-8")
    retriever = Retriever(get_settings())
    ingest_paths(retriever, "clinic", [docs])
    yield retriever
    from sochen.agents.graph import forget_checkpointers

    forget_checkpointers()


class Chat:
    def __init__(self, retriever, contact="972501234567"):
        self.retriever, self.contact, self.n = retriever, contact, 0

    def say(self, text, *, message_id=None):
        self.n += 1
        inbound = Inbound(
            "clinic",
            "whatsapp",
            self.contact,
            text,
            message_id or f"wamid.{self.contact}.{self.n}",
            START + timedelta(minutes=self.n),
            "דנה",
            f"+{self.contact}",
        )
        tenant = resolver_for(get_settings()).live("clinic")  # what the inbound job's edge resolves
        return handle_message(get_settings(), inbound, retriever=self.retriever, tenant=tenant)


def jobs(url):
    with session_scope(url) as s:
        return sorted(s.scalars(select(Job.action)))


def test_lead_is_collected_without_asking_twice_and_planned_once(clinic, any_database_url):
    chat = Chat(clinic)
    first = chat.say("היי, אני רוצה לקבוע תור להלבנת שיניים")
    assert first.outcome["intent"] == "appointment_request"
    assert first.reply == "איך קוראים לך?"  # service is known, the phone comes from WhatsApp
    second = chat.say("קוראים לי דנה כהן")
    assert "מתי נוח לך" in second.reply
    done = chat.say("מחר ב-5")
    assert "דנה כהן" in done.reply and "הלבנת שיניים" in done.reply and "17:00" in done.reply
    types = [e["type"] for e in done.outcome["events"]]
    assert types == ["lead.captured", "appointment.requested", "reply"]
    slots = done.outcome["events"][0]["payload"]["slots"]
    assert slots == {
        "service": "הלבנת שיניים",
        "name": "דנה כהן",
        "first_name": "דנה",
        "last_name": "כהן",
        "preferred_time": "2026-11-23T17:00+02:00",
        "phone": "+972501234567",
    }
    assert jobs(any_database_url).count("zoho_crm.upsert_lead") == 1
    assert jobs(any_database_url).count("zoho_crm.create_task") == 1
    assert jobs(any_database_url).count("whatsapp.send_message") == 3


def test_redelivered_message_replays_and_adds_nothing(clinic, any_database_url):
    chat = Chat(clinic)
    chat.say("שלום")
    before = jobs(any_database_url)
    again = chat.say("שלום", message_id="wamid.972501234567.1")
    assert again.replayed and again.reply
    assert jobs(any_database_url) == before
    with session_scope(any_database_url) as s:
        assert len(list(s.scalars(select(ConversationTurn)))) == 2  # one user turn, one agent turn


def test_price_question_is_answered_from_the_documents_with_a_citation(clinic):
    answer = Chat(clinic).say("מה המחיר של הלבנת שיניים?")
    assert answer.outcome["reply_mode"] == "extractive"
    assert "1,200" in answer.reply and "מחירון המרפאה" in answer.reply
    assert answer.outcome["citations"][0]["title"] == "מחירון המרפאה"


def test_human_request_hands_off_and_the_bot_stays_silent_until_released(clinic, any_database_url):
    chat = Chat(clinic)
    handed = chat.say("אני רוצה לדבר עם נציג")
    assert handed.status == "handoff" and handed.outcome["handoff"]
    assert [e["type"] for e in handed.outcome["events"]] == ["handoff.requested", "reply"]
    silent = chat.say("הלו? מישהו שם?")
    assert silent.reply is None and silent.outcome["events"] == []
    release_handoff(get_settings(), "clinic", handed.conversation_id)
    back = chat.say("מה המחיר של ניקוי אבנית?")
    assert back.status == "active" and "350" in back.reply


def test_complaint_and_repeated_confusion_hand_off(clinic):
    assert Chat(clinic, "972520000001").say("אני ממש לא מרוצה, זה שערורייה").status == "handoff"
    confused = Chat(clinic, "972520000002")
    assert confused.say("בננה סגולה").status == "active"
    assert confused.say("קקטוס עף").status == "handoff"


def test_conversation_survives_a_restart(clinic):
    from sochen.agents.graph import forget_checkpointers

    chat = Chat(clinic)
    chat.say("אני רוצה לקבוע תור להלבנת שיניים")
    forget_checkpointers()  # a new process: new checkpointer, same database
    again = chat.say("קוראים לי דנה כהן")
    assert "מתי נוח לך" in again.reply  # remembers the service and does not ask for it


def test_conversation_ids_carry_no_phone_number(clinic, any_database_url):
    result = Chat(clinic).say("שלום")
    assert "972501234567" not in result.conversation_id
    with session_scope(any_database_url) as s:
        row = s.get(Conversation, result.conversation_id)
        assert row.contact_id == "972501234567" and row.status == "active"


def test_a_person_takes_over_and_gives_back(clinic):
    from sochen.workflows.conversations import take_over

    chat = Chat(clinic, "972520000003")
    first = chat.say("שלום")
    take_over(get_settings(), "clinic", first.conversation_id)
    silent = chat.say("מה המחיר של ניקוי אבנית?")
    assert silent.reply is None and silent.status == "handoff"
    release_handoff(get_settings(), "clinic", first.conversation_id)
    assert "350" in chat.say("מה המחיר של ניקוי אבנית?").reply


def test_a_closed_conversation_reopens_for_the_agent_when_the_customer_writes(clinic, any_database_url):
    from sochen.workflows.inbox import close_conversation, inbox_state

    chat = Chat(clinic, "972520000004")
    handed = chat.say("אני רוצה לדבר עם נציג")
    assert handed.status == "handoff"
    with session_scope(any_database_url) as s:
        close_conversation(s, "clinic", handed.conversation_id)
    back = chat.say("מה המחיר של ניקוי אבנית?")
    assert back.status == "active" and "350" in back.reply
    with session_scope(any_database_url) as s:
        row = s.get(Conversation, handed.conversation_id)
        assert inbox_state(row.status, row.handoff_reason, row.taken_by) == "active"


def test_each_turn_writes_one_checkpoint_that_langgraph_reads_as_its_own(clinic, any_database_url, monkeypatch):
    # run_turn runs the graph in the caller's thread and writes the turn's checkpoint itself: get_state,
    # get_state_history and update_state (a person's take-over) must see them as LangGraph's own, and a
    # turn that raises must leave no checkpoint behind (the whole turn runs again).
    from sochen.agents import nodes
    from sochen.agents.graph import graph_for, saved_state
    from sochen.workflows.conversations import take_over

    chat = Chat(clinic, "972520000005")
    first = chat.say("אני רוצה לקבוע תור להלבנת שיניים")
    graph = graph_for(get_settings())
    config = {"configurable": {"thread_id": first.conversation_id}}
    chat.say("קוראים לי דנה כהן")
    history = list(graph.get_state_history(config))
    assert (
        len(history) == 2
        and history[0].parent_config["configurable"]["checkpoint_id"]
        == (history[1].config["configurable"]["checkpoint_id"])
    )
    shown = graph.get_state(config).values
    assert shown == saved_state(graph, config).values
    assert shown["slots"]["name"] == "דנה כהן" and shown["slots"]["service"] == "הלבנת שיניים" and shown["turn"] == 2

    def broken(*args, **kwargs):
        raise RuntimeError("respond failed")

    with monkeypatch.context() as patch:
        patch.setattr(nodes, "respond", broken)
        with pytest.raises(RuntimeError):
            chat.say("מחר ב-5", message_id="wamid.retry.1")
    assert len(list(graph.get_state_history(config))) == 2  # nothing saved from the failed turn
    chat.n -= 1
    done = chat.say("מחר ב-5", message_id="wamid.retry.1")  # the retry runs the whole turn
    assert "דנה כהן" in done.reply and not done.replayed
    take_over(get_settings(), "clinic", first.conversation_id)  # update_state on a run_turn checkpoint
    assert graph.get_state(config).values["status"] == "handoff"
    assert chat.say("הלו?").reply is None
