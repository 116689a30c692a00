"""Sensitivity is about the person writing: the business's own names, address and services are not theirs."""

import pytest

from sochen.privacy import BusinessTerms, assess, scan

pytestmark = pytest.mark.unit

CLINIC_DOCS = [
    'מרפאת השיניים של ד"ר לוי פועלת ברחוב הרצל 112, רחובות, קומה 2.',
    'ד"ר אבי לוי מקבל בימים א׳–ה׳, ד"ר שירה כץ (יישור שיניים) מקבלת בימי ב׳ ו-ד׳.',
    "הבניין נגיש לכיסאות גלגלים, יש מעלית.",
    "| צילום פנורמי | צילום של כל הפה | ₪180 |",
    "יש לנו הסדר עם הראל ביטוח בריאות ועם מגדל.",
]
BUSINESS = BusinessTerms(
    [*CLINIC_DOCS, 'מרפאת השיניים של ד"ר לוי', "נועה, העוזרת הדיגיטלית"],
    services=["ניקוי אבנית", "הלבנת שיניים", "שתל"],
)


@pytest.mark.parametrize(
    "text",
    [
        'אפשר לקבוע אצל ד"ר שירה כץ?',
        'ד"ר אבי לוי עובד ביום חמישי?',
        "הכתובת היא הרצל 112, רחובות?",
        "מה הכתובת של המרפאה?",
        "הבניין נגיש לכיסא גלגלים?",
        "כמה עולה צילום פנורמי?",
        "יש לכם הסדר עם הראל?",
        "אני רוצה תור לניקוי אבנית",
        "כמה זמן לוקחת הלבנת שיניים?",
        "אחי בכמה יוצא לי שתל אצלכם בערך",
    ],
)
def test_the_business_own_terms_are_not_sensitive(text):
    result = assess(text, business=BUSINESS)
    assert not result.sensitive, [(f.type, text[f.start : f.end], f.evidence) for f in result.findings]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("שמי שירה כץ, רוצה תור", "name"),  # the writer's own name, even if a doctor has it too
        ("הבת שלי נועה הייתה אצלכם אתמול, מה רשמו לה בתיק?", "name"),
        ("אני גר בהרצל 112, רחובות", "address"),
        ("יש לי כאב אחרי ניקוי אבנית", "health"),
        ("יש לי סוכרת, אפשר שתל?", "health"),
        ("כמה עולה שתל לבעלי?", "health"),
        ("טלפון 050-1234567", "phone"),
    ],
)
def test_the_writer_and_their_people_stay_sensitive(text, kind):
    result = assess(text, business=BUSINESS)
    assert result.sensitive and kind in result.counted


def test_without_business_terms_names_of_doctors_still_count():
    # The router's own check (no tenant at hand) keeps the conservative reading.
    assert assess('אפשר לקבוע אצל ד"ר שירה כץ?').sensitive


@pytest.mark.parametrize(
    "text",
    [
        'מה תקופת ההתקשרות עם אורן מערכות רפואיות בע"מ?',
        'ההסכם בין דנה לוי לבין אורן מערכות רפואיות בע"מ',
        "הספק הוא חברת גל אור טכנולוגיות",
    ],
)
def test_company_names_are_not_people_or_health(text):
    found = {(f.type, text[f.start : f.end]) for f in scan(text)}
    assert not any(t == "health" for t, _ in found)
    assert not any(t == "name" and ("אורן" in v or "גל" in v) for t, v in found)


def test_a_person_next_to_a_company_is_still_a_person():
    text = 'ההסכם בין שמעון כהן לבין חברת גל אור בע"מ'
    names = [text[f.start : f.end] for f in scan(text) if f.type == "name"]
    assert names == ["שמעון כהן"]


@pytest.mark.parametrize("text", ["מה הכתובת של המרפאה?", "מה הכתובת שלכם?", "מה הכתובת למשלוח?"])
def test_asking_for_an_address_is_not_giving_one(text):
    assert not [f for f in scan(text) if f.type == "address"]


def test_business_terms_match_prefixed_and_plural_forms():
    assert BUSINESS.covers("כיסא גלגלים") and BUSINESS.covers("שירה כץ") and BUSINESS.covers("הרצל 112")
    assert not BUSINESS.covers("דנה כהן") and not BUSINESS.covers("")
