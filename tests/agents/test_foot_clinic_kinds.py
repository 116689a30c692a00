"""Kinds that failed on a foot clinic nobody tuned for (examples/tenants/regel), one test each.

Each test fails without its fix: the rule is general, the wording and material here are only an example of it
(a hearing institute, a dental clinic), never the scenario's own.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sochen.agents.answering import answer
from sochen.config import TenantConfig
from tests.agents._archive_library import FakeLibrary
from tests.agents.test_conversation_holds_up import Chat, clinic, types  # noqa: F401 (clinic is a fixture)

TZ = ZoneInfo("Asia/Jerusalem")
_MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)
_HOURS = "שעות הפעילות — מכון שמע"
_CHUNKS = [
    (
        _HOURS,
        "שעות הפעילות",
        "| יום | שעות | הערות |\n|---|---|---|\n"
        "| ראשון | 09:00–17:00 | |\n"
        "| שלישי | 09:00–12:00, 15:00–18:00 | יום מפוצל: בין 12:00 ל-15:00 המכון סגור |\n"
        "| חמישי | 13:00–20:00 | ביום חמישי המכון פותח בצהריים ופתוח עד הערב |\n",
    ),
    (
        "מחירון — מכון שמע",
        "בדיקות שמיעה",
        "| בדיקה | מבוגר | ילד |\n|---|---|---|\n| בדיקת שמיעה מלאה | 350 ₪ | 280 ₪ |\n",
    ),
]
_CONFIG = TenantConfig.model_validate({"slug": "shmak", "name": "מכון שמע", "agent": {"answer_mode": "extractive"}})


def _ask(question: str):  # type: ignore[no-untyped-def]
    return answer(question, config=_CONFIG, library=FakeLibrary(_CHUNKS).library(), now=_MONDAY)


# -- hours ------------------------------------------------------------------------------------------------------


def test_the_part_of_the_day_with_a_time_is_the_times_not_a_topic():
    """'בצהריים, בסביבות 13:30' places the time, though an hours note says 'בצהריים' of another day: the asked
    day's row answers (the split day's afternoon opening), not 'I did not find'."""
    reply = _ask("אתם פתוחים ביום שלישי בצהריים, בסביבות 13:30?")
    assert "15:00" in reply.text, reply.text


def test_a_time_outside_the_hours_is_told_that_days_hours(clinic):  # noqa: F811
    """Out of hours: the reply says that day's hours (or that it is closed), not only the nearest open time."""
    chat = Chat(clinic, "972520000101")
    closed = chat.say("שמי אורית גל, אפשר תור לסתימה ביום שישי ב-15:00?")
    assert "lead.captured" not in types(closed)
    assert "ביום שישי: 08:00–12:30" in closed.reply, closed.reply
    saturday = Chat(clinic, "972520000102").say("שמי אורית גל, אפשר תור לסתימה בשבת ב-10:00?")
    assert "ביום שבת סגור" in saturday.reply, saturday.reply


def test_that_same_day_is_the_day_asked_before_not_today(clinic):  # noqa: F811
    """'אז ב-10 באותו יום' after a refused Friday afternoon is Friday at 10, not today at 10."""
    chat = Chat(clinic, "972520000103")
    chat.say("שמי אורית גל, אפשר תור לסתימה ביום שישי ב-15:00?")
    done = chat.say("אז ב-11:00 באותו יום")
    assert "lead.captured" in types(done)
    assert done.outcome["events"][0]["payload"]["slots"]["preferred_time"].startswith("2026-11-27T11:00")
