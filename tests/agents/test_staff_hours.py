"""A person of the staff with hours of their own (``agent.staff``): a time asked with them outside their hours
is not booked, the reply says when they receive and proposes their nearest time; the writer's own name is never
taken for the therapist's. Real graph, checkpointer, outbox and rules; no model (extractive)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.hours import staff_asked, staff_named
from sochen.config import get_settings, parse_tenant_yaml
from sochen.config.sections.agent import OpeningHours, StaffMember
from sochen.db.migrate import upgrade
from sochen.db.session import session_scope
from sochen.db.tenants import store_version
from sochen.rag.ingest import ingest_paths
from sochen.rag.retriever import Retriever
from tests.agents.test_conversation_holds_up import Chat, lead_params, types

TZ = ZoneInfo("Asia/Jerusalem")
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=TZ)

TENANT = """slug: clinic
name: מרפאת אלה לכירופרקטיקה
agent:
  services: [כירופרקטיקה, עיסוי רפואי, בדיקה פודיאטרית]
  hours:
    sunday: ["08:00-19:30"]
    monday: ["08:00-19:30"]
    tuesday: ["08:00-19:30"]
    wednesday: ["14:00-20:30"]
    thursday: ["08:00-19:30"]
    friday: ["08:00-12:30"]
  staff:
    - name: ד"ר יואב ארד
      aliases: [ד"ר ארד, יואב]
      hours: {sunday: ["08:00-19:30"], wednesday: ["16:00-20:30"]}
    - name: סהר נאסר
      aliases: [סהר, הפודיאטור]
      services: [בדיקה פודיאטרית]
      hours: {monday: ["12:00-18:30"], thursday: ["08:00-13:30"]}
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

STAFF = [
    StaffMember(name='ד"ר יואב ארד', aliases=['ד"ר ארד', "יואב"], hours=OpeningHours(wednesday=["16:00-20:30"])),
    StaffMember(name="סהר נאסר", aliases=["סהר", "הפודיאטור"], services=["בדיקה פודיאטרית"]),
]


@pytest.fixture
def staffed(any_database_url, tmp_path):
    upgrade(any_database_url)
    cfg = parse_tenant_yaml(TENANT)
    with session_scope(any_database_url) as s:
        store_version(
            s, slug="clinic", name=cfg.name, config=cfg.model_dump(mode="json"), digest=cfg.digest(),
            source_text=TENANT, source_path=None,
        )  # fmt: skip
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "hours.md").write_text("# שעות\n\nהמרפאה פתוחה בימים א'-ה' 08:00–20:00, ברביעי 14:00–21:00.\n", "utf-8")
    retriever = Retriever(get_settings())
    ingest_paths(retriever, "clinic", [docs])
    yield retriever
    from sochen.agents.graph import forget_checkpointers

    forget_checkpointers()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "who"),
    [
        ('כירופרקטיקה אצל ד"ר ארד ביום רביעי', 'ד"ר יואב ארד'),
        ("אפשר תור עם יואב?", 'ד"ר יואב ארד'),
        ("תור לסהר ביום שני", "סהר נאסר"),
        ("אני רוצה תור אצל הפודיאטור", "סהר נאסר"),
        ("שמי יואב כהן, רוצה כירופרקטיקה", None),  # the writer's name, not the doctor's
        ("אני סהר, אפשר עיסוי?", None),
    ],
)
def test_the_person_named_for_the_appointment(text, who):
    member = staff_named(text, STAFF)
    assert (member.name if member else None) == who


@pytest.mark.unit
def test_a_service_only_one_person_gives_is_theirs():
    assert staff_asked("אפשר בדיקה פודיאטרית?", "בדיקה פודיאטרית", STAFF).name == "סהר נאסר"
    assert staff_asked("אפשר כירופרקטיקה?", "כירופרקטיקה", STAFF) is None


def test_a_time_outside_the_named_persons_hours_is_not_booked(staffed, any_database_url):
    chat = Chat(staffed, "972520000101", start=SUNDAY)
    early = chat.say('שמי טל גרין, אפשר כירופרקטיקה אצל ד"ר ארד ביום רביעי ב-14:30?')
    assert "lead.captured" not in types(early) and lead_params(any_database_url) == []
    assert 'ד"ר יואב ארד' in early.reply and "16:00" in early.reply, early.reply
    accepted = chat.say("כן, מתאים")
    assert "lead.captured" in types(accepted)
    slots = accepted.outcome["events"][0]["payload"]["slots"]
    assert slots["preferred_time"].startswith("2026-12-09T16:00") and slots["name"] == "טל גרין"


def test_a_service_only_one_person_gives_is_checked_against_their_days(staffed, any_database_url):
    chat = Chat(staffed, "972520000102", start=SUNDAY)
    closed = chat.say("שמי עמית נחום, אני רוצה בדיקה פודיאטרית ביום רביעי ב-17:00")
    assert "lead.captured" not in types(closed) and lead_params(any_database_url) == []
    assert "שני" in closed.reply and "חמישי" in closed.reply, closed.reply


def test_a_time_within_the_persons_hours_is_booked_with_the_writers_name(staffed):
    chat = Chat(staffed, "972520000103", start=SUNDAY)
    booked = chat.say("אני רוני קליין ורוצה לקבוע בדיקה פודיאטרית אצל סהר ביום שני ב-13:00")
    assert "lead.captured" in types(booked), booked.reply
    assert booked.outcome["events"][0]["payload"]["slots"]["name"] == "רוני קליין"
