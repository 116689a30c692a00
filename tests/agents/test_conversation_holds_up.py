"""Conversations that hold up: emergencies first, questions stay questions, names look like names,
services match in any form, requested times meet the opening hours, the business's own words are not
the writer's personal data. Real graph, checkpointer, outbox and rules; no model (extractive)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sochen.config import get_settings, parse_tenant_yaml
from sochen.db.migrate import upgrade
from sochen.db.models_outbox import Job
from sochen.db.session import session_scope
from sochen.db.tenants import store_version
from sochen.rag.ingest import ingest_paths
from sochen.rag.retriever import Retriever
from sochen.tenancy import resolver_for
from sochen.workflows.conversations import Inbound, handle_message

TZ = ZoneInfo("Asia/Jerusalem")
SUNDAY = datetime(2026, 11, 22, 10, 0, tzinfo=TZ)
EMERGENCY = 'חבלה בפנים או דימום שאינו נפסק: התקשרו מיד למד"א 101. כאב חזק או שן שבורה: התקשרו למרפאה 08-9461230.'

TENANT = f"""slug: clinic
name: מרפאת השיניים של ד"ר לוי
agent:
  services: [ניקוי אבנית, הלבנת שיניים, טיפול שורש, סתימה]
  emergency:
    instructions: '{EMERGENCY}'
  hours:
    sunday: ["08:00-18:30"]
    monday: ["08:00-18:30"]
    tuesday: ["08:00-18:30"]
    wednesday: ["08:00-18:30"]
    thursday: ["08:00-18:30"]
    friday: ["08:00-12:30"]
connectors:
  whatsapp: {{phone_number_id: "1", access_token_env: T, app_secret_env: S, verify_token_env: V}}
  zoho_crm: {{data_centre: eu, client_id: c, client_secret_env: CS, refresh_token_env: RT}}
workflows:
  holidays: [2026-12-01]
  rules:
    - name: lead
      on: lead.captured
      do:
        - action: zoho_crm.upsert_lead
          params:
            first_name: "{{{{ event.slots.first_name }}}}"
            last_name: "{{{{ event.slots.last_name }}}}"
            phone: "{{{{ event.slots.phone | e164 }}}}"
            description: "{{{{ event.slots.service }}}}"
"""

DOCS = {
    "prices.md": """# מחירון המרפאה

| טיפול | מחיר |
| --- | --- |
| ניקוי אבנית | 350 ₪ |
| הלבנת שיניים | 1,200 ₪ |
| צילום פנורמי | 180 ₪ |

## ביטולים

ביטול תור בפחות מ-24 שעות לפני המועד: דמי ביטול של 100 ₪.
""",
    "about.md": """# המרפאה

מרפאת השיניים של ד"ר לוי פועלת ברחוב הרצל 112, רחובות.
ד"ר שירה כץ (יישור שיניים) מקבלת בימי שני ורביעי אחר הצהריים.
הבניין נגיש לכיסאות גלגלים ויש מעלית.
""",
}


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
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    retriever = Retriever(get_settings())
    ingest_paths(retriever, "clinic", [docs])
    yield retriever
    from sochen.agents.graph import forget_checkpointers

    forget_checkpointers()


class Chat:
    def __init__(self, retriever, contact="972501234567", start=SUNDAY):
        self.retriever, self.contact, self.n, self.start = retriever, contact, 0, start

    def say(self, text):
        self.n += 1
        inbound = Inbound(
            "clinic",
            "whatsapp",
            self.contact,
            text,
            f"wamid.{self.contact}.{self.n}",
            self.start + timedelta(minutes=self.n),
            "דנה",
            f"+{self.contact}",
        )
        tenant = resolver_for(get_settings()).live("clinic")
        return handle_message(get_settings(), inbound, retriever=self.retriever, tenant=tenant)


def types(result):
    return [e["type"] for e in result.outcome["events"]]


def lead_params(url):
    with session_scope(url) as s:
        return [j.params for j in s.scalars(select(Job).where(Job.action == "zoho_crm.upsert_lead"))]


def test_an_emergency_at_night_gets_the_tenant_instructions_first(clinic):
    saturday_night = datetime(2026, 11, 28, 23, 0, tzinfo=TZ)
    chat = Chat(clinic, "972520000011", start=saturday_night)
    result = chat.say("נשברה לי שן ויש לי כאב חזק, מה עושים עכשיו כשאתם סגורים?")
    assert result.outcome["intent"] == "emergency"
    assert result.reply == EMERGENCY and "101" in result.reply
    assert types(result) == ["handoff.requested", "reply"]
    assert result.outcome["events"][0]["payload"] == {"reason": "emergency", "urgent": True}
    # A person has the conversation now, yet a second emergency is still answered, never silence.
    again = chat.say("הדימום לא מפסיק לדמם, מה לעשות??")
    assert again.reply == EMERGENCY


def test_an_emergency_in_the_middle_of_a_booking_comes_first(clinic):
    chat = Chat(clinic, "972520000012")
    assert chat.say("אני רוצה תור להלבנה").reply == "איך קוראים לך?"
    result = chat.say("רגע, הבן שלי נפל ויש לו דימום חזק מהפה")
    assert result.reply == EMERGENCY and "lead.captured" not in types(result)


def test_a_question_about_the_cancellation_fee_is_answered_not_booked(clinic):
    result = Chat(clinic, "972520000013").say("כמה עולה ביטול תור?")
    assert result.outcome["intent"] == "price_question"
    assert result.reply != "איך קוראים לך?" and "100" in result.reply
    assert "lead.captured" not in types(result)


def test_an_answer_to_the_name_question_must_look_like_a_name(clinic, any_database_url):
    chat = Chat(clinic, "972520000014")
    assert chat.say("אני רוצה לקבוע תור לניקוי אבנית").reply == "איך קוראים לך?"
    later = chat.say("מחר אחרי 5")
    assert later.reply == "איך קוראים לך?"  # the time is kept, the name is still asked for
    done = chat.say("רינה בן חיים")
    assert "lead.captured" in types(done)
    slots = done.outcome["events"][0]["payload"]["slots"]
    assert slots["name"] == "רינה בן חיים" and slots["preferred_time"].startswith("2026-11-23T17:00")
    assert (slots["first_name"], slots["last_name"]) == ("רינה", "בן חיים")
    [params] = lead_params(any_database_url)
    assert params["first_name"] == "רינה" and params["last_name"] == "בן חיים"
    assert params["description"] == "ניקוי אבנית"


def test_a_service_asked_about_is_not_carried_into_a_booking_for_another(clinic):
    chat = Chat(clinic, "972520000015")
    chat.say("כמה עולה ניקוי אבנית?")
    result = chat.say("ואני רוצה תור להלבנה, שמי דנה כהן, מחר ב-10")
    slots = result.outcome["events"][0]["payload"]["slots"]
    assert slots["service"] == "הלבנת שיניים"


def test_a_service_asked_about_is_the_default_of_a_booking_that_names_none(clinic):
    chat = Chat(clinic, "972520000016")
    price = chat.say("כמה עולה הלבנת שיניים?")
    assert "1,200" in price.reply and "lead.captured" not in types(price)
    result = chat.say("מעולה, אני רוצה לקבוע. שמי שירן דהן")
    assert "מתי נוח לך" in result.reply  # the service is known: only the time is asked for
    done = chat.say("מחר ב-12")
    assert done.outcome["events"][0]["payload"]["slots"]["service"] == "הלבנת שיניים"


def test_a_requested_time_outside_the_hours_is_not_booked_and_the_nearest_open_one_is_offered(clinic, any_database_url):
    tuesday = datetime(2026, 11, 24, 12, 0, tzinfo=TZ)
    chat = Chat(clinic, "972520000017", start=tuesday)
    closed = chat.say("שמי יפעת שמש, רוצה תור להלבנת שיניים ביום שישי ב-4")
    assert "lead.captured" not in types(closed) and lead_params(any_database_url) == []
    assert "מחוץ לשעות הפעילות" in closed.reply and "יום שישי 27.11 בשעה 12:30" in closed.reply
    accepted = chat.say("כן, מתאים")
    assert "lead.captured" in types(accepted)
    slots = accepted.outcome["events"][0]["payload"]["slots"]
    assert slots["preferred_time"].startswith("2026-11-27T12:30")


def test_a_holiday_is_closed_and_another_time_can_be_given(clinic):
    chat = Chat(clinic, "972520000018")
    closed = chat.say("שמי דנה כהן, אפשר תור לסתימה ב-1.12 בשעה 10:00?")
    assert "lead.captured" not in types(closed) and "מחוץ לשעות הפעילות" in closed.reply
    other = chat.say("אז ב-2.12 בשעה 11:00")
    assert other.outcome["events"][0]["payload"]["slots"]["preferred_time"].startswith("2026-12-02T11:00")


@pytest.mark.parametrize(
    "text",
    ['ד"ר שירה כץ מקבלת בימי שני?', "מה הכתובת של המרפאה?", "הבניין נגיש לכיסא גלגלים?", "כמה עולה צילום פנורמי?"],
)
def test_the_clinic_own_names_and_services_are_not_the_writer_personal_data(clinic, text):
    result = Chat(clinic, "972520000019").say(text)
    assert not result.outcome["sensitive"], result.outcome["sensitivity_types"]
    assert result.status == "active" and not result.outcome.get("handoff")
    assert result.reply and result.reply != "קיבלנו את פנייתך ונציג יחזור אליך בהקדם."


def test_the_writer_own_name_is_still_sensitive(clinic):
    result = Chat(clinic, "972520000020").say("שמי שירה כץ ויש לי כאב אחרי טיפול שורש, מה עושים?")
    assert result.outcome["sensitive"] and {"name", "health"} <= set(result.outcome["sensitivity_types"])
