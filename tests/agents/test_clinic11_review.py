"""What a review of the vet and laboratory branches found on the other example clinics, as general rules.

An owner's emergency phrase may hold a few words between its words ('בלע לפני כמה דקות סוללה'), but a long gap
holds no comma and no clause opened with 'ש': there the message goes on to tell another thing ('לא רוצה לבזבז
כסף, אני רוצה לחיות טוב יותר' is no wish to die; 'רואה שהקצה של השומה בגב מטושטש' is a mole, not the eyes). A
polite hedge before a request ('זה לא הוגן לבקש ממך, אבל…') is no complaint. No database, no model.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.extract import is_emergency, understand_text

pytestmark = pytest.mark.unit

SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))
NEFESH = ["לא רוצה לחיות", "רוצה למות", "בלע כדורים"]
SHEMA = ["פתאום לא שומע", "בלע סוללה"]
DERM = ["רואה מטושטש"]
GAVISH = ["לא מצליחה לנשום", "לחץ בחזה"]


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("אני מתלבט אם לבוא לטיפול. אני לא רוצה לבזבז כסף, אני רוצה לחיות טוב יותר עם עצמי. כמה עולה פגישה?", NEFESH),
        ("פתאום שמתי לב שבעצם אני לא שומע טוב בטלוויזיה כבר כמה שנים. כמה עולה בדיקת שמיעה?", SHEMA),
        ("אני רואה שהקצה של השומה בגב מטושטש, אפשר לקבוע בדיקת שומות?", DERM),
        ("אני לא מצליחה להתכופף, להסתובב או לנשום עמוק בלי כאב בגב התחתון. אפשר לקבוע כירופרקט?", GAVISH),
    ],
)
def test_a_long_gap_holds_no_comma_and_no_new_clause(text: str, phrases: list[str]) -> None:
    assert is_emergency(text, extra=phrases) is None


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("הבן שלי בן 4 בלע לפני כמה דקות סוללה של מכשיר השמיעה של סבא", SHEMA),
        ("אני רוצה כבר ממש מזמן למות", NEFESH),
        ("פתאום אני כמעט לא שומע באוזן ימין", SHEMA),
    ],
)
def test_a_gap_of_plain_words_still_holds_the_phrase(text: str, phrases: list[str]) -> None:
    assert is_emergency(text, extra=phrases) is not None


def test_a_polite_hedge_is_no_complaint() -> None:
    assert understand_text("זה לא הוגן לבקש ממך, אבל יש אולי תור לניקוי אבנית עוד היום?", now=SUNDAY).intent != (
        "complaint"
    )
    assert understand_text("זה ממש לא הוגן שחייבו אותי 150 שקל כשהודעתי בבוקר שאני חולה", now=SUNDAY).intent == (
        "complaint"
    )


@pytest.mark.parametrize(
    "text",
    [
        "I have chest pain and my left arm is numb right now",
        "I have suicidal thoughts and I don't feel safe tonight",
        "I want to kill myself",
        "my son just swallowed a hearing aid battery",
        "my husband passed out and is not waking up",
        "I can't stop the bleeding after the extraction",
        "أفكر في الانتحار ولا أستطيع التحمل",
        "عندي ألم في الصدر وضيق في التنفس",
        "ابني بلع بطارية صغيرة",
        "أغمي على أمي في البيت",
    ],
)
def test_the_built_in_signs_said_in_english_or_arabic(text: str) -> None:
    """The signs every clinic's agent knows in Hebrew ('כאב בחזה', 'להתאבד', 'בלע סוללה', 'איבד הכרה') said in
    English or Arabic, with no owner phrase at all: the emergency reply, never a booking or 'not found'."""
    assert is_emergency(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "How much is a stress test?",
        "Do you have a battery for my hearing aid?",
        "كم سعر فحص الدم؟",
    ],
)
def test_no_sign_no_emergency(text: str) -> None:
    assert is_emergency(text) is None
