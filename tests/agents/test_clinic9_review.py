"""Mends after the review of clinic9 on the example clinics' own configurations and documents (no model).

History told beside an emergency of now is an emergency; the owner's phrase 'לא נושם' is not found across a
negation's gap or in a later clause joined with ו; dissatisfaction with a return asked is a policy question only
where a return clause answers it, else the complaint it is; the staff's days are read with their ranges and lists,
and a line with a day not read gives no constraint; plural and construct forms of a documents' word are known.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.answering import answer
from sochen.agents.extract import is_emergency, understand_text
from sochen.agents.hours import is_open, staff_from_documents
from sochen.agents.nodes import _complaint_unanswered
from sochen.config import parse_tenant_yaml
from sochen.config.sections.agent import OpeningHours
from tests.agents._archive_library import CONFIG, FakeLibrary

pytestmark = pytest.mark.unit

TZ = ZoneInfo("Asia/Jerusalem")
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=TZ)
TENANTS = Path(__file__).resolve().parents[2] / "examples" / "tenants"


def _agent(slug: str):
    return parse_tenant_yaml((TENANTS / slug / "tenant.yaml").read_text(encoding="utf-8")).agent


def _read(slug: str, text: str):
    agent = _agent(slug)
    return understand_text(
        text, now=NOW, services=agent.services, emergency_keywords=agent.emergency.keywords,
        service_aliases=agent.service_aliases,
    )  # fmt: skip


# -- 1. history beside an emergency of now ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "text"),
    [
        ("clinic", "לפני חודש עשיתי עקירה ומאז אני רוצה להתאבד מרוב כאבים"),
        ("derm", "עשיתי פילר בשפתיים לפני חודש ועכשיו העור הלבין ליד השפה"),
        ("gavish", "בעבר היה לי פריצת דיסק ועכשיו אני לא שולט בשתן"),
        ("clinic", "בשנה שעברה עברתי ניתוח לב ועכשיו יש לי כאב בחזה וקוצר נשימה"),
    ],
)
def test_history_told_before_an_emergency_of_now_is_an_emergency(slug, text):
    assert _read(slug, text).intent == "emergency"


# -- 2. the owner's phrase across a negation or into another clause ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "הבן שלי לא ישן טוב ונושם מהפה בלילה, אתם עושים אבחון לזה?",
        "הבת שלי לא אוכלת כמעט ונושמת מהר כשהיא בוכה, מה עושים?",
    ],
)
def test_a_negation_of_another_word_and_a_later_clause_are_not_the_owners_phrase(text):
    assert is_emergency(text, extra=["לא נושם", "לא נושמת"]) is None
    assert _read("nitzanim", text).intent != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "התינוקת שלי נולדה לפני חודש ועכשיו היא מכחילה ולא נושמת!",
        "הוא פתאום לא נושם!!",
    ],
)
def test_the_owners_breathing_phrase_is_still_an_emergency(text):
    assert is_emergency(text, extra=["לא נושם", "לא נושמת"])


# -- 3. dissatisfaction with a return asked ---------------------------------------------------------------------


def test_dissatisfaction_with_a_person_stays_a_complaint():
    text = "קניתי כרטיסייה של עיסוי ואני ממש לא מרוצה מהמטפלת. אפשר לקבל את הכסף על מה שנשאר?"
    assert _read("gavish", text).intent == "complaint"


def _answered(reply: str, *, refused: bool = False) -> dict:
    return {"reply": reply, "citations": [] if refused else [{"title": "מסמך"}], "refused": refused}


@pytest.mark.parametrize(
    "answered",
    [
        _answered("לא מצאתי תשובה לכך במסמכים שברשותי. אפשר להעביר את השאלה לנציג.", refused=True),
        # an insurer's refund is no return of the business's
        _answered("לפי המסמכים שלנו:\nהמרפאה נותנת קבלה ומכתב רופא לצורך הגשת תביעה להחזר.\n(מקור: הסדרי קופות)"),
        _answered("לפי המסמכים שלנו:\nהלבנה במרפאה — שעה וחצי.\n(מקור: ביטולים והחזרים)"),
    ],
)
def test_a_return_asked_that_no_return_clause_answers_stays_a_complaint(answered):
    assert _complaint_unanswered({"return_asked": True}, answered)


@pytest.mark.parametrize(
    "reply",
    [
        "לפי המסמכים שלנו:\n6.1. סדרה שלא נוצלה במלואה — יוחזר לפי בקשה בכתב הסכום ששולם בניכוי מחירם של הטיפולים"
        " שבוצעו.\n(מקור: מדיניות ביטולים)",
        "לפי המסמכים שלנו:\n3.2 מי שמחזיר מכשיר בתוך 45 יום מיום המסירה מקבל את מחירו בחזרה.\n(מקור: נהלים)",
    ],
)
def test_a_return_clause_answers_the_return_asked(reply):
    assert not _complaint_unanswered({"return_asked": True}, _answered(reply))
    assert not _complaint_unanswered({}, _answered("לא מצאתי", refused=True))


def test_a_return_asked_after_dissatisfaction_is_marked_as_such():
    got = _read("derm", "הבוטוקס לא עבד בכלל ואני מאוד מאוכזבת. אפשר לקבל החזר?")
    assert got.intent == "document_question" and "document_question:return_asked" in got.signals


# -- 4. the staff's days from nitzanim's documents ---------------------------------------------------------------


def _nitzanim_staff():
    texts = [p.read_text(encoding="utf-8") for p in sorted((TENANTS / "nitzanim" / "docs").glob("*.md"))]
    return {m.name: m for m in staff_from_documents(texts, _agent("nitzanim").hours)}


@pytest.mark.parametrize(
    ("name", "when"),
    [
        ("מיכל אבוטבול", datetime(2026, 12, 8, 10, 0, tzinfo=TZ)),  # 'עובדת בימים א'–ה'': a Tuesday
        ("מיכל אבוטבול", datetime(2026, 12, 10, 11, 0, tzinfo=TZ)),  # and a Thursday
        ("רונית לוי-שגב", datetime(2026, 12, 10, 11, 0, tzinfo=TZ)),  # 'ביום שני (כולל ערב) וביום חמישי'
        ("רונית לוי-שגב", datetime(2026, 12, 7, 18, 0, tzinfo=TZ)),
    ],
)
def test_a_booking_on_a_working_day_read_from_nitzanims_documents_is_taken(name, when):
    member = _nitzanim_staff()[name]
    assert is_open(when, member.hours), (name, member.hours)


def test_a_day_off_read_from_nitzanims_documents_is_still_refused():
    staff = _nitzanim_staff()
    assert not is_open(datetime(2026, 12, 9, 15, 0, tzinfo=TZ), staff["סאמר ח'טיב"].hours)  # not on Wednesday
    assert not is_open(datetime(2026, 12, 8, 10, 0, tzinfo=TZ), staff["רונית לוי-שגב"].hours)


def test_a_staff_line_with_a_day_not_read_gives_no_constraint():
    hours = OpeningHours(sunday=["08:00-18:00"], monday=["08:00-18:00"], tuesday=["08:00-18:00"])
    doc = "- **דנה כהן** — קלינאית תקשורת. עובדת בימים א' ו-ג', ובשבועות זוגיים גם ב'.\n"
    assert staff_from_documents([doc], hours) == []


# -- 5. plural and construct forms of a documents' word are known -------------------------------------------------


def test_a_plural_asked_of_a_construct_in_the_documents_is_known():
    chunks = [("השירותים שלנו", "טיפולים", "אסתטיקה — הלבנת שיניים במרפאה או בבית, וציפויי חרסינה.")]
    reply = answer("יש לכם ציפויים?", config=CONFIG, library=FakeLibrary(chunks).library(), now=NOW)
    assert "ציפויי חרסינה" in reply.text


def test_an_adjective_is_not_the_noun_of_the_documents():
    chunks = [
        ("מחירון", "שיקום", "שיקום שמיעה אחרי התאמת מכשיר — 4 פגישות, 1,200 ₪."),
        ("מחירון", "גמגום", "טיפול בגמגום — פגישה של 45 דקות, 310 ₪."),
    ]
    question = "יש אצלכם טיפול שיקומי לשיווי משקל לסחרחורות?"
    reply = answer(question, config=CONFIG, library=FakeLibrary(chunks).library(), now=NOW)
    assert reply.status != "answered", reply.text
