"""A small clinic tenant, applied and ingested, with a handful of scenarios written here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from sochen.config import get_settings, load_tenant_file
from sochen.db.migrate import upgrade
from sochen.db.session import session_scope
from sochen.db.tenants import store_version
from tests.rag.samples import PRICES_MD

CONNECTORS = """connectors:
  whatsapp:
    {phone_number_id: "106540352242922", access_token_env: T_WA, app_secret_env: T_WA_S, verify_token_env: T_WA_V}
  zoho_crm: {data_centre: eu, client_id: 1000.CLINICTEST, client_secret_env: T_ZS, refresh_token_env: T_ZR}
  n8n: {base_url: "https://n8n.clinic.example.co.il", signing_secret_env: T_N8N, workflows: [new-lead]}
"""

RULES = """workflows:
  rules:
    - name: lead
      on: lead.captured
      do:
        - id: lead
          action: zoho_crm.upsert_lead
          params: {last_name: "{{ event.slots.name }}", phone: "{{ event.slots.phone | e164 }}",
                   description: "{{ event.slots.service }}"}
        - action: zoho_crm.create_task
          params:
            subject: "לחזור ל{{ event.slots.name }}"
            related: {module: Leads, id: "{{ steps.lead.id }}"}
            due_date: "{{ next_business_day() }}"
        - action: n8n.trigger_workflow
          params: {workflow: new-lead, payload: {service: "{{ event.slots.service }}"}}
"""

SCENARIOS = """scenarios:
  - id: lead-three-turns
    title: ליד בשלוש הודעות — שם, שירות ומועד
    category: lead_capture
    turns:
      - user: "היי, אני רוצה לקבוע תור להלבנת שיניים"
        expect:
          intent: appointment_request
          slots: {service: הלבנת שיניים}
          slots_not_set: [name]
          reply: {contains: ["איך קוראים לך"]}
          route: none
      - user: "קוראים לי דנה כהן"
        expect:
          slots: {name: "דנה כהן"}
          reply: {contains: ["מתי נוח לך"]}
      - user: "מחר ב-5"
        expect:
          events: [lead.captured, appointment.requested]
          slots: {phone: {e164: "+972501234567"}, preferred_time: {matches: "^2026-11-23T17:00"}}
          jobs:
            - {action: zoho_crm.upsert_lead, params: {phone: {e164: "050-123-4567"}, last_name: "דנה כהן"}}
            - {action: zoho_crm.create_task, params: {subject: {contains: "דנה"}, related.module: Leads}}
            - {action: n8n.trigger_workflow, count: 1}
            - {action: whatsapp.send_message, params: {to: {e164: "+972501234567"}, text: {contains: "דנה כהן"}}}
          reply: {contains: ["דנה כהן", "17:00"]}
    expect_end:
      handoff: false
      jobs: [{action: zoho_crm.upsert_lead, count: 1}]
  - id: price-whitening
    title: שאלת מחיר על הלבנה, עם ציטוט מהמחירון
    category: prices
    turns:
      - user: "מה המחיר של הלבנת שיניים?"
        expect:
          intent: price_question
          reply: {contains: ["1,200"]}
          cites: [{document: מחירון}]
          route: none
          refuses: false
          jobs_not: [zoho_crm.upsert_lead]
  - id: human-then-silent
    title: בקשה לנציג, והבוט שותק אחר כך
    category: handoff
    turns:
      - user: "אני רוצה לדבר עם נציג"
        expect: {intent: human_request, events: [handoff.requested], handoff: true}
      - user: "הלו? מישהו שם?"
        expect: {reply: {silent: true}, events_not: [reply], jobs_not: [whatsapp.send_message]}
  - id: starts-with-person
    title: שיחה שנציג כבר מטפל בה
    category: handoff
    start: {handoff: true, now: "2026-12-01T09:00:00+02:00", history: []}
    turns:
      - user: "שלום, מה שעות הפעילות?"
        expect: {reply: {silent: true}, handoff: true}
"""


RETURNING = """  - id: returning-lead-seeded-crm
    title: לקוחה חוזרת שכבר רשומה ב-CRM, בהודעה אחת
    category: lead_capture
    contact: {id: "972521112222", name: רונית}
    start:
      crm_records:
        - {module: Leads, fields: {Last_Name: "לוי", Phone: "+972521112222", Lead_Source: "Walk-in"}}
    turns:
      - user: "שמי רונית לוי, אני רוצה תור לניקוי אבנית מחר ב-10"
        expect:
          intent: appointment_request
          events: [lead.captured]
          jobs: [{action: zoho_crm.upsert_lead, params: {phone: {e164: "052-111-2222"}, last_name: "רונית לוי"}}]
"""


def tenant_yaml(*, name: str = "מרפאת בדיקה", agent: str = "", models: str = "", evals: str = "") -> str:
    """The test tenant's YAML; ``agent`` / ``models`` / ``evals`` are extra top-level sections."""
    return (
        f"slug: clinic\nname: {name}\nknowledge:\n  sources: [docs]\n"
        f"agent:\n  services: [הלבנת שיניים, ניקוי אבנית]\n{agent}"
        f"{models}{CONNECTORS}{RULES}{evals}"
    )


@dataclass
class Clinic:
    """The applied tenant: its folder, database URL and how to apply a new version."""

    folder: Path
    url: str

    def apply(self, text: str) -> int:
        path = self.folder / "tenant.yaml"
        path.write_text(text, encoding="utf-8")
        loaded = load_tenant_file(path)
        with session_scope(self.url) as session:
            cfg = loaded.config
            return store_version(
                session,
                slug=cfg.slug,
                name=cfg.name,
                config=cfg.model_dump(mode="json"),
                digest=cfg.digest(),
                source_text=loaded.source_text,
                source_path=str(path.resolve()),
            ).version


def make_clinic(url: str, folder: Path, *, text: str | None = None, scenarios: str = SCENARIOS + RETURNING) -> Clinic:
    from sochen.rag.ingest import ingest_paths
    from sochen.rag.retriever import Retriever

    upgrade(url)
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "docs" / "prices.md").write_text(PRICES_MD, encoding="utf-8")
    (folder / "scenarios").mkdir(exist_ok=True)
    (folder / "scenarios" / "basic.yaml").write_text(scenarios, encoding="utf-8")
    clinic = Clinic(folder, url)
    clinic.apply(text or tenant_yaml())
    ingest_paths(Retriever(get_settings()), "clinic", [folder / "docs"])
    return clinic


@pytest.fixture
def clinic(any_database_url, tmp_path):
    yield make_clinic(any_database_url, tmp_path / "clinic")
    from sochen.agents.graph import forget_checkpointers

    forget_checkpointers()
