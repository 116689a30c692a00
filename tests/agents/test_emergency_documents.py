"""A tenant without its own emergency instructions: the general ones, and its documents' emergency text beside
them (sochen.agents.emergency); emergencies of the eye are emergencies (sochen.agents.extract)."""

from __future__ import annotations

import pytest

from sochen.agents.emergency import emergency_passage, emergency_reply, has_own_instructions
from sochen.agents.extract import is_emergency
from sochen.config import TenantConfig
from sochen.rag.retriever import SearchHit

pytestmark = pytest.mark.unit

AFTERCARE = """## מצבי חירום
- פגיעה כימית בעין (חומרי ניקוי, אקונומיקה, סיד או מלט): לשטוף מיד את העין במים זורמים לפחות 15 דקות, ומיד אחר כך לפנות לחדר מיון עיניים או להתקשר למד"א בטלפון 101.
- חפץ שחדר לעין או מכה חזקה בעין: לא ללחוץ על העין; לכסות בעדינות ולהזעיק מד"א 101.
- אחרי ניתוח לייזר: כאב חזק שמחמיר, ירידה בראייה או הפרשה מוגלתית — להתקשר מיד לרופא התורן בטלפון 052-4417730 (24 שעות ביממה).
"""
PREP = """## הכנה לבדיקה
- בבדיקה נותנים טיפות להרחבת אישונים; אין לנהוג אחרי הבדיקה.
"""


def _chunks() -> list[SearchHit]:
    return [
        SearchHit(AFTERCARE, 0.0, "doc-care", "care.md", "הנחיות אחרי טיפול ומצבי חירום", "מצבי חירום", None, "c1"),
        SearchHit(PREP, 0.0, "doc-care", "care.md", "הנחיות אחרי טיפול ומצבי חירום", "הכנה לבדיקה", None, "c2"),
    ]


def _config(**emergency: str) -> TenantConfig:
    agent = {"emergency": emergency} if emergency else {}
    return TenantConfig.model_validate({"slug": "eyes", "name": "מרכז עיניים", "agent": agent})


def test_the_passage_that_fits_the_message_is_chosen():
    bleach = emergency_passage("הבת שלי התיזה אקונומיקה לתוך העין והיא צורחת, מה עושים??", _chunks())
    assert bleach is not None and "לשטוף" in bleach.text and "101" in bleach.text
    laser = emergency_passage("עברתי אתמול ניתוח לייזר וכואב לי נורא, כמעט לא רואה", _chunks())
    assert laser is not None and "052-4417730" in laser.text


def test_no_passage_without_a_shared_word_or_without_emergency_text():
    assert emergency_passage("יש לי דימום חזק מהאף", _chunks()) is None
    assert emergency_passage("אקונומיקה בעין", _chunks()[1:]) is None  # preparation is not guidance


def test_a_tenant_without_instructions_gets_the_general_ones_and_its_documents_text():
    config = _config()
    assert not has_own_instructions(config)
    reply, citations = emergency_reply("נכנס לי סיד לעין ושורף", config, _chunks())
    assert "לשטוף מיד את העין" in reply and 'מד"א בטלפון 101' in reply
    assert reply.endswith(config.agent.emergency.instructions)  # the general text stays, after the specific one
    assert citations[0]["title"] == "הנחיות אחרי טיפול ומצבי חירום" and citations[0]["quote"] in reply


def test_a_tenant_with_its_own_instructions_gets_them_as_written():
    own = 'קוצר נשימה: מד"א 101. כאב חזק אחרי טיפול: הרופא התורן 052-1111111.'
    config = _config(instructions=own)
    assert has_own_instructions(config)
    assert emergency_reply("נכנס לי סיד לעין ושורף", config, _chunks()) == (own, [])


def test_an_english_emergency_gets_the_lead_in_english():
    reply, _ = emergency_reply("I got bleach in my eye, it burns!", _config(), _chunks())
    assert reply.startswith("From our emergency instructions") and "אקונומיקה" in reply
    assert "Magen David Adom" in reply and "101" in reply


def test_english_and_arabic_writers_get_the_general_instructions_in_their_language():
    english, _ = emergency_reply("My father fainted and is not breathing", _config(), [])
    assert english.startswith("If this is a medical emergency") and "101" in english
    arabic, _ = emergency_reply("ابني ينزف كثير من الفم بعد الخلع", _config(), [])
    assert arabic.startswith("إذا كانت هذه حالة طبية طارئة") and "101" in arabic
    hebrew, _ = emergency_reply("הבן שלי נפל ומדמם", _config(), [])
    assert hebrew == _config().agent.emergency.instructions


@pytest.mark.parametrize(
    "text",
    [
        "הבת שלי התיזה אקונומיקה לתוך העין, מה עושים??",
        "נכנס לו חומר ניקוי לעיניים",
        "פתאום אני לא רואה כלום בעין שמאל",
        "יש לי הבזקי אור ומין וילון בעין ימין",
        "I got bleach in my eye",
        "دخل كلور في عيني",
        "عندي ألم شديد في العين بعد العملية",
        "ابني ينزف كثير من الفم",
        "ابني دخل في عينه كلور وهو يصرخ من الوجع، ماذا أفعل؟",
        "I had laser eye surgery yesterday and now my eye hurts badly and I can barely see",
        "אני לא רואה כלום בעין שמאל",
        "כמעט לא רואה בעין ימין",
        "העין שלי, אני לא רואה בכלל",
        "פתאום אני לא רואה בעין ימין",
        "I can't see anything with my right eye",
        "My eye hurts badly since the laser",
    ],
)
def test_eye_and_arabic_emergencies_are_emergencies(text):
    assert is_emergency(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "אני לא רואה את המחיר של בדיקת עיניים באתר",
        "בעין ימין אני לא רואה טוב מרחוק, כמה עולה בדיקת ראייה?",
        "כמה עולה ניקוי עם חומר ניקוי מיוחד לעדשות?",
        "كم سعر فحص النظر للأطفال؟",
        "How painful is PRK compared to LASIK?",
        "אני לא רואה בכלל תורים פנויים באתר לעיניים",
        "אני כמעט לא רואה תורים לבדיקת עיניים השבוע",
        "אני לא רואה כלום באתר לעיניים",
        "פתאום אני לא רואה את התורים לעיניים באפליקציה",
        "I can barely see the prices for eye exams on your site",
        "It hurts badly when I pay so much",
    ],
)
def test_eye_words_alone_are_not_emergencies(text):
    assert is_emergency(text) is None
