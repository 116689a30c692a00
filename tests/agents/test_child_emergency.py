"""A child's emergency in a parent's words — and the messages that only share its words.

Breathing stopped, choking, turning blue and a seizure are emergencies when they happen now; a history
('היו לו פרכוסים'), a habit ('נחנק הרבה בזמן אכילה') or a question about a therapy for them is a question. Not
responding and trembling say little alone: they need a word of now or of the body in trouble, so a child who does
not answer to his name (a developmental question) and a tenant or a lawyer who does not answer (a law firm's
client) are not sent to 101.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.extract import is_emergency, understand_text

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))


@pytest.mark.parametrize(
    "text",
    [
        "הבן שלי נפל ולא מגיב",
        "הוא שוכב ולא מגיב כבר כמה דקות",
        "היא לא מגיבה לכלום!!",
        "לא מגיב למגע",
        "הוא לא מגיב למרות שאני מנערת אותו",
        "הוא שיחק בגינה ונחנק",
        "התינוקת מכחילה, מה לעשות?",
        "הבת שלי נחנקת עכשיו מסוכריה, אפשר להגיע אליכם?",
        "my daughter stopped breathing",
        "ابنتي لا تتنفس",
        "Сын упал и не реагирует",
    ],
)
def test_an_emergency_happening_now(text):
    assert is_emergency(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        # a developmental question, in three languages
        "הבת שלי כמעט לא מגיבה כשקוראים לה בשם, אפשר לקבוע הערכה?",
        "Дочь не реагирует на своё имя, можно записаться?",
        "ابنتي لا تستجيب عندما نناديها، هل يمكن حجز تقييم؟",
        # a diagnosis, a history, a habit
        "יש לה פרכוסים מגיל שנתיים, כמה עולה אבחון?",
        "היו לו פרכוסים בעבר, זה משנה משהו בטיפול?",
        "У дочери были судороги раньше",
        "كانت عندها نوبة تشنج قبل سنة",
        "היא נחנקת הרבה מאוכל מוצק, יש לכם טיפול בהאכלה?",
        "הוא רועדת כולה כשיש רעש? זה ויסות חושי?",
        "הוא הפסיק לנשום דרך הפה מאז הטיפול",
        "הוא לא נושם טוב מהאף בלילות",
        "Is this toy a choking hazard?",
        # an idiom, and people or businesses who do not answer
        "נחנקתי מצחוק מהסרטון",
        "השוכר לא מגיב כבר חודש, מה אפשר לעשות?",
        "עורכת הדין של הצד השני אינה מגיבה",
        "המזכירה לא מגיבה כבר יומיים",
        "הטלפון במכון לא מגיב",
        "Your booking page is unresponsive",
    ],
)
def test_words_of_an_emergency_that_are_not_one(text):
    assert is_emergency(text) is None


def test_a_developmental_question_stays_a_booking():
    got = understand_text(
        "הבן שלי כמעט לא מגיב כשמדברים איתו, אפשר לקבוע הערכה התפתחותית?",
        now=NOW,
        services=["הערכה התפתחותית", "קלינאות תקשורת"],
    )
    assert got.intent == "appointment_request"


def test_a_tenant_who_does_not_answer_is_a_law_question():
    got = understand_text("השוכר שלי לא מגיב כבר חודש ולא משלם, מה אפשר לעשות?", now=NOW, services=["ייעוץ"])
    assert got.intent != "emergency"
