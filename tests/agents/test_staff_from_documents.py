"""The staff and their days read from the documents when ``agent.staff`` is not configured, as an owner who
onboards from documents leaves it: a booking with a named therapist on a day she does not receive is not recorded,
and the reply says when she receives. Real graph, checkpointer, outbox and rules; no model (extractive)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.hours import staff_from_documents
from sochen.config import get_settings, parse_tenant_yaml
from sochen.config.sections.agent import OpeningHours
from sochen.db.migrate import upgrade
from sochen.db.session import session_scope
from sochen.db.tenants import store_version
from sochen.rag.ingest import ingest_paths
from sochen.rag.retriever import Retriever
from tests.agents.test_conversation_holds_up import Chat, lead_params, types

TZ = ZoneInfo("Asia/Jerusalem")
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=TZ)
HOURS = OpeningHours(
    sunday=["08:00-18:00"], monday=["08:00-18:00"], tuesday=["11:00-19:00"], wednesday=["08:00-18:00"],
    thursday=["08:00-18:00"], friday=["08:00-11:00"],
)  # fmt: skip
STAFF_DOC = """# שעות פעילות והצוות — מכון קשב

## הצוות

- **ד"ר נעמה ברק** — אודיולוגית, מנהלת המכון. עובדת בימים א', ב' ו-ד'.
- **אורלי שמש** — קלינאית תקשורת לילדים. מקבלת בימים א' ו-ה', בשעות 13:00–19:00 בלבד.
- **גלינה פרץ** — קלינאית תקשורת למבוגרים: גמגום ובליעה. מקבלת בימים ג' ו-ה' בלבד.
- **יוסי לוי** — אודיולוג. עובד בימים א' ו-ג'. ביום שלישי מקבל 15:00–19:00.
- **חניה** — חניון מאחורי הבניין, חינם עד שעתיים.
"""

TENANT = """slug: keshev
name: מכון קשב לשמיעה ודיבור
agent:
  services: [בדיקת שמיעה, טיפול בדיבור, טיפול בגמגום]
  hours:
    sunday: ["08:00-18:00"]
    monday: ["08:00-18:00"]
    tuesday: ["11:00-19:00"]
    wednesday: ["08:00-18:00"]
    thursday: ["08:00-18:00"]
    friday: ["08:00-11:00"]
connectors:
  whatsapp: {phone_number_id: "1", access_token_env: T, app_secret_env: S, verify_token_env: V}
  zoho_crm: {data_centre: eu, client_id: c, client_secret_env: CS, refresh_token_env: RT}
workflows:
  rules:
    - name: lead
      on: lead.captured
      do:
        - action: zoho_crm.upsert_lead
          params:
            first_name: "{{ event.slots.first_name }}"
            last_name: "{{ event.slots.last_name }}"
            phone: "{{ event.slots.phone | e164 }}"
            description: "{{ event.slots.service }}"
"""


@pytest.mark.unit
def test_the_staff_lines_of_the_documents_give_each_persons_days_and_hours():
    staff = {m.name: m for m in staff_from_documents([STAFF_DOC], HOURS)}
    assert set(staff) == {'ד"ר נעמה ברק', "אורלי שמש", "גלינה פרץ", "יוסי לוי"}  # not the parking line
    assert staff['ד"ר נעמה ברק'].hours == OpeningHours(
        sunday=["08:00-18:00"], monday=["08:00-18:00"], wednesday=["08:00-18:00"]
    )
    assert 'ד"ר ברק' in staff['ד"ר נעמה ברק'].aliases and "נעמה" in staff['ד"ר נעמה ברק'].aliases
    assert staff["אורלי שמש"].hours == OpeningHours(sunday=["13:00-18:00"], thursday=["13:00-18:00"])
    assert staff["גלינה פרץ"].hours == OpeningHours(tuesday=["11:00-19:00"], thursday=["08:00-18:00"])
    assert staff["יוסי לוי"].hours == OpeningHours(sunday=["08:00-18:00"], tuesday=["15:00-19:00"])


@pytest.fixture
def from_documents(any_database_url, tmp_path):
    upgrade(any_database_url)
    cfg = parse_tenant_yaml(TENANT)
    with session_scope(any_database_url) as s:
        store_version(
            s, slug="clinic", name=cfg.name, config=cfg.model_dump(mode="json"), digest=cfg.digest(),
            source_text=TENANT, source_path=None,
        )  # fmt: skip
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "staff.md").write_text(STAFF_DOC, "utf-8")
    retriever = Retriever(get_settings())
    ingest_paths(retriever, "clinic", [docs])
    yield retriever
    from sochen.agents.graph import forget_checkpointers

    forget_checkpointers()


def test_a_day_the_named_therapist_does_not_receive_is_not_booked(from_documents, any_database_url):
    chat = Chat(from_documents, "972520000301", start=SUNDAY)
    closed = chat.say("שמי איגור שפירו, אני רוצה לקבוע טיפול בגמגום אצל גלינה פרץ ביום ראשון ב-10")
    assert "lead.captured" not in types(closed) and lead_params(any_database_url) == []
    assert "שלישי" in closed.reply or "חמישי" in closed.reply, closed.reply


def test_a_day_the_named_therapist_receives_is_booked_with_the_writers_name(from_documents):
    chat = Chat(from_documents, "972520000302", start=SUNDAY)
    booked = chat.say("קוראים לי בוריס לוין, אני צריך טיפול בגמגום עם גלינה ביום חמישי ב-12")
    assert "lead.captured" in types(booked), booked.reply
    assert booked.outcome["events"][0]["payload"]["slots"]["name"] == "בוריס לוין"
