"""Kinds a psychology and psychotherapy clinic showed the model-free agent getting wrong, as general rules.

A session's length said in round minutes ('פגישה כפולה של 90 דקות') is the row that lasts that long, not a count
to multiply a rate by. A fake lexical library; no database, no model.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.compute import states_count
from sochen.agents.answering.threshold import asked_hours
from sochen.agents.extract import understand_text
from sochen.config import TenantConfig
from tests.agents._archive_library import FakeLibrary

pytestmark = pytest.mark.unit

TZ = ZoneInfo("Asia/Jerusalem")
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=TZ)
PRICES = "מחירון — מרכז אופק לפסיכותרפיה"
POLICIES = "נהלים — מרכז אופק לפסיכותרפיה"

CHUNKS = [
    (
        PRICES,
        "פסיכותרפיה (פגישה של 45 דקות / פגישה כפולה של 90 דקות)",
        "פסיכותרפיה (פגישה של 45 דקות / פגישה כפולה של 90 דקות)\n"
        "טיפול | פגישה של 45 דקות | פגישה כפולה של 90 דקות\n"
        "טיפול: טיפול פרטני — פגישת המשך · פגישה של 45 דקות: 430 ₪ · פגישה כפולה של 90 דקות: 790 ₪\n"
        "טיפול: טיפול משפחתי — פגישת המשך · פגישה של 45 דקות: 560 ₪ · פגישה כפולה של 90 דקות: 1,020 ₪",
    ),
]
CONFIG = TenantConfig.model_validate(
    {
        "slug": "ofek",
        "name": "מרכז אופק",
        "agent": {"answer_mode": "extractive", "services": ["טיפול פרטני", "טיפול משפחתי"]},
    }
)


def ask(question: str, chunks=CHUNKS) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(chunks).library(), now=SUNDAY)


# -- a round length in minutes is the row that lasts it ------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "said"), [(90, "פגישה כפולה של 90 דקות"), (10, "חבילה של 10 פגישות"), (100, "100 שעות")]
)
def test_a_round_count_is_found_where_the_row_says_it(count, said):
    assert states_count((Decimal(count), said.split()[-1]), f"שורה: {said}: 1,020 ₪")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("כמה עולה פגישה כפולה של 90 דקות בטיפול משפחתי?", "1,020 ₪"),
        ("מה המחיר של פגישת המשך בטיפול פרטני אם היא של 90 דקות?", "790 ₪"),
    ],
)
def test_a_session_of_round_minutes_is_priced_by_its_row(text, shown):
    reply = ask(text)
    assert reply.status == "answered", reply
    assert shown in reply.text


# -- a story told in comma clauses before a price question -----------------------------------------------------


STORY_CHUNKS = [
    *CHUNKS,
    (
        POLICIES,
        "2. ביטול פגישה",
        "2. ביטול פגישה\n2.1 אפשר לבטל או להזיז פגישה ללא חיוב עד 48 שעות לפני מועדה.\n"
        "2.2 ביטול פחות מ-48 שעות לפני הפגישה מחויב ב-50% ממחיר הפגישה.",
    ),
    (
        PRICES,
        "תעריף מופחת לסטודנטים",
        "תעריף מופחת לסטודנטים\nסטודנטים עם תעודת סטודנט בתוקף: טיפול פרטני — 320 ₪ לפגישה של 45 דקות.",
    ),
]


@pytest.mark.parametrize(
    "text",
    [
        "לפני שנתיים היה לי משבר, היום אני בסדר, כמה עולה טיפול פרטני?",
        "לפני שלוש שנים עברתי תקופה קשה, מאז אני יציבה, כמה עולה טיפול משפחתי?",
    ],
)
def test_a_story_in_comma_clauses_does_not_hide_the_price_asked(text):
    reply = ask(text, STORY_CHUNKS)
    assert reply.status == "answered", reply
    assert "₪" in reply.text


def test_a_clause_that_says_whose_price_still_picks_it():
    reply = ask("אני סטודנטית, כמה עולה טיפול פרטני?", STORY_CHUNKS)
    assert reply.status == "answered", reply
    assert "320 ₪" in reply.text


# -- a wish to start a service: background to a price question, a booking with a day and an hour --------------

SERVICES = ["פגישת היכרות", "טיפול פרטני", "טיפול CBT", "טיפול זוגי"]


def understand(text: str):
    return understand_text(text, now=SUNDAY, services=SERVICES, service_aliases={"טיפול CBT": ["CBT"]})


@pytest.mark.parametrize(
    "text",
    [
        "אובחנתי עם OCD ואני רוצה להתחיל טיפול CBT. אני סטודנט — כמה זה יעלה לי?",
        "אני רוצה להתחיל טיפול זוגי, כמה זה עולה?",
    ],
)
def test_a_wish_to_start_before_a_price_question_is_the_price_question(text):
    assert understand(text).intent == "price_question"


def test_a_wish_to_start_a_service_on_a_day_and_hour_is_a_booking():
    u = understand("קוראים לי מרינה כץ, אני רוצה להתחיל טיפול CBT אצל גיל ברקוביץ ביום שלישי ב-18:00")
    assert u.intent == "appointment_request"
    assert u.slots["name"] == "מרינה כץ"
    assert u.slots["preferred_time"].startswith("2026-12-08T18:00")


def test_a_wish_alone_is_still_a_lead():
    assert understand("אני רוצה להתחיל טיפול זוגי").intent == "new_lead"


# -- 'לפני שנה' is how long ago, not hours before an appointment -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("לפני שנה היה לי התקף פאניקה והייתי יום אחד באשפוז. היום אני בסדר. כמה עולה פגישה?", None),
        ("לפני שלושה חודשים הייתי יומיים בבית חולים. כמה עולה טיפול?", None),
        ("ביטלתי תור יום לפני, כמה אשלם?", 24),
        ("לפני חודש ביטלתי את התור 30 שעות לפני, חייבו אותי?", 30),
    ],
)
def test_how_long_ago_is_no_hours_ahead(text, hours):
    assert asked_hours(text) == hours


def test_a_story_of_a_day_in_hospital_a_year_ago_does_not_pick_a_cancellation_window():
    chunks = [
        *STORY_CHUNKS,
        (
            POLICIES,
            "3. ביטול מאוחר",
            "3. ביטול מאוחר\n3.1 ביטול בין 48 ל-12 שעות לפני הפגישה מחויב ב-50% ממחיר הפגישה.",
        ),
    ]
    reply = ask("לפני שנה היה לי התקף פאניקה והייתי יום אחד באשפוז. היום אני בסדר. כמה עולה פגישת טיפול פרטני?", chunks)
    assert reply.status == "answered", reply
    assert "430 ₪" in reply.text
    assert "50%" not in reply.text
